// test/unit/identity/jwks_test.cc
//! JWKS parsing: accepted key types, every skip rule (with its warning), document-level errors.
#include <catch2/catch.hpp>

#include "jwt_test_signer.h"
#include "warden/identity/base64url.h"
#include "warden/identity/jwks.h"

using namespace warden;
using namespace warden::identity;
using namespace warden::identity::test;

namespace {

//! Parses a JWKS of one key; returns how many keys survived and the warnings.
struct OneKey {
  size_t kept = 0;
  std::vector<std::string> warnings;
  std::string error;
};

OneKey parseWithAnchor(const json& jwk) {
  // An extra valid key keeps the set non-empty so a skip shows as a warning, not an error.
  OneKey out;
  auto r = KeySet::parse(jwks({jwk, TestKey::ed25519(1).jwk("anchor")}), &out.warnings);
  if (!r.ok()) {
    out.error = r.error().message;
    return out;
  }
  out.kept = r.value()->size() - 1;
  return out;
}

bool warned(const OneKey& k, std::string_view text) {
  for (const auto& w : k.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("JWKS with RSA, EC and OKP keys", "[identity]") {
  std::vector<std::string> warnings;
  auto r = KeySet::parse(jwks({TestKey::rsa().jwk("r", "RS256"), TestKey::p256().jwk("e"),
                               TestKey::p384().jwk("e384"), TestKey::ed25519().jwk("o")}),
                         &warnings);
  REQUIRE(r.ok());
  const KeySet& set = *r.value();
  CHECK(warnings.empty());
  CHECK(set.size() == 4);
  REQUIRE(set.find("r"));
  CHECK(set.find("r")->type() == KeyType::Rsa);
  CHECK(set.find("r")->bits() == 2048);
  CHECK(set.find("r")->alg() == "RS256");
  CHECK(set.find("r")->fits("RS256"));
  CHECK_FALSE(set.find("r")->fits("PS256"));  // pinned by the JWK's alg
  CHECK_FALSE(set.find("r")->fits("ES256"));
  REQUIRE(set.find("e"));
  CHECK(set.find("e")->curve() == "P-256");
  CHECK(set.find("e")->fits("ES256"));
  CHECK_FALSE(set.find("e")->fits("ES384"));
  CHECK_FALSE(set.find("e")->fits("RS256"));
  CHECK(set.find("e384")->fits("ES384"));
  CHECK_FALSE(set.find("e384")->fits("ES256"));
  CHECK(set.find("o")->fits("EdDSA"));
  CHECK_FALSE(set.find("o")->fits("ES256"));
  CHECK(set.find("missing") == nullptr);
  CHECK(set.find("") == nullptr);
}

TEST_CASE("JWKS keeps RSA keys of 2048 bits or more only", "[identity]") {
  auto k = parseWithAnchor(TestKey::rsa1024().jwk("small"));
  CHECK(k.kept == 0);
  CHECK(warned(k, "1024 bits"));
  CHECK(parseWithAnchor(TestKey::rsa().jwk("ok")).kept == 1);
  // A leading zero octet on n (some producers emit it) does not change the size.
  auto padded = TestKey::rsa().jwk("padded");
  auto n = *base64UrlDecode(padded["n"].get<std::string>());
  n.insert(n.begin(), 0);
  padded["n"] = base64UrlEncode(n);
  CHECK(parseWithAnchor(padded).kept == 1);
}

TEST_CASE("JWKS rejects bad RSA exponents", "[identity]") {
  using B = std::vector<uint8_t>;
  for (const B& e : {B{1}, B{2}, B{1, 0, 0} /* 65536 */, B{1, 0, 0, 0, 1} /* 2^32+1 */, B{},
                     B{0}}) {
    auto jwk = TestKey::rsa().jwk("k");
    jwk["e"] = base64UrlEncode(e);
    INFO(jwk["e"]);
    CHECK(parseWithAnchor(jwk).kept == 0);
  }
  auto jwk = TestKey::rsa().jwk("k");
  jwk["e"] = "Aw";  // 3 is acceptable
  CHECK(parseWithAnchor(jwk).kept == 1);
  jwk.erase("n");
  CHECK(parseWithAnchor(jwk).kept == 0);
}

TEST_CASE("JWKS checks EC coordinates and the curve point", "[identity]") {
  auto good = TestKey::p256().jwk("k");
  CHECK(parseWithAnchor(good).kept == 1);

  auto off = good;  // flip a bit of y: no longer on the curve
  auto y = *base64UrlDecode(off["y"].get<std::string>());
  y[31] ^= 1;
  off["y"] = base64UrlEncode(y);
  auto k = parseWithAnchor(off);
  CHECK(k.kept == 0);
  CHECK(warned(k, "not on the curve"));

  auto short_x = good;  // 31-byte coordinate
  auto x = *base64UrlDecode(short_x["x"].get<std::string>());
  x.erase(x.begin());
  short_x["x"] = base64UrlEncode(x);
  CHECK(parseWithAnchor(short_x).kept == 0);

  auto other_curve = good;
  other_curve["crv"] = "secp256k1";
  CHECK(warned(parseWithAnchor(other_curve), "not supported"));
  auto p384_as_p256 = TestKey::p384().jwk("k");
  p384_as_p256["crv"] = "P-256";
  CHECK(parseWithAnchor(p384_as_p256).kept == 0);
}

TEST_CASE("JWKS accepts Ed25519 OKP keys only", "[identity]") {
  CHECK(parseWithAnchor(TestKey::ed25519().jwk("k")).kept == 1);
  auto x25519 = TestKey::ed25519().jwk("k");
  x25519["crv"] = "X25519";
  CHECK(parseWithAnchor(x25519).kept == 0);
  auto ed448 = TestKey::ed25519().jwk("k");
  ed448["crv"] = "Ed448";
  CHECK(parseWithAnchor(ed448).kept == 0);
  auto short_x = TestKey::ed25519().jwk("k");
  short_x["x"] = base64UrlEncode(std::string_view("0123456789012345678901234567890"));
  CHECK(parseWithAnchor(short_x).kept == 0);
}

TEST_CASE("JWKS skips unsupported kty and non-object entries", "[identity]") {
  auto oct = parseWithAnchor(json{{"kty", "oct"}, {"kid", "h"}, {"k", "c2VjcmV0"}});
  CHECK(oct.kept == 0);
  CHECK(parseWithAnchor(json{{"kty", "DSA"}, {"kid", "d"}}).kept == 0);
  CHECK(parseWithAnchor(json{{"kid", "no-kty"}}).kept == 0);
  CHECK(parseWithAnchor(json("a string")).kept == 0);
  CHECK(parseWithAnchor(json::array()).kept == 0);
  auto numeric_kid = TestKey::p256().jwk("");
  numeric_kid["kid"] = 7;
  CHECK(parseWithAnchor(numeric_kid).kept == 0);
}

TEST_CASE("JWKS ignores keys that carry private material", "[identity]") {
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
    auto jwk = TestKey::rsa().jwk("leaked");
    jwk[member] = "AQAB";
    auto k = parseWithAnchor(jwk);
    INFO(member);
    CHECK(k.kept == 0);
    CHECK(warned(k, "private key material"));
  }
  auto ec = TestKey::p256().jwk("leaked");
  ec["d"] = "AQAB";
  CHECK(parseWithAnchor(ec).kept == 0);
}

TEST_CASE("JWKS honours use, key_ops and alg", "[identity]") {
  auto base = TestKey::p256().jwk("k");
  auto with = [&](const char* name, json value) {
    auto j = base;
    j[name] = std::move(value);
    return parseWithAnchor(j).kept;
  };
  CHECK(with("use", "sig") == 1);
  CHECK(with("use", "enc") == 0);
  CHECK(with("use", 1) == 0);
  CHECK(with("key_ops", json{"verify"}) == 1);
  CHECK(with("key_ops", json{"sign", "verify"}) == 1);
  CHECK(with("key_ops", json{"encrypt"}) == 0);
  CHECK(with("key_ops", json::array()) == 0);
  CHECK(with("key_ops", "verify") == 0);
  CHECK(with("alg", "ES256") == 1);
  CHECK(with("alg", "ES384") == 0);    // wrong curve for the alg
  CHECK(with("alg", "RS256") == 0);    // wrong key type for the alg
  CHECK(with("alg", "ECDH-ES") == 0);  // not a signature algorithm
  CHECK(with("alg", "HS256") == 0);
  auto rsa = TestKey::rsa().jwk("r");
  rsa["alg"] = "RSA-OAEP";
  CHECK(parseWithAnchor(rsa).kept == 0);
}

TEST_CASE("JWKS keeps the first of duplicate kids", "[identity]") {
  std::vector<std::string> warnings;
  auto r = KeySet::parse(jwks({TestKey::p256().jwk("same"), TestKey::rsa().jwk("same")}),
                         &warnings);
  REQUIRE(r.ok());
  CHECK(r.value()->size() == 1);
  CHECK(r.value()->find("same")->type() == KeyType::Ec);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("duplicate kid") != std::string::npos);
  // Keys without a kid are not duplicates of each other.
  auto r2 = KeySet::parse(jwks({TestKey::p256().jwk(""), TestKey::rsa().jwk("")}), nullptr);
  REQUIRE(r2.ok());
  CHECK(r2.value()->size() == 2);
}

TEST_CASE("JWKS document-level errors", "[identity]") {
  auto err = [](std::string_view text) {
    auto r = KeySet::parse(text, nullptr);
    return r.ok() ? std::string("ok") : r.error().message;
  };
  CHECK(err(jwks({TestKey::p256().jwk("k")})) == "ok");
  CHECK(err("") != "ok");
  CHECK(err("[]") != "ok");
  CHECK(err("{}").find("no \"keys\" array") != std::string::npos);
  CHECK(err(R"({"keys":{}})") != "ok");
  CHECK(err(R"({"keys":[]})").find("no usable") != std::string::npos);
  CHECK(err(jwks({TestKey::rsa1024().jwk("small")})).find("no usable") != std::string::npos);
  CHECK(err(R"({"keys":[],"keys":[]})").find("duplicate") != std::string::npos);
  // A duplicate member inside a key (two different "x") is ambiguous: the document is refused.
  auto one = TestKey::ed25519().jwk("k").dump();
  auto dup = "{\"keys\":[" + one.substr(0, one.size() - 1) + ",\"x\":\"AAAA\"}]}";
  CHECK(err(dup).find("duplicate") != std::string::npos);
  CHECK(err(std::string(40, '[') + std::string(40, ']')) != "ok");
  std::string deep = R"({"keys":[)" + TestKey::p256().jwk("k").dump() + R"(],"x":)" +
                     std::string(40, '[') + std::string(40, ']') + "}";
  CHECK(err(deep).find("deeply") != std::string::npos);
  std::vector<json> many(101, TestKey::p256().jwk(""));
  CHECK(err(jwks(many)).find("limit 100") != std::string::npos);
  std::vector<json> hundred(100, TestKey::p256().jwk(""));
  CHECK(err(jwks(hundred)) == "ok");
  std::string big = R"({"keys":[)" + TestKey::p256().jwk("k").dump() + R"(],"pad":")" +
                    std::string(kMaxJwksBytes, 'a') + "\"}";
  CHECK(err(big).find("limit") != std::string::npos);
  CHECK(err("{\"keys\":[] ") != "ok");  // truncated
  CHECK(err("{\"keys\":[]} x") != "ok");
}
