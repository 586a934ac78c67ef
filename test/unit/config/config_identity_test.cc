// test/unit/config/config_identity_test.cc
//! identity.oidc extras, identity.login_throttle and tls.client_ca_file / client_cert_user.
#include <catch2/catch.hpp>

#include "config_test_support.h"

using namespace warden::config;
using namespace warden::config::test;
using namespace std::chrono_literals;

TEST_CASE("identity: oidc options and login throttle are read", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +
                    "identity:\n"
                    "  oidc:\n"
                    "    issuer: http://127.0.0.1:9000\n"
                    "    audience: warden\n"
                    "    jwks_url: http://127.0.0.1:9000/jwks\n"
                    "    leeway: 0s\n"
                    "    refresh_min_interval: 5s\n"
                    "    fetch_timeout: 2s\n"
                    "    on_token_expiry: ignore\n"
                    "  login_throttle: {delay_after: 2, lockout_after: 4, window: 1m, lockout: 30s, max_delay: 1s}\n");
  INFO((l.errors.empty() ? std::string() : l.errors[0]));
  REQUIRE(l.config);
  const auto& o = *l.config->identity.oidc;
  CHECK(o.leeway == 0ms);
  CHECK(o.refresh_min_interval == 5s);
  CHECK(o.fetch_timeout == 2s);
  CHECK(o.on_expiry == TokenExpiry::Ignore);
  const auto& t = l.config->identity.login_throttle;
  CHECK(t.delay_after == 2);
  CHECK(t.lockout_after == 4);
  CHECK(t.window == 60s);
  CHECK(t.lockout == 30s);
  CHECK(t.max_delay == 1s);
}

TEST_CASE("identity: defaults", "[config]") {
  auto l = loadText(kMinimalTarget);
  REQUIRE(l.config);
  CHECK(l.config->identity.login_throttle.delay_after == 5);
  CHECK(l.config->identity.login_throttle.lockout_after == 20);
  CHECK(l.config->tls.client_ca_file.empty());
  CHECK(l.config->tls.client_cert_user == CertUser::CommonName);
}

TEST_CASE("identity: bad throttle and oidc values are errors with positions", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +                                     // 1-5
                    "identity:\n"                                                     // 6
                    "  oidc:\n"                                                       // 7
                    "    issuer: i\n"                                                 // 8
                    "    audience: a\n"                                               // 9
                    "    jwks_url: http://127.0.0.1:1/jwks\n"                         // 10
                    "    on_token_expiry: keep\n"                                     // 11
                    "  login_throttle: {delay_after: 5, lockout_after: 2, window: 0s}\n"  // 12
                    "tls: {client_cert_user: uid}\n");                                // 13
  CHECK_FALSE(l.config);
  REQUIRE(l.errors.size() >= 3);
  bool expiry = false, lockout = false, window = false, cert_user = false;
  for (const auto& e : l.errors) {
    expiry = expiry || (e.rfind("t.yaml:11:", 0) == 0 && e.find("on_token_expiry") != std::string::npos);
    lockout = lockout || e.find("lockout_after must not be below delay_after") != std::string::npos;
    window = window || (e.rfind("t.yaml:12:", 0) == 0 && e.find("window") != std::string::npos);
    cert_user = cert_user || (e.rfind("t.yaml:13:", 0) == 0 && e.find("client_cert_user") != std::string::npos);
  }
  INFO(l.errors.size());
  CHECK(expiry);
  CHECK(lockout);
  CHECK(window);
  CHECK(cert_user);
}
