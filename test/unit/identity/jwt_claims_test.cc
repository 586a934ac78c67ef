// test/unit/identity/jwt_claims_test.cc
//! Claim rules of verifyJwt: iss, aud, exp/nbf/iat with leeway, user, groups, kind, jti.
#include <catch2/catch.hpp>

#include "jwt_test_signer.h"
#include "warden/identity/jwt.h"

using namespace warden;
using namespace warden::identity;
using namespace warden::identity::test;

namespace {

std::variant<VerifiedToken, TokenFailure> verifyClaims(const json& claims,
                                                       const TokenPolicy& policy = defaultPolicy(),
                                                       std::chrono::system_clock::time_point now =
                                                           kNow) {
  auto t = signToken(TestKey::ed25519(), header("EdDSA", "ed-1"), claims);
  return verifyJwt(t, *defaultKeySet(), policy, now);
}

std::string with(const char* name, json value) {
  auto c = defaultClaims();
  c[name] = std::move(value);
  return outcome(verifyClaims(c));
}

std::string without(const char* name) {
  auto c = defaultClaims();
  c.erase(name);
  return outcome(verifyClaims(c));
}

}  // namespace

TEST_CASE("iss must equal the configured issuer exactly", "[identity]") {
  CHECK(with("iss", kIssuer) == "ok");
  CHECK(with("iss", std::string(kIssuer) + "/") == "wrong_issuer");
  CHECK(with("iss", "https://IDP.example.com/realms/corp") == "wrong_issuer");
  CHECK(with("iss", "https://evil.example") == "wrong_issuer");
  CHECK(with("iss", json{kIssuer}) == "bad_claim");
  CHECK(with("iss", 1) == "bad_claim");
  CHECK(without("iss") == "missing_claim");
  auto c = defaultClaims();
  c["iss"] = "https://evil.example";
  auto r = verifyClaims(c);
  REQUIRE(outcome(r) == "wrong_issuer");
  CHECK(std::get<TokenFailure>(r).message.find("https://evil.example") != std::string::npos);
  auto policy = defaultPolicy();
  policy.issuer.clear();
  CHECK(outcome(verifyClaims(defaultClaims(), policy)) == "wrong_issuer");
}

TEST_CASE("aud is a string or an array containing the audience", "[identity]") {
  CHECK(with("aud", "warden") == "ok");
  CHECK(with("aud", json{"other", "warden"}) == "ok");
  CHECK(with("aud", json{"warden"}) == "ok");
  CHECK(with("aud", "Warden") == "wrong_audience");
  CHECK(with("aud", "warden2") == "wrong_audience");
  CHECK(with("aud", json{"other", "account"}) == "wrong_audience");
  CHECK(with("aud", json::array()) == "bad_claim");
  CHECK(with("aud", json{"warden", 5}) == "bad_claim");
  CHECK(with("aud", 5) == "bad_claim");
  CHECK(with("aud", json{{"warden", true}}) == "bad_claim");
  CHECK(without("aud") == "missing_claim");
  auto policy = defaultPolicy();
  policy.audience.clear();
  CHECK(outcome(verifyClaims(defaultClaims(), policy)) == "wrong_audience");
}

TEST_CASE("exp is required and honoured with leeway", "[identity]") {
  CHECK(without("exp") == "missing_claim");
  CHECK(with("exp", "1700000300") == "bad_claim");
  CHECK(with("exp", -1) == "bad_claim");
  CHECK(with("exp", 1e300) == "bad_claim");
  CHECK(with("exp", 18446744073709551615ull) == "bad_claim");
  CHECK(with("exp", nullptr) == "bad_claim");
  CHECK(with("exp", kNowSec) == "ok");
  CHECK(with("exp", kNowSec - 60) == "ok");       // exactly at the leeway
  CHECK(with("exp", kNowSec - 61) == "expired");
  CHECK(with("exp", double(kNowSec) - 60.5) == "expired");
  CHECK(with("exp", double(kNowSec) + 0.25) == "ok");
  auto policy = defaultPolicy();
  policy.leeway = std::chrono::seconds(0);
  auto c = defaultClaims();
  c["exp"] = kNowSec - 1;
  CHECK(outcome(verifyClaims(c, policy)) == "expired");
  c["exp"] = kNowSec;
  CHECK(outcome(verifyClaims(c, policy)) == "ok");
  CHECK(outcome(verifyClaims(c, policy, kNow + std::chrono::milliseconds(1))) == "expired");
  // Absurd leeways are clamped to one day.
  policy.leeway = std::chrono::seconds(10LL * 365 * 86400);
  c["exp"] = kNowSec - 86401;
  CHECK(outcome(verifyClaims(c, policy)) == "expired");
  auto ok = verifyClaims(defaultClaims());
  REQUIRE(outcome(ok) == "ok");
  CHECK(std::get<VerifiedToken>(ok).expires == kNow + std::chrono::seconds(300));
}

TEST_CASE("nbf and iat in the future beyond leeway are not yet valid", "[identity]") {
  CHECK(with("nbf", kNowSec) == "ok");
  CHECK(with("nbf", kNowSec + 60) == "ok");
  CHECK(with("nbf", kNowSec + 61) == "not_yet_valid");
  CHECK(with("nbf", "soon") == "bad_claim");
  CHECK(with("iat", kNowSec + 60) == "ok");
  CHECK(with("iat", kNowSec + 61) == "not_yet_valid");
  CHECK(with("iat", -5) == "bad_claim");
  CHECK(without("iat") == "ok");
  CHECK(without("nbf") == "ok");
}

TEST_CASE("the user claim is a bounded, printable, non-empty string", "[identity]") {
  CHECK(with("sub", "a") == "ok");
  CHECK(with("sub", std::string(256, 'u')) == "ok");
  CHECK(with("sub", std::string(257, 'u')) == "bad_claim");
  CHECK(with("sub", "") == "bad_claim");
  CHECK(with("sub", 42) == "bad_claim");
  CHECK(with("sub", json{"alice"}) == "bad_claim");
  CHECK(with("sub", "ali\nce") == "bad_claim");
  CHECK(with("sub", std::string("ali\0ce", 6)) == "bad_claim");
  CHECK(with("sub", "ali\x7f" "ce") == "bad_claim");
  CHECK(with("sub", "ali\xc2\x85" "ce") == "bad_claim");  // U+0085 NEL
  CHECK(with("sub", "z\xc3\xa9lie") == "ok");               // non-ASCII letters are fine
  CHECK(without("sub") == "missing_claim");

  auto policy = defaultPolicy();
  policy.user_claim = "preferred_username";
  auto c = defaultClaims();
  CHECK(outcome(verifyClaims(c, policy)) == "missing_claim");
  c["preferred_username"] = "alice@corp";
  auto r = verifyClaims(c, policy);
  REQUIRE(outcome(r) == "ok");
  CHECK(std::get<VerifiedToken>(r).user == "alice@corp");
}

TEST_CASE("groups are an array of strings or one string", "[identity]") {
  auto groupsOf = [](json value) {
    auto c = defaultClaims();
    c["groups"] = std::move(value);
    auto r = verifyClaims(c);
    return std::holds_alternative<VerifiedToken>(r) ? std::get<VerifiedToken>(r).groups
                                                    : std::vector<std::string>{"<failed>"};
  };
  CHECK(groupsOf(json::array()).empty());
  CHECK(groupsOf(json{"a", "b"}) == std::vector<std::string>{"a", "b"});
  CHECK(groupsOf("dba") == std::vector<std::string>{"dba"});
  CHECK(groupsOf("dba dev") == std::vector<std::string>{"dba dev"});  // not split
  CHECK(without("groups") == "ok");
  CHECK(groupsOf(json::array()).empty());
  CHECK(with("groups", json{"a", 1}) == "bad_claim");
  CHECK(with("groups", json{"a", ""}) == "bad_claim");
  CHECK(with("groups", json{"a", "b\tc"}) == "bad_claim");
  CHECK(with("groups", json{{"a", "b"}}) == "bad_claim");
  CHECK(with("groups", 3) == "bad_claim");
  CHECK(with("groups", nullptr) == "bad_claim");
  CHECK(with("groups", "") == "bad_claim");
  CHECK(with("groups", json{std::string(256, 'g')}) == "ok");
  CHECK(with("groups", json{std::string(257, 'g')}) == "bad_claim");
  json many = json::array();
  for (int i = 0; i < 256; ++i) many.push_back("g" + std::to_string(i));
  CHECK(with("groups", many) == "ok");
  many.push_back("one-too-many");
  CHECK(with("groups", many) == "bad_claim");

  auto policy = defaultPolicy();
  policy.groups_claim = "https://warden.example/groups";  // namespaced claim names have dots
  auto c = defaultClaims();
  c["https://warden.example/groups"] = json{"x"};
  auto r = verifyClaims(c, policy);
  REQUIRE(outcome(r) == "ok");
  CHECK(std::get<VerifiedToken>(r).groups == std::vector<std::string>{"x"});
}

TEST_CASE("kind is human, agent or service when present", "[identity]") {
  for (const char* kind : {"human", "agent", "service"}) {
    auto c = defaultClaims();
    c["warden_kind"] = kind;
    auto r = verifyClaims(c);
    REQUIRE(outcome(r) == "ok");
    CHECK(std::get<VerifiedToken>(r).kind == kind);
  }
  CHECK(with("warden_kind", "robot") == "bad_claim");
  CHECK(with("warden_kind", "Human") == "bad_claim");
  CHECK(with("warden_kind", "") == "bad_claim");
  CHECK(with("warden_kind", 1) == "bad_claim");
  auto c = defaultClaims();
  c.erase("warden_kind");
  auto r = verifyClaims(c);
  REQUIRE(outcome(r) == "ok");
  CHECK(std::get<VerifiedToken>(r).kind.empty());
}

TEST_CASE("jti is an optional bounded string", "[identity]") {
  CHECK(with("jti", 5) == "bad_claim");
  CHECK(with("jti", std::string(257, 'j')) == "bad_claim");
  auto c = defaultClaims();
  c.erase("jti");
  auto r = verifyClaims(c);
  REQUIRE(outcome(r) == "ok");
  CHECK(std::get<VerifiedToken>(r).jti.empty());
}

TEST_CASE("required_typ enforces RFC 9068 at+jwt when configured", "[identity]") {
  auto policy = defaultPolicy();
  policy.required_typ = "at+jwt";
  auto tokenWithTyp = [](const char* typ) {
    auto h = header("EdDSA", "ed-1");
    if (typ) h["typ"] = typ;
    else h.erase("typ");
    return signToken(TestKey::ed25519(), h, defaultClaims());
  };
  CHECK(outcome(verifyJwt(tokenWithTyp("at+jwt"), *defaultKeySet(), policy, kNow)) == "ok");
  CHECK(outcome(verifyJwt(tokenWithTyp("application/at+jwt"), *defaultKeySet(), policy, kNow)) ==
        "ok");
  CHECK(outcome(verifyJwt(tokenWithTyp("AT+JWT"), *defaultKeySet(), policy, kNow)) == "ok");
  CHECK(outcome(verifyJwt(tokenWithTyp("JWT"), *defaultKeySet(), policy, kNow)) == "malformed");
  CHECK(outcome(verifyJwt(tokenWithTyp(nullptr), *defaultKeySet(), policy, kNow)) == "malformed");
  // Not configured: any typ.
  CHECK(outcome(verifyJwt(tokenWithTyp("JWT"), *defaultKeySet(), defaultPolicy(), kNow)) == "ok");
}
