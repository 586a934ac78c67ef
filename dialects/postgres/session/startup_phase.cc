// dialects/postgres/session/startup_phase.cc
//! Client side of the handshake: SSLRequest / GSSENCRequest / CancelRequest / StartupMessage,
//! protocol version negotiation, and client authentication against Warden's identities.
//! https://www.postgresql.org/docs/15/protocol-flow.html#id-1.10.6.7.3
#include <array>

#include <fmt/format.h>

#include "session/pg_session.h"
#include "session/startup_params.h"

namespace warden::dialect::postgres {

namespace {

bool truthy(const std::string& v) {
  return !(v == "0" || v == "false" || v == "off" || v == "no" || v.empty());
}

//! A verifier for unknown users, so their exchange looks like anyone else's and fails at the
//! proof (no user enumeration by timing or message shape). Like PostgreSQL's scram_mock_salt(),
//! everything is derived from the user name and a per-process secret: stable for one name
//! (asking twice cannot tell it from a real verifier) and different across names (one salt
//! shared by all unknown users would give them away). Same shape as config-derived verifiers
//! (16-byte salt, 4096 iterations); no PBKDF2 needed, the proof never verifies.
crypto::ScramVerifier mockVerifier(std::string_view user) {
  static const std::array<uint8_t, 32> secret = [] {
    std::array<uint8_t, 32> s{};
    crypto::randomBytes(s);
    return s;
  }();
  crypto::ScramVerifier v;
  v.iterations = 4096;
  auto salt = crypto::hmacSha256(secret, fmt::format("salt:{}", user));
  v.salt.assign(salt.begin(), salt.begin() + 16);
  v.stored_key = crypto::hmacSha256(secret, fmt::format("stored:{}", user));
  v.server_key = crypto::hmacSha256(secret, fmt::format("server:{}", user));
  return v;
}

}  // namespace

void PgSession::handleClientStartup(std::span<const uint8_t> data) {
  while (!data.empty() && state_ == State::StartupWait) {
    ReadEvent ev = client_reader_.readStartup(data);
    if (ev.kind == ReadEvent::Kind::NeedMore) return;
    if (ev.kind == ReadEvent::Kind::Error) {
      fatal(sqlstate::kProtocolViolation, fmt::format("invalid startup packet: {}", ev.error));
      return;
    }
    handleStartupPacket(ev.body, !data.empty());
  }
  if (!data.empty() && state_ == State::ClientAuth) handleClientAuth(data);
}

void PgSession::handleStartupPacket(std::span<const uint8_t> payload, bool more_bytes_follow) {
  if (payload.size() < 4) {
    fatal(sqlstate::kProtocolViolation, "invalid startup packet");
    return;
  }
  uint32_t code = loadBe32(payload.data());
  if (code == kSslRequestCode || code == kGssEncRequestCode) {
    if (more_bytes_follow) {
      // Anything after the request but before the handshake would be unencrypted and could be
      // injected by a man in the middle (CVE-2021-23214 class).
      fatal(sqlstate::kProtocolViolation, "received unencrypted data after SSL request");
      return;
    }
    if (host_.tlsActive(Side::Client)) {
      fatal(sqlstate::kProtocolViolation, "encryption requested twice");
      return;
    }
    const auto& target = host_.target();
    bool offer = code == kSslRequestCode && host_.tlsAvailable(Side::Client) &&
                 target.client_tls != config::ClientTls::Disabled;
    uint8_t answer = offer ? 'S' : 'N';  // GSS encryption is never accepted
    host_.send(Side::Client, std::span<const uint8_t>(&answer, 1));
    if (offer) {
      state_ = State::ClientTls;
      if (!host_.startTls(Side::Client)) fatal(sqlstate::kProtocolViolation, "TLS unavailable");
    }
    return;
  }
  if (code == kCancelRequestCode) {
    auto req = decodeCancelRequest(payload);
    if (req) {
      Bytes key;
      appendBe32(key, req->pid);
      appendBytes(key, req->secret);
      bool found = host_.requestCancel(key);
      log(LogLevel::Debug, fmt::format("cancel request for key {} {}", req->pid,
                                       found ? "routed" : "matched no session"));
    }
    state_ = State::Closing;
    host_.close("cancel request handled");  // a server answers a cancel by closing
    return;
  }
  auto msg = decodeStartupMessage(payload);
  if (!msg) {
    uint16_t major = uint16_t(code >> 16);
    if (major != kProtocolMajor3)
      fatal(sqlstate::kFeatureNotSupported,
            fmt::format("unsupported frontend protocol {}.{}: server supports 3.0", major,
                        code & 0xffff));
    else
      fatal(sqlstate::kProtocolViolation, fmt::format("invalid startup packet: {}",
                                                      msg.error().message));
    return;
  }
  handleStartupMessage(std::move(msg.value()));
}

void PgSession::handleStartupMessage(StartupMessage msg) {
  const auto& target = host_.target();
  if (host_.overloaded()) {
    fatal(sqlstate::kTooManyConnections, "sorry, too many clients already");
    return;
  }
  if (target.client_tls == config::ClientTls::Required && !host_.tlsActive(Side::Client)) {
    fatal(sqlstate::kInvalidAuthSpec,
          fmt::format("TLS is required by target \"{}\"; connect with sslmode=require", target.name));
    return;
  }
  // Protocol options (_pq_.*) and minor versions above 3.0 are negotiated down.
  std::vector<std::string> unsupported;
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& [k, v] : msg.params) {
    if (k.rfind("_pq_.", 0) == 0)
      unsupported.push_back(k);
    else
      kept.emplace_back(std::move(k), std::move(v));
  }
  msg.params = std::move(kept);
  if (msg.minor > 0 || !unsupported.empty()) {
    Bytes b;
    encodeNegotiateProtocolVersion(b, 0, unsupported);
    sendToClient(b);
    msg.minor = 0;
  }
  if (const std::string* r = msg.find("replication"); r && truthy(*r)) {
    fatal(sqlstate::kFeatureNotSupported, "replication connections are not supported");
    return;
  }
  const std::string* user = msg.find("user");
  if (!user || user->empty()) {
    fatal(sqlstate::kInvalidAuthSpec, "no PostgreSQL user name specified in startup packet");
    return;
  }
  user_ = *user;
  const std::string* db = msg.find("database");
  std::string requested = db && !db->empty() ? *db : user_;
  const auto& served = target.backend.database;
  if (!served.empty() && requested != served && requested != user_) {
    fatal(sqlstate::kInvalidCatalogName,
          fmt::format("database \"{}\" is not served by target \"{}\" (it serves \"{}\")",
                      requested, target.name, served));
    return;
  }
  database_ = served.empty() ? requested : served;
  // Settings the client asks for at start-up are checked before anything else happens.
  auto forwarded = backendStartupParams(msg.params);
  if (!forwarded) {
    fatal(sqlstate::kInsufficientPrivilege, forwarded.error().message);
    return;
  }
  backend_params_ = std::move(forwarded.value());
  startup_ = std::move(msg);

  auto gate = host_.loginGate(user_);
  if (gate.refused) {
    fatal(sqlstate::kInvalidPassword,
          fmt::format("{}; try again in {} s", gate.reason,
                      std::max<long long>(1, (gate.retry_after.count() + 999) / 1000)));
    return;
  }

  // Copy what we need: the user entry belongs to the current config snapshot.
  const config::User* u = host_.findUser(user_);
  // mTLS: a client certificate that verified against tls.client_ca_file is the credential. Its
  // user must be the one the client logs in as; groups and kind come from a static user entry
  // of that name when there is one.
  if (std::string cert_user = host_.clientCertificateUser(); !cert_user.empty()) {
    state_ = State::ClientAuth;
    if (cert_user != user_) {
      authFailed("mtls", fmt::format("client certificate is for \"{}\", not \"{}\"", cert_user, user_));
      return;
    }
    if (u) {
      user_groups_ = u->groups;
      user_kind_ = u->kind == config::IdentityKind::Agent     ? "agent"
                   : u->kind == config::IdentityKind::Service ? "service"
                                                              : "human";
    }
    clientAuthenticated("mtls");
    return;
  }
  if (u == nullptr && host_.config().identity.oidc) {
    // Not a static user: the password is an OIDC access token. Tokens never travel in clear.
    state_ = State::ClientAuth;
    if (!host_.tlsActive(Side::Client)) {
      host_.loginFailed(user_, "jwt", "token login over plaintext refused");
      fatal(sqlstate::kInvalidPassword,
            "access tokens are only accepted over TLS; connect with sslmode=require");
      return;
    }
    token_auth_ = true;
    cleartext_auth_ = true;
    Bytes out;
    encodeAuthCleartext(out);
    sendToClient(out);
    return;
  }
  crypto::ScramVerifier verifier = mockVerifier(user_);
  if (u) {
    user_known_ = true;
    user_groups_ = u->groups;
    user_kind_ = u->kind == config::IdentityKind::Agent     ? "agent"
                 : u->kind == config::IdentityKind::Service ? "service"
                                                            : "human";
    if (u->scram.valid()) verifier = u->scram;
  }
  state_ = State::ClientAuth;
  Bytes out;
  if (target.client_auth == config::ClientAuth::Password && host_.tlsActive(Side::Client)) {
    cleartext_auth_ = true;
    scram_server_verifier_ = verifier;  // the (possibly mock) verifier for the password check
    scram_server_.emplace(verifier);
    encodeAuthCleartext(out);
  } else {
    scram_server_.emplace(verifier);
    std::string_view mechs[] = {"SCRAM-SHA-256"};  // never -PLUS: TLS ends here
    encodeAuthSasl(out, mechs);
  }
  sendToClient(out);
}

void PgSession::handleClientAuth(std::span<const uint8_t> data) {
  while (!data.empty() && state_ == State::ClientAuth && !token_pending_ && !auth_failing_) {
    ReadEvent ev = client_reader_.next(data, nullptr, nullptr);
    if (ev.kind == ReadEvent::Kind::NeedMore) return;
    if (ev.kind == ReadEvent::Kind::Error) {
      fatal(sqlstate::kProtocolViolation, ev.error);
      return;
    }
    if (ev.type != fe::kPassword) {
      if (ev.type == fe::kTerminate) {
        state_ = State::Closing;
        host_.close("client terminated during authentication");
        return;
      }
      fatal(sqlstate::kProtocolViolation,
            fmt::format("expected a password message, got message type '{}'", char(ev.type)));
      return;
    }
    if (cleartext_auth_)
      handlePasswordMessage(ev.body);
    else
      handleSaslMessage(ev.body);
  }
  // Bytes after the final auth message (pipelined queries) wait until the session is ready.
  if (!data.empty() && state_ != State::Closing) keepEarlyBytes(data);
}

void PgSession::handleSaslMessage(std::span<const uint8_t> body) {
  Bytes out;
  if (expect_sasl_initial_) {
    auto init = decodeSaslInitialResponse(body);
    if (!init) {
      fatal(sqlstate::kProtocolViolation, fmt::format("malformed SASL message: {}", init.error().message));
      return;
    }
    if (init->mechanism != "SCRAM-SHA-256") {
      fatal(sqlstate::kProtocolViolation,
            fmt::format("SASL mechanism \"{}\" not offered (only SCRAM-SHA-256: channel binding "
                        "cannot cross the gateway)", init->mechanism));
      return;
    }
    auto first = scram_server_->handleClientFirst(init->data.value_or(std::string_view{}));
    if (!first) {
      fatal(sqlstate::kProtocolViolation, fmt::format("SCRAM: {}", first.error().message));
      return;
    }
    expect_sasl_initial_ = false;
    encodeAuthSaslContinue(out, first.value());
    sendToClient(out);
    return;
  }
  auto final_msg = scram_server_->handleClientFinal(asStringView(body));
  if (!final_msg || !user_known_) {
    authFailed("scram", user_known_ ? "wrong password" : "unknown user");
    return;
  }
  encodeAuthSaslFinal(out, final_msg.value());
  sendToClient(out);
  clientAuthenticated("scram");
}

void PgSession::handlePasswordMessage(std::span<const uint8_t> body) {
  auto pw = decodePasswordMessage(body);
  if (!pw) {
    fatal(sqlstate::kProtocolViolation, "malformed password message");
    return;
  }
  if (token_auth_) {
    // Wait for the verdict (the core may have to fetch signing keys first).
    token_pending_ = true;
    host_.verifyToken(std::string(pw.value()), [this](dialect::SessionHost::TokenOutcome r) {
      token_pending_ = false;
      if (state_ != State::ClientAuth) return;
      if (!r.ok) {
        authFailed("jwt", r.error);
        return;
      }
      const auto& oidc = host_.config().identity.oidc;
      if ((!oidc || oidc->match_startup_user) && r.identity.user != user_) {
        authFailed("jwt", fmt::format("the token is for \"{}\", not the startup user \"{}\"",
                                      r.identity.user, user_));
        return;
      }
      clientAuthenticated(std::move(r.identity));
    });
    return;
  }
  // Everyone, known or not, pays the same derivation against their (possibly mock) verifier:
  // no timing difference to probe user names with.
  const auto& v = scram_server_verifier_;
  auto check = crypto::makeScramVerifier(pw.value(), v.salt, v.iterations);
  bool ok = user_known_ && crypto::constantTimeEqual(check.stored_key, v.stored_key);
  if (!ok) {
    authFailed("password", user_known_ ? "wrong password" : "unknown user");
    return;
  }
  clientAuthenticated("password");
}

void PgSession::authFailed(std::string_view method, std::string_view reason) {
  log(LogLevel::Info, fmt::format("authentication failed for user \"{}\" ({}: {})", user_, method, reason));
  auto delay = host_.loginFailed(user_, method, reason);
  if (delay.count() > 0) {
    // Hold the reply back (slows guessing); nothing the client sends meanwhile is read.
    auth_failing_ = true;
    host_.armTimer(delay);
    return;
  }
  sendAuthFailure();
}

void PgSession::sendAuthFailure() {
  fatal(sqlstate::kInvalidPassword,
        fmt::format("password authentication failed for user \"{}\"", user_));
}

void PgSession::clientAuthenticated(const std::string& method) {
  policy::Identity id;
  id.user = user_;
  id.groups = user_groups_;
  id.kind = user_kind_.empty() ? "human" : user_kind_;
  id.method = method;
  clientAuthenticated(std::move(id));
}

void PgSession::clientAuthenticated(policy::Identity id) {
  scram_server_.reset();
  host_.setIdentity(std::move(id));
  Bytes out;
  encodeAuthOk(out);
  sendToClient(out);
  if (host_.draining()) {
    fatal(sqlstate::kAdminShutdown, "the gateway is shutting down");
    return;
  }
  state_ = State::BackendConnect;
  host_.connectBackend();
}

}  // namespace warden::dialect::postgres
