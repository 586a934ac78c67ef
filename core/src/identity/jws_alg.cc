// core/src/identity/jws_alg.cc
//! Signature checks over BoringSSL: RSASSA-PKCS1-v1_5 and RSASSA-PSS (salt = hash length, MGF1
//! with the same hash), ECDSA over P-256/P-384 with a raw R‖S signature, Ed25519.
#include "jws_alg.h"

#include <array>

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/digest.h>
#include <openssl/ec_key.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/rsa.h>

#ifndef OPENSSL_IS_BORINGSSL
#error "BoringSSL headers expected (/usr/include/android): never mix in system OpenSSL"
#endif

namespace warden::identity {
namespace {

constexpr std::array<AlgInfo, 9> kAlgs = {{
    {"RS256", AlgFamily::RsaPkcs1, NID_sha256, "", 0},
    {"RS384", AlgFamily::RsaPkcs1, NID_sha384, "", 0},
    {"RS512", AlgFamily::RsaPkcs1, NID_sha512, "", 0},
    {"PS256", AlgFamily::RsaPss, NID_sha256, "", 0},
    {"PS384", AlgFamily::RsaPss, NID_sha384, "", 0},
    {"PS512", AlgFamily::RsaPss, NID_sha512, "", 0},
    {"ES256", AlgFamily::Ecdsa, NID_sha256, "P-256", 64},
    {"ES384", AlgFamily::Ecdsa, NID_sha384, "P-384", 96},
    {"EdDSA", AlgFamily::EdDsa, 0, "Ed25519", 64},
}};

const EVP_MD* digestFor(int nid) {
  switch (nid) {
    case NID_sha256: return EVP_sha256();
    case NID_sha384: return EVP_sha384();
    case NID_sha512: return EVP_sha512();
    default: return nullptr;
  }
}

bool verifyRsa(const Key& key, const AlgInfo& alg, std::string_view input,
               std::span<const uint8_t> sig) {
  RSA* rsa = EVP_PKEY_get0_RSA(key.pkey());
  const EVP_MD* md = digestFor(alg.hash_nid);
  if (rsa == nullptr || md == nullptr || sig.size() != RSA_size(rsa)) return false;
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digest_len = 0;
  if (!EVP_Digest(input.data(), input.size(), digest, &digest_len, md, nullptr)) return false;
  if (alg.family == AlgFamily::RsaPkcs1) {
    return RSA_verify(alg.hash_nid, digest, digest_len, sig.data(), sig.size(), rsa) == 1;
  }
  return RSA_verify_pss_mgf1(rsa, digest, digest_len, md, md, static_cast<int>(digest_len),
                             sig.data(), sig.size()) == 1;
}

bool verifyEcdsa(const Key& key, const AlgInfo& alg, std::string_view input,
                 std::span<const uint8_t> sig) {
  const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key.pkey());
  const EVP_MD* md = digestFor(alg.hash_nid);
  if (ec == nullptr || md == nullptr || sig.size() != alg.signature_bytes) return false;
  size_t half = sig.size() / 2;
  bssl::UniquePtr<ECDSA_SIG> es(ECDSA_SIG_new());
  if (!es) return false;
  BIGNUM* r = BN_bin2bn(sig.data(), half, nullptr);
  BIGNUM* s = BN_bin2bn(sig.data() + half, half, nullptr);
  if (r == nullptr || s == nullptr || !ECDSA_SIG_set0(es.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    return false;
  }
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned digest_len = 0;
  if (!EVP_Digest(input.data(), input.size(), digest, &digest_len, md, nullptr)) return false;
  return ECDSA_do_verify(digest, digest_len, es.get(), ec) == 1;
}

bool verifyEd25519(const Key& key, std::string_view input, std::span<const uint8_t> sig) {
  if (sig.size() != ED25519_SIGNATURE_LEN) return false;
  uint8_t pub[ED25519_PUBLIC_KEY_LEN];
  size_t pub_len = sizeof pub;
  if (!EVP_PKEY_get_raw_public_key(key.pkey(), pub, &pub_len) || pub_len != sizeof pub) {
    return false;
  }
  return ED25519_verify(reinterpret_cast<const uint8_t*>(input.data()), input.size(), sig.data(),
                        pub) == 1;
}

}  // namespace

const AlgInfo* findAlg(std::string_view name) {
  for (const auto& a : kAlgs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool keyTypeFitsAlg(KeyType type, std::string_view curve, const AlgInfo& alg) {
  switch (alg.family) {
    case AlgFamily::RsaPkcs1:
    case AlgFamily::RsaPss: return type == KeyType::Rsa;
    case AlgFamily::Ecdsa: return type == KeyType::Ec && curve == alg.curve;
    case AlgFamily::EdDsa: return type == KeyType::Okp && curve == alg.curve;
  }
  return false;
}

bool verifySignature(const Key& key, const AlgInfo& alg, std::string_view signing_input,
                     std::span<const uint8_t> signature) {
  if (!key.fits(alg.name)) return false;
  bool ok = false;
  switch (alg.family) {
    case AlgFamily::RsaPkcs1:
    case AlgFamily::RsaPss: ok = verifyRsa(key, alg, signing_input, signature); break;
    case AlgFamily::Ecdsa: ok = verifyEcdsa(key, alg, signing_input, signature); break;
    case AlgFamily::EdDsa: ok = verifyEd25519(key, signing_input, signature); break;
  }
  // A failed check leaves entries on this thread's error queue; nobody reads them.
  if (!ok) ERR_clear_error();
  return ok;
}

}  // namespace warden::identity
