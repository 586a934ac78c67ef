// core/src/identity/jwt_verify.cc
//! JWS compact parsing, algorithm and key selection, signature check, then the claims
//! (jwt_claims.cc). The order and every rule are listed in jwt.h.
#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "jws_alg.h"
#include "jwt_claims.h"
#include "strict_json.h"
#include "warden/base/ascii.h"
#include "warden/identity/base64url.h"
#include "warden/identity/jwt.h"

namespace warden::identity {
namespace {

using json = nlohmann::json;

// A JOSE header or claim set has no reason to nest: this bounds the JSON work.
constexpr size_t kMaxJsonDepth = 16;
constexpr size_t kMaxKidBytes = 256;

TokenFailure fail(TokenError code, std::string message) { return {code, std::move(message)}; }

struct Parts {
  std::string_view header, payload, signature;  // base64url text
};

std::variant<Parts, TokenFailure> split(std::string_view token, size_t max_bytes) {
  if (token.size() > max_bytes) {
    return fail(TokenError::TooLarge,
                fmt::format("token is {} bytes (limit {})", token.size(), max_bytes));
  }
  auto dots = std::count(token.begin(), token.end(), '.');
  if (dots == 4) return fail(TokenError::Malformed, "encrypted tokens (JWE) are not supported");
  if (dots != 2) return fail(TokenError::Malformed, "token is not a compact JWS (3 parts)");
  size_t a = token.find('.');
  size_t b = token.find('.', a + 1);
  Parts p{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
  // An empty signature is left to the alg check ("none" tokens end in '.') and then fails
  // verification; an empty header or payload is never a JWT.
  if (p.header.empty() || p.payload.empty()) {
    return fail(TokenError::Malformed, "token has an empty header or payload");
  }
  return p;
}

struct ParsedHeader {
  Header header;
  bool has_kid = false;
};

//! Decodes and checks the header's syntax (types of alg/kid/typ/crit/b64); no policy.
std::variant<ParsedHeader, TokenFailure> parseHeader(std::string_view b64) {
  auto bytes = base64UrlDecode(b64);
  if (!bytes) return fail(TokenError::Malformed, "header is not canonical unpadded base64url");
  std::string why;
  auto doc = parseStrictObject({reinterpret_cast<const char*>(bytes->data()), bytes->size()},
                               kMaxJsonDepth, &why);
  if (!doc) return fail(TokenError::Malformed, "header: " + why);
  ParsedHeader out;
  auto alg = doc->find("alg");
  if (alg == doc->end() || !alg->is_string()) {
    return fail(TokenError::Malformed, "header has no \"alg\" string");
  }
  out.header.alg = alg->get<std::string>();
  if (auto kid = doc->find("kid"); kid != doc->end()) {
    if (!kid->is_string() || kid->get_ref<const std::string&>().empty() ||
        kid->get_ref<const std::string&>().size() > kMaxKidBytes) {
      return fail(TokenError::Malformed, "header \"kid\" must be a non-empty string");
    }
    out.header.kid = kid->get<std::string>();
    out.has_kid = true;
  }
  if (auto typ = doc->find("typ"); typ != doc->end()) {
    if (!typ->is_string()) return fail(TokenError::Malformed, "header \"typ\" is not a string");
    out.header.typ = typ->get<std::string>();
  }
  if (auto crit = doc->find("crit"); crit != doc->end()) {
    // RFC 7515 section 4.1.11: an empty list or non-strings are invalid; any listed extension
    // must be understood, and we understand none.
    if (!crit->is_array() || crit->empty()) {
      return fail(TokenError::Malformed, "header \"crit\" must be a non-empty array");
    }
    return fail(TokenError::UnknownCrit, "header \"crit\" lists extensions; none is supported");
  }
  if (auto b64 = doc->find("b64"); b64 != doc->end()) {
    if (!b64->is_boolean()) return fail(TokenError::Malformed, "header \"b64\" is not a boolean");
    if (!b64->get<bool>()) {
      return fail(TokenError::UnknownCrit, "unencoded payloads (\"b64\": false) are not supported");
    }
  }
  return out;
}

std::string_view stripApplication(std::string_view typ) {
  constexpr std::string_view kPrefix = "application/";
  if (typ.size() >= kPrefix.size() && equalsIgnoreCase(typ.substr(0, kPrefix.size()), kPrefix)) {
    typ.remove_prefix(kPrefix.size());
  }
  return typ;
}

//! The algorithm, after the none/unsupported/policy checks.
std::variant<const AlgInfo*, TokenFailure> pickAlg(const Header& h, const TokenPolicy& policy) {
  std::string alg_text = sanitizeForMessage(h.alg, 32);
  if (equalsIgnoreCase(h.alg, "none")) {
    return fail(TokenError::AlgNone, "unsigned tokens (alg \"none\") are never accepted");
  }
  const AlgInfo* alg = findAlg(h.alg);
  if (alg == nullptr) {
    return fail(TokenError::AlgNotAllowed, fmt::format("alg \"{}\" is not supported", alg_text));
  }
  if (!policy.algorithms.empty() &&
      std::find(policy.algorithms.begin(), policy.algorithms.end(), h.alg) ==
          policy.algorithms.end()) {
    return fail(TokenError::AlgNotAllowed,
                fmt::format("alg \"{}\" is not in identity.oidc.algorithms", alg_text));
  }
  return alg;
}

std::variant<const Key*, TokenFailure> pickKey(const ParsedHeader& ph, const AlgInfo& alg,
                                               const KeySet& keys) {
  const Header& h = ph.header;
  if (ph.has_kid) {
    const Key* key = keys.find(h.kid);
    if (key == nullptr) {
      return fail(TokenError::UnknownKid,
                  fmt::format("no key with kid \"{}\" in the JWKS", sanitizeForMessage(h.kid)));
    }
    if (!key->fits(alg.name)) {
      return fail(TokenError::KeyAlgMismatch,
                  fmt::format("key \"{}\" cannot verify alg \"{}\"", sanitizeForMessage(h.kid),
                              alg.name));
    }
    return key;
  }
  // No kid: only unambiguous when a single key in the set can verify this alg.
  const Key* only = nullptr;
  size_t fitting = 0;
  for (const auto& key : keys.keys()) {
    if (key.fits(alg.name)) {
      only = &key;
      ++fitting;
    }
  }
  if (fitting != 1) {
    return fail(TokenError::UnknownKid,
                fmt::format("token has no kid and {} keys fit alg \"{}\" (need exactly one)",
                            fitting, alg.name));
  }
  return only;
}

}  // namespace

std::string_view tokenErrorName(TokenError error) {
  switch (error) {
    case TokenError::Malformed: return "malformed";
    case TokenError::TooLarge: return "too_large";
    case TokenError::AlgNone: return "alg_none";
    case TokenError::AlgNotAllowed: return "alg_not_allowed";
    case TokenError::UnknownKid: return "unknown_kid";
    case TokenError::KeyAlgMismatch: return "key_alg_mismatch";
    case TokenError::BadSignature: return "bad_signature";
    case TokenError::Expired: return "expired";
    case TokenError::NotYetValid: return "not_yet_valid";
    case TokenError::WrongIssuer: return "wrong_issuer";
    case TokenError::WrongAudience: return "wrong_audience";
    case TokenError::UnknownCrit: return "unknown_crit";
    case TokenError::MissingClaim: return "missing_claim";
    case TokenError::BadClaim: return "bad_claim";
  }
  return "unknown";
}

Result<Header> peekHeader(std::string_view token, size_t max_token_bytes) {
  auto parts = split(token, max_token_bytes);
  if (auto* f = std::get_if<TokenFailure>(&parts)) return makeError(f->message, int(f->code));
  auto ph = parseHeader(std::get<Parts>(parts).header);
  if (auto* f = std::get_if<TokenFailure>(&ph)) return makeError(f->message, int(f->code));
  return std::get<ParsedHeader>(std::move(ph)).header;
}

std::variant<VerifiedToken, TokenFailure> verifyJwt(std::string_view token, const KeySet& keys,
                                                    const TokenPolicy& policy,
                                                    std::chrono::system_clock::time_point now) {
  auto parts_or = split(token, policy.max_token_bytes);
  if (auto* f = std::get_if<TokenFailure>(&parts_or)) return *f;
  const Parts& parts = std::get<Parts>(parts_or);

  auto ph_or = parseHeader(parts.header);
  if (auto* f = std::get_if<TokenFailure>(&ph_or)) return *f;
  const ParsedHeader& ph = std::get<ParsedHeader>(ph_or);

  auto alg_or = pickAlg(ph.header, policy);
  if (auto* f = std::get_if<TokenFailure>(&alg_or)) return *f;
  const AlgInfo& alg = *std::get<const AlgInfo*>(alg_or);

  if (!policy.required_typ.empty() &&
      !equalsIgnoreCase(stripApplication(ph.header.typ), stripApplication(policy.required_typ))) {
    return fail(TokenError::Malformed,
                fmt::format("header typ is not \"{}\"", sanitizeForMessage(policy.required_typ)));
  }

  auto key_or = pickKey(ph, alg, keys);
  if (auto* f = std::get_if<TokenFailure>(&key_or)) return *f;
  const Key& key = *std::get<const Key*>(key_or);

  // Both encodings are checked before the (costlier) signature; the payload JSON is only parsed
  // once the signature verified.
  auto payload_bytes = base64UrlDecode(parts.payload);
  if (!payload_bytes) {
    return fail(TokenError::Malformed, "payload is not canonical unpadded base64url");
  }
  auto signature = base64UrlDecode(parts.signature);
  if (!signature) {
    return fail(TokenError::Malformed, "signature is not canonical unpadded base64url");
  }
  // The signing input is the ASCII text "header.payload" exactly as received.
  std::string_view signing_input =
      std::string_view(parts.header.data(), parts.header.size() + 1 + parts.payload.size());
  if (!verifySignature(key, alg, signing_input, *signature)) {
    return fail(TokenError::BadSignature,
                fmt::format("signature does not verify (alg \"{}\", kid \"{}\")", alg.name,
                            sanitizeForMessage(key.kid())));
  }

  std::string why;
  auto payload = parseStrictObject(
      {reinterpret_cast<const char*>(payload_bytes->data()), payload_bytes->size()},
      kMaxJsonDepth, &why);
  if (!payload) return fail(TokenError::Malformed, "payload: " + why);

  VerifiedToken out;
  if (auto f = checkClaims(*payload, policy, now, out)) return *f;
  out.kid = key.kid();
  out.alg = std::string(alg.name);
  return out;
}

}  // namespace warden::identity
