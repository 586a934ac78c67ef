// test/unit/postgres/session_login_test.cc
//! Login beyond static users: OIDC access tokens as the password (TLS only, verified by the
//! core, identity from the token), login throttling (refusal while locked out, failure replies
//! held back), and a session whose token expired ending at its next statement.
#include <catch2/catch.hpp>

#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {
namespace {

void enableOidc(config::Config& cfg) {
  config::OidcConfig o;
  o.issuer = "http://127.0.0.1:9000";
  o.audience = "warden";
  o.jwks_file = "/dev/null";
  cfg.identity.oidc = o;
}

Bytes tokenStartup(std::string_view user = "token-user") {
  return startupMessage({{"user", std::string(user)}, {"database", std::string(kDatabase)}});
}

Bytes passwordMessage(std::string_view pw) {
  Bytes b;
  encodePasswordMessage(b, pw);
  return b;
}

}  // namespace

TEST_CASE("login: an unknown user with OIDC configured sends a token over TLS",
          "[postgres][session][login]") {
  Conversation c(enableOidc);
  c.host.tls_active[int(Side::Client)] = true;
  std::string seen;
  std::function<void(SessionHost::TokenOutcome)> pending;
  c.host.token_verifier = [&](std::string token, std::function<void(SessionHost::TokenOutcome)> done) {
    seen = token;
    pending = std::move(done);  // answered later: the core may be fetching keys
  };
  c.fromClient(tokenStartup());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  CHECK(authOf(f[0]).code == AuthCode::CleartextPassword);
  Bytes q = query("SELECT 1");
  c.fromClient(concat({passwordMessage("eyJhbGciOi.token.sig"), q}));
  CHECK(seen == "eyJhbGciOi.token.sig");
  CHECK(c.clientBytes().empty());  // nothing until the verdict
  CHECK(c.host.connects == 0);

  SECTION("a token for another user than the startup user is refused") {
    SessionHost::TokenOutcome other;
    other.ok = true;
    other.identity.user = "someone-else";
    pending(other);
    expectFatal(c, "28P01");
    REQUIRE(c.host.login_failures.size() == 1);
    CHECK(c.host.login_failures[0].find("not the startup user") != std::string::npos);
  }
  SECTION("a good token logs in as the token's identity") {
    SessionHost::TokenOutcome ok;
    ok.ok = true;
    ok.identity.user = "token-user";
    ok.identity.groups = {"analysts"};
    ok.identity.kind = "service";
    ok.identity.method = "jwt";
    pending(ok);
    f = c.clientFrames();
    REQUIRE(types(f) == "R");
    CHECK(authOf(f[0]).code == AuthCode::Ok);
    CHECK(c.host.ident.user == "token-user");
    CHECK(c.host.ident.groups == std::vector<std::string>{"analysts"});
    CHECK(c.host.ident.kind == "service");
    CHECK(c.host.ident.method == "jwt");
    CHECK(c.host.connects == 1);
  }
  SECTION("a bad token is 28P01, logged with the reason") {
    SessionHost::TokenOutcome bad;
    bad.error = "token expired";
    pending(bad);
    expectFatal(c, "28P01");
    REQUIRE(c.host.login_failures.size() == 1);
    CHECK(c.host.login_failures[0] == "token-user/jwt/token expired");
    CHECK(c.host.connects == 0);
  }
}

TEST_CASE("login: match_startup_user false lets the token alone decide", "[postgres][session][login]") {
  Conversation c([](config::Config& cfg) {
    enableOidc(cfg);
    cfg.identity.oidc->match_startup_user = false;
  });
  c.host.tls_active[int(Side::Client)] = true;
  c.host.token_verifier = [](std::string, std::function<void(SessionHost::TokenOutcome)> done) {
    SessionHost::TokenOutcome ok;
    ok.ok = true;
    ok.identity.user = "from-token";
    ok.identity.method = "jwt";
    done(ok);
  };
  c.fromClient(tokenStartup("anything"));
  (void)c.clientFrames();
  c.fromClient(passwordMessage("t"));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  CHECK(authOf(f[0]).code == AuthCode::Ok);
  CHECK(c.host.ident.user == "from-token");
}

TEST_CASE("login: a token is never asked for over plaintext", "[postgres][session][login]") {
  Conversation c(enableOidc);
  bool asked = false;
  c.host.token_verifier = [&](std::string, std::function<void(SessionHost::TokenOutcome)>) { asked = true; };
  c.fromClient(tokenStartup());
  auto e = expectFatal(c, "28P01");
  CHECK(e.message.find("TLS") != std::string::npos);
  CHECK_FALSE(asked);
  REQUIRE(c.host.login_failures.size() == 1);
  CHECK(c.host.login_failures[0].find("plaintext") != std::string::npos);
}

TEST_CASE("login: static users keep SCRAM when OIDC is configured", "[postgres][session][login]") {
  Conversation c(enableOidc);
  c.host.tls_active[int(Side::Client)] = true;
  c.fromClient(defaultStartup());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "R");
  CHECK(authOf(f[0]).code == AuthCode::Sasl);
}

TEST_CASE("login: a locked-out client is refused before any credential", "[postgres][session][login]") {
  Conversation c;
  c.host.gate.refused = true;
  c.host.gate.reason = "too many failed logins for client address 127.0.0.1";
  c.host.gate.retry_after = std::chrono::milliseconds(90500);
  c.fromClient(defaultStartup());
  auto e = expectFatal(c, "28P01");
  CHECK(e.message.find("too many failed logins") != std::string::npos);
  CHECK(e.message.find("91 s") != std::string::npos);
}

TEST_CASE("login: the failure reply waits for the throttling delay", "[postgres][session][login]") {
  Conversation c([](config::Config& cfg) { cfg.targets[0].client_auth = config::ClientAuth::Password; });
  c.host.tls_active[int(Side::Client)] = true;
  c.host.failure_delay = std::chrono::milliseconds(500);
  c.fromClient(defaultStartup());
  (void)c.clientFrames();
  size_t timers = c.host.timers.size();
  c.fromClient(passwordMessage("wrong"));
  CHECK(c.clientBytes().empty());  // held back
  REQUIRE(c.host.timers.size() == timers + 1);
  CHECK(c.host.timers.back() == std::chrono::milliseconds(500));
  c.fromClient(passwordMessage("second guess in the meantime"));  // not read
  REQUIRE(c.host.login_failures.size() == 1);
  CHECK(c.host.login_failures[0] == std::string(kUser) + "/password/wrong password");
  c.session->onTimer();
  expectFatal(c, "28P01");
}

TEST_CASE("login: a session whose token expired ends at its next statement",
          "[postgres][session][login]") {
  Conversation c;
  c.toReady([](std::string_view, policy::StatementOrigin) {
    policy::Decision d;
    d.verdict = policy::Verdict::Deny;
    d.close_session = true;
    d.message = "your access token has expired; log in again with a fresh token";
    return d;
  });
  c.fromClient(query("SELECT 1"));
  CHECK_FALSE(containsText(c.backendBytes(), "SELECT 1"));  // never reaches the server
  auto e = expectFatal(c, "28000");
  CHECK(e.message.find("expired") != std::string::npos);
}

TEST_CASE("login: a verified client certificate is the credential", "[postgres][session][login]") {
  Conversation c;
  c.host.tls_active[int(Side::Client)] = true;
  SECTION("for the user it names, with that user's groups") {
    c.host.cert_user = std::string(kUser);
    c.fromClient(defaultStartup());
    auto f = c.clientFrames();
    REQUIRE(types(f) == "R");
    CHECK(authOf(f[0]).code == AuthCode::Ok);  // no password asked
    CHECK(c.host.ident.method == "mtls");
    CHECK(c.host.ident.user == kUser);
    CHECK(c.host.ident.groups == c.host.cfg.identity.users[0].groups);
    CHECK(c.host.connects == 1);
  }
  SECTION("not for another user") {
    c.host.cert_user = "mallory";
    c.fromClient(defaultStartup());
    expectFatal(c, "28P01");
    REQUIRE(c.host.login_failures.size() == 1);
    CHECK(c.host.login_failures[0].find("mtls") != std::string::npos);
    CHECK(c.host.connects == 0);
  }
}

}  // namespace warden::dialect::postgres::session_test
