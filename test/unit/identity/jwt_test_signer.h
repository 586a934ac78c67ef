// test/unit/identity/jwt_test_signer.h
//! Test-only JOSE signer: generates keys with BoringSSL, exports their public JWKs and signs
//! compact JWS tokens (RS*/PS*, ES256/ES384 as raw R‖S, EdDSA, and HS* for confusion tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "warden/identity/jwt.h"

namespace warden::identity::test {

using json = nlohmann::json;

class TestKey {
 public:
  enum class Type { Rsa, P256, P384, Ed25519 };
  //! Keys are generated once per process and shared (RSA generation is slow).
  static const TestKey& rsa(int index = 0);    // 2048-bit
  static const TestKey& rsa1024();
  static const TestKey& p256(int index = 0);
  static const TestKey& p384();
  static const TestKey& ed25519(int index = 0);

  explicit TestKey(Type type, int rsa_bits = 2048);
  ~TestKey();
  TestKey(const TestKey&) = delete;
  TestKey& operator=(const TestKey&) = delete;

  Type type() const { return type_; }
  //! The public JWK (kty, kid, key members; alg when non-empty).
  json jwk(std::string_view kid, std::string_view alg = "") const;
  //! JOSE signature bytes of `input` with `alg` (must suit the key).
  std::vector<uint8_t> sign(std::string_view alg, std::string_view input) const;
  //! ECDSA only: the same signature DER-encoded (as OpenSSL emits it), to test rejection.
  std::vector<uint8_t> signDer(std::string_view alg, std::string_view input) const;

 private:
  struct Impl;
  Type type_;
  std::unique_ptr<Impl> impl_;
};

inline const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
inline constexpr int64_t kNowSec = 1700000000;
inline constexpr const char* kIssuer = "https://idp.example.com/realms/corp";
inline constexpr const char* kAudience = "warden";

//! A policy matching defaultClaims().
TokenPolicy defaultPolicy();
//! iss, aud, sub "alice", exp now+300, iat now-10, groups [dba, dev], warden_kind human, jti.
json defaultClaims();
json header(std::string_view alg, std::string_view kid);

//! base64url(header) "." base64url(payload) "." base64url(sign(...)).
std::string signToken(const TestKey& key, const json& header, const json& payload);
//! Same with raw JSON text (for duplicate members and odd encodings).
std::string signRaw(const TestKey& key, std::string_view alg, std::string_view header_json,
                    std::string_view payload_json);
//! HMAC-SHA-* token (alg HS256/384/512) with the given secret.
std::string signHmac(std::string_view alg, std::string_view secret, const json& header,
                     const json& payload);
//! JWKS text from JWKs.
std::string jwks(const std::vector<json>& keys);
//! The default test set: rsa(0) "rsa-1" RS256-capable, p256(0) "ec-1", ed25519(0) "ed-1".
std::shared_ptr<const KeySet> defaultKeySet();

}  // namespace warden::identity::test

namespace warden::identity::test {

//! "ok" or the failure's tokenErrorName(), so Catch prints something readable.
inline std::string outcome(const std::variant<VerifiedToken, TokenFailure>& r) {
  if (std::holds_alternative<VerifiedToken>(r)) return "ok";
  return std::string(tokenErrorName(std::get<TokenFailure>(r).code));
}

//! verifyJwt with the default key set and policy at kNow.
inline std::variant<VerifiedToken, TokenFailure> verifyDefault(std::string_view token) {
  return verifyJwt(token, *defaultKeySet(), defaultPolicy(), kNow);
}

}  // namespace warden::identity::test
