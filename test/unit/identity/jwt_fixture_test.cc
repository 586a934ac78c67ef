// test/unit/identity/jwt_fixture_test.cc
//! Real-world fixture (see oidc_provider_fixture.h): the oidc-provider JWKS and tokens verify,
//! and no single-byte mutation of any valid token verifies.
#include <stdexcept>
#include <tuple>

#include <catch2/catch.hpp>

#include "jwt_test_signer.h"
#include "oidc_provider_fixture.h"
#include "warden/identity/jwt.h"

using namespace warden;
using namespace warden::identity;
using namespace warden::identity::test;

namespace {

TokenPolicy fixturePolicy() {
  TokenPolicy p;
  p.issuer = "http://127.0.0.1:9000";
  p.audience = "warden";
  p.required_typ = "at+jwt";
  return p;
}

std::shared_ptr<const KeySet> fixtureKeys() {
  static const auto keys = [] {
    auto r = KeySet::parse(kJwks, nullptr);
    if (!r.ok()) throw std::runtime_error(r.error().message);
    return r.value();
  }();
  return keys;
}

//! Mutates every byte of `token` and checks that no mutation verifies. Each position gets all
//! eight single-bit flips plus substitutions: `exhaustive` tries the whole base64url alphabet
//! and separators everywhere; otherwise the full set only in the signature part (where a lax
//! decoder or verifier would show) and a few structural characters elsewhere (a changed
//! header/payload character always changes the signing input, so each one costs a signature
//! check and the full set adds nothing but time).
size_t checkNoMutationVerifies(const std::string& token, const KeySet& keys,
                               const TokenPolicy& policy, std::chrono::system_clock::time_point now,
                               bool exhaustive) {
  static const std::string kAll =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
  static const std::string kFew = "A_-.=+/ ";
  size_t signature_start = token.rfind('.') + 1;
  size_t tried = 0, verified = 0;
  std::string m = token;
  auto attempt = [&](size_t i, char c) {
    if (c == token[i]) return;
    m[i] = c;
    ++tried;
    if (std::holds_alternative<VerifiedToken>(verifyJwt(m, keys, policy, now))) {
      ++verified;
      UNSCOPED_INFO("mutation at " << i << ": '" << token[i] << "' -> '" << c << "' verified");
    }
  };
  for (size_t i = 0; i < token.size(); ++i) {
    const std::string& subs = exhaustive || i + 1 >= signature_start ? kAll : kFew;
    for (char c : subs) attempt(i, c);
    for (int bit = 0; bit < 8; ++bit) attempt(i, char(token[i] ^ (1 << bit)));
    m[i] = token[i];
  }
  CHECK(verified == 0);
  return tried;
}

size_t mutateAll(bool exhaustive) {
  size_t tried = 0;
  auto now = kIssuedAt + std::chrono::seconds(60);
  for (auto token : {kRs256Token, kEs256Token}) {
    REQUIRE(outcome(verifyJwt(token, *fixtureKeys(), fixturePolicy(), now)) == "ok");
    tried += checkNoMutationVerifies(std::string(token), *fixtureKeys(), fixturePolicy(), now,
                                     exhaustive);
  }
  for (auto [key, alg, kid] : {std::tuple{&TestKey::rsa(), "RS256", "rsa-1"},
                               std::tuple{&TestKey::p256(), "ES256", "ec-1"},
                               std::tuple{&TestKey::ed25519(), "EdDSA", "ed-1"}}) {
    auto token = signToken(*key, header(alg, kid), defaultClaims());
    REQUIRE(outcome(verifyDefault(token)) == "ok");
    tried += checkNoMutationVerifies(token, *defaultKeySet(), defaultPolicy(), kNow, exhaustive);
  }
  return tried;
}

}  // namespace

TEST_CASE("oidc-provider JWKS parses cleanly", "[identity]") {
  std::vector<std::string> warnings;
  auto r = KeySet::parse(kJwks, &warnings);
  REQUIRE(r.ok());
  CHECK(warnings.empty());
  CHECK(r.value()->size() == 2);
  CHECK(r.value()->find("rsa-2024")->alg() == "RS256");
  CHECK(r.value()->find("ec-2024")->curve() == "P-256");
}

TEST_CASE("oidc-provider RS256 and ES256 access tokens verify", "[identity]") {
  auto now = kIssuedAt + std::chrono::seconds(60);
  for (auto [token, alg, kid] : {std::tuple{kRs256Token, "RS256", "rsa-2024"},
                                 std::tuple{kEs256Token, "ES256", "ec-2024"}}) {
    INFO(alg);
    auto header = peekHeader(token);
    REQUIRE(header.ok());
    CHECK(header->typ == "at+jwt");
    auto r = verifyJwt(token, *fixtureKeys(), fixturePolicy(), now);
    REQUIRE(outcome(r) == "ok");
    const auto& v = std::get<VerifiedToken>(r);
    CHECK(v.user == "warden-agent");
    CHECK(v.groups == std::vector<std::string>{"dba", "oncall"});
    CHECK(v.kind == "agent");
    CHECK(v.alg == alg);
    CHECK(v.kid == kid);
    CHECK(v.issuer == "http://127.0.0.1:9000");
    CHECK(v.jti.size() == 43);
    CHECK(v.expires == kIssuedAt + std::chrono::seconds(3600));

    CHECK(outcome(verifyJwt(token, *fixtureKeys(), fixturePolicy(),
                            kIssuedAt + std::chrono::seconds(3600 + 61))) == "expired");
    CHECK(outcome(verifyJwt(token, *fixtureKeys(), fixturePolicy(),
                            kIssuedAt - std::chrono::seconds(61))) == "not_yet_valid");
    auto other_aud = fixturePolicy();
    other_aud.audience = "urn:warden:rs";
    CHECK(outcome(verifyJwt(token, *fixtureKeys(), other_aud, now)) == "wrong_audience");
    // Our own test keys cannot stand in for the provider's.
    CHECK(outcome(verifyJwt(token, *defaultKeySet(), fixturePolicy(), now)) == "unknown_kid");
  }
}

TEST_CASE("no single-byte mutation of a valid token verifies", "[identity]") {
  CHECK(mutateAll(false) > 30000);
}

// ~10 s: every substitution at every position. Run with "[identity-slow]".
TEST_CASE("no single-byte mutation of a valid token verifies (exhaustive)", "[.][identity-slow]") {
  CHECK(mutateAll(true) > 100000);
}
