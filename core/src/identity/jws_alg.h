// core/src/identity/jws_alg.h
//! The JWS signature algorithms Warden verifies (RFC 7518 section 3, RFC 8037) and the one place
//! that calls BoringSSL to check a signature. The algorithm is pinned to the key type here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "warden/identity/jwks.h"

namespace warden::identity {

enum class AlgFamily { RsaPkcs1, RsaPss, Ecdsa, EdDsa };

struct AlgInfo {
  std::string_view name;     //!< JWS "alg" value
  AlgFamily family;
  int hash_nid;              //!< NID_sha256/384/512; 0 for EdDSA (hashes internally)
  std::string_view curve;    //!< JWK crv for EC/OKP families; empty for RSA
  size_t signature_bytes;    //!< exact length for ECDSA (R‖S) and EdDSA; 0 for RSA (modulus)
};

//! The supported algorithm with this exact name, or nullptr.
const AlgInfo* findAlg(std::string_view name);

//! True when a key of this type/curve can verify `alg` (ignores the JWK's own `alg` member).
bool keyTypeFitsAlg(KeyType type, std::string_view curve, const AlgInfo& alg);

//! Verifies `signature` over `signing_input` (ASCII "header.payload"). Lengths are checked
//! first; ECDSA signatures must be raw R‖S (RFC 7518 section 3.4), never DER.
bool verifySignature(const Key& key, const AlgInfo& alg, std::string_view signing_input,
                     std::span<const uint8_t> signature);

}  // namespace warden::identity
