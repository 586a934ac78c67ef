// core/include/warden/config/config.h
//! The validated, immutable configuration snapshot (SPEC.md "Config file"). Built once by
//! loadConfig(); shared as shared_ptr<const Config>; a reload builds a new snapshot and swaps.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "warden/base/result.h"
#include "warden/crypto/scram.h"

namespace warden::config {

//! Where a value came from, for FILE:LINE:COL messages (1-based line and column).
struct Mark {
  std::string file;
  int line = 0;
  int column = 0;
};

struct ConfigError {
  Mark mark;
  std::string message;
  //! "FILE:LINE:COL: message"; "FILE: message" for file-level errors (line 0, e.g. the file
  //! cannot be read).
  std::string format() const;
};

enum class ClientTls { Disabled, Optional, Required };
enum class BackendTls { Disable, Prefer, Require, VerifyFull };
enum class ClientAuth { Scram, Password };  // Password = cleartext, only ever offered over TLS
enum class IdentityKind { Human, Agent, Service };

enum class CertUser { CommonName, Email };

struct TlsConfig {
  std::string cert_file;  // empty: no client-facing TLS
  std::string key_file;
  //! mTLS: CA bundle that client certificates must chain to. A verified certificate identifies
  //! the client (its subject CN or SAN e-mail, per client_cert_user); empty: no client certs.
  std::string client_ca_file;
  CertUser client_cert_user = CertUser::CommonName;
  bool enabled() const { return !cert_file.empty(); }
};

struct User {
  std::string name;
  std::optional<std::string> password;      // plaintext from `password:` (dev only)
  crypto::ScramVerifier scram;              // from `scram_sha_256:` or derived from password
  std::vector<std::string> groups;
  IdentityKind kind = IdentityKind::Human;
};

enum class TokenExpiry { Close, Ignore };

struct OidcConfig {
  std::string issuer, audience, jwks_file, jwks_url;
  std::string user_claim = "sub", groups_claim = "groups", kind_claim = "warden_kind";
  std::string jwks_ca_file;                    // https jwks_url: CA bundle (default: system)
  std::chrono::milliseconds leeway{60000};     // clock skew allowed for exp / nbf / iat
  std::chrono::milliseconds refresh_min_interval{30000};  // unknown kid: refetch at most this often
  std::chrono::milliseconds fetch_timeout{5000};
  //! A session whose token expired: closed at its next statement (default), or kept.
  TokenExpiry on_expiry = TokenExpiry::Close;
  //! The startup user name must equal the token's user claim (default). false: any startup
  //! name, the token alone decides who logs in.
  bool match_startup_user = true;
};

//! Repeated login failures from one client address or for one user name are slowed, then
//! refused for a while.
struct LoginThrottleConfig {
  uint32_t delay_after = 5;                         // failures in `window` before replies slow down
  uint32_t lockout_after = 20;                      // failures in `window` before logins are refused
  std::chrono::milliseconds window{600000};         // 10 min
  std::chrono::milliseconds lockout{900000};        // 15 min
  std::chrono::milliseconds max_delay{5000};        // slowest failure reply
};

struct IdentityConfig {
  std::vector<User> users;
  std::optional<OidcConfig> oidc;
  LoginThrottleConfig login_throttle;
  const User* findUser(std::string_view name) const;
};

struct Backend {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string database;      // empty: use the database the client asked for
  std::string user;
  std::string password;      // resolved from password / password_env / password_file at load
  BackendTls tls = BackendTls::Prefer;
  std::string ca_file;       // for verify-full (default: system bundle /etc/ssl/certs/ca-certificates.crt)
  std::string server_name;   // for verify-full hostname check (default: host)
  std::chrono::milliseconds connect_timeout{5000};
};

struct Target {
  std::string name;
  std::string dialect;
  std::string listen_host;   // "127.0.0.1", "::1", "0.0.0.0" ...
  uint16_t listen_port = 0;
  std::string environment = "default";
  ClientTls client_tls = ClientTls::Optional;
  ClientAuth client_auth = ClientAuth::Scram;
  bool proxy_protocol = false;
  //! Every result on this target is cut after this many rows, with a notice (0: no limit).
  uint64_t max_rows = 0;
  Backend backend;
  Mark mark;                 // where the target was declared
};

struct AdminToken {
  std::string token;  // resolved from token / token_env
  std::string user;
  std::vector<std::string> groups;
};
struct AdminConfig {
  std::string listen;  // "127.0.0.1:9190", empty: no admin server
  std::vector<AdminToken> tokens;
};

enum class Action { Allow, Deny, RequireApproval };
enum class RuleMode { Enforce, DryRun };

struct ApprovalSpec {
  std::vector<std::string> groups;
  int quorum = 1;
  std::chrono::milliseconds wait{60000};
  std::chrono::milliseconds grant_window{0};
};

struct RuleWhen {
  std::vector<std::string> targets, environments, users, groups, kinds, statements, tables;
  std::vector<std::string> flags;  // extension: statement flags (executes_program, writes_file...)
  bool where_absent = false;
  std::optional<bool> unparsed;
};

struct Rule {
  std::string name;
  RuleWhen when;
  Action action = Action::Deny;
  RuleMode mode = RuleMode::Enforce;
  std::string message;
  std::optional<ApprovalSpec> approval;
  Mark mark;
};

enum class MaskMethod { Redact, Partial, Hash, Null };
struct MaskingRule {
  std::string name;
  std::vector<std::string> columns;
  MaskMethod method = MaskMethod::Redact;
  std::vector<std::string> exempt_groups;
  std::vector<std::string> targets;       //!< globs; empty: every target
  std::vector<std::string> environments;  //!< globs; empty: every environment
  //! Results this rule masks a column of are cut after this many rows (0: no limit).
  uint64_t max_rows = 0;
};
struct DetectorsConfig {
  std::vector<std::string> enabled;
  MaskMethod method = MaskMethod::Redact;
  std::vector<std::string> environments;
};
//! One audit.sinks entry: a sink plugin (libwarden_sink_<type>.so) and its options.
struct AuditSinkConfig {
  std::string type;          //!< plugin name, e.g. "syslog"
  bool required = true;      //!< failures stop traffic (fail closed) like the file sink's
  std::string options_json;  //!< the whole entry as a JSON object (handed to the plugin)
};
struct AuditConfig {
  std::string dir;  //!< empty: auditing off (warden run warns)
  bool redact_literals = true;
  //! Private Ed25519 seed for checkpoints; empty: <state.dir>/audit-signing.key (created 0600).
  std::string signing_key_file;
  uint64_t rotate_bytes = 64ull << 20;                      //!< start a new file past this size
  std::chrono::milliseconds rotate_interval{std::chrono::hours(1)};  //!< ... or this age
  uint64_t checkpoint_records = 1000;                       //!< signed checkpoint every N records
  std::chrono::milliseconds checkpoint_interval{std::chrono::seconds(10)};  //!< ... or T
  //! batch: fdatasync every batch before acknowledging (survives power loss); write: write(2)
  //! only (survives a killed process, not a crashed host).
  bool fsync = true;
  //! Records queued for the writer before sessions wait (backpressure).
  uint64_t queue_records = 65536;
  std::vector<AuditSinkConfig> sinks;
};
struct ApprovalsConfig {
  std::string webhook_url;
};
struct StateConfig {
  std::string backend = "embedded";
  std::string dir = "var/state";
};
struct LimitsConfig {
  //! Largest protocol message Warden buffers whole for inspection (queries, auth). Larger
  //! inspected messages are a protocol error; pass-through messages (rows, COPY data) stream.
  uint32_t max_message_bytes = 64u << 20;
  //! Pending bytes queued towards one peer before reads from the other side pause.
  uint32_t write_high_watermark = 1u << 20;
  uint32_t write_low_watermark = 256u << 10;
  std::chrono::milliseconds auth_timeout{15000};
  std::chrono::milliseconds drain_timeout{30000};
  //! Client connections served at once (all targets). Beyond it a connection gets the dialect's
  //! "too many connections" error; beyond twice it is closed at accept without a session.
  uint32_t max_client_connections = 10000;
};

struct Config {
  std::string source_file;
  int workers = 0;             // resolved: >0 after load (CPU count when not set)
  std::string plugin_dir;      // resolved: beside the binary when not set
  std::string log_level = "info";
  AdminConfig admin;
  TlsConfig tls;
  IdentityConfig identity;
  std::vector<Target> targets;
  Action default_action = Action::Allow;
  std::vector<Rule> rules;
  std::vector<MaskingRule> masking;
  std::optional<DetectorsConfig> detectors;
  AuditConfig audit;
  ApprovalsConfig approvals;
  StateConfig state;
  LimitsConfig limits;

  const Target* findTarget(std::string_view name) const;
};

using ConfigPtr = std::shared_ptr<const Config>;

//! Loads and validates a config file. Unknown keys, wrong types, bad values, duplicate target
//! names or listen addresses, unreadable password files are errors, each with its position.
//! Does not load plugins (the caller checks dialect names against loaded plugins).
//! Never throws.
Result<ConfigPtr> loadConfig(const std::string& path, std::vector<ConfigError>* errors);
//! Same, from text (tests). `file_name` is used in error marks.
Result<ConfigPtr> loadConfigFromString(const std::string& text, const std::string& file_name,
                                       std::vector<ConfigError>* errors);

}  // namespace warden::config
