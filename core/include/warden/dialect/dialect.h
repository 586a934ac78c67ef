// core/include/warden/dialect/dialect.h
//! The seam between the dialect-neutral core and a wire-protocol plugin.
//!
//! The core owns sockets, TLS, timers, buffers and backpressure; a dialect Session owns the
//! protocol state machine of one client connection and its backend connection. The core calls
//! Session callbacks; the session acts through SessionHost. Everything happens on the worker
//! loop thread that accepted the client (one client + its backend stay on one loop).
//!
//! ABI rules: every virtual here is noexcept — no exception crosses the plugin boundary. Objects
//! created by a plugin are destroyed through their virtual destructor while the plugin stays
//! loaded (the core never unloads plugins while sessions exist).
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warden/policy/decision.h"
#include "warden/sql/analyzer.h"

namespace warden::config { struct Config; struct Target; struct User; }

namespace warden::dialect {

enum class Side : uint8_t { Client = 0, Backend = 1 };

enum class LogLevel { Debug, Info, Warn, Error };

//! How a statement the policy allowed ended: the audit trail's second event for it.
struct StatementResult {
  std::optional<uint64_t> rows;  //!< rows returned or affected, when the protocol reports them
  std::string error;             //!< empty on success; "SQLSTATE: message" style otherwise
  uint64_t duration_us = 0;      //!< from forwarding to the end of the reply
  //! What masking changed in the result ("public.users.email", "detector:email", ...).
  std::vector<std::string> masked;
};

//! Why the core ends a session on its own (Session::onAbort).
enum class AbortReason : uint8_t {
  AuditUnavailable,  //!< the audit log cannot be written: fail closed (PG 08006 class)
  Killed,            //!< an operator ended the session (admin API)
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;

  // --- bytes
  //! Queue bytes to a peer (encrypted if TLS is active on that side). The bytes are copied or
  //! written immediately; `data` may be released on return. Ignored once that side is closed.
  virtual void send(Side side, std::span<const uint8_t> data) noexcept = 0;
  //! Stop/resume reading a side (e.g. during auth, while a statement is held). Independent of
  //! the core's own backpressure pauses.
  virtual void pauseReading(Side side, bool paused) noexcept = 0;

  // --- connections
  //! Opens the TCP connection to the target's backend → Session::onBackendConnected.
  virtual void connectBackend() noexcept = 0;
  //! Starts TLS on a side: Client = server role with the configured certificate; Backend =
  //! client role per backend.tls. Bytes already received on that side but not consumed must be
  //! zero (the session checks). → Session::onTlsReady. Returns false if TLS is unavailable
  //! (no certificate configured / context error); no callback then.
  virtual bool startTls(Side side) noexcept = 0;
  virtual bool tlsAvailable(Side side) const noexcept = 0;
  virtual bool tlsActive(Side side) const noexcept = 0;
  //! Sends `data` to the backend address on a fresh, short-lived connection and closes it
  //! (PostgreSQL CancelRequest). Fire and forget; bounded by a timeout.
  virtual void sendOutOfBand(std::span<const uint8_t> data) noexcept = 0;
  //! Flush what is queued to the client, then close both sides; the session is destroyed after
  //! its last callback returns. `reason` is logged.
  virtual void close(std::string_view reason) noexcept = 0;

  // --- timers (one per session)
  virtual void armTimer(std::chrono::milliseconds after) noexcept = 0;
  virtual void disarmTimer() noexcept = 0;

  // --- context
  virtual const config::Config& config() const noexcept = 0;
  virtual const config::Target& target() const noexcept = 0;
  virtual uint64_t sessionId() const noexcept = 0;
  virtual std::string_view clientAddress() const noexcept = 0;  // "ip:port"
  virtual bool draining() const noexcept = 0;
  //! True when this connection is over limits.max_client_connections: the session should refuse
  //! it with the protocol's "too many connections" error once it can speak to the client.
  virtual bool overloaded() const noexcept = 0;

  // --- identity and policy
  //! Static user lookup (nullptr when unknown). The pointer is valid only until control returns
  //! to the loop (a reload may replace the snapshot): copy what you need.
  virtual const config::User* findUser(std::string_view name) const noexcept = 0;
  //! Records who the client is (after the dialect authenticated it). Also ends the login
  //! throttling count for that user.
  virtual void setIdentity(policy::Identity identity) noexcept = 0;

  // --- login (the core's identity service: every dialect uses the same)
  struct LoginGate {
    bool refused = false;
    std::string reason;                       // for the log and the client
    std::chrono::milliseconds retry_after{0};
  };
  //! Before asking for credentials: refused while this client address or user is locked out
  //! after repeated failures.
  virtual LoginGate loginGate(std::string_view user) noexcept = 0;
  //! A login failed: logs it (and audits it once audit lands) and returns how long the dialect
  //! should hold the failure reply (slows guessing down).
  virtual std::chrono::milliseconds loginFailed(std::string_view user, std::string_view method,
                                                std::string_view reason) noexcept = 0;
  //! The client certificate's user when the client presented one that verified against
  //! tls.client_ca_file (subject CN or SAN e-mail per tls.client_cert_user); empty otherwise.
  virtual std::string clientCertificateUser() const noexcept = 0;
  struct TokenOutcome {
    bool ok = false;
    policy::Identity identity;  // user, groups, kind from the token's claims; method "jwt"
    std::string error;          // why not (for the log; the client only learns "login failed")
  };
  //! Verifies an OIDC access token given as the password (identity.oidc). `done` runs on this
  //! session's loop thread, possibly before verifyToken returns, and never after the session
  //! closed. Keys may have to be fetched first (unknown kid).
  virtual void verifyToken(std::string token, std::function<void(TokenOutcome)> done) noexcept = 0;
  virtual const policy::Identity& identity() const noexcept = 0;
  //! The policy seam. Must be called for every statement before it is forwarded.
  //! `statement_name`: the protocol-level prepared statement name (PG Parse), empty otherwise;
  //! lets a later SQL `EXECUTE name` be decided as what it runs.
  //! Also writes the statement's audit record. Write-ahead: bytes the session sends to the
  //! backend after this call are held by the core until that record is durable (the dialect
  //! does not see the wait). Decision::unavailable: the audit log cannot be written, answer with
  //! the protocol's "service unavailable" error (PG 08006) instead of "denied".
  virtual policy::Decision evaluate(std::string_view text, policy::StatementOrigin origin,
                                    std::string_view statement_name = {}) noexcept = 0;
  //! Reports the end of an allowed statement's execution (Decision::audit_ref; one report per
  //! execution, so a prepared statement executed N times reports N times). Unknown refs are
  //! ignored.
  virtual void statementResult(uint64_t audit_ref, const StatementResult& result) noexcept = 0;

  // --- cancellation: process-wide registry of client-facing cancel keys
  //! Registers this session under an opaque key the dialect hands to its client. False when the
  //! key is already taken by another live session (pick a new random key and retry).
  virtual bool registerCancelKey(std::span<const uint8_t> key) noexcept = 0;
  //! Routes a cancel for `key` to the owning session (maybe on another worker) →
  //! Session::onCancelRequested there. Returns false when no live session has that key.
  virtual bool requestCancel(std::span<const uint8_t> key) noexcept = 0;

  // --- caches owned by the worker (no locks). Key/value are opaque bytes.
  virtual bool cacheGet(std::string_view key, std::string& value) noexcept = 0;
  virtual void cachePut(std::string_view key, std::string_view value) noexcept = 0;

  virtual void log(LogLevel level, std::string_view msg) noexcept = 0;
};

class Session {
 public:
  virtual ~Session() = default;
  //! Called once after construction, before any data.
  virtual void onStart() noexcept = 0;
  //! Plaintext bytes from a side (already decrypted). The span is valid only during the call:
  //! keep what you need.
  virtual void onData(Side side, std::span<const uint8_t> data) noexcept = 0;
  virtual void onBackendConnected(bool ok, std::string_view error) noexcept = 0;
  virtual void onTlsReady(Side side, bool ok, std::string_view error) noexcept = 0;
  //! The peer closed (EOF or error). The session decides what to do (e.g. cancel the backend
  //! query when the client vanished) and calls host.close().
  virtual void onPeerClosed(Side side, std::string_view reason) noexcept = 0;
  virtual void onTimer() noexcept = 0;
  //! A CancelRequest from another connection matched this session's key.
  virtual void onCancelRequested() noexcept = 0;
  //! The gateway is draining (SIGTERM): finish the current work, close at the next idle point.
  virtual void onDrain() noexcept = 0;
  //! An approval for a held statement resolved (approvals issue).
  virtual void onHoldResolved(const policy::Decision& decision) noexcept = 0;
  //! The core ends the session: send the protocol's fatal error carrying `message` (for
  //! AuditUnavailable the "service unavailable" class, e.g. PG 08006; for Killed the "admin
  //! shutdown" class, PG 57P01), then host.close(). Bytes held for the backend are discarded by
  //! the core (the held statement never runs) and later backend sends are dropped.
  virtual void onAbort(AbortReason reason, std::string_view message) noexcept = 0;
};

//! One per loaded dialect plugin; shared by all workers (must be thread-safe; typically
//! stateless).
class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string_view name() const noexcept = 0;
  //! nullptr on failure (out of memory); the core then drops the connection.
  virtual Session* newSession(SessionHost& host) noexcept = 0;
  //! The SQL analyzer for one worker thread (owned by the caller, deleted through its virtual
  //! destructor while the plugin stays loaded). nullptr: the dialect has no parser, and every
  //! statement is analysed as `unparsed` (policy decides; enforced environments deny).
  virtual sql::Analyzer* newAnalyzer() noexcept { return nullptr; }
};

}  // namespace warden::dialect
