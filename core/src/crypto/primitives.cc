// core/src/crypto/primitives.cc
//! Thin wrappers over BoringSSL's libcrypto: SHA-256, HMAC-SHA-256, PBKDF2 (SCRAM's Hi()),
//! base64, constant-time comparison and the CSPRNG.
#include <openssl/base64.h>
#include <openssl/digest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/mem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#ifndef OPENSSL_IS_BORINGSSL
#error "BoringSSL headers expected (/usr/include/android): never mix in system OpenSSL"
#endif

#include "warden/crypto/scram.h"

namespace warden::crypto {

Sha256Digest saltedPassword(std::string_view password, const std::vector<uint8_t>& salt,
                            int iterations) {
  Sha256Digest out{};
  // Callers validate the iteration count; PBKDF2 with zero iterations is undefined, so refuse.
  if (iterations < 1) return out;
  PKCS5_PBKDF2_HMAC(password.data(), password.size(), salt.data(), salt.size(),
                    static_cast<uint32_t>(iterations), EVP_sha256(), out.size(), out.data());
  return out;
}

Sha256Digest hmacSha256(std::span<const uint8_t> key, std::string_view data) {
  Sha256Digest out{};
  unsigned int out_len = 0;
  HMAC(EVP_sha256(), key.data(), key.size(), reinterpret_cast<const uint8_t*>(data.data()),
       data.size(), out.data(), &out_len);
  return out;
}

Sha256Digest sha256(std::span<const uint8_t> data) {
  Sha256Digest out{};
  SHA256(data.data(), data.size(), out.data());
  return out;
}

std::string base64Encode(std::span<const uint8_t> data) {
  size_t encoded_len = 0;
  if (!EVP_EncodedLength(&encoded_len, data.size())) return {};
  std::string out(encoded_len, '\0');  // includes the trailing NUL EVP_EncodeBlock writes
  size_t written = EVP_EncodeBlock(reinterpret_cast<uint8_t*>(out.data()), data.data(),
                                   data.size());
  out.resize(written);
  return out;
}

std::optional<std::vector<uint8_t>> base64Decode(std::string_view text) {
  // EVP_DecodeBase64 is strict: length a multiple of 4, no whitespace, padding only at the end.
  size_t max_len = 0;
  if (!EVP_DecodedLength(&max_len, text.size())) return std::nullopt;
  std::vector<uint8_t> out(max_len);
  size_t out_len = 0;
  if (!EVP_DecodeBase64(out.data(), &out_len, out.size(),
                        reinterpret_cast<const uint8_t*>(text.data()), text.size())) {
    return std::nullopt;
  }
  out.resize(out_len);
  return out;
}

bool constantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void randomBytes(std::span<uint8_t> out) {
  if (out.empty()) return;
  // BoringSSL's RAND_bytes always returns 1 (it aborts rather than return weak output).
  RAND_bytes(out.data(), out.size());
}

}  // namespace warden::crypto
