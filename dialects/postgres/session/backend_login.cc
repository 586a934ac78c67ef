// dialects/postgres/session/backend_login.cc
//! Warden's own login to the backend with the target's vaulted credentials: optional TLS
//! (backend.tls), StartupMessage, SCRAM-SHA-256 / MD5 / cleartext as the server asks, then the
//! ParameterStatus / BackendKeyData stream until the first ReadyForQuery.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <fmt/format.h>

#include "session/pg_session.h"

namespace warden::dialect::postgres {

namespace {
bool wholeMessages(uint8_t, uint32_t, void*) { return false; }
bool isLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}
}  // namespace

void PgSession::sendBackendStartup() {
  const auto& b = host_.target().backend;
  StartupMessage m;
  m.params.emplace_back("user", b.user);
  m.params.emplace_back("database", database_);
  for (auto& kv : backend_params_) m.params.push_back(std::move(kv));
  backend_params_.clear();
  Bytes out;
  encodeStartupMessage(out, m);
  sendToBackend(out);
  state_ = State::BackendAuth;
}

void PgSession::handleBackendLogin(std::span<const uint8_t> data) {
  if (state_ == State::BackendTlsWait) {
    uint8_t answer = data[0];
    data = data.subspan(1);
    if (answer == 'S') {
      if (!data.empty()) {
        fatal(sqlstate::kConnectionFailure, "backend sent unencrypted data after accepting TLS");
        return;
      }
      state_ = State::BackendTls;
      if (!host_.startTls(Side::Backend)) fatal(sqlstate::kConnectionFailure, "backend TLS unavailable");
      return;
    }
    if (answer != 'N') {
      fatal(sqlstate::kConnectionFailure, "backend answered the TLS request with an error");
      return;
    }
    auto mode = host_.target().backend.tls;
    if (mode == config::BackendTls::Require || mode == config::BackendTls::VerifyFull) {
      fatal(sqlstate::kConnectionFailure,
            "backend does not accept TLS but backend.tls requires it");
      return;
    }
    sendBackendStartup();
    if (data.empty()) return;
  }
  while (!data.empty() && (state_ == State::BackendAuth || state_ == State::BackendParams)) {
    ReadEvent ev = backend_reader_.next(data, &wholeMessages, nullptr);
    if (ev.kind == ReadEvent::Kind::NeedMore) return;
    if (ev.kind == ReadEvent::Kind::Error) {
      fatal(sqlstate::kConnectionFailure, fmt::format("invalid message from backend: {}", ev.error));
      return;
    }
    if (ev.type == be::kErrorResponse) {
      auto f = decodeErrorFields(ev.body);
      std::string code = f ? std::string(f->get('C')) : "";
      std::string msg = f ? std::string(f->get('M')) : "unreadable error";
      // The client proved who it is to Warden: a backend login failure is not its password.
      std::string sqlstate = code.rfind("28", 0) == 0 || code.empty() ? sqlstate::kConnectionFailure : code;
      fatal(sqlstate, fmt::format("backend refused the connection: {}", msg));
      return;
    }
    if (ev.type == be::kNoticeResponse) {
      if (state_ == State::BackendParams) to_client_.add(ev.raw, false);
      continue;
    }
    if (state_ == State::BackendAuth) {
      if (ev.type != be::kAuthentication) {
        if (ev.type == be::kNegotiateProtocolVersion) continue;  // we asked for plain 3.0
        fatal(sqlstate::kConnectionFailure,
              fmt::format("unexpected message '{}' from backend during login", char(ev.type)));
        return;
      }
      if (!handleBackendAuthMessage(ev.body)) return;
      continue;
    }
    handleBackendParamsMessage(ev.type, ev.raw, ev.body);
  }
  to_client_.flush();
  if (state_ == State::Ready && !data.empty()) relayFromBackend(data);
}

bool PgSession::handleBackendAuthMessage(std::span<const uint8_t> body) {
  auto req = decodeAuthentication(body);
  if (!req) {
    fatal(sqlstate::kConnectionFailure, fmt::format("invalid authentication request from backend: {}",
                                                    req.error().message));
    return false;
  }
  const auto& b = host_.target().backend;
  Bytes out;
  switch (req->code) {
    case AuthCode::Ok:
      if (scram_client_) {
        fatal(sqlstate::kConnectionFailure, "backend skipped the SCRAM server signature");
        return false;
      }
      state_ = State::BackendParams;
      return true;
    case AuthCode::CleartextPassword:
      // Never hand the vaulted password to a server over plaintext unless it is on this host:
      // with backend.tls prefer, an active attacker could answer 'N' and ask for it.
      if (!host_.tlsActive(Side::Backend) && !isLoopback(b.host)) {
        fatal(sqlstate::kConnectionFailure,
              "backend asks for a cleartext password over an unencrypted connection; refusing "
              "(set backend.tls: require, or use scram-sha-256 on the server)");
        return false;
      }
      encodePasswordMessage(out, b.password);
      break;
    case AuthCode::Md5Password:
      encodePasswordMessage(out, crypto::pgMd5Password(b.user, b.password, req->data));
      break;
    case AuthCode::Sasl: {
      bool has = false;
      for (auto m : req->mechanisms) has |= m == "SCRAM-SHA-256";
      if (!has) {
        fatal(sqlstate::kConnectionFailure, "backend offers no SASL mechanism Warden supports");
        return false;
      }
      scram_client_.emplace(b.password);
      encodeSaslInitialResponse(out, "SCRAM-SHA-256", scram_client_->clientFirst());
      break;
    }
    case AuthCode::SaslContinue: {
      if (!scram_client_) {
        fatal(sqlstate::kConnectionFailure, "unexpected SASL continuation from backend");
        return false;
      }
      // SaltedPassword costs `i` HMAC rounds; cache it per (password, salt, iterations) so only
      // the first login per worker pays it.
      auto sf = asStringView(req->data);
      auto probe = crypto::parseScramServerFirst(sf);
      if (!probe) {
        fatal(sqlstate::kConnectionFailure, fmt::format("SCRAM with backend: {}", probe.error().message));
        return false;
      }
      auto pw_hash = crypto::sha256(asBytes(b.password));
      std::string key = "pg-scram|" + crypto::base64Encode(pw_hash) + "|" +
                        crypto::base64Encode(probe->salt) + "|" + std::to_string(probe->iterations);
      std::string cached;
      crypto::Sha256Digest salted{};
      const crypto::Sha256Digest* use = nullptr;
      if (host_.cacheGet(key, cached) && cached.size() == salted.size()) {
        std::copy(cached.begin(), cached.end(), salted.begin());
        use = &salted;
      }
      auto final_msg = scram_client_->handleServerFirst(sf, use);
      if (!final_msg) {
        fatal(sqlstate::kConnectionFailure, fmt::format("SCRAM with backend: {}", final_msg.error().message));
        return false;
      }
      if (!use) {
        const auto& s = scram_client_->salted();
        host_.cachePut(key, std::string_view(reinterpret_cast<const char*>(s.data()), s.size()));
      }
      encodeSaslResponse(out, final_msg.value());
      break;
    }
    case AuthCode::SaslFinal: {
      if (!scram_client_) {
        fatal(sqlstate::kConnectionFailure, "unexpected SASL final message from backend");
        return false;
      }
      auto ok = scram_client_->handleServerFinal(asStringView(req->data));
      if (!ok) {
        fatal(sqlstate::kConnectionFailure,
              fmt::format("backend failed SCRAM server verification: {}", ok.error().message));
        return false;
      }
      scram_client_.reset();
      return true;
    }
    default:
      fatal(sqlstate::kConnectionFailure,
            fmt::format("backend asks for authentication method {} which Warden does not support",
                        static_cast<uint32_t>(req->code)));
      return false;
  }
  sendToBackend(out);
  return true;
}

void PgSession::handleBackendParamsMessage(uint8_t type, std::span<const uint8_t> raw,
                                           std::span<const uint8_t> body) {
  switch (type) {
    case be::kParameterStatus:
      if (!checkParameterStatus(body)) return;
      to_client_.add(raw, false);
      return;
    case be::kBackendKeyData: {
      auto k = decodeBackendKeyData(body);
      if (!k) {
        fatal(sqlstate::kConnectionFailure, "invalid BackendKeyData from backend");
        return;
      }
      backend_pid_ = k->pid;
      backend_secret_.assign(k->secret.begin(), k->secret.end());
      // The client gets Warden's own random key; the backend's never leaves Warden.
      for (int attempt = 0; attempt < 8; ++attempt) {
        uint8_t rnd[8];
        crypto::randomBytes(rnd);
        uint32_t pid = loadBe32(rnd) & 0x7fffffff;
        if (pid == 0) continue;
        Bytes key;
        appendBe32(key, pid);
        key.insert(key.end(), rnd + 4, rnd + 8);
        if (!host_.registerCancelKey(key)) continue;
        Bytes out;
        encodeBackendKeyData(out, pid, std::span<const uint8_t>(rnd + 4, 4));
        to_client_.add(out, false);
        return;
      }
      fatal(sqlstate::kConnectionFailure, "could not allocate a cancel key");
      return;
    }
    case be::kReadyForQuery: {
      auto st = decodeReadyForQuery(body);
      if (!st) {
        fatal(sqlstate::kConnectionFailure, "invalid ReadyForQuery from backend");
        return;
      }
      tx_status_ = st.value();
      to_client_.add(raw, false);
      becomeReady();
      return;
    }
    default:
      fatal(sqlstate::kConnectionFailure,
            fmt::format("unexpected message '{}' from backend during start-up", char(type)));
  }
}

void PgSession::becomeReady() {
  to_client_.flush();
  state_ = State::Ready;
  client_reader_.setMaxMessageBytes(host_.config().limits.max_message_bytes);
  bind_inspect_max_ = std::min<uint32_t>(kBindInspectMax, host_.config().limits.max_message_bytes);
  host_.disarmTimer();
  log(LogLevel::Debug, "session ready");
  if (drain_requested_ || host_.draining()) {
    drain_requested_ = true;
    maybeFinishDrain();
    if (state_ != State::Ready) return;
  }
  host_.pauseReading(Side::Client, false);
  if (!early_client_bytes_.empty()) {
    Bytes early;
    early.swap(early_client_bytes_);
    relayFromClient(early);
  }
}

}  // namespace warden::dialect::postgres
