// core/src/identity/jwt_claims.cc
//! iss/aud/exp/nbf/iat and the identity claims (user, groups, kind, jti); rules in jwt.h.
#include "jwt_claims.h"

#include <algorithm>
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "strict_json.h"

namespace warden::identity {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr size_t kMaxAudiences = 64;
constexpr size_t kMaxGroups = 256;
constexpr size_t kMaxNameBytes = 256;
// NumericDates beyond this (year 2223) are refused: they are nonsense for an access token and
// would overflow system_clock's nanosecond time_point (which ends in 2262).
constexpr double kMaxNumericDate = 8e9;
constexpr std::chrono::seconds kMaxLeeway{86400};

TokenFailure fail(TokenError code, std::string message) { return {code, std::move(message)}; }

//! A NumericDate member as a time_point; nullopt when absent; BadClaim on a non-number/range.
std::variant<std::optional<Clock::time_point>, TokenFailure> numericDate(const json& payload,
                                                                         const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::optional<Clock::time_point>{};
  double seconds = 0;
  if (it->is_number_unsigned()) {
    auto v = it->get<uint64_t>();
    seconds = v > uint64_t(kMaxNumericDate) ? kMaxNumericDate + 1 : double(v);
  } else if (it->is_number_integer()) {
    seconds = double(it->get<int64_t>());  // only negative values reach here
  } else if (it->is_number_float()) {
    seconds = it->get<double>();
  } else {
    return fail(TokenError::BadClaim, fmt::format("claim \"{}\" is not a number", name));
  }
  if (!std::isfinite(seconds) || seconds < 0 || seconds > kMaxNumericDate) {
    return fail(TokenError::BadClaim, fmt::format("claim \"{}\" is out of range", name));
  }
  auto whole = std::floor(seconds);
  auto tp = Clock::time_point(std::chrono::seconds(int64_t(whole))) +
            std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(seconds - whole));
  return std::optional<Clock::time_point>(tp);
}

bool validName(const std::string& s) {
  return !s.empty() && s.size() <= kMaxNameBytes && !hasControlChars(s);
}

std::optional<TokenFailure> checkIssuer(const json& payload, const TokenPolicy& policy,
                                        VerifiedToken& out) {
  if (policy.issuer.empty()) {
    return fail(TokenError::WrongIssuer, "no issuer is configured (identity.oidc.issuer)");
  }
  auto it = payload.find("iss");
  if (it == payload.end()) return fail(TokenError::MissingClaim, "claim \"iss\" is missing");
  if (!it->is_string()) return fail(TokenError::BadClaim, "claim \"iss\" is not a string");
  const auto& iss = it->get_ref<const std::string&>();
  if (iss != policy.issuer) {
    return fail(TokenError::WrongIssuer,
                fmt::format("issuer \"{}\" is not the configured issuer \"{}\"",
                            sanitizeForMessage(iss, 128), sanitizeForMessage(policy.issuer, 128)));
  }
  out.issuer = iss;
  return std::nullopt;
}

std::optional<TokenFailure> checkAudience(const json& payload, const TokenPolicy& policy) {
  if (policy.audience.empty()) {
    return fail(TokenError::WrongAudience, "no audience is configured (identity.oidc.audience)");
  }
  auto it = payload.find("aud");
  if (it == payload.end()) return fail(TokenError::MissingClaim, "claim \"aud\" is missing");
  bool found = false;
  if (it->is_string()) {
    found = it->get_ref<const std::string&>() == policy.audience;
  } else if (it->is_array()) {
    if (it->empty() || it->size() > kMaxAudiences) {
      return fail(TokenError::BadClaim, "claim \"aud\" array is empty or too long");
    }
    for (const auto& a : *it) {
      if (!a.is_string()) return fail(TokenError::BadClaim, "claim \"aud\" has a non-string entry");
      if (a.get_ref<const std::string&>() == policy.audience) found = true;
    }
  } else {
    return fail(TokenError::BadClaim, "claim \"aud\" is neither a string nor an array");
  }
  if (!found) {
    return fail(TokenError::WrongAudience,
                fmt::format("token audience does not include \"{}\"",
                            sanitizeForMessage(policy.audience, 128)));
  }
  return std::nullopt;
}

std::optional<TokenFailure> checkTimes(const json& payload, const TokenPolicy& policy,
                                       Clock::time_point now, VerifiedToken& out) {
  auto leeway = std::clamp(policy.leeway, std::chrono::seconds(0), kMaxLeeway);
  auto exp = numericDate(payload, "exp");
  if (auto* f = std::get_if<TokenFailure>(&exp)) return *f;
  auto exp_tp = std::get<0>(exp);
  if (!exp_tp) return fail(TokenError::MissingClaim, "claim \"exp\" is missing");
  if (now > *exp_tp + leeway) return fail(TokenError::Expired, "token has expired");

  auto nbf = numericDate(payload, "nbf");
  if (auto* f = std::get_if<TokenFailure>(&nbf)) return *f;
  if (auto nbf_tp = std::get<0>(nbf); nbf_tp && now + leeway < *nbf_tp) {
    return fail(TokenError::NotYetValid, "token is not valid yet (nbf)");
  }
  auto iat = numericDate(payload, "iat");
  if (auto* f = std::get_if<TokenFailure>(&iat)) return *f;
  if (auto iat_tp = std::get<0>(iat); iat_tp && *iat_tp > now + leeway) {
    return fail(TokenError::NotYetValid, "token was issued in the future (iat)");
  }
  out.expires = *exp_tp;
  return std::nullopt;
}

std::optional<TokenFailure> checkIdentity(const json& payload, const TokenPolicy& policy,
                                          VerifiedToken& out) {
  auto user = payload.find(policy.user_claim);
  if (user == payload.end()) {
    return fail(TokenError::MissingClaim,
                fmt::format("user claim \"{}\" is missing", sanitizeForMessage(policy.user_claim)));
  }
  if (!user->is_string() || !validName(user->get_ref<const std::string&>())) {
    return fail(TokenError::BadClaim,
                fmt::format("user claim \"{}\" must be a non-empty string of at most {} bytes "
                            "without control characters",
                            sanitizeForMessage(policy.user_claim), kMaxNameBytes));
  }
  out.user = user->get<std::string>();

  if (auto groups = payload.find(policy.groups_claim); groups != payload.end()) {
    auto bad = [&](std::string_view why) {
      return fail(TokenError::BadClaim, fmt::format("groups claim \"{}\" {}",
                                                    sanitizeForMessage(policy.groups_claim), why));
    };
    if (groups->is_string()) {
      if (!validName(groups->get_ref<const std::string&>())) return bad("has an invalid group");
      out.groups.push_back(groups->get<std::string>());
    } else if (groups->is_array()) {
      if (groups->size() > kMaxGroups) return bad("has more than 256 groups");
      for (const auto& g : *groups) {
        if (!g.is_string() || !validName(g.get_ref<const std::string&>())) {
          return bad("has an entry that is not a valid group name");
        }
        out.groups.push_back(g.get<std::string>());
      }
    } else {
      return bad("is neither an array of strings nor a string");
    }
  }

  if (auto kind = payload.find(policy.kind_claim); kind != payload.end()) {
    if (!kind->is_string() || (*kind != "human" && *kind != "agent" && *kind != "service")) {
      return fail(TokenError::BadClaim,
                  fmt::format("kind claim \"{}\" must be human, agent or service",
                              sanitizeForMessage(policy.kind_claim)));
    }
    out.kind = kind->get<std::string>();
  }

  if (auto jti = payload.find("jti"); jti != payload.end()) {
    if (!jti->is_string() || jti->get_ref<const std::string&>().size() > kMaxNameBytes) {
      return fail(TokenError::BadClaim, "claim \"jti\" must be a string of at most 256 bytes");
    }
    out.jti = jti->get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

std::optional<TokenFailure> checkClaims(const json& payload, const TokenPolicy& policy,
                                        Clock::time_point now, VerifiedToken& out) {
  if (auto f = checkIssuer(payload, policy, out)) return f;
  if (auto f = checkAudience(payload, policy)) return f;
  if (auto f = checkTimes(payload, policy, now, out)) return f;
  return checkIdentity(payload, policy, out);
}

}  // namespace warden::identity
