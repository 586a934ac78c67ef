// core/src/identity/jwt_claims.h
//! Claim checks of a verified JWT payload (RFC 7519 section 4.1, RFC 9068 section 4). Called
//! only after the signature verified.
#pragma once

#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "warden/identity/jwt.h"

namespace warden::identity {

//! Fills user/groups/kind/expires/issuer/jti of `out`, or returns why the claims fail.
std::optional<TokenFailure> checkClaims(const nlohmann::json& payload, const TokenPolicy& policy,
                                        std::chrono::system_clock::time_point now,
                                        VerifiedToken& out);

}  // namespace warden::identity
