// test/unit/config/config_secrets_test.cc
//! Credentials: backend password sources, identity users (plaintext and SCRAM verifiers), admin
//! tokens, OIDC key sources.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "config_test_support.h"
#include "warden/crypto/scram.h"

using namespace warden;
using warden::config::test::kMinimalTarget;
using warden::config::test::loadFile;
using warden::config::test::loadText;
using warden::config::test::ScopedEnv;
using warden::config::test::ScratchDir;
using Errors = std::vector<std::string>;

namespace {

//! A target whose backend block is `backend_lines` (starting at line 5, indented 6).
std::string targetWithBackend(const std::string& backend_lines) {
  return "targets:\n"
         "  - name: pg\n"
         "    dialect: postgres\n"
         "    listen: 127.0.0.1:6432\n"
         "    backend:\n"
         "      port: 5432\n" +
         backend_lines;
}

// Computed independently (Python hashlib, RFC 5802 formulas): password "pencil",
// salt "warden-test-salt", 4096 iterations.
const char* kPencilVerifier =
    "SCRAM-SHA-256$4096:d2FyZGVuLXRlc3Qtc2FsdA==$6b/0K2Tf2aKZl9rWQ+P0tnUA9kTsZIjkzDtUcxwbL5k=:"
    "asAbvxFtpWfvXdB5ME4bQD7Z/tlB8Bhgr4YA17XzjbA=";

}  // namespace

TEST_CASE("backend password from password, password_env, password_file", "[config]") {
  auto literal = loadText(targetWithBackend("      password: \"lit\"\n"));
  REQUIRE(literal.config);
  CHECK(literal.config->targets[0].backend.password == "lit");

  ScopedEnv env("WARDEN_TEST_BACKEND_PW", "from-env");
  auto from_env = loadText(targetWithBackend("      password_env: WARDEN_TEST_BACKEND_PW\n"));
  REQUIRE(from_env.config);
  CHECK(from_env.config->targets[0].backend.password == "from-env");

  ScratchDir dir;
  dir.write("pw", "from-file\n");
  dir.write("pw-two-lines", "line1\nline2\n\n");
  auto from_file = loadFile(dir.write("w.yaml", targetWithBackend("      password_file: pw\n")));
  REQUIRE(from_file.config);
  CHECK(from_file.config->targets[0].backend.password == "from-file");
  // Only one trailing newline is dropped: the rest is the secret as written.
  auto two =
      loadFile(dir.write("w2.yaml", targetWithBackend("      password_file: pw-two-lines\n")));
  REQUIRE(two.config);
  CHECK(two.config->targets[0].backend.password == "line1\nline2\n");
}

TEST_CASE("backend password errors point at the offending key or value", "[config]") {
  ScopedEnv unset("WARDEN_TEST_UNSET_PW", nullptr);
  CHECK(loadText(targetWithBackend("      password_env: WARDEN_TEST_UNSET_PW\n")).errors ==
        Errors{"t.yaml:7:21: targets[0].backend.password_env: environment variable "
               "'WARDEN_TEST_UNSET_PW' is not set"});

  auto missing = loadText(targetWithBackend("      password_file: /nonexistent/pw\n"));
  CHECK(missing.errors == Errors{"t.yaml:7:22: targets[0].backend.password_file: cannot read "
                                 "'/nonexistent/pw': No such file or directory"});
  CHECK(loadText(targetWithBackend("      password_file: /tmp\n")).errors ==
        Errors{"t.yaml:7:22: targets[0].backend.password_file: cannot read '/tmp': is a "
               "directory"});

  CHECK(loadText(targetWithBackend("      password: a\n      password_env: B\n")).errors ==
        Errors{"t.yaml:8:7: targets[0].backend: give only one of 'password', 'password_env', "
               "'password_file'"});
}

TEST_CASE("identity users: plaintext passwords get a fresh SCRAM verifier", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +
                    "identity:\n"
                    "  users:\n"
                    "    - {name: a, password: pencil}\n"
                    "    - {name: b, password: pencil}\n"
                    "    - {name: c}\n");
  REQUIRE(l.config);
  const auto& users = l.config->identity.users;
  REQUIRE(users.size() == 3);
  CHECK(users[0].scram.valid());
  CHECK(users[0].scram.iterations == 4096);
  CHECK(users[0].scram.salt.size() == 16);
  // Random salts: the same password gives different verifiers.
  CHECK(users[0].scram.salt != users[1].scram.salt);
  CHECK(users[0].scram.stored_key != users[1].scram.stored_key);
  // The verifier matches the password.
  auto again = crypto::makeScramVerifier("pencil", users[0].scram.salt, 4096);
  CHECK(again.stored_key == users[0].scram.stored_key);
  CHECK(again.server_key == users[0].scram.server_key);
  // No credentials at all is allowed (such a user can only use other methods, e.g. JWT).
  CHECK_FALSE(users[2].password.has_value());
  CHECK_FALSE(users[2].scram.valid());
  CHECK(users[2].kind == config::IdentityKind::Human);
}

TEST_CASE("identity users: scram_sha_256 verifiers are parsed", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +
                    "identity:\n"
                    "  users:\n"
                    "    - name: a\n"
                    "      scram_sha_256: \"" + kPencilVerifier + "\"\n"
                    "      kind: service\n");
  REQUIRE(l.config);
  const config::User& a = l.config->identity.users[0];
  CHECK_FALSE(a.password.has_value());
  CHECK(a.kind == config::IdentityKind::Service);
  CHECK(a.scram.iterations == 4096);
  CHECK(std::string(a.scram.salt.begin(), a.scram.salt.end()) == "warden-test-salt");
  auto expected = crypto::makeScramVerifier("pencil", a.scram.salt, 4096);
  CHECK(a.scram.stored_key == expected.stored_key);
  CHECK(a.scram.server_key == expected.server_key);
  CHECK(crypto::formatScramVerifier(a.scram) == kPencilVerifier);
}

TEST_CASE("identity users: errors", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +             // 1-5
                    "identity:\n"                             // 6
                    "  users:\n"                              // 7
                    "    - name: a\n"                         // 8
                    "      scram_sha_256: \"SCRAM-SHA-256$4096:!!$x:y\"\n"  // 9
                    "    - name: a\n"                         // 10
                    "    - name: b\n"                         // 11
                    "      password: x\n"                     // 12
                    "      scram_sha_256: y\n"                // 13
                    "    - password: x\n"                     // 14
                    "  oidc:\n"                               // 15
                    "    issuer: http://idp\n");              // 16
  CHECK(l.errors ==
        Errors{
            "t.yaml:9:22: identity.users[0].scram_sha_256: malformed SCRAM-SHA-256 verifier: bad "
            "salt (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)",
            "t.yaml:10:13: identity.users[1].name: duplicate user 'a' (first at line 8)",
            "t.yaml:13:7: identity.users[2]: give only one of 'password', 'scram_sha_256'",
            "t.yaml:14:7: identity.users[3]: missing required key 'name'",
            "t.yaml:16:5: identity.oidc: missing required key 'audience'",
            "t.yaml:16:5: identity.oidc: missing 'jwks_file' or 'jwks_url'",
        });
  // The verifier text never appears in messages.
  for (const auto& e : l.errors) CHECK(e.find("!!$x:y") == std::string::npos);
}

TEST_CASE("oidc: jwks_file is resolved and must be readable; jwks_url alternative", "[config]") {
  ScratchDir dir;
  dir.write("keys/jwks.json", "{}");
  auto l = loadFile(dir.write("w.yaml", std::string(kMinimalTarget) +
                                            "identity:\n"
                                            "  oidc: {issuer: i, audience: a, jwks_file: "
                                            "keys/jwks.json, groups_claim: roles}\n"));
  REQUIRE(l.config);
  CHECK(l.config->identity.oidc->jwks_file == dir.file("keys/jwks.json"));
  CHECK(l.config->identity.oidc->groups_claim == "roles");

  auto url = loadText(std::string(kMinimalTarget) +
                      "identity: {oidc: {issuer: i, audience: a, jwks_url: "
                      "\"https://idp/jwks\"}}\n");
  REQUIRE(url.config);
  CHECK(url.config->identity.oidc->jwks_url == "https://idp/jwks");

  auto both = loadText(std::string(kMinimalTarget) +
                       "identity:\n"
                       "  oidc:\n"
                       "    issuer: i\n"
                       "    audience: a\n"
                       "    jwks_url: http://x\n"
                       "    jwks_file: /nonexistent\n");
  CHECK(both.errors ==
        Errors{"t.yaml:11:5: identity.oidc: give only one of 'jwks_file', 'jwks_url'"});
}

TEST_CASE("admin tokens: literal or from the environment, never empty", "[config]") {
  ScopedEnv set("WARDEN_TEST_ADMIN_TOKEN", "tok");
  ScopedEnv empty("WARDEN_TEST_EMPTY_TOKEN", "");
  ScopedEnv unset("WARDEN_TEST_UNSET_TOKEN", nullptr);
  auto l = loadText(std::string(kMinimalTarget) +                     // 1-5
                    "admin:\n"                                        // 6
                    "  listen: \"[::1]:9190\"\n"                      // 7
                    "  tokens:\n"                                     // 8
                    "    - {token_env: WARDEN_TEST_ADMIN_TOKEN, user: ops}\n"   // 9
                    "    - {token_env: WARDEN_TEST_EMPTY_TOKEN, user: ops}\n"   // 10
                    "    - {token_env: WARDEN_TEST_UNSET_TOKEN, user: ops}\n"   // 11
                    "    - {user: ops}\n"                                       // 12
                    "    - {token: x}\n");                                      // 13
  CHECK(l.errors ==
        Errors{
            "t.yaml:10:7: admin.tokens[1]: the admin token must not be empty",
            "t.yaml:11:19: admin.tokens[2].token_env: environment variable "
            "'WARDEN_TEST_UNSET_TOKEN' is not set",
            "t.yaml:12:7: admin.tokens[3]: missing 'token' or 'token_env'",
            "t.yaml:13:7: admin.tokens[4]: missing required key 'user'",
        });
  auto ok = loadText(std::string(kMinimalTarget) +
                     "admin:\n  listen: \"[::1]:9190\"\n  tokens:\n"
                     "    - {token_env: WARDEN_TEST_ADMIN_TOKEN, user: ops, groups: [dba]}\n");
  REQUIRE(ok.config);
  CHECK(ok.config->admin.listen == "[::1]:9190");
  REQUIRE(ok.config->admin.tokens.size() == 1);
  CHECK(ok.config->admin.tokens[0].token == "tok");
  CHECK(ok.config->admin.tokens[0].groups == std::vector<std::string>{"dba"});
  CHECK(loadText(std::string(kMinimalTarget) + "admin: {listen: 9190}\n").errors ==
        Errors{"t.yaml:6:17: admin.listen: expected HOST:PORT"});
}

TEST_CASE("backend ca_file must be readable; connect options are checked", "[config]") {
  CHECK(loadText(targetWithBackend("      tls: verify-ful\n      ca_file: /nonexistent/ca.pem\n"))
            .errors ==
        Errors{
            "t.yaml:7:12: targets[0].backend.tls: expected one of disable, prefer, require or "
            "verify-full, got 'verify-ful' (did you mean 'verify-full'?)",
            "t.yaml:8:16: targets[0].backend.ca_file: cannot read '/nonexistent/ca.pem': No such "
            "file or directory",
        });
}
