// dialects/postgres/session/pg_session.cc
//! Session lifecycle: dispatch by state, errors, timers, cancel, drain, peer loss.
#include "session/pg_session.h"

#include <fmt/format.h>

namespace warden::dialect::postgres {

const char* stateName(State s) {
  switch (s) {
    case State::StartupWait: return "startup";
    case State::ClientTls: return "client-tls";
    case State::ClientAuth: return "client-auth";
    case State::BackendConnect: return "backend-connect";
    case State::BackendTlsWait: return "backend-tls-wait";
    case State::BackendTls: return "backend-tls";
    case State::BackendAuth: return "backend-auth";
    case State::BackendParams: return "backend-params";
    case State::Ready: return "ready";
    case State::Closing: return "closing";
  }
  return "?";
}

PgSession::PgSession(SessionHost& host)
    : host_(host),
      // Until the client is authenticated only small messages are accepted.
      client_reader_(std::min<uint32_t>(kMaxAuthMessage, host.config().limits.max_message_bytes)),
      backend_reader_(host.config().limits.max_message_bytes),
      to_backend_(host, Side::Backend),
      to_client_(host, Side::Client),
      results_([this](uint64_t ref, const StatementResult& r) { host_.statementResult(ref, r); }),
      masking_(host.target().name) {}

PgSession::~PgSession() = default;

void PgSession::onStart() noexcept {
  // Unauthenticated clients get a bounded time to finish the handshake.
  host_.armTimer(host_.config().limits.auth_timeout);
}

void PgSession::onData(Side side, std::span<const uint8_t> data) noexcept {
  try {
    if (side == Side::Client) {
      switch (state_) {
        case State::StartupWait: handleClientStartup(data); break;
        case State::ClientAuth: handleClientAuth(data); break;
        case State::Ready: relayFromClient(data); break;
        case State::Closing: break;
        default:
          keepEarlyBytes(data);  // pipelined before the session is ready
      }
    } else {
      switch (state_) {
        case State::BackendTlsWait:
        case State::BackendAuth:
        case State::BackendParams: handleBackendLogin(data); break;
        case State::Ready: relayFromBackend(data); break;
        case State::Closing: break;
        default:
          fatal(sqlstate::kConnectionFailure, "backend sent data out of turn");
      }
    }
  } catch (const std::exception& e) {
    // Nothing may escape into the host; out-of-memory and the like end the session.
    fatal(sqlstate::kProtocolViolation, fmt::format("internal error: {}", e.what()));
  } catch (...) {
    fatal(sqlstate::kProtocolViolation, "internal error");
  }
}

void PgSession::keepEarlyBytes(std::span<const uint8_t> data) {
  if (early_client_bytes_.size() + data.size() > host_.config().limits.max_message_bytes) {
    fatal(sqlstate::kProtocolViolation, "too much data sent before the session was ready");
    return;
  }
  early_client_bytes_.insert(early_client_bytes_.end(), data.begin(), data.end());
  host_.pauseReading(Side::Client, true);
}

std::string PgSession::prefixed(std::string_view message) const {
  return fmt::format("warden: {}", message);
}

void PgSession::fatal(std::string_view sqlstate, std::string_view message, std::string_view detail) {
  if (state_ == State::Closing) return;
  to_client_.flush();
  to_backend_.flush();
  std::string text = prefixed(message);
  log(LogLevel::Info, fmt::format("closing session: {} ({}) in state {}", text, sqlstate,
                                  stateName(state_)));
  // Before the client finished startup it cannot read anything but the TLS/startup replies;
  // an ErrorResponse is still what a server sends there. In Ready, never splice it into the
  // middle of a backend message that is being streamed to the client.
  bool mid_message = state_ == State::Ready && !backend_reader_.atBoundary();
  if (state_ != State::ClientTls && !mid_message) {
    Bytes out;
    encodeErrorResponse(out, {"FATAL", sqlstate, text, detail, {}});
    sendToClient(out);
  }
  if (state_ == State::Ready && busy()) cancelBackendQuery();
  if (state_ == State::Ready || state_ == State::BackendParams) {
    Bytes t;
    encodeTerminate(t);
    sendToBackend(t);
  }
  state_ = State::Closing;
  host_.close(text);
}

void PgSession::onTimer() noexcept {
  if (auth_failing_ && state_ == State::ClientAuth) {
    auth_failing_ = false;
    sendAuthFailure();
    return;
  }
  if (state_ != State::Ready && state_ != State::Closing)
    fatal(sqlstate::kConnectionFailure, fmt::format("connection setup timed out in state {}",
                                                    stateName(state_)));
}

void PgSession::onBackendConnected(bool ok, std::string_view error) noexcept {
  if (state_ != State::BackendConnect) return;
  if (!ok) {
    fatal(sqlstate::kConnectionFailure, fmt::format("backend unavailable: {}", error));
    return;
  }
  if (host_.tlsAvailable(Side::Backend)) {
    Bytes b;
    encodeSslRequest(b);
    sendToBackend(b);
    state_ = State::BackendTlsWait;
    return;
  }
  sendBackendStartup();
}

void PgSession::onTlsReady(Side side, bool ok, std::string_view error) noexcept {
  if (side == Side::Client) {
    if (state_ != State::ClientTls) return;
    if (!ok) {
      log(LogLevel::Info, fmt::format("client TLS handshake failed: {}", error));
      state_ = State::Closing;
      host_.close("client TLS handshake failed");
      return;
    }
    state_ = State::StartupWait;
    return;
  }
  if (state_ != State::BackendTls) return;
  if (!ok) {
    fatal(sqlstate::kConnectionFailure, fmt::format("backend TLS handshake failed: {}", error));
    return;
  }
  sendBackendStartup();
}

void PgSession::onPeerClosed(Side side, std::string_view reason) noexcept {
  if (state_ == State::Closing) return;
  if (side == Side::Client) {
    // The client vanished: make sure its query does not keep running on the backend.
    to_backend_.reset();
    if (state_ == State::Ready && busy()) {
      log(LogLevel::Info, "client disconnected mid-query; cancelling the backend query");
      cancelBackendQuery();
    }
    if (state_ == State::Ready || state_ == State::BackendParams) {
      Bytes t;
      encodeTerminate(t);
      sendToBackend(t);
    }
    state_ = State::Closing;
    host_.close(fmt::format("client closed: {}", reason));
    return;
  }
  fatal(sqlstate::kConnectionFailure, fmt::format("backend connection lost ({})", reason));
}

void PgSession::onCancelRequested() noexcept {
  // Only a query in flight is cancelled: an idle session has nothing to cancel, and forwarding
  // anyway could hit the next query (PgBouncer #717).
  if (state_ == State::Ready && busy()) cancelBackendQuery();
}

void PgSession::cancelBackendQuery() {
  if (backend_secret_.empty()) return;
  Bytes b;
  encodeCancelRequest(b, backend_pid_, backend_secret_);
  host_.sendOutOfBand(b);
}

void PgSession::onDrain() noexcept {
  drain_requested_ = true;
  if (state_ == State::Ready) {
    maybeFinishDrain();
  } else if (state_ != State::Closing) {
    fatal(sqlstate::kAdminShutdown, "the gateway is shutting down");
  }
}

void PgSession::maybeFinishDrain() {
  // Idle: nothing owed by the backend, no transaction open, and not inside a backend message
  // (an asynchronous NotificationResponse may be streaming).
  if (drain_requested_ && state_ == State::Ready && !busy() && tx_status_ == kTxIdle &&
      backend_reader_.atBoundary())
    fatal(sqlstate::kAdminShutdown, "the gateway is shutting down");
}

void PgSession::onAbort(AbortReason reason, std::string_view message) noexcept {
  fatal(reason == AbortReason::AuditUnavailable ? sqlstate::kConnectionFailure
                                                : sqlstate::kAdminShutdown,
        message);
}

void PgSession::onHoldResolved(const policy::Decision&) noexcept {
  // Approvals are not wired yet; holds are never issued (see denyStatement).
}

}  // namespace warden::dialect::postgres
