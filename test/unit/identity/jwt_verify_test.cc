// test/unit/identity/jwt_verify_test.cc
//! verifyJwt up to the signature: shape, size, algorithms, crit/b64, key selection and pinning,
//! signature encodings. Claims are in jwt_claims_test.cc.
#include <set>
#include <tuple>

#include <catch2/catch.hpp>

#include "jwt_test_signer.h"
#include "warden/identity/base64url.h"
#include "warden/identity/jwt.h"

using namespace warden;
using namespace warden::identity;
using namespace warden::identity::test;

namespace {

std::string withPart(const std::string& token, int index, const std::string& part) {
  size_t a = token.find('.'), b = token.find('.', a + 1);
  std::string parts[3] = {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
  parts[index] = part;
  return parts[0] + "." + parts[1] + "." + parts[2];
}

std::string partOf(const std::string& token, int index) {
  size_t a = token.find('.'), b = token.find('.', a + 1);
  if (index == 0) return token.substr(0, a);
  if (index == 1) return token.substr(a + 1, b - a - 1);
  return token.substr(b + 1);
}

std::shared_ptr<const KeySet> setOf(const std::vector<json>& keys) {
  auto r = KeySet::parse(jwks(keys), nullptr);
  REQUIRE(r.ok());
  return r.value();
}

}  // namespace

TEST_CASE("valid tokens verify with every supported algorithm", "[identity]") {
  struct Case {
    const TestKey* key;
    const char* alg;
  };
  const Case cases[] = {{&TestKey::rsa(), "RS256"}, {&TestKey::rsa(), "RS384"},
                        {&TestKey::rsa(), "RS512"}, {&TestKey::rsa(), "PS256"},
                        {&TestKey::rsa(), "PS384"}, {&TestKey::rsa(), "PS512"},
                        {&TestKey::p256(), "ES256"}, {&TestKey::p384(), "ES384"},
                        {&TestKey::ed25519(), "EdDSA"}};
  auto keys = setOf({TestKey::rsa().jwk("rsa"), TestKey::p256().jwk("p256"),
                     TestKey::p384().jwk("p384"), TestKey::ed25519().jwk("ed")});
  for (const auto& c : cases) {
    const char* kid = c.key == &TestKey::rsa()     ? "rsa"
                      : c.key == &TestKey::p256()  ? "p256"
                      : c.key == &TestKey::p384()  ? "p384"
                                                   : "ed";
    auto token = signToken(*c.key, header(c.alg, kid), defaultClaims());
    auto r = verifyJwt(token, *keys, defaultPolicy(), kNow);
    INFO(c.alg);
    REQUIRE(outcome(r) == "ok");
    const auto& v = std::get<VerifiedToken>(r);
    CHECK(v.user == "alice");
    CHECK(v.groups == std::vector<std::string>{"dba", "dev"});
    CHECK(v.kind == "human");
    CHECK(v.issuer == kIssuer);
    CHECK(v.kid == kid);
    CHECK(v.alg == c.alg);
    CHECK(v.jti == "jti-123");
    CHECK(v.expires == kNow + std::chrono::seconds(300));
  }
}

TEST_CASE("oversized tokens are refused before decoding", "[identity]") {
  auto policy = defaultPolicy();
  policy.max_token_bytes = 64;
  // Not even a JWT: size comes first.
  CHECK(outcome(verifyJwt(std::string(65, '!'), *defaultKeySet(), policy, kNow)) == "too_large");
  CHECK(outcome(verifyJwt(std::string(64, '!'), *defaultKeySet(), policy, kNow)) == "malformed");
  auto token = signToken(TestKey::p256(), header("ES256", "ec-1"), defaultClaims());
  CHECK(outcome(verifyJwt(token, *defaultKeySet(), policy, kNow)) == "too_large");
  policy.max_token_bytes = token.size();
  CHECK(outcome(verifyJwt(token, *defaultKeySet(), policy, kNow)) == "ok");
  CHECK(peekHeader(token, token.size() - 1).error().code == int(TokenError::TooLarge));
}

TEST_CASE("only compact JWS with strict base64url parts is accepted", "[identity]") {
  auto token = signToken(TestKey::p256(), header("ES256", "ec-1"), defaultClaims());
  REQUIRE(outcome(verifyDefault(token)) == "ok");
  CHECK(outcome(verifyDefault("")) == "malformed");
  CHECK(outcome(verifyDefault("abc")) == "malformed");
  CHECK(outcome(verifyDefault(partOf(token, 0) + "." + partOf(token, 1))) == "malformed");
  CHECK(outcome(verifyDefault(token + ".x")) == "malformed");
  CHECK(outcome(verifyDefault(token + ".x.y")) == "malformed");  // five parts: JWE
  CHECK(outcome(verifyDefault("." + partOf(token, 1) + "." + partOf(token, 2))) == "malformed");
  CHECK(outcome(verifyDefault(partOf(token, 0) + ".." + partOf(token, 2))) == "malformed");
  // Padding, the standard alphabet and whitespace are refused in every part.
  for (int part = 0; part < 3; ++part) {
    INFO(part);
    CHECK(outcome(verifyDefault(withPart(token, part, partOf(token, part) + "="))) ==
          "malformed");
    CHECK(outcome(verifyDefault(withPart(token, part, partOf(token, part) + " "))) ==
          "malformed");
    std::string std_alpha = partOf(token, part);
    for (char& c : std_alpha) c = c == '-' ? '+' : c == '_' ? '/' : c;
    if (std_alpha != partOf(token, part)) {
      CHECK(outcome(verifyDefault(withPart(token, part, std_alpha))) == "malformed");
    }
  }
  CHECK(outcome(verifyDefault(" " + token)) == "malformed");
  CHECK(outcome(verifyDefault(token + "\n")) == "malformed");
}

TEST_CASE("header and payload must be JSON objects without duplicate members", "[identity]") {
  const auto& key = TestKey::p256();
  auto claims = defaultClaims().dump();
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"ES256","kid":"ec-1"})", claims))) ==
        "ok");
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"(["ES256"])", claims))) == "malformed");
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"ES256")", claims))) == "malformed");
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"kid":"ec-1"})", claims))) == "malformed");
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":256,"kid":"ec-1"})", claims))) ==
        "malformed");
  // Duplicate header members: a parser keeping the last "alg" would see ES256 here.
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"none","alg":"ES256","kid":"ec-1"})",
                                      claims))) == "malformed");
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"ES256","kid":"x","kid":"ec-1"})",
                                      claims))) == "malformed");
  // Duplicate payload members, signed: which "sub" is the user would be ambiguous.
  auto dup_sub = claims.substr(0, claims.size() - 1) + R"(,"sub":"root"})";
  auto t = signRaw(key, "ES256", R"({"alg":"ES256","kid":"ec-1"})", dup_sub);
  auto r = verifyDefault(t);
  CHECK(outcome(r) == "malformed");
  CHECK(std::get<TokenFailure>(r).message.find("duplicate") != std::string::npos);
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"ES256","kid":"ec-1"})", "[1]"))) ==
        "malformed");
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"ES256","kid":"ec-1"})", "null"))) ==
        "malformed");
  // Header kid must be a non-empty string.
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"ES256","kid":""})", claims))) ==
        "malformed");
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", R"({"alg":"ES256","kid":1})", claims))) ==
        "malformed");
  // Deep nesting is refused without recursion trouble.
  std::string deep = "{\"alg\":\"ES256\",\"kid\":\"ec-1\",\"x\":" + std::string(5000, '[') +
                     std::string(5000, ']') + "}";
  CHECK(outcome(verifyDefault(signRaw(key, "ES256", deep, claims))) == "malformed");
}

TEST_CASE("alg none is refused in any spelling", "[identity]") {
  auto payload = base64UrlEncode(defaultClaims().dump());
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    INFO(alg);
    auto h = base64UrlEncode(json{{"alg", alg}, {"kid", "rsa-1"}}.dump());
    CHECK(outcome(verifyDefault(h + "." + payload + ".")) == "alg_none");
    CHECK(outcome(verifyDefault(h + "." + payload + ".c2ln")) == "alg_none");
    auto h2 = base64UrlEncode(json{{"alg", alg}}.dump());
    CHECK(outcome(verifyDefault(h2 + "." + payload + ".")) == "alg_none");
  }
}

TEST_CASE("HMAC and unknown algorithms are not allowed", "[identity]") {
  // The classic confusion: HS256 keyed with the RSA public key (as JWK text or the n bytes).
  auto rsa_jwk = TestKey::rsa().jwk("rsa-1");
  for (const char* alg : {"HS256", "HS384", "HS512"}) {
    INFO(alg);
    for (const std::string& secret : {rsa_jwk.dump(), rsa_jwk["n"].get<std::string>()}) {
      auto t = signHmac(alg, secret, header(alg, "rsa-1"), defaultClaims());
      auto r = verifyDefault(t);
      CHECK(outcome(r) == "alg_not_allowed");
      CHECK(std::get<TokenFailure>(r).message.find(alg) != std::string::npos);
    }
  }
  auto claims = defaultClaims().dump();
  for (const char* alg : {"RS1", "es256", "rs256", "ES512", "Ed25519", "ES256K", "RSA-OAEP", ""}) {
    INFO(alg);
    auto t = signRaw(TestKey::p256(), "ES256", json{{"alg", alg}, {"kid", "ec-1"}}.dump(), claims);
    CHECK(outcome(verifyDefault(t)) == "alg_not_allowed");
  }
}

TEST_CASE("policy.algorithms restricts the supported set", "[identity]") {
  auto policy = defaultPolicy();
  policy.algorithms = {"ES256"};
  auto es = signToken(TestKey::p256(), header("ES256", "ec-1"), defaultClaims());
  auto rs = signToken(TestKey::rsa(), header("RS256", "rsa-1"), defaultClaims());
  CHECK(outcome(verifyJwt(es, *defaultKeySet(), policy, kNow)) == "ok");
  CHECK(outcome(verifyJwt(rs, *defaultKeySet(), policy, kNow)) == "alg_not_allowed");
  CHECK(outcome(verifyDefault(rs)) == "ok");
}

TEST_CASE("crit and b64 extensions are refused", "[identity]") {
  const auto& key = TestKey::p256();
  auto claims = defaultClaims();
  auto h = header("ES256", "ec-1");
  auto with = [&](const char* name, json value) {
    auto hh = h;
    hh[name] = std::move(value);
    return outcome(verifyDefault(signToken(key, hh, claims)));
  };
  CHECK(with("crit", json{"exp"}) == "unknown_crit");
  CHECK(with("crit", json{"b64"}) == "unknown_crit");
  CHECK(with("crit", json::array()) == "malformed");
  CHECK(with("crit", "exp") == "malformed");
  CHECK(with("b64", false) == "unknown_crit");
  CHECK(with("b64", true) == "ok");
  CHECK(with("b64", "false") == "malformed");
  CHECK(with("typ", 5) == "malformed");
}

TEST_CASE("header-embedded keys and key URLs are never used", "[identity]") {
  // Signed by an attacker key carried in the header itself, claiming a trusted kid.
  const auto& attacker = TestKey::p256(1);
  auto h = header("ES256", "ec-1");
  h["jwk"] = attacker.jwk("ec-1");
  h["jku"] = "https://attacker.example/jwks.json";
  h["x5u"] = "https://attacker.example/cert.pem";
  CHECK(outcome(verifyDefault(signToken(attacker, h, defaultClaims()))) == "bad_signature");
  h["kid"] = "attacker";
  CHECK(outcome(verifyDefault(signToken(attacker, h, defaultClaims()))) == "unknown_kid");
  // The same extra members on a properly signed token are harmless.
  h["kid"] = "ec-1";
  CHECK(outcome(verifyDefault(signToken(TestKey::p256(), h, defaultClaims()))) == "ok");
}

TEST_CASE("keys are selected by kid", "[identity]") {
  auto t = signToken(TestKey::p256(), header("ES256", "nope"), defaultClaims());
  auto r = verifyDefault(t);
  CHECK(outcome(r) == "unknown_kid");
  CHECK(std::get<TokenFailure>(r).message.find("\"nope\"") != std::string::npos);
  auto hp = peekHeader(t);
  REQUIRE(hp.ok());
  CHECK(hp->kid == "nope");
  CHECK(hp->alg == "ES256");
  CHECK(hp->typ == "at+jwt");
  // The right key with the wrong kid: still found by kid only.
  auto keys = setOf({TestKey::p256().jwk("a"), TestKey::p256(1).jwk("b")});
  CHECK(outcome(verifyJwt(signToken(TestKey::p256(), header("ES256", "a"), defaultClaims()), *keys,
                          defaultPolicy(), kNow)) == "ok");
  CHECK(outcome(verifyJwt(signToken(TestKey::p256(), header("ES256", "b"), defaultClaims()), *keys,
                          defaultPolicy(), kNow)) == "bad_signature");
}

TEST_CASE("a token without kid needs exactly one fitting key", "[identity]") {
  auto es = signToken(TestKey::p256(), header("ES256", ""), defaultClaims());
  auto rs = signToken(TestKey::rsa(), header("RS256", ""), defaultClaims());
  // defaultKeySet has one key per type: each alg has exactly one candidate.
  CHECK(outcome(verifyDefault(es)) == "ok");
  CHECK(outcome(verifyDefault(rs)) == "ok");
  auto two_ec = setOf({TestKey::p256().jwk("a"), TestKey::p256(1).jwk("b"),
                       TestKey::rsa().jwk("r")});
  CHECK(outcome(verifyJwt(es, *two_ec, defaultPolicy(), kNow)) == "unknown_kid");
  CHECK(outcome(verifyJwt(rs, *two_ec, defaultPolicy(), kNow)) == "ok");
  auto no_rsa = setOf({TestKey::p256().jwk("a")});
  CHECK(outcome(verifyJwt(rs, *no_rsa, defaultPolicy(), kNow)) == "unknown_kid");
  // A JWK alg narrows the candidates: PS256 does not fit a key pinned to RS256.
  auto pinned = setOf({TestKey::rsa().jwk("r1", "RS256"), TestKey::rsa(1).jwk("r2", "PS256")});
  auto ps = signToken(TestKey::rsa(1), header("PS256", ""), defaultClaims());
  CHECK(outcome(verifyJwt(ps, *pinned, defaultPolicy(), kNow)) == "ok");
}

TEST_CASE("the algorithm is pinned to the key type", "[identity]") {
  auto claims = defaultClaims();
  // Header alg vs. the kid's key type/curve.
  CHECK(outcome(verifyDefault(signToken(TestKey::p256(), header("ES256", "rsa-1"), claims))) ==
        "key_alg_mismatch");
  CHECK(outcome(verifyDefault(signToken(TestKey::rsa(), header("RS256", "ec-1"), claims))) ==
        "key_alg_mismatch");
  CHECK(outcome(verifyDefault(signToken(TestKey::rsa(), header("PS256", "ed-1"), claims))) ==
        "key_alg_mismatch");
  CHECK(outcome(verifyDefault(signToken(TestKey::ed25519(), header("EdDSA", "ec-1"), claims))) ==
        "key_alg_mismatch");
  CHECK(outcome(verifyDefault(signToken(TestKey::p384(), header("ES384", "ec-1"), claims))) ==
        "key_alg_mismatch");
  // The JWK's own alg must equal the header's.
  auto keys = setOf({TestKey::rsa().jwk("r", "RS256")});
  CHECK(outcome(verifyJwt(signToken(TestKey::rsa(), header("RS256", "r"), claims), *keys,
                          defaultPolicy(), kNow)) == "ok");
  CHECK(outcome(verifyJwt(signToken(TestKey::rsa(), header("PS256", "r"), claims), *keys,
                          defaultPolicy(), kNow)) == "key_alg_mismatch");
  CHECK(outcome(verifyJwt(signToken(TestKey::rsa(), header("RS512", "r"), claims), *keys,
                          defaultPolicy(), kNow)) == "key_alg_mismatch");
}

TEST_CASE("keys not meant for signatures are not found", "[identity]") {
  auto enc = TestKey::p256().jwk("k-enc");
  enc["use"] = "enc";
  auto ops = TestKey::rsa().jwk("k-ops");
  ops["key_ops"] = json{"encrypt"};
  auto keys = setOf({enc, ops, TestKey::ed25519().jwk("ok")});
  CHECK(keys->size() == 1);
  CHECK(outcome(verifyJwt(signToken(TestKey::p256(), header("ES256", "k-enc"), defaultClaims()),
                          *keys, defaultPolicy(), kNow)) == "unknown_kid");
  CHECK(outcome(verifyJwt(signToken(TestKey::rsa(), header("RS256", "k-ops"), defaultClaims()),
                          *keys, defaultPolicy(), kNow)) == "unknown_kid");
}

TEST_CASE("signatures must verify and have the JOSE encoding", "[identity]") {
  auto claims = defaultClaims();
  // Signed by another key of the same type under a trusted kid.
  CHECK(outcome(verifyDefault(signToken(TestKey::p256(1), header("ES256", "ec-1"), claims))) ==
        "bad_signature");
  CHECK(outcome(verifyDefault(signToken(TestKey::rsa(1), header("RS256", "rsa-1"), claims))) ==
        "bad_signature");
  CHECK(outcome(verifyDefault(signToken(TestKey::ed25519(1), header("EdDSA", "ed-1"), claims))) ==
        "bad_signature");
  // PKCS#1 v1.5 signature presented as PSS and the other way round.
  auto rs = signToken(TestKey::rsa(), header("RS256", "rsa-1"), claims);
  auto ps = signToken(TestKey::rsa(), header("PS256", "rsa-1"), claims);
  CHECK(outcome(verifyDefault(withPart(ps, 2, partOf(rs, 2)))) == "bad_signature");
  CHECK(outcome(verifyDefault(withPart(rs, 2, partOf(ps, 2)))) == "bad_signature");

  auto es = signToken(TestKey::p256(), header("ES256", "ec-1"), claims);
  std::string input = partOf(es, 0) + "." + partOf(es, 1);
  // DER-encoded ECDSA (what OpenSSL's ECDSA_sign emits) is not the JWS encoding.
  auto der = TestKey::p256().signDer("ES256", input);
  CHECK(outcome(verifyDefault(input + "." + base64UrlEncode(der))) == "bad_signature");
  auto raw = *base64UrlDecode(partOf(es, 2));
  REQUIRE(raw.size() == 64);
  auto longer = raw;
  longer.push_back(0);
  auto shorter = raw;
  shorter.pop_back();
  CHECK(outcome(verifyDefault(input + "." + base64UrlEncode(longer))) == "bad_signature");
  CHECK(outcome(verifyDefault(input + "." + base64UrlEncode(shorter))) == "bad_signature");
  CHECK(outcome(verifyDefault(input + "." + base64UrlEncode(std::vector<uint8_t>(64, 0)))) ==
        "bad_signature");
  CHECK(outcome(verifyDefault(input + ".")) == "bad_signature");
  // RSA: a signature one byte short (leading zero dropped style) is refused.
  auto rsa_sig = *base64UrlDecode(partOf(rs, 2));
  std::vector<uint8_t> rsa_short(rsa_sig.begin() + 1, rsa_sig.end());
  CHECK(outcome(verifyDefault(withPart(rs, 2, base64UrlEncode(rsa_short)))) == "bad_signature");
  // Ed25519: 63 and 65 bytes.
  auto ed = signToken(TestKey::ed25519(), header("EdDSA", "ed-1"), claims);
  auto ed_sig = *base64UrlDecode(partOf(ed, 2));
  ed_sig.pop_back();
  CHECK(outcome(verifyDefault(withPart(ed, 2, base64UrlEncode(ed_sig)))) == "bad_signature");
}

TEST_CASE("a non-canonical signature encoding does not verify", "[identity]") {
  // 256-byte RSA and 64-byte ES/Ed signatures leave 4 unused bits in the last character;
  // a decoder that ignored them would accept 15 other spellings of the same signature.
  for (auto [key, alg, kid] : {std::tuple{&TestKey::rsa(), "RS256", "rsa-1"},
                               std::tuple{&TestKey::p256(), "ES256", "ec-1"},
                               std::tuple{&TestKey::ed25519(), "EdDSA", "ed-1"}}) {
    auto t = signToken(*key, header(alg, kid), defaultClaims());
    REQUIRE(outcome(verifyDefault(t)) == "ok");
    std::string alt = t;
    alt.back() = char(alt.back() + 1);  // same high bits for A..P etc.: non-zero low bits
    INFO(alg << " " << t.back() << " -> " << alt.back());
    CHECK(outcome(verifyDefault(alt)) == "malformed");
  }
}

TEST_CASE("failure messages carry no token contents", "[identity]") {
  auto claims = defaultClaims();
  claims["sub"] = "secret-user-value";
  auto t = signToken(TestKey::p256(1), header("ES256", "ec-1"), claims);
  auto r = verifyDefault(t);
  REQUIRE(outcome(r) == "bad_signature");
  const auto& msg = std::get<TokenFailure>(r).message;
  CHECK(msg.find("secret-user-value") == std::string::npos);
  CHECK(msg.find(partOf(t, 1).substr(0, 20)) == std::string::npos);
  CHECK(msg.find("ec-1") != std::string::npos);
  // Control characters in a kid are not echoed raw.
  auto weird = signToken(TestKey::p256(), header("ES256", "a\nb\x1b[31m"), claims);
  auto rw = verifyDefault(weird);
  REQUIRE(outcome(rw) == "unknown_kid");
  CHECK(std::get<TokenFailure>(rw).message.find('\n') == std::string::npos);
  CHECK(std::get<TokenFailure>(rw).message.find('\x1b') == std::string::npos);
}

TEST_CASE("tokenErrorName names every error distinctly", "[identity]") {
  std::set<std::string_view> names;
  for (int i = 0; i <= int(TokenError::BadClaim); ++i) {
    names.insert(tokenErrorName(TokenError(i)));
  }
  CHECK(names.size() == size_t(TokenError::BadClaim) + 1);
  CHECK(names.count("unknown") == 0);
}

TEST_CASE("peekHeader decodes without verifying", "[identity]") {
  auto t = signToken(TestKey::rsa(1), header("RS256", "k9"), defaultClaims());
  auto h = peekHeader(t);
  REQUIRE(h.ok());
  CHECK(h->alg == "RS256");
  CHECK(h->kid == "k9");
  CHECK(h->typ == "at+jwt");
  CHECK(peekHeader("a.b").error().code == int(TokenError::Malformed));
  CHECK(peekHeader("e30.e30.").error().code == int(TokenError::Malformed));  // {} has no alg
  auto crit = header("RS256", "k9");
  crit["crit"] = json{"x"};
  CHECK(peekHeader(signToken(TestKey::rsa(), crit, defaultClaims())).error().code ==
        int(TokenError::UnknownCrit));
}
