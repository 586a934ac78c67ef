// dialects/postgres/session/pg_session.h
//! One PostgreSQL client connection and its backend connection, as an explicit state machine.
//!
//!   StartupWait ─SSLRequest→ ClientTls ─→ StartupWait ─StartupMessage→ ClientAuth
//!   ClientAuth ─ok→ BackendConnect → BackendTls? → BackendAuth → BackendParams → Ready
//!   any ─fatal→ Closing
//!
//! Clients authenticate to Warden (SCRAM-SHA-256 against identity.users; cleartext only over
//! TLS when the target asks for it); Warden logs in to the backend with the target's own
//! credentials. In Ready, client messages pass the policy seam and are relayed as their original
//! bytes; backend replies stream through. Injected replies (denials) are placed at the exact
//! point of the reply stream a server would have produced them (see InjectionQueue).
//! Threading: all calls on the session's worker loop.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "protocol/message_reader.h"
#include "protocol/messages.h"
#include "session/forwarder.h"
#include "session/result_masking.h"
#include "session/result_tracker.h"
#include "warden/config/config.h"
#include "warden/crypto/scram.h"
#include "warden/dialect/dialect.h"

namespace warden::dialect::postgres {

enum class State {
  StartupWait,     // waiting for SSLRequest / GSSENCRequest / StartupMessage / CancelRequest
  ClientTls,       // TLS handshake with the client
  ClientAuth,      // SASL / password exchange with the client
  BackendConnect,  // TCP connect to the backend
  BackendTlsWait,  // SSLRequest sent to the backend, waiting for 'S' / 'N'
  BackendTls,      // TLS handshake with the backend
  BackendAuth,     // StartupMessage sent, authenticating to the backend
  BackendParams,   // AuthenticationOk seen; relaying ParameterStatus / BackendKeyData until 'Z'
  Ready,           // relaying queries
  Closing,
};
const char* stateName(State s);

//! What the backend reader delivers whole (see backendStreams in relay.cc).
struct BackendWhole {
  bool errors = false;  // ErrorResponse (a denial or an audited result waits)
  bool rows = false;    // DataRow (a masking plan or the internal catalog query)
  bool copy = false;    // CopyData (a COPY TO STDOUT being masked)
};

class PgSession final : public Session {
 public:
  explicit PgSession(SessionHost& host);
  ~PgSession() override;

  void onStart() noexcept override;
  void onData(Side side, std::span<const uint8_t> data) noexcept override;
  void onBackendConnected(bool ok, std::string_view error) noexcept override;
  void onTlsReady(Side side, bool ok, std::string_view error) noexcept override;
  void onPeerClosed(Side side, std::string_view reason) noexcept override;
  void onTimer() noexcept override;
  void onCancelRequested() noexcept override;
  void onDrain() noexcept override;
  void onHoldResolved(const policy::Decision& decision) noexcept override;
  void onAbort(AbortReason reason, std::string_view message) noexcept override;

  State state() const { return state_; }

 private:
  // startup_phase.cc — client side of the handshake
  void handleClientStartup(std::span<const uint8_t> data);
  void handleStartupPacket(std::span<const uint8_t> payload, bool more_bytes_follow);
  void handleStartupMessage(StartupMessage msg);
  void handleClientAuth(std::span<const uint8_t> data);
  void handleSaslMessage(std::span<const uint8_t> body);
  void handlePasswordMessage(std::span<const uint8_t> body);
  void clientAuthenticated(const std::string& method);
  void clientAuthenticated(policy::Identity identity);
  //! Logs the failure with the core (throttling, audit) and answers 28P01, after the delay the
  //! core asks for.
  void authFailed(std::string_view method, std::string_view reason);
  void sendAuthFailure();
  //! Keeps client bytes that arrive before Ready (bounded) and pauses the client until then.
  void keepEarlyBytes(std::span<const uint8_t> data);

  // backend_login.cc — Warden's own login to the backend
  void sendBackendStartup();
  void handleBackendLogin(std::span<const uint8_t> data);
  bool handleBackendAuthMessage(std::span<const uint8_t> body);
  void handleBackendParamsMessage(uint8_t type, std::span<const uint8_t> raw,
                                  std::span<const uint8_t> body);
  void becomeReady();

  // relay.cc — Ready state, both directions
  void relayFromClient(std::span<const uint8_t> data);
  void relayFromBackend(std::span<const uint8_t> data);
  bool handleClientMessage(const ReadEvent& ev);
  //! What replaces a denied message on its way to the backend.
  enum class StandIn { Query, Parse, Bind, Describe };
  void denyStatement(const policy::Decision& d, StandIn kind, std::string_view statement_name);
  //! Statement names whose Parse was denied: later Bind / Describe get the same denial.
  void rememberDenied(std::string_view name, const policy::Decision& d);
  const policy::Decision* findDenied(std::string_view name) const;
  void onBackendReady(uint8_t tx_status);
  //! False (and the session closed) when the backend reports a setting under which Warden's
  //! SQL analysis would not read statements as the server does.
  bool checkParameterStatus(std::span<const uint8_t> body);
  bool busy() const;
  void cancelBackendQuery();
  void maybeFinishDrain();

  // helpers
  void fatal(std::string_view sqlstate, std::string_view message, std::string_view detail = {});
  void sendToClient(const Bytes& b) { host_.send(Side::Client, b); }
  void sendToBackend(const Bytes& b) { host_.send(Side::Backend, b); }
  std::string prefixed(std::string_view message) const;
  void log(LogLevel level, const std::string& msg) { host_.log(level, msg); }

  SessionHost& host_;
  State state_ = State::StartupWait;
  MessageReader client_reader_;
  MessageReader backend_reader_;
  Forwarder to_backend_;
  Forwarder to_client_;

  // startup / identity
  StartupMessage startup_;
  std::vector<std::pair<std::string, std::string>> backend_params_;  // checked client settings
  std::string user_;
  std::string database_;
  std::optional<crypto::ScramServer> scram_server_;
  crypto::ScramVerifier scram_server_verifier_;
  bool expect_sasl_initial_ = true;
  bool cleartext_auth_ = false;
  bool token_auth_ = false;     // the password is an OIDC access token
  bool token_pending_ = false;  // waiting for the core's verdict on it
  bool auth_failing_ = false;   // failure reply held back by login throttling
  std::vector<std::string> user_groups_;
  std::string user_kind_;
  bool user_known_ = false;
  Bytes early_client_bytes_;  // client bytes that arrived before Ready (bounded)

  // backend login
  std::optional<crypto::ScramClient> scram_client_;
  uint32_t backend_pid_ = 0;
  Bytes backend_secret_;

  // relay state
  uint8_t tx_status_ = kTxIdle;
  uint64_t rfq_expected_ = 0;   // ReadyForQuery replies the backend owes us (Q + Sync forwarded)
  uint64_t rfq_seen_ = 0;       // ReadyForQuery replies relayed
  bool segment_open_ = false;   // extended-protocol messages forwarded since the last Sync
  bool drain_requested_ = false;
  // COPY FROM STDIN through the extended protocol: Syncs sent after the Execute that started it
  // are ignored by the server until CopyDone/CopyFail.
  bool after_execute_ = false;
  uint64_t syncs_after_execute_ = 0;
  // Denied statements travel to the backend as a stand-in that fails to parse; its
  // ErrorResponse (recognised by `marker`) is replaced by the denial.
  struct PendingDenial {
    std::string marker;
    Bytes error;
    uint64_t until_rfq = 0;  // dropped once this ReadyForQuery passed (skipped by the server)
  };
  std::deque<PendingDenial> denials_;
  std::unordered_map<std::string, policy::Decision> denied_statements_;
  static constexpr size_t kMaxDeniedStatements = 1024;
  //! Binds up to this size arrive whole (statement name checked against denied Parses); larger
  //! ones stream, and the server refuses them itself (a denied Parse never created the
  //! statement), only with its own error text.
  static constexpr uint32_t kBindInspectMax = 1u << 20;
  uint32_t bind_inspect_max_ = 0;
  bool denials_pending_ = false;  // !denials_.empty()
  ResultTracker results_;
  ResultMasking masking_;
  Bytes masked_row_;  // a rewritten DataRow on its way to the client
  bool dropping_row_ = false;  // the streamed DataRow being read is past max_rows
  BackendWhole backend_whole_;
  //! Sends the internal catalog query ahead of the next client statement when `d` needs it
  //! and the backend is idle.
  void maybeLoadCatalog(const policy::Decision& d);
  uint64_t denials_issued_ = 0;
};

}  // namespace warden::dialect::postgres
