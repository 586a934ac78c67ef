// core/include/warden/policy/decision.h
//! The policy seam: every statement a client sends (simple query text, each extended-protocol
//! Parse, SQL inside PREPARE, ...) is handed to one core interface with the identity and target;
//! it answers with a Decision. Dialects turn a Decision into protocol-correct replies; the core
//! never sees protocol bytes here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "warden/config/config.h"
#include "warden/sql/statement.h"

namespace warden::masking { struct StatementMasking; }

namespace warden::policy {

//! The Principal: who is asking, produced at login, read by policy, masking, approvals, audit.
struct Identity {
  std::string user;
  std::vector<std::string> groups;
  std::string kind = "human";   // human | agent | service
  std::string method;           // scram | password | jwt | mtls ...
  std::string client_address;   // "ip:port" the client connected from
  //! When the credential stops being valid (token `exp`); empty for passwords.
  std::optional<std::chrono::system_clock::time_point> expires;
  std::string issuer;           // token issuer (jwt)
};

//! Where the statement text came from inside the protocol.
enum class StatementOrigin {
  SimpleQuery,      // PG 'Q', MySQL COM_QUERY, TDS SQLBatch
  Prepare,          // PG Parse, MySQL COM_STMT_PREPARE, TDS sp_prepare
  FunctionCall,     // PG fastpath FunctionCall / TDS RPC by id: no SQL text
  Other,
};

//! Prepared statements a session knows by name (in PostgreSQL, SQL-level PREPARE and
//! protocol-level named statements share one namespace). Lets the engine decide `EXECUTE name`
//! as the statement it runs.
class PreparedLookup {
 public:
  virtual ~PreparedLookup() = default;
  //! Calls `fn` for every body `name` may refer to at this point: none when unknown, more than
  //! one when the request itself re-prepares the name.
  virtual void find(std::string_view name,
                    const std::function<void(const sql::Statement&)>& fn) const = 0;
};

//! Engine-defined per-session precomputation (e.g. the rules that can apply to one identity on
//! one target), built by PolicyEngine::scopeFor and handed back in StatementRequest::scope.
class PolicyScope {
 public:
  virtual ~PolicyScope() = default;
};

struct StatementRequest {
  const Identity* identity = nullptr;
  const config::Target* target = nullptr;
  std::string_view dialect;
  std::string_view text;
  StatementOrigin origin = StatementOrigin::SimpleQuery;
  uint64_t session_id = 0;
  //! What the dialect's parser understood of `text`: one Statement per statement of a batch
  //! (`a; b` gives two), `unparsed` when the parser could not read it. Never null when the
  //! core's session runner asks; owned by the caller for the duration of evaluate().
  const sql::Analysis* analysis = nullptr;
  //! Protocol-level statement name (PG Parse), empty otherwise.
  std::string_view statement_name;
  //! The session's prepared statements (may be null: EXECUTE name is then undecidable).
  const PreparedLookup* prepared = nullptr;
  //! From this engine's scopeFor() for the same identity and target; null: computed per call.
  const PolicyScope* scope = nullptr;
};

//! Transforms rows of a result before they reach the client (masking, warden/masking/plan.h).
//! Reached through a virtual (not dynamic_cast) so it works across the plugin boundary, where
//! type_info of hidden-visibility types differs between the host and a plugin.
class ResultTransform {
 public:
  virtual ~ResultTransform() = default;
  virtual const masking::StatementMasking* asMasking() const noexcept { return nullptr; }
};

enum class Verdict {
  Allow,   // forward unchanged
  Deny,    // answer with the dialect's "denied" error; nothing reaches the backend
  Hold,    // park the statement until an approval resolves (see Session::onHoldResolved)
};

//! One rule that matched a statement.
struct RuleMatch {
  std::string name;
  config::Action action = config::Action::Deny;
  bool dry_run = false;
};

struct Decision {
  Verdict verdict = Verdict::Allow;
  std::string rule;        // rule that decided (empty: default action)
  std::string message;     // client-facing text, without the "warden: " prefix
  std::string hold_id;     // approval id when verdict == Hold
  std::shared_ptr<const ResultTransform> transform;  // optional (masking)
  //! The session must end after the denial (e.g. its access token expired).
  bool close_session = false;
  //! Every rule that matched, in config order, enforcing and dry-run alike (empty: none).
  std::vector<RuleMatch> matches;
  //! The verdict came from default_action: no enforcing rule matched.
  bool by_default = true;
  //! Deny because the gateway cannot serve right now (the audit log cannot be written): the
  //! dialect answers with its "service unavailable" error (PG 08006), not "denied" (42501).
  bool unavailable = false;
  //! Identifies the statement's audit record; the dialect passes it to
  //! SessionHost::statementResult when the execution ends (0: not audited).
  uint64_t audit_ref = 0;
  //! The statement changes the schema (DDL, nested included): caches of catalog metadata that
  //! dialects keep (masking) are stale once it ran.
  bool changes_schema = false;

  //! The SPEC audit `decision.action`: allow | deny | require_approval, or dry_run_deny /
  //! dry_run_require_approval when the statement passed but a dry-run rule would have stopped it.
  std::string_view auditAction() const noexcept;
  //! The rule the audit names: the deciding rule, or for dry_run_* the dry-run rule.
  std::string_view auditRule() const noexcept;
};

//! Implemented by the core (later: rules, masking, approvals, audit). Called on the session's
//! loop thread; must not block.
class PolicyEngine {
 public:
  virtual ~PolicyEngine() = default;
  virtual Decision evaluate(const StatementRequest& request) noexcept = 0;
  //! Optional per-session precomputation for (identity, target); null when the engine has none.
  //! Sessions call it once and again after a reload swapped the engine.
  virtual std::shared_ptr<const PolicyScope> scopeFor(const Identity& identity,
                                                      const config::Target& target) const noexcept {
    (void)identity;
    (void)target;
    return nullptr;
  }
};

//! The engine used until the guardrail issue lands: allows everything (honours default_action
//! only as "allow").
std::unique_ptr<PolicyEngine> makeAllowAllPolicy();

}  // namespace warden::policy
