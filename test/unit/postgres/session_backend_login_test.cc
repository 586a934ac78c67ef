// test/unit/postgres/session_backend_login_test.cc
//! PgSession: Warden's own login to the backend (SCRAM / MD5 / cleartext, TLS preference,
//! error mapping, cancel keys).
#include <catch2/catch.hpp>

#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {

TEST_CASE("backend login: MD5 is answered with pgMd5Password of the target credentials",
          "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  c.backendStartup();
  const Bytes salt = {0x01, 0x9a, 0x33, 0x7f};
  c.fromBackend(authMd5(salt));
  auto f = c.backendFrames();
  REQUIRE(types(f) == "p");
  auto pw = decodePasswordMessage(f[0].body);
  REQUIRE(pw);
  CHECK(pw.value() == crypto::pgMd5Password(kBackendUser, kBackendPassword, salt));
  CHECK(startsWith(pw.value(), "md5"));
  c.fromBackend(concat({authOk(), Conversation::backendParams()}));
  CHECK(types(c.clientFrames()) == "SSKZ");
  CHECK(c.state() == State::Ready);
}

TEST_CASE("backend login: cleartext is answered with the target password",
          "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  c.backendStartup();
  c.fromBackend(authCleartext());
  auto f = c.backendFrames();
  REQUIRE(types(f) == "p");
  auto pw = decodePasswordMessage(f[0].body);
  REQUIRE(pw);
  CHECK(pw.value() == kBackendPassword);
  c.fromBackend(concat({authOk(), Conversation::backendParams()}));
  CHECK(types(c.clientFrames()) == "SSKZ");
  CHECK(c.state() == State::Ready);
}

TEST_CASE("backend login: the parameter stream split at every offset", "[postgres][session]") {
  Bytes tail = concat({authOk(), Conversation::backendParams()});
  auto expected = splitFrames(Conversation::backendParams());
  for (size_t cut = 1; cut < tail.size(); ++cut) {
    Conversation c;
    c.clientLogin();
    c.session->onBackendConnected(true, "");
    c.backendStartup();
    c.fromBackend(authCleartext());
    c.backendBytes();
    c.fromBackend(ByteView(tail).first(cut));
    c.fromBackend(ByteView(tail).subspan(cut));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "SSKZ");
    CHECK(f[0].raw == expected[0].raw);
    CHECK(f[1].raw == expected[1].raw);
    CHECK(f[3].raw == expected[3].raw);
    CHECK(c.state() == State::Ready);
    CHECK(c.host.registered_keys.size() == 1);
  }
}

TEST_CASE("backend login: SaltedPassword is cached per worker", "[postgres][session]") {
  Conversation c;
  c.toReady();
  CHECK(c.host.cache_puts == 1);
  CHECK(c.host.cache_hits == 0);
  REQUIRE(c.host.cache.size() == 1);
  CHECK(startsWith(c.host.cache.begin()->first, "pg-scram|"));

  Conversation second;
  second.host.cache = c.host.cache;
  second.toReady();  // the cached value must still produce a proof the backend accepts
  CHECK(second.host.cache_hits == 1);
  CHECK(second.host.cache_puts == 0);
}

TEST_CASE("backend login: a forged SCRAM server signature is refused", "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.backendScramLogin();
  const std::string forged = "v=" + crypto::base64Encode(Bytes(32, 0));
  c.fromBackend(concat({authSaslFinal(forged), authOk()}));
  expectFatal(c, "08006");
}

TEST_CASE("backend login: AuthenticationOk without the SCRAM server signature is refused",
          "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.backendScramLogin();
  c.fromBackend(concat({authOk(), Conversation::backendParams()}));
  expectFatal(c, "08006");
  CHECK(c.host.registered_keys.empty());
}

TEST_CASE("backend login: a backend 28P01 reaches the client as 08006", "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  c.backendStartup();
  c.fromBackend(errorResponse("FATAL", "28P01",
                              "password authentication failed for user \"app_owner\""));
  PgError e = expectFatal(c, "08006");
  CHECK(e.code != "28P01");
  CHECK(e.message.find("backend refused the connection") != std::string::npos);
}

TEST_CASE("backend login: other backend errors keep their SQLSTATE", "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  c.backendStartup();
  c.fromBackend(errorResponse("FATAL", "53300", "sorry, too many clients already"));
  expectFatal(c, "53300");
}

TEST_CASE("backend login: connect failure is 08006 backend unavailable", "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.session->onBackendConnected(false, "connection refused");
  PgError e = expectFatal(c, "08006");
  CHECK(startsWith(e.message, "warden: backend unavailable"));
  CHECK(e.message.find("connection refused") != std::string::npos);
  CHECK(c.host.backend_out.empty());
}

TEST_CASE("backend login: TLS preference when the backend refuses TLS", "[postgres][session]") {
  auto mode = GENERATE(config::BackendTls::Prefer, config::BackendTls::Require);
  Conversation c([mode](config::Config& cfg) { cfg.targets[0].backend.tls = mode; });
  c.host.tls_available[int(Side::Backend)] = true;
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  CHECK(c.backendBytes() == sslRequest());
  CHECK(c.state() == State::BackendTlsWait);
  c.fromBackend(Bytes{'N'});
  if (mode == config::BackendTls::Prefer) {
    CHECK(param(c.backendStartup(), "user") == kBackendUser);
    CHECK(c.state() == State::BackendAuth);
  } else {
    expectFatal(c, "08006");
    CHECK(c.backendBytes().empty());
  }
}

TEST_CASE("backend login: TLS accepted by the backend", "[postgres][session]") {
  Conversation c([](config::Config& cfg) {
    cfg.targets[0].backend.tls = config::BackendTls::Require;
  });
  c.host.tls_available[int(Side::Backend)] = true;
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  CHECK(c.backendBytes() == sslRequest());

  SECTION("handshake then StartupMessage") {
    c.fromBackend(Bytes{'S'});
    CHECK(c.host.tls_starts == std::vector<Side>{Side::Backend});
    CHECK(c.state() == State::BackendTls);
    CHECK(c.backendBytes().empty());
    c.session->onTlsReady(Side::Backend, true, "");
    CHECK(param(c.backendStartup(), "user") == kBackendUser);
  }
  SECTION("plaintext after 'S' is refused") {
    c.fromBackend(concat({Bytes{'S'}, authCleartext()}));
    expectFatal(c, "08006");
    CHECK(c.host.tls_starts.empty());
  }
}

TEST_CASE("backend login: a colliding cancel key is replaced", "[postgres][session]") {
  Conversation c;
  int calls = 0;
  c.host.register_result = [&calls](ByteView) { return ++calls > 1; };
  c.clientLogin();
  c.backendScramLogin();
  c.fromBackend(c.backendLoginTail());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "SSKZ");
  REQUIRE(c.host.registered_keys.size() == 2);
  auto key = decodeBackendKeyData(f[2].body);
  REQUIRE(key);
  CHECK(c.host.registered_keys[1] == cancelKey(key->pid, key->secret));
  CHECK(c.host.registered_keys[0] != c.host.registered_keys[1]);
}

// ------------------------------------------------------------------ start-up settings

TEST_CASE("backend login: a cleartext request over plaintext to a remote backend is refused",
          "[postgres][session]") {
  auto host = GENERATE(as<std::string>{}, "10.0.0.5", "db.internal", "128.0.0.1", "::2");
  INFO("backend host " << host);
  Conversation c([host](config::Config& cfg) { cfg.targets[0].backend.host = host; });
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  c.backendStartup();
  c.fromBackend(authCleartext());
  PgError e = expectFatal(c, "08006");
  CHECK(e.message.find("cleartext") != std::string::npos);
  CHECK_FALSE(containsText(c.host.backend_out, kBackendPassword));
  CHECK(types(c.backendFrames()) == "");  // no PasswordMessage
}

TEST_CASE("backend login: a cleartext request over TLS to a remote backend is answered",
          "[postgres][session]") {
  Conversation c([](config::Config& cfg) {
    cfg.targets[0].backend.host = "10.0.0.5";
    cfg.targets[0].backend.tls = config::BackendTls::Require;
  });
  c.host.tls_available[int(Side::Backend)] = true;
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  CHECK(c.backendBytes() == sslRequest());
  c.fromBackend(Bytes{'S'});
  c.host.tls_active[int(Side::Backend)] = true;
  c.session->onTlsReady(Side::Backend, true, "");
  c.backendStartup();
  c.fromBackend(authCleartext());
  auto f = c.backendFrames();
  REQUIRE(types(f) == "p");
  auto pw = decodePasswordMessage(f[0].body);
  REQUIRE(pw);
  CHECK(pw.value() == kBackendPassword);
  c.fromBackend(concat({authOk(), Conversation::backendParams()}));
  CHECK(c.state() == State::Ready);
}

TEST_CASE("backend login: a cleartext request from a loopback backend is answered",
          "[postgres][session]") {
  auto host = GENERATE(as<std::string>{}, "127.0.0.1", "127.3.2.1", "::1", "localhost");
  INFO("backend host " << host);
  Conversation c([host](config::Config& cfg) { cfg.targets[0].backend.host = host; });
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  c.backendStartup();
  c.fromBackend(authCleartext());
  auto f = c.backendFrames();
  REQUIRE(types(f) == "p");
  CHECK(decodePasswordMessage(f[0].body).value() == kBackendPassword);
  CHECK(c.host.closes.empty());
}

TEST_CASE("backend login: MD5 from a remote backend over plaintext is still answered",
          "[postgres][session]") {
  Conversation c([](config::Config& cfg) { cfg.targets[0].backend.host = "10.0.0.5"; });
  c.clientLogin();
  c.session->onBackendConnected(true, "");
  c.backendStartup();
  const Bytes salt = {1, 2, 3, 4};
  c.fromBackend(authMd5(salt));
  auto f = c.backendFrames();
  REQUIRE(types(f) == "p");
  CHECK(decodePasswordMessage(f[0].body).value() ==
        crypto::pgMd5Password(kBackendUser, kBackendPassword, salt));
}

// ------------------------------------------------------------------ cleartext client auth

}  // namespace warden::dialect::postgres::session_test
