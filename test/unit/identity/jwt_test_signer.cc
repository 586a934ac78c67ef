// test/unit/identity/jwt_test_signer.cc
#include "jwt_test_signer.h"

#include <stdexcept>

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>

#include "warden/identity/base64url.h"

namespace warden::identity::test {
namespace {

const EVP_MD* mdFor(std::string_view alg) {
  std::string_view bits = alg.substr(2);
  if (bits == "256") return EVP_sha256();
  if (bits == "384") return EVP_sha384();
  if (bits == "512") return EVP_sha512();
  throw std::invalid_argument("no digest for alg");
}

std::string b64(const BIGNUM* bn, size_t width = 0) {
  std::vector<uint8_t> out(width ? width : BN_num_bytes(bn));
  BN_bn2bin_padded(out.data(), out.size(), bn);
  return base64UrlEncode(out);
}

std::vector<uint8_t> digest(std::string_view alg, std::string_view input) {
  const EVP_MD* md = mdFor(alg);
  std::vector<uint8_t> d(EVP_MD_size(md));
  unsigned len = 0;
  EVP_Digest(input.data(), input.size(), d.data(), &len, md, nullptr);
  return d;
}

}  // namespace

struct TestKey::Impl {
  bssl::UniquePtr<RSA> rsa;
  bssl::UniquePtr<EC_KEY> ec;
  uint8_t ed_pub[32]{};
  uint8_t ed_priv[64]{};
};

TestKey::TestKey(Type type, int rsa_bits) : type_(type), impl_(std::make_unique<Impl>()) {
  switch (type) {
    case Type::Rsa: {
      impl_->rsa.reset(RSA_new());
      bssl::UniquePtr<BIGNUM> e(BN_new());
      BN_set_word(e.get(), RSA_F4);
      if (!RSA_generate_key_ex(impl_->rsa.get(), rsa_bits, e.get(), nullptr)) {
        throw std::runtime_error("RSA keygen");
      }
      break;
    }
    case Type::P256:
    case Type::P384:
      impl_->ec.reset(
          EC_KEY_new_by_curve_name(type == Type::P256 ? NID_X9_62_prime256v1 : NID_secp384r1));
      if (!EC_KEY_generate_key(impl_->ec.get())) throw std::runtime_error("EC keygen");
      break;
    case Type::Ed25519: ED25519_keypair(impl_->ed_pub, impl_->ed_priv); break;
  }
}

TestKey::~TestKey() = default;

const TestKey& TestKey::rsa(int index) {
  static const TestKey k0(Type::Rsa), k1(Type::Rsa);
  return index == 0 ? k0 : k1;
}
const TestKey& TestKey::rsa1024() {
  static const TestKey k(Type::Rsa, 1024);
  return k;
}
const TestKey& TestKey::p256(int index) {
  static const TestKey k0(Type::P256), k1(Type::P256);
  return index == 0 ? k0 : k1;
}
const TestKey& TestKey::p384() {
  static const TestKey k(Type::P384);
  return k;
}
const TestKey& TestKey::ed25519(int index) {
  static const TestKey k0(Type::Ed25519), k1(Type::Ed25519);
  return index == 0 ? k0 : k1;
}

json TestKey::jwk(std::string_view kid, std::string_view alg) const {
  json j;
  switch (type_) {
    case Type::Rsa:
      j["kty"] = "RSA";
      j["n"] = b64(RSA_get0_n(impl_->rsa.get()));
      j["e"] = b64(RSA_get0_e(impl_->rsa.get()));
      break;
    case Type::P256:
    case Type::P384: {
      size_t w = type_ == Type::P256 ? 32 : 48;
      const EC_GROUP* g = EC_KEY_get0_group(impl_->ec.get());
      bssl::UniquePtr<BIGNUM> x(BN_new()), y(BN_new());
      EC_POINT_get_affine_coordinates_GFp(g, EC_KEY_get0_public_key(impl_->ec.get()), x.get(),
                                          y.get(), nullptr);
      j["kty"] = "EC";
      j["crv"] = type_ == Type::P256 ? "P-256" : "P-384";
      j["x"] = b64(x.get(), w);
      j["y"] = b64(y.get(), w);
      break;
    }
    case Type::Ed25519:
      j["kty"] = "OKP";
      j["crv"] = "Ed25519";
      j["x"] = base64UrlEncode(std::span<const uint8_t>(impl_->ed_pub, 32));
      break;
  }
  if (!kid.empty()) j["kid"] = std::string(kid);
  if (!alg.empty()) j["alg"] = std::string(alg);
  return j;
}

std::vector<uint8_t> TestKey::sign(std::string_view alg, std::string_view input) const {
  switch (type_) {
    case Type::Rsa: {
      auto d = digest(alg, input);
      std::vector<uint8_t> sig(RSA_size(impl_->rsa.get()));
      size_t len = 0;
      if (alg.substr(0, 2) == "PS") {
        const EVP_MD* md = mdFor(alg);
        RSA_sign_pss_mgf1(impl_->rsa.get(), &len, sig.data(), sig.size(), d.data(), d.size(), md,
                          md, -1);
      } else {
        unsigned ulen = 0;
        RSA_sign(EVP_MD_type(mdFor(alg)), d.data(), d.size(), sig.data(), &ulen,
                 impl_->rsa.get());
        len = ulen;
      }
      sig.resize(len);
      return sig;
    }
    case Type::P256:
    case Type::P384: {
      auto d = digest(alg, input);
      bssl::UniquePtr<ECDSA_SIG> s(ECDSA_do_sign(d.data(), d.size(), impl_->ec.get()));
      size_t w = type_ == Type::P256 ? 32 : 48;
      std::vector<uint8_t> out(2 * w);
      BN_bn2bin_padded(out.data(), w, s->r);
      BN_bn2bin_padded(out.data() + w, w, s->s);
      return out;
    }
    case Type::Ed25519: {
      std::vector<uint8_t> out(64);
      ED25519_sign(out.data(), reinterpret_cast<const uint8_t*>(input.data()), input.size(),
                   impl_->ed_priv);
      return out;
    }
  }
  return {};
}

std::vector<uint8_t> TestKey::signDer(std::string_view alg, std::string_view input) const {
  auto d = digest(alg, input);
  std::vector<uint8_t> out(ECDSA_size(impl_->ec.get()));
  unsigned len = 0;
  ECDSA_sign(0, d.data(), d.size(), out.data(), &len, impl_->ec.get());
  out.resize(len);
  return out;
}

TokenPolicy defaultPolicy() {
  TokenPolicy p;
  p.issuer = kIssuer;
  p.audience = kAudience;
  return p;
}

json defaultClaims() {
  return json{{"iss", kIssuer},         {"aud", kAudience},
              {"sub", "alice"},         {"exp", kNowSec + 300},
              {"iat", kNowSec - 10},    {"groups", {"dba", "dev"}},
              {"warden_kind", "human"}, {"jti", "jti-123"}};
}

json header(std::string_view alg, std::string_view kid) {
  json h{{"alg", std::string(alg)}, {"typ", "at+jwt"}};
  if (!kid.empty()) h["kid"] = std::string(kid);
  return h;
}

std::string signRaw(const TestKey& key, std::string_view alg, std::string_view header_json,
                    std::string_view payload_json) {
  std::string input = base64UrlEncode(header_json) + "." + base64UrlEncode(payload_json);
  return input + "." + base64UrlEncode(key.sign(alg, input));
}

std::string signToken(const TestKey& key, const json& h, const json& payload) {
  return signRaw(key, h.at("alg").get<std::string>(), h.dump(), payload.dump());
}

std::string signHmac(std::string_view alg, std::string_view secret, const json& h,
                     const json& payload) {
  std::string input = base64UrlEncode(h.dump()) + "." + base64UrlEncode(payload.dump());
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(mdFor(alg), secret.data(), secret.size(), reinterpret_cast<const uint8_t*>(input.data()),
       input.size(), mac, &len);
  return input + "." + base64UrlEncode(std::span<const uint8_t>(mac, len));
}

std::string jwks(const std::vector<json>& keys) { return json{{"keys", keys}}.dump(); }

std::shared_ptr<const KeySet> defaultKeySet() {
  static const auto set = [] {
    auto r = KeySet::parse(jwks({TestKey::rsa().jwk("rsa-1"), TestKey::p256().jwk("ec-1"),
                                 TestKey::ed25519().jwk("ed-1")}),
                           nullptr);
    if (!r.ok()) throw std::runtime_error(r.error().message);
    return r.value();
  }();
  return set;
}

}  // namespace warden::identity::test
