// core/include/warden/policy/decision.h
//! The policy seam: every statement a client sends (simple query text, each extended-protocol
//! Parse, SQL inside PREPARE, ...) is handed to one core interface with the identity and target;
//! it answers with a Decision. Dialects turn a Decision into protocol-correct replies; the core
//! never sees protocol bytes here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "warden/sql/statement.h"

namespace warden::config { struct Target; struct Config; }

namespace warden::policy {

struct Identity {
  std::string user;
  std::vector<std::string> groups;
  std::string kind = "human";   // human | agent | service
  std::string method;           // scram | password | jwt | mtls ...
};

//! Where the statement text came from inside the protocol.
enum class StatementOrigin {
  SimpleQuery,      // PG 'Q', MySQL COM_QUERY, TDS SQLBatch
  Prepare,          // PG Parse, MySQL COM_STMT_PREPARE, TDS sp_prepare
  FunctionCall,     // PG fastpath FunctionCall / TDS RPC by id: no SQL text
  Other,
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
};

//! Transforms rows of a result before they reach the client (masking). Dialect row rewriters
//! call it per column value of the columns it selects. Placeholder shape for the masking issue.
class ResultTransform {
 public:
  virtual ~ResultTransform() = default;
};

enum class Verdict {
  Allow,   // forward unchanged
  Deny,    // answer with the dialect's "denied" error; nothing reaches the backend
  Hold,    // park the statement until an approval resolves (see Session::onHoldResolved)
};

struct Decision {
  Verdict verdict = Verdict::Allow;
  std::string rule;        // rule that decided (empty: default action)
  std::string message;     // client-facing text, without the "warden: " prefix
  std::string hold_id;     // approval id when verdict == Hold
  std::shared_ptr<const ResultTransform> transform;  // optional (masking)
};

//! Implemented by the core (later: rules, masking, approvals, audit). Called on the session's
//! loop thread; must not block.
class PolicyEngine {
 public:
  virtual ~PolicyEngine() = default;
  virtual Decision evaluate(const StatementRequest& request) noexcept = 0;
};

//! The engine used until the guardrail issue lands: allows everything (honours default_action
//! only as "allow").
std::unique_ptr<PolicyEngine> makeAllowAllPolicy();

}  // namespace warden::policy
