// core/src/runtime/session_runner.h
//! Hosts one dialect Session: the client stream, the backend stream, the session timer and the
//! connect logic. Implements the SessionHost seam; knows nothing of any protocol.
//! Lifetime: owned by the Worker; close() closes every handle and, once the last close callback
//! ran, tells the worker, which destroys the runner (and the plugin Session) outside callbacks.
#pragma once

#include <uv.h>

#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "prepared_registry.h"
#include "warden/audit/record.h"
#include "stream.h"
#include "warden/dialect/dialect.h"
#include "warden/runtime/snapshot.h"

namespace warden::runtime {

class Worker;

class SessionRunner final : public dialect::SessionHost, public Stream::Owner {
 public:
  SessionRunner(Worker& worker, SnapshotPtr snapshot, const TargetRuntime& target, uint64_t id);
  ~SessionRunner() override;

  //! Accepts the pending connection on `listener` and starts the dialect session.
  void start(uv_stream_t* listener);
  Stream& client() { return *client_; }
  void drain();
  void forceClose(std::string_view reason);
  void cancelRequested();
  //! The audit writer made progress or changed health (worker → sessions waiting on it).
  void auditProgress();
  //! Ends the session through the dialect's fatal error (admin kill, audit failure).
  void abort(dialect::AbortReason reason, std::string_view message);

  // ---- dialect::SessionHost
  void send(dialect::Side side, std::span<const uint8_t> data) noexcept override;
  void pauseReading(dialect::Side side, bool paused) noexcept override;
  void connectBackend() noexcept override;
  bool startTls(dialect::Side side) noexcept override;
  bool tlsAvailable(dialect::Side side) const noexcept override;
  bool tlsActive(dialect::Side side) const noexcept override;
  void sendOutOfBand(std::span<const uint8_t> data) noexcept override;
  void close(std::string_view reason) noexcept override;
  void armTimer(std::chrono::milliseconds after) noexcept override;
  void disarmTimer() noexcept override;
  const config::Config& config() const noexcept override { return *snapshot_->config; }
  const config::Target& target() const noexcept override { return *target_.target; }
  uint64_t sessionId() const noexcept override { return id_; }
  std::string_view clientAddress() const noexcept override { return client_address_; }
  bool draining() const noexcept override;
  bool overloaded() const noexcept override { return overloaded_; }
  void setOverloaded() { overloaded_ = true; }
  const config::User* findUser(std::string_view name) const noexcept override;
  void setIdentity(policy::Identity identity) noexcept override;
  const policy::Identity& identity() const noexcept override { return identity_; }
  LoginGate loginGate(std::string_view user) noexcept override;
  std::string clientCertificateUser() const noexcept override;
  std::chrono::milliseconds loginFailed(std::string_view user, std::string_view method,
                                        std::string_view reason) noexcept override;
  void verifyToken(std::string token, std::function<void(TokenOutcome)> done) noexcept override;
  policy::Decision evaluate(std::string_view text, policy::StatementOrigin origin,
                            std::string_view statement_name) noexcept override;
  //! The worker's cached analysis of `text` for this target's dialect.
  std::shared_ptr<const sql::Analysis> analyze(std::string_view text) noexcept;
  void statementResult(uint64_t audit_ref, const dialect::StatementResult& result) noexcept override;
  bool registerCancelKey(std::span<const uint8_t> key) noexcept override;
  bool requestCancel(std::span<const uint8_t> key) noexcept override;
  bool cacheGet(std::string_view key, std::string& value) noexcept override;
  void cachePut(std::string_view key, std::string_view value) noexcept override;
  void log(dialect::LogLevel level, std::string_view msg) noexcept override;

  // ---- Stream::Owner
  void onStreamData(Stream& s, std::span<const uint8_t> data) override;
  void onStreamClosed(Stream& s, const std::string& reason) override;
  void onStreamTlsDone(Stream& s, bool ok, const std::string& error) override;
  void onStreamWriteLevel(Stream& s, bool above) override;
  void onStreamFlushed(Stream& s) override;
  void onStreamHandleClosed(Stream& s) override;

 private:
  static void onTimer(uv_timer_t* t);
  static void onConnectTimer(uv_timer_t* t);
  static void onConnect(uv_connect_t* req, int status);
  static void onResolved(uv_getaddrinfo_t* req, int status, struct addrinfo* res);
  static void onHandleClosed(uv_handle_t* h);
  void startSession();
  void handleProxyHeader(std::span<const uint8_t> data);
  void connectTo(const struct sockaddr* addr);
  void connectNow();
  policy::Decision decide(std::string_view text, policy::StatementOrigin origin,
                          std::string_view statement_name,
                          std::shared_ptr<const sql::Analysis>& analysis);
  void backendConnectFailed(const std::string& why);
  Stream* streamFor(dialect::Side side);
  void maybeFinished();
  // session_audit.cc
  audit::AuditRecord auditRecord(const char* event, bool with_identity) const;
  //! Submits `r`; with `write_ahead` later backend traffic waits until it is durable.
  void submitAudit(audit::AuditRecord r, bool write_ahead);
  bool auditHolding() const;
  void releaseHeld();
  //! The statement record of `d` for `text` (and its result bookkeeping); sets d.audit_ref.
  void auditStatement(std::string_view text, const sql::Analysis& analysis, policy::Decision& d);
  void auditSessionEnd(std::string_view reason);

  Worker& worker_;
  SnapshotPtr snapshot_;
  TargetRuntime target_;
  uint64_t id_;
  std::string client_address_;
  std::unique_ptr<Stream> client_, backend_;
  dialect::Session* session_ = nullptr;
  policy::Identity identity_;
  PreparedRegistry prepared_;
  //! False once this runner is gone: callbacks that outlive it (token checks) check it first.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  // The policy scope for (identity, target) under the engine that built it (rebuilt on reload).
  std::shared_ptr<const policy::PolicyScope> scope_;
  std::shared_ptr<policy::PolicyEngine> scope_engine_;  // held: a freed engine's address may be reused
  const config::Target* scope_target_ = nullptr;
  // What masking applies to (identity, target) under the snapshot's masking policy (rebuilt on
  // reload; null: results stream untouched).
  std::shared_ptr<const masking::SessionMasking> masking_;
  std::shared_ptr<const policy::MaskingPolicy> masking_policy_;
  const config::Target* masking_target_ = nullptr;
  bool masking_ready_ = false;
  //! Attaches the session's masking to an allowed statement's decision.
  void attachMasking(policy::Decision& d, const std::shared_ptr<const sql::Analysis>& analysis);
  std::vector<std::string> cancel_keys_;
  uv_timer_t timer_, connect_timer_;
  uv_connect_t connect_req_;
  uv_getaddrinfo_t resolve_req_;
  sockaddr_storage backend_addr_{};
  int open_handles_ = 0;       // timers + initialized streams not yet closed
  int pending_reqs_ = 0;       // connect / getaddrinfo in flight
  bool closing_ = false, finished_ = false, connecting_ = false, backend_connected_ = false;
  bool resolving_ = false;
  bool awaiting_proxy_ = false;
  bool overloaded_ = false;
  std::vector<uint8_t> proxy_buf_;  // PROXY header bytes until complete (bounded)

  // audit (session_audit.cc)
  uint64_t audit_wait_ = 0;            // ticket backend traffic waits for (0: none)
  std::vector<uint8_t> held_backend_;  // backend bytes waiting for audit_wait_
  bool held_connect_ = false;          // connectBackend() waiting for audit_wait_
  bool audit_waiting_ = false;         // registered with the worker for progress
  bool aborted_ = false;               // abort(): backend sends are dropped
  bool audit_session_started_ = false;
  uint64_t statement_seq_ = 0;
  struct AuditedStatement {
    audit::StatementInfo info;
    audit::DecisionInfo decision;
    std::vector<std::string> masked;  // predicted from lineage at decision time
  };
  std::unordered_map<uint64_t, AuditedStatement> audited_;  // audit_ref → record (bounded)
  uint64_t pending_result_ref_ = 0;  // the newest allowed statement (result on abort)
  std::chrono::steady_clock::time_point started_at_ = std::chrono::steady_clock::now();
};

}  // namespace warden::runtime
