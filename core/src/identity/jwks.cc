// core/src/identity/jwks.cc
//! JWKS parsing (RFC 7517, RFC 7518 section 6, RFC 8037 section 2): see jwks.h for what is kept,
//! skipped (with a warning) or refused.
#include <optional>
#include <string>
#include <variant>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>

#include <fmt/format.h>

#include "jws_alg.h"
#include "strict_json.h"
#include "warden/identity/base64url.h"
#include "warden/identity/jwks.h"

namespace warden::identity {
namespace {

using json = nlohmann::json;
using KeyOrSkip = std::variant<Key, std::string>;  // the key, or why it was skipped

constexpr size_t kMaxJwksDepth = 32;
constexpr size_t kMaxKidBytes = 256;
constexpr unsigned kMinRsaBits = 2048;
constexpr unsigned kMaxRsaBits = 8192;
// Members that only private (or symmetric) keys have (RFC 7518 sections 6.2.2, 6.3.2, 6.4.1;
// RFC 8037 section 2).
constexpr const char* kPrivateMembers[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};

std::optional<std::vector<uint8_t>> member(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end() || !it->is_string()) return std::nullopt;
  return base64UrlDecode(it->get_ref<const std::string&>());
}

std::span<const uint8_t> stripLeadingZeros(const std::vector<uint8_t>& v) {
  size_t i = 0;
  while (i < v.size() && v[i] == 0) ++i;
  return {v.data() + i, v.size() - i};
}

KeyOrSkip makeRsa(const json& jwk, std::string kid, std::string alg) {
  auto n = member(jwk, "n");
  auto e = member(jwk, "e");
  if (!n || !e) return std::string("RSA key needs base64url members n and e");
  auto nb = stripLeadingZeros(*n);
  auto eb = stripLeadingZeros(*e);
  if (eb.empty() || eb.size() > 4) return std::string("RSA exponent e out of range");
  uint64_t ev = 0;
  for (uint8_t b : eb) ev = ev << 8 | b;
  if (ev < 3 || (ev & 1) == 0) return std::string("RSA exponent e must be odd and at least 3");
  unsigned bits = nb.empty() ? 0 : unsigned(nb.size() - 1) * 8;
  if (!nb.empty()) {
    for (uint8_t top = nb[0]; top != 0; top >>= 1) ++bits;
  }
  if (bits < kMinRsaBits || bits > kMaxRsaBits) {
    return fmt::format("RSA modulus has {} bits (need {}..{})", bits, kMinRsaBits, kMaxRsaBits);
  }
  bssl::UniquePtr<BIGNUM> bn_n(BN_bin2bn(nb.data(), nb.size(), nullptr));
  bssl::UniquePtr<BIGNUM> bn_e(BN_bin2bn(eb.data(), eb.size(), nullptr));
  bssl::UniquePtr<RSA> rsa(RSA_new());
  if (!bn_n || !bn_e || !rsa || !RSA_set0_key(rsa.get(), bn_n.get(), bn_e.get(), nullptr)) {
    return std::string("RSA key rejected by BoringSSL");
  }
  bn_n.release();  // owned by rsa now
  bn_e.release();
  if (!BN_is_odd(RSA_get0_n(rsa.get()))) return std::string("RSA modulus n is even");
  std::unique_ptr<evp_pkey_st, PkeyDeleter> pkey(EVP_PKEY_new());
  if (!pkey || !EVP_PKEY_assign_RSA(pkey.get(), rsa.get())) {
    return std::string("RSA key rejected by BoringSSL");
  }
  rsa.release();
  return Key(std::move(kid), KeyType::Rsa, "", std::move(alg), bits, std::move(pkey));
}

KeyOrSkip makeEc(const json& jwk, std::string kid, std::string alg) {
  auto crv_it = jwk.find("crv");
  if (crv_it == jwk.end() || !crv_it->is_string()) return std::string("EC key without crv");
  const auto& crv = crv_it->get_ref<const std::string&>();
  int nid = 0;
  size_t coord = 0;
  if (crv == "P-256") {
    nid = NID_X9_62_prime256v1;
    coord = 32;
  } else if (crv == "P-384") {
    nid = NID_secp384r1;
    coord = 48;
  } else {
    return fmt::format("EC curve \"{}\" is not supported", sanitizeForMessage(crv));
  }
  auto x = member(jwk, "x");
  auto y = member(jwk, "y");
  if (!x || !y) return std::string("EC key needs base64url members x and y");
  if (x->size() != coord || y->size() != coord) {
    return fmt::format("EC {} coordinates must be {} bytes each", crv, coord);
  }
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(nid));
  if (!ec) return std::string("EC key rejected by BoringSSL");
  const EC_GROUP* group = EC_KEY_get0_group(ec.get());
  bssl::UniquePtr<EC_POINT> point(EC_POINT_new(group));
  std::vector<uint8_t> octets;
  octets.reserve(1 + 2 * coord);
  octets.push_back(0x04);  // uncompressed X9.62 point
  octets.insert(octets.end(), x->begin(), x->end());
  octets.insert(octets.end(), y->begin(), y->end());
  if (!point || !EC_POINT_oct2point(group, point.get(), octets.data(), octets.size(), nullptr) ||
      !EC_KEY_set_public_key(ec.get(), point.get()) || !EC_KEY_check_key(ec.get())) {
    ERR_clear_error();
    return fmt::format("EC {} point is not on the curve", crv);
  }
  std::unique_ptr<evp_pkey_st, PkeyDeleter> pkey(EVP_PKEY_new());
  if (!pkey || !EVP_PKEY_assign_EC_KEY(pkey.get(), ec.get())) {
    return std::string("EC key rejected by BoringSSL");
  }
  ec.release();
  return Key(std::move(kid), KeyType::Ec, crv, std::move(alg), unsigned(coord * 8),
             std::move(pkey));
}

KeyOrSkip makeOkp(const json& jwk, std::string kid, std::string alg) {
  auto crv_it = jwk.find("crv");
  if (crv_it == jwk.end() || !crv_it->is_string()) return std::string("OKP key without crv");
  const auto& crv = crv_it->get_ref<const std::string&>();
  if (crv != "Ed25519") {
    return fmt::format("OKP curve \"{}\" is not supported", sanitizeForMessage(crv));
  }
  auto x = member(jwk, "x");
  if (!x || x->size() != 32) return std::string("Ed25519 key needs a 32-byte base64url x");
  std::unique_ptr<evp_pkey_st, PkeyDeleter> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x->data(), x->size()));
  if (!pkey) {
    ERR_clear_error();
    return std::string("Ed25519 key rejected by BoringSSL");
  }
  return Key(std::move(kid), KeyType::Okp, crv, std::move(alg), 256, std::move(pkey));
}

KeyOrSkip parseJwk(const json& jwk) {
  if (!jwk.is_object()) return std::string("not a JSON object");
  auto kty_it = jwk.find("kty");
  if (kty_it == jwk.end() || !kty_it->is_string()) return std::string("no kty");
  const auto& kty = kty_it->get_ref<const std::string&>();

  std::string kid;
  if (auto it = jwk.find("kid"); it != jwk.end()) {
    if (!it->is_string()) return std::string("kid is not a string");
    kid = it->get<std::string>();
    if (kid.size() > kMaxKidBytes) return std::string("kid longer than 256 bytes");
  }
  for (const char* name : kPrivateMembers) {
    if (jwk.contains(name)) {
      return fmt::format("carries private key material (\"{}\"): ignored; this key must be "
                         "considered compromised",
                         name);
    }
  }
  if (auto it = jwk.find("use"); it != jwk.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>() != "sig") {
      return std::string("use is not \"sig\"");
    }
  }
  if (auto it = jwk.find("key_ops"); it != jwk.end()) {
    bool verify = false;
    if (it->is_array()) {
      for (const auto& op : *it) {
        if (op.is_string() && op.get_ref<const std::string&>() == "verify") verify = true;
      }
    }
    if (!verify) return std::string("key_ops does not include \"verify\"");
  }
  std::string alg;
  const AlgInfo* alg_info = nullptr;
  if (auto it = jwk.find("alg"); it != jwk.end()) {
    if (!it->is_string()) return std::string("alg is not a string");
    alg = it->get<std::string>();
    alg_info = findAlg(alg);
    if (alg_info == nullptr) {
      return fmt::format("alg \"{}\" is not a supported signature algorithm",
                         sanitizeForMessage(alg));
    }
  }

  KeyOrSkip made = std::string();
  if (kty == "RSA") {
    made = makeRsa(jwk, kid, alg);
  } else if (kty == "EC") {
    made = makeEc(jwk, kid, alg);
  } else if (kty == "OKP") {
    made = makeOkp(jwk, kid, alg);
  } else {
    return fmt::format("kty \"{}\" is not supported", sanitizeForMessage(kty));
  }
  if (auto* key = std::get_if<Key>(&made); key && alg_info) {
    if (!keyTypeFitsAlg(key->type(), key->curve(), *alg_info)) {
      return fmt::format("alg \"{}\" does not match kty \"{}\"", alg, kty);
    }
  }
  return made;
}

}  // namespace

void PkeyDeleter::operator()(evp_pkey_st* key) const { EVP_PKEY_free(key); }

Key::Key(std::string kid, KeyType type, std::string curve, std::string alg, unsigned bits,
         std::unique_ptr<evp_pkey_st, PkeyDeleter> pkey)
    : kid_(std::move(kid)),
      type_(type),
      curve_(std::move(curve)),
      alg_(std::move(alg)),
      bits_(bits),
      pkey_(std::move(pkey)) {}

bool Key::fits(std::string_view alg) const {
  const AlgInfo* info = findAlg(alg);
  if (info == nullptr || !keyTypeFitsAlg(type_, curve_, *info)) return false;
  return alg_.empty() || alg_ == alg;
}

Result<std::shared_ptr<const KeySet>> KeySet::parse(std::string_view text,
                                                    std::vector<std::string>* warnings) {
  if (text.size() > kMaxJwksBytes) {
    return makeError(fmt::format("JWKS document is {} bytes (limit {})", text.size(),
                                 kMaxJwksBytes));
  }
  std::string why;
  auto doc = parseStrictObject(text, kMaxJwksDepth, &why);
  if (!doc) return makeError("JWKS document: " + why);
  auto keys_it = doc->find("keys");
  if (keys_it == doc->end() || !keys_it->is_array()) {
    return makeError("JWKS document has no \"keys\" array");
  }
  if (keys_it->size() > kMaxJwksKeys) {
    return makeError(fmt::format("JWKS document has {} keys (limit {})", keys_it->size(),
                                 kMaxJwksKeys));
  }
  std::shared_ptr<KeySet> set(new KeySet());
  size_t index = 0;
  for (const auto& jwk : *keys_it) {
    auto made = parseJwk(jwk);
    std::string label = fmt::format("JWKS key #{}", index++);
    if (jwk.is_object()) {
      if (auto it = jwk.find("kid"); it != jwk.end() && it->is_string()) {
        label += fmt::format(" (kid \"{}\")",
                             sanitizeForMessage(it->get_ref<const std::string&>()));
      }
    }
    if (auto* skip = std::get_if<std::string>(&made)) {
      if (warnings) warnings->push_back(fmt::format("{}: skipped: {}", label, *skip));
      continue;
    }
    Key& key = std::get<Key>(made);
    if (!key.kid().empty() && set->find(key.kid()) != nullptr) {
      if (warnings) {
        warnings->push_back(
            fmt::format("{}: skipped: duplicate kid (the first one is kept)", label));
      }
      continue;
    }
    set->keys_.push_back(std::move(key));
  }
  if (set->keys_.empty()) {
    return makeError("JWKS document has no usable signature key (RSA >= 2048 bits, EC P-256/P-384, "
                     "OKP Ed25519)");
  }
  return std::shared_ptr<const KeySet>(std::move(set));
}

const Key* KeySet::find(std::string_view kid) const {
  if (kid.empty()) return nullptr;
  for (const auto& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

}  // namespace warden::identity
