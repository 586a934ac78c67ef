// core/include/warden/identity/jwks.h
//! JSON Web Key Sets (RFC 7517) holding the public keys that sign OIDC access tokens. Parsing is
//! pure (no I/O): the caller reads the file or fetches the URL and hands the text over.
//!
//! Accepted keys (everything else is skipped with a warning, never an error on its own):
//! - kty "RSA": n, e (base64url); e odd, 3..2^32-1; n 2048..8192 bits (leading zero octets of n
//!   are tolerated). Used with RS256/RS384/RS512/PS256/PS384/PS512.
//! - kty "EC": crv "P-256" (ES256) or "P-384" (ES384); x, y exactly 32 / 48 bytes; the point must
//!   lie on the curve.
//! - kty "OKP": crv "Ed25519", x exactly 32 bytes. Used with EdDSA.
//! A key is skipped when it carries private members (d, p, q, dp, dq, qi, oth, k: publishing them
//! means the key is compromised), when `use` is present and not "sig", when `key_ops` is present
//! and lacks "verify", when `alg` is present and is not a signature algorithm this key can do,
//! and when its `kid` repeats an earlier key's (the first wins). x5c/x5t/x5u are ignored: n/e,
//! x/y are authoritative and no certificate chain is evaluated.
//!
//! Document-level errors: not a JSON object, duplicate member names anywhere, nesting deeper than
//! 32, more than 1 MiB, no "keys" array, more than 100 entries, or no usable key at all.
//!
//! Threading: a KeySet is immutable after parse() and may be shared across threads
//! (std::shared_ptr<const KeySet>); verification only reads the keys.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "warden/base/result.h"

struct evp_pkey_st;  // BoringSSL's EVP_PKEY, kept out of this header.

namespace warden::identity {

inline constexpr size_t kMaxJwksBytes = 1 << 20;
inline constexpr size_t kMaxJwksKeys = 100;

enum class KeyType { Rsa, Ec, Okp };

struct PkeyDeleter {
  void operator()(evp_pkey_st* key) const;
};

//! One usable public verification key.
class Key {
 public:
  Key(std::string kid, KeyType type, std::string curve, std::string alg, unsigned bits,
      std::unique_ptr<evp_pkey_st, PkeyDeleter> pkey);

  //! Empty when the JWK has no kid (such a key is only found for tokens without a kid).
  const std::string& kid() const { return kid_; }
  KeyType type() const { return type_; }
  //! "P-256", "P-384", "Ed25519"; empty for RSA.
  const std::string& curve() const { return curve_; }
  //! The JWK's own `alg` member; empty when absent.
  const std::string& alg() const { return alg_; }
  //! Modulus bits (RSA), field bits (EC), 256 (Ed25519).
  unsigned bits() const { return bits_; }
  //! True when a token signed with JWS algorithm `alg` may be verified with this key: the key
  //! type/curve belong to the algorithm and the JWK's `alg`, if any, equals it.
  bool fits(std::string_view alg) const;
  //! The BoringSSL key (never null). Used by the verifier; read-only.
  evp_pkey_st* pkey() const { return pkey_.get(); }

 private:
  std::string kid_;
  KeyType type_;
  std::string curve_;
  std::string alg_;
  unsigned bits_;
  std::unique_ptr<evp_pkey_st, PkeyDeleter> pkey_;
};

class KeySet {
 public:
  //! Parses a JWKS document. Skipped keys add a line to `warnings` (may be null); the result is
  //! an error when the document is malformed or no usable key remains.
  static Result<std::shared_ptr<const KeySet>> parse(std::string_view json,
                                                     std::vector<std::string>* warnings);

  //! The key with this kid, or nullptr.
  const Key* find(std::string_view kid) const;
  //! The keys in document order (skipped keys excluded).
  const std::vector<Key>& keys() const { return keys_; }
  size_t size() const { return keys_.size(); }

 private:
  KeySet() = default;
  std::vector<Key> keys_;
};

}  // namespace warden::identity
