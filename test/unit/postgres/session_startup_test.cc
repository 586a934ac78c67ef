// test/unit/postgres/session_startup_test.cc
//! PgSession start-up: TLS/GSS negotiation, protocol version negotiation, client SCRAM against
//! Warden's identities, startup parameters and message limits (backend login: see
//! session_backend_login_test.cc).
#include <catch2/catch.hpp>

#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {

TEST_CASE("startup: happy path from StartupMessage to Ready", "[postgres][session]") {
  Conversation c;
  REQUIRE(c.host.timers.size() == 1);
  CHECK(c.host.timers[0] == c.host.cfg.limits.auth_timeout);
  CHECK(c.state() == State::StartupWait);

  // AuthenticationSASL offers exactly SCRAM-SHA-256: -PLUS cannot survive TLS termination.
  c.fromClient(defaultStartup());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  auto sasl = authOf(f[0]);
  REQUIRE(sasl.code == AuthCode::Sasl);
  REQUIRE(sasl.mechanisms.size() == 1);
  CHECK(sasl.mechanisms[0] == "SCRAM-SHA-256");
  CHECK(c.state() == State::ClientAuth);
  CHECK(c.host.connects == 0);

  // SCRAM: the client verifies Warden's server signature inside clientScram().
  f = c.clientScram(kPassword);
  REQUIRE(types(f) == "RR");
  CHECK(c.host.connects == 1);
  CHECK(c.state() == State::BackendConnect);
  REQUIRE(c.host.identity_set);
  CHECK(c.host.ident.user == kUser);
  CHECK(c.host.ident.method == "scram");
  CHECK(c.host.ident.kind == "human");
  CHECK(c.host.ident.groups == std::vector<std::string>{"dev", "oncall"});
  CHECK(c.host.backend_out.empty());  // nothing reaches the backend before the TCP connect

  // Warden logs in as target.backend, not as the client; application_name is forwarded.
  StartupMessage sm = c.backendScramLogin();
  CHECK(sm.major == 3);
  CHECK(sm.minor == 0);
  CHECK(param(sm, "user") == kBackendUser);
  CHECK(param(sm, "database") == kDatabase);
  CHECK(param(sm, "application_name") == "psql");
  CHECK(param(sm, "client_encoding") == "UTF8");
  for (const auto& [k, v] : sm.params) CHECK(v != kUser);
  CHECK(c.state() == State::BackendAuth);
  CHECK(c.clientBytes().empty());  // backend auth traffic never reaches the client

  // The parameter stream: ParameterStatus relayed as is, our own BackendKeyData, then 'Z'.
  Bytes params = Conversation::backendParams();
  auto backend_frames = splitFrames(params);
  c.fromBackend(c.backendLoginTail());
  f = c.clientFrames();
  REQUIRE(types(f) == "SSKZ");
  CHECK(f[0].raw == backend_frames[0].raw);
  CHECK(f[1].raw == backend_frames[1].raw);
  CHECK(f[3].raw == backend_frames[3].raw);
  auto key = decodeBackendKeyData(f[2].body);
  REQUIRE(key);
  Bytes client_secret(key->secret.begin(), key->secret.end());
  CHECK(client_secret.size() == 4);
  CHECK(key->pid != 0);
  CHECK(cancelKey(key->pid, client_secret) != cancelKey(kBackendPid, kBackendSecret));
  CHECK(client_secret != kBackendSecret);
  REQUIRE(c.host.registered_keys.size() == 1);
  CHECK(c.host.registered_keys[0] == cancelKey(key->pid, client_secret));
  CHECK(rfqStatus(f[3]) == kTxIdle);
  CHECK(c.state() == State::Ready);
  CHECK(c.host.disarms >= 1);
  CHECK(c.host.closes.empty());
  CHECK(c.backendBytes().empty());
}

TEST_CASE("startup: the identity records the user's kind", "[postgres][session]") {
  Conversation c;
  c.clientStartup(startupMessage({{"user", std::string(kAgentUser)}}));
  auto f = c.clientScram(kAgentPassword);
  REQUIRE(types(f) == "RR");
  CHECK(c.host.ident.user == kAgentUser);
  CHECK(c.host.ident.kind == "agent");
  CHECK(c.host.ident.groups == std::vector<std::string>{"bots"});
  // No database given: the target's database is used.
  CHECK(param(c.backendScramLogin(), "database") == kDatabase);
}

TEST_CASE("startup: wrong password is 28P01 and the backend is never contacted",
          "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  bool continued = false;
  c.clientScram("not-the-password", &continued);
  // clientScram() consumed the frames; check what it saw from the recorded stream instead.
  CHECK(continued);
  auto frames = splitFrames(c.host.client_out);
  REQUIRE(types(frames) == "RRE");
  PgError e = errorOf(frames.back());
  CHECK(e.severity == "FATAL");
  CHECK(e.code == "28P01");
  CHECK(startsWith(e.message, "warden: "));
  CHECK(e.message.find("alice") != std::string::npos);
  CHECK(c.host.closes.size() == 1);
  CHECK(c.host.connects == 0);
  CHECK(c.host.backend_out.empty());
  CHECK_FALSE(c.host.identity_set);
}

TEST_CASE("startup: unknown user fails at the proof with the same 28P01", "[postgres][session]") {
  Conversation known, unknown;
  known.clientStartup(defaultStartup());
  unknown.clientStartup(
      startupMessage({{"user", "mallory"}, {"database", std::string(kDatabase)}}));

  bool known_continued = false, unknown_continued = false;
  known.clientScram("guess", &known_continued);
  unknown.clientScram("guess", &unknown_continued);
  // Both exchanges reach the proof step: AuthenticationSASLContinue came for the unknown user.
  CHECK(known_continued);
  CHECK(unknown_continued);

  auto kf = splitFrames(known.host.client_out);
  auto uf = splitFrames(unknown.host.client_out);
  REQUIRE(types(kf) == "RRE");
  REQUIRE(types(uf) == "RRE");
  PgError ke = errorOf(kf.back()), ue = errorOf(uf.back());
  CHECK(ue.code == "28P01");
  CHECK(ue.severity == ke.severity);
  CHECK(ue.message == "warden: password authentication failed for user \"mallory\"");
  CHECK(ke.message == "warden: password authentication failed for user \"alice\"");
  CHECK(unknown.host.connects == 0);
  CHECK(unknown.host.closes.size() == 1);
  CHECK(unknown.host.backend_out.empty());
}

TEST_CASE("startup: unknown users get a stable salt of their own", "[postgres][session]") {
  // PostgreSQL's scram_mock_salt(): a mock salt derived from the user name. One salt shared by
  // every unknown user would let anyone tell unknown from known users by comparing two names.
  auto serverFirstFor = [](const std::string& user) {
    Conversation c;
    c.clientStartup(startupMessage({{"user", user}}));
    crypto::ScramClient client{"whatever"};
    Bytes init;
    encodeSaslInitialResponse(init, "SCRAM-SHA-256", client.clientFirst());
    c.fromClient(init);
    auto f = c.clientFrames();
    REQUIRE(types(f) == "R");
    auto sf = crypto::parseScramServerFirst(asStringView(authOf(f[0]).data));
    REQUIRE(sf);
    return std::make_pair(sf->salt, sf->iterations);
  };
  auto mallory = serverFirstFor("mallory");
  auto again = serverFirstFor("mallory");
  auto trudy = serverFirstFor("trudy");
  auto alice = serverFirstFor(std::string(kUser));
  CHECK(mallory == again);  // asking twice cannot tell a mock from a real verifier
  CHECK(mallory.first != trudy.first);
  CHECK(alice == std::make_pair(verifierFor(kPassword).salt, 4096));
  CHECK(mallory.second == alice.second);
  CHECK(mallory.first.size() == alice.first.size());
}

TEST_CASE("startup: a client choosing SCRAM-SHA-256-PLUS is refused", "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  crypto::ScramClient client{std::string(kPassword)};
  Bytes init;
  // gs2 header "p=tls-server-end-point" is what libpq sends with channel binding.
  encodeSaslInitialResponse(init, "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abcdef");
  c.fromClient(init);
  PgError e = expectFatal(c, "08P01");
  CHECK(e.message.find("SCRAM-SHA-256-PLUS") != std::string::npos);
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: a channel-binding gs2 flag under plain SCRAM is refused",
          "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  Bytes init;
  encodeSaslInitialResponse(init, "SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abcdef");
  c.fromClient(init);
  expectFatal(c, "08P01");
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: GSSENCRequest is answered 'N' and start-up continues",
          "[postgres][session]") {
  Conversation c;
  c.host.tls_available[int(Side::Client)] = true;  // GSS is refused even when TLS could be used
  c.fromClient(gssEncRequest());
  CHECK(c.clientBytes() == Bytes{'N'});
  CHECK(c.host.tls_starts.empty());
  CHECK(c.state() == State::StartupWait);
  c.clientLogin();
}

TEST_CASE("startup: SSLRequest without TLS is answered 'N'", "[postgres][session]") {
  Conversation c;
  c.fromClient(sslRequest());
  CHECK(c.clientBytes() == Bytes{'N'});
  CHECK(c.host.tls_starts.empty());
  CHECK(c.state() == State::StartupWait);
  CHECK(c.host.closes.empty());
  c.clientLogin();
}

TEST_CASE("startup: SSLRequest with TLS available is answered 'S' and starts TLS",
          "[postgres][session]") {
  Conversation c;
  c.host.tls_available[int(Side::Client)] = true;
  c.fromClient(sslRequest());
  CHECK(c.clientBytes() == Bytes{'S'});
  REQUIRE(c.host.tls_starts == std::vector<Side>{Side::Client});
  CHECK(c.state() == State::ClientTls);
  c.host.tls_active[int(Side::Client)] = true;
  c.session->onTlsReady(Side::Client, true, "");
  CHECK(c.state() == State::StartupWait);

  SECTION("then a normal login") { c.clientLogin(); }
  SECTION("a second SSLRequest is a protocol violation") {
    c.fromClient(sslRequest());
    expectFatal(c, "08P01");
  }
}

TEST_CASE("startup: bytes after SSLRequest in the same buffer are refused",
          "[postgres][session]") {
  bool tls = GENERATE(false, true);
  Conversation c;
  c.host.tls_available[int(Side::Client)] = tls;
  c.fromClient(concat({sslRequest(), defaultStartup()}));
  PgError e = expectFatal(c, "08P01");
  CHECK(e.message == "warden: received unencrypted data after SSL request");
  CHECK(c.host.tls_starts.empty());
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: client_tls required without TLS is 28000", "[postgres][session]") {
  Conversation c([](config::Config& cfg) {
    cfg.targets[0].client_tls = config::ClientTls::Required;
  });
  c.fromClient(defaultStartup());
  PgError e = expectFatal(c, "28000");
  CHECK(e.message.find("TLS") != std::string::npos);
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: newer minor versions and _pq_ options are negotiated down",
          "[postgres][session]") {
  SECTION("protocol 3.2") {
    Conversation c;
    c.fromClient(startupMessage({{"user", std::string(kUser)}}, 2));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "vR");
    auto npv = decodeNegotiateProtocolVersion(f[0].body);
    REQUIRE(npv);
    CHECK(npv->newest_minor == 0);
    CHECK(npv->unsupported.empty());
    CHECK(authOf(f[1]).code == AuthCode::Sasl);
  }
  SECTION("a _pq_ option is listed and not forwarded to the backend") {
    Conversation c;
    c.fromClient(startupMessage({{"user", std::string(kUser)},
                                 {"_pq_.foo", "on"},
                                 {"application_name", "app"}}));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "vR");
    auto npv = decodeNegotiateProtocolVersion(f[0].body);
    REQUIRE(npv);
    CHECK(npv->newest_minor == 0);
    REQUIRE(npv->unsupported.size() == 1);
    CHECK(npv->unsupported[0] == "_pq_.foo");
    REQUIRE(types(c.clientScram(kPassword)) == "RR");
    StartupMessage sm = c.backendScramLogin();
    CHECK(sm.find("_pq_.foo") == nullptr);
    CHECK(sm.minor == 0);
    CHECK(param(sm, "application_name") == "app");
  }
}

TEST_CASE("startup: replication connections are refused", "[postgres][session]") {
  Conversation c;
  c.fromClient(startupMessage({{"user", std::string(kUser)}, {"replication", "database"}}));
  expectFatal(c, "0A000");
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: a connection over max_client_connections gets 53300", "[postgres][session]") {
  Conversation c;
  c.host.is_overloaded = true;
  c.fromClient(startupMessage({{"user", std::string(kUser)}}));
  PgError e = expectFatal(c, "53300");
  CHECK(e.message.find("too many clients") != std::string::npos);
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: replication=false is an ordinary connection", "[postgres][session]") {
  Conversation c;
  c.clientLogin(startupMessage({{"user", std::string(kUser)}, {"replication", "false"}}));
  CHECK(c.backendScramLogin().find("replication") == nullptr);
}

TEST_CASE("startup: a database the target does not serve is 3D000", "[postgres][session]") {
  Conversation c;
  c.fromClient(startupMessage({{"user", std::string(kUser)}, {"database", "payroll"}}));
  PgError e = expectFatal(c, "3D000");
  CHECK(e.message.find("payroll") != std::string::npos);
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: missing user is 28000", "[postgres][session]") {
  Conversation c;
  c.fromClient(startupMessage({{"database", std::string(kDatabase)}}));
  expectFatal(c, "28000");
}

TEST_CASE("startup: unsupported protocol major is 0A000", "[postgres][session]") {
  Conversation c;
  Bytes b;
  appendBe32(b, 16);
  appendBe32(b, 2u << 16);  // protocol 2.0
  appendBytes(b, std::string_view("user\0a\0\0", 8));
  c.fromClient(b);
  expectFatal(c, "0A000");
}

TEST_CASE("startup: CancelRequest is routed and the connection closes silently",
          "[postgres][session]") {
  const Bytes secret = {1, 2, 3, 4};
  bool found = GENERATE(true, false);
  Conversation c;
  c.host.cancel_found = found;
  c.fromClient(cancelRequest(0x01020304, secret));
  REQUIRE(c.host.cancel_requests.size() == 1);
  CHECK(c.host.cancel_requests[0] == cancelKey(0x01020304, secret));
  CHECK(c.host.closes.size() == 1);
  CHECK(c.host.client_out.empty());
  CHECK(c.host.connects == 0);
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("startup: start-up packets split at every offset", "[postgres][session]") {
  Bytes startup = defaultStartup();
  for (size_t cut = 1; cut < startup.size(); ++cut) {
    Conversation c;
    c.fromClient(ByteView(startup).first(cut));
    CHECK(c.host.client_out.empty());
    c.fromClient(ByteView(startup).subspan(cut));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "R");
    CHECK(authOf(f[0]).code == AuthCode::Sasl);
  }
}

TEST_CASE("startup: cleartext client auth over TLS when the target asks for it",
          "[postgres][session]") {
  auto password = GENERATE(std::string(kPassword), std::string("wrong"));
  Conversation c([](config::Config& cfg) {
    cfg.targets[0].client_auth = config::ClientAuth::Password;
  });
  c.host.tls_active[int(Side::Client)] = true;
  c.fromClient(defaultStartup());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  CHECK(authOf(f[0]).code == AuthCode::CleartextPassword);
  Bytes pw;
  encodePasswordMessage(pw, password);
  c.fromClient(pw);
  if (password == kPassword) {
    f = c.clientFrames();
    REQUIRE(types(f) == "R");
    CHECK(authOf(f[0]).code == AuthCode::Ok);
    CHECK(c.host.connects == 1);
    CHECK(c.host.ident.method == "password");
  } else {
    expectFatal(c, "28P01");
    CHECK(c.host.connects == 0);
  }
}

TEST_CASE("startup: cleartext client auth is never offered without TLS",
          "[postgres][session]") {
  Conversation c([](config::Config& cfg) {
    cfg.targets[0].client_auth = config::ClientAuth::Password;
  });
  c.fromClient(defaultStartup());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  CHECK(authOf(f[0]).code == AuthCode::Sasl);
}

TEST_CASE("startup: a query pipelined behind the SCRAM response waits for Ready",
          "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  crypto::ScramClient client{std::string(kPassword)};
  Bytes init;
  encodeSaslInitialResponse(init, "SCRAM-SHA-256", client.clientFirst());
  c.fromClient(init);
  auto f = c.clientFrames();
  auto final_msg = client.handleServerFirst(asStringView(authOf(f[0]).data));
  REQUIRE(final_msg);
  Bytes resp;
  encodeSaslResponse(resp, final_msg.value());
  Bytes q = query("SELECT 1");
  c.fromClient(concat({resp, q}));
  REQUIRE(types(c.clientFrames()) == "RR");
  REQUIRE(c.host.connects == 1);
  c.backendScramLogin();
  CHECK(c.host.evaluated.empty());  // not evaluated before the session is Ready
  c.fromBackend(c.backendLoginTail());
  CHECK(c.state() == State::Ready);
  CHECK(c.backendBytes() == q);
  REQUIRE(c.host.evaluated.size() == 1);
  CHECK(c.host.evaluated[0].first == "SELECT 1");
  // The backend owes a ReadyForQuery for it: the session is busy.
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.size() == 1);
}

// ------------------------------------------------------------------ Warden → backend login

TEST_CASE("startup: client encodings that can hide a backslash are refused",
          "[postgres][session]") {
  // In these client-only encodings 0x5c can be the second byte of a character: the server would
  // lex a statement differently from the UTF-8 view that policy checks.
  auto encoding = GENERATE(as<std::string>{}, "SJIS", "sjis", "Shift_JIS", "MSKANJI", "BIG5",
                           "Big-5", "GBK", "UHC", "GB18030", "JOHAB", "WIN932", "win936",
                           "WIN949", "cp950", "CP932");
  auto via = GENERATE(0, 1);  // 0: startup parameter, 1: options -c
  INFO("client_encoding " << encoding << (via ? " via options" : " as a parameter"));
  Conversation c;
  if (via == 0)
    c.fromClient(startupMessage({{"user", std::string(kUser)}, {"client_encoding", encoding}}));
  else
    c.fromClient(startupMessage(
        {{"user", std::string(kUser)}, {"options", "-c client_encoding=" + encoding}}));
  PgError e = expectFatal(c, "42501");
  CHECK(e.message.find("client_encoding") != std::string::npos);
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: safe client encodings are forwarded", "[postgres][session]") {
  auto encoding = GENERATE(as<std::string>{}, "UTF8", "utf-8", "LATIN1", "EUC_JP", "WIN1252");
  Conversation c;
  c.clientLogin(startupMessage({{"user", std::string(kUser)}, {"client_encoding", encoding}}));
  CHECK(param(c.backendScramLogin(), "client_encoding") == encoding);
}

TEST_CASE("startup: client encoding spellings the server also accepts are refused",
          "[postgres][session]") {
  // The server normalises encoding names by dropping every non-alphanumeric character
  // (clean_encoding_name) and knows SHIFT_JIS_2004 and windows9xx aliases too: every spelling
  // that selects an unsafe client encoding on the server must be refused here.
  std::vector<std::string> accepted;
  for (std::string encoding : {"Shift-JIS", "ShiftJIS", "SHIFT_JIS_2004", "windows932",
                               "Windows-936", "s_jis", "gb_18030", "MS_Kanji"}) {
    Conversation c;
    c.fromClient(startupMessage({{"user", std::string(kUser)}, {"client_encoding", encoding}}));
    if (c.host.closes.empty()) accepted.push_back(encoding);
  }
  CHECK(accepted == std::vector<std::string>{});
}

TEST_CASE("startup: standard_conforming_strings cannot be set at start-up",
          "[postgres][session]") {
  SECTION("as a startup parameter") {
    Conversation c;
    c.fromClient(startupMessage(
        {{"user", std::string(kUser)}, {"standard_conforming_strings", "off"}}));
    PgError e = expectFatal(c, "42501");
    CHECK(e.message.find("standard_conforming_strings") != std::string::npos);
    CHECK(c.host.connects == 0);
  }
  SECTION("in options, either spelling") {
    auto opt = GENERATE(as<std::string>{}, "-c standard_conforming_strings=off",
                        "--standard-conforming-strings=off");
    Conversation c;
    c.fromClient(startupMessage({{"user", std::string(kUser)}, {"options", opt}}));
    PgError e = expectFatal(c, "42501");
    CHECK(e.message.find("standard_conforming_strings") != std::string::npos);
    CHECK(c.host.connects == 0);
  }
}

// ------------------------------------------------------------------ message size before Ready

TEST_CASE("startup: authentication messages are limited to 65535 bytes",
          "[postgres][session]") {
  // max_message_bytes is far larger; before Ready the server's auth limit applies.
  REQUIRE(makeConfig().limits.max_message_bytes > 1u << 20);
  auto body_len = GENERATE(uint32_t(65536), uint32_t(1u << 20));
  auto cleartext = GENERATE(false, true);
  INFO("body " << body_len << (cleartext ? " cleartext" : " SASL"));
  Conversation c([cleartext](config::Config& cfg) {
    if (cleartext) cfg.targets[0].client_auth = config::ClientAuth::Password;
  });
  c.host.tls_active[int(Side::Client)] = cleartext;
  c.fromClient(defaultStartup());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  CHECK(authOf(f[0]).code == (cleartext ? AuthCode::CleartextPassword : AuthCode::Sasl));
  // The header alone is enough to refuse it.
  Bytes header{fe::kPassword};
  appendBe32(header, body_len + 4);
  c.fromClient(concat({header, Bytes(100, 'x')}));
  PgError e = expectFatal(c, "08P01");
  CHECK(e.message.find("65535") != std::string::npos);
  CHECK(c.host.connects == 0);
}

TEST_CASE("startup: a 65535-byte authentication message is still read", "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  Bytes header{fe::kPassword};
  appendBe32(header, 65535 + 4);
  c.fromClient(concat({header, Bytes(30000, 'x')}));
  CHECK(c.host.closes.empty());  // waiting for the rest
  CHECK(c.clientBytes().empty());
}

TEST_CASE("startup: after Ready messages up to max_message_bytes pass", "[postgres][session]") {
  Conversation c;
  c.toReady();
  Bytes q = query("SELECT '" + std::string(200000, 'a') + "'");
  c.fromClient(ByteView(q).first(1000));
  c.fromClient(ByteView(q).subspan(1000));
  CHECK(c.backendBytes() == q);
  CHECK(c.host.closes.empty());
}

TEST_CASE("startup: a large query pipelined behind the SCRAM response is kept for Ready",
          "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  crypto::ScramClient client{std::string(kPassword)};
  Bytes init;
  encodeSaslInitialResponse(init, "SCRAM-SHA-256", client.clientFirst());
  c.fromClient(init);
  auto final_msg = client.handleServerFirst(asStringView(authOf(c.clientFrames()[0]).data));
  REQUIRE(final_msg);
  Bytes resp;
  encodeSaslResponse(resp, final_msg.value());
  Bytes q = query("SELECT '" + std::string(100000, 'b') + "'");
  c.fromClient(concat({resp, q}));
  REQUIRE(types(c.clientFrames()) == "RR");
  c.backendScramLogin();
  c.fromBackend(c.backendLoginTail());
  CHECK(c.state() == State::Ready);
  CHECK(c.backendBytes() == q);
  CHECK(c.host.closes.empty());
}

// ------------------------------------------------------------------ cleartext to the backend

namespace {
//! Cleartext client auth over TLS as `user`, sending `password`.
void cleartextLogin(Conversation& c, std::string_view user, std::string_view password) {
  c.host.tls_active[int(Side::Client)] = true;
  c.fromClient(startupMessage({{"user", std::string(user)}}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  REQUIRE(authOf(f[0]).code == AuthCode::CleartextPassword);
  Bytes pw;
  encodePasswordMessage(pw, password);
  c.fromClient(pw);
}
ConfigTweak passwordAuth(std::function<void(config::User&)> alice_tweak = {}) {
  return [alice_tweak](config::Config& cfg) {
    cfg.targets[0].client_auth = config::ClientAuth::Password;
    if (alice_tweak) alice_tweak(cfg.identity.users[0]);
  };
}
}  // namespace

TEST_CASE("startup: cleartext client passwords are checked against the SCRAM verifier",
          "[postgres][session]") {
  SECTION("a user configured with a verifier only") {
    Conversation c(passwordAuth([](config::User& u) { u.password.reset(); }));
    cleartextLogin(c, kUser, kPassword);
    auto f = c.clientFrames();
    REQUIRE(types(f) == "R");
    CHECK(authOf(f[0]).code == AuthCode::Ok);
    CHECK(c.host.ident.method == "password");
  }
  SECTION("the verifier decides, not a plaintext copy") {
    // A stale plaintext next to the verifier must not be accepted: the verifier is the truth.
    auto tweak = passwordAuth([](config::User& u) { u.password = "stale-plaintext"; });
    Conversation ok(tweak), stale(tweak);
    cleartextLogin(ok, kUser, kPassword);
    REQUIRE(types(ok.clientFrames()) == "R");
    CHECK(ok.host.connects == 1);
    cleartextLogin(stale, kUser, "stale-plaintext");
    expectFatal(stale, "28P01");
    CHECK(stale.host.connects == 0);
  }
  SECTION("an unknown user fails the same way") {
    Conversation known(passwordAuth()), unknown(passwordAuth());
    cleartextLogin(known, kUser, "guess");
    cleartextLogin(unknown, "mallory", "guess");
    PgError ke = expectFatal(known, "28P01");
    PgError ue = expectFatal(unknown, "28P01");
    CHECK(ue.severity == ke.severity);
    CHECK(ue.message == "warden: password authentication failed for user \"mallory\"");
    CHECK(unknown.host.connects == 0);
    CHECK_FALSE(unknown.host.identity_set);
  }
}

}  // namespace warden::dialect::postgres::session_test
