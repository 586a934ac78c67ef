// core/include/warden/identity/jwt.h
//! Verification of OIDC/OAuth access tokens in JWS compact form (RFC 7515, RFC 7519, RFC 9068)
//! against a JWKS. Pure: no I/O, no clock (the caller passes `now`), no exceptions, bounded work
//! for any input (size cap before decoding, capped JSON nesting, one signature check).
//!
//! What is accepted, in the order it is checked:
//! 1. Size: more than TokenPolicy::max_token_bytes → TooLarge (nothing decoded).
//! 2. Shape: exactly three '.'-separated parts of strict base64url (no '=', canonical; see
//!    base64url.h); the header a JSON object without duplicate member names → else Malformed.
//!    Five parts (JWE) are Malformed: encrypted tokens are not supported.
//! 3. alg: "none" in any letter case → AlgNone; RS256/RS384/RS512, PS256/PS384/PS512, ES256,
//!    ES384, EdDSA are supported; anything else (HS256/HS384/HS512 included: never an HMAC keyed
//!    with a public key) → AlgNotAllowed, as is a supported alg missing from
//!    TokenPolicy::algorithms when that list is non-empty.
//! 4. crit present (non-empty array) → UnknownCrit (no extension is understood); "b64": false →
//!    UnknownCrit (unencoded payloads are not supported). An empty/non-array crit is Malformed.
//!    jku, jwk, x5u, x5c in the header are ignored: keys come only from the KeySet.
//! 5. Key: by kid → UnknownKid when absent (the caller may refresh the JWKS and retry). Without
//!    kid the token is accepted only when exactly one key in the set fits the alg, else
//!    UnknownKid. A key that does not fit the alg (RSA only with RS*/PS*, P-256 only with ES256,
//!    P-384 only with ES384, Ed25519 only with EdDSA, JWK `alg` equal to the header's) →
//!    KeyAlgMismatch.
//! 6. Signature: ES* signatures must be raw R‖S (64 / 96 bytes; DER is rejected), EdDSA 64 bytes,
//!    RSA exactly the modulus length → else BadSignature.
//! 7. Payload: a JSON object without duplicate member names → else Malformed. Claims:
//!    - iss: required string, equal to policy.issuer → MissingClaim / BadClaim / WrongIssuer.
//!    - aud: required, a string or an array of strings (≤ 64) one of which equals
//!      policy.audience → MissingClaim / BadClaim / WrongAudience.
//!    - exp: required NumericDate; Expired when now > exp + leeway.
//!    - nbf: optional; NotYetValid when now + leeway < nbf.  iat: optional; NotYetValid when
//!      iat > now + leeway. NumericDates are JSON numbers in [0, 8e9] (fractions allowed);
//!      anything else → BadClaim.
//!    - user claim: required non-empty string, ≤ 256 bytes, no control characters (C0, DEL, C1).
//!    - groups claim: optional; an array of strings, or one string meaning one group (it is not
//!      split on spaces); ≤ 256 groups, each non-empty, ≤ 256 bytes, no control characters.
//!    - kind claim: optional; "human", "agent" or "service".
//!    - jti: optional string (≤ 256 bytes).
//!    Claim names are exact member names of the top-level payload object (no dotted paths:
//!    namespaced claims such as "https://example.com/groups" contain dots).
//! An empty policy.issuer or policy.audience fails closed (WrongIssuer / WrongAudience).
//! Failure messages name the check and, at most, the kid, alg, iss and aud (sanitised and
//! truncated); never the token or other claim values.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "warden/base/result.h"
#include "warden/identity/jwks.h"

namespace warden::identity {

//! From config identity.oidc.
struct TokenPolicy {
  std::string issuer, audience;  //!< exact match; `aud` may be a string or an array containing it
  std::string user_claim = "sub", groups_claim = "groups", kind_claim = "warden_kind";
  std::chrono::seconds leeway{60};  //!< clock skew for exp/nbf/iat; clamped to [0, 1 day]
  size_t max_token_bytes = 16384;
  //! When non-empty, only these JWS algorithms (from the supported set) are accepted.
  std::vector<std::string> algorithms;
  //! When non-empty, the header typ must equal it (case-insensitive, an "application/" prefix
  //! ignored), e.g. "at+jwt" to enforce RFC 9068. Empty: typ is not checked.
  std::string required_typ;
};

struct Header {
  std::string alg, kid, typ;  //!< empty when absent (alg is always present in a valid header)
};

enum class TokenError {
  Malformed,
  TooLarge,
  AlgNone,
  AlgNotAllowed,
  UnknownKid,
  KeyAlgMismatch,
  BadSignature,
  Expired,
  NotYetValid,
  WrongIssuer,
  WrongAudience,
  UnknownCrit,
  MissingClaim,
  BadClaim,
};

std::string_view tokenErrorName(TokenError error);

//! Decodes the header without verifying anything, to pick keys (e.g. decide to refresh the JWKS
//! for an unknown kid). Error::code is a TokenError. Inputs over `max_token_bytes` → TooLarge.
Result<Header> peekHeader(std::string_view token, size_t max_token_bytes = 16384);

struct VerifiedToken {
  std::string user;
  std::vector<std::string> groups;
  std::string kind;  //!< "" when the claim is absent
  std::chrono::system_clock::time_point expires;
  std::string issuer, kid, alg, jti;  //!< kid/jti "" when absent
};

struct TokenFailure {
  TokenError code;
  std::string message;
};

//! Verifies the signature and the claims at `now`. Never throws.
std::variant<VerifiedToken, TokenFailure> verifyJwt(std::string_view token, const KeySet& keys,
                                                    const TokenPolicy& policy,
                                                    std::chrono::system_clock::time_point now);

}  // namespace warden::identity
