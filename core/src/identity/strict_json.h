// core/src/identity/strict_json.h
//! JSON parsing for untrusted JOSE text: the value must be an object, member names must be
//! unique within each object (RFC 7515 section 4 / RFC 7519 section 4: a JWS with duplicate
//! header parameter names must be rejected; two parsers picking different duplicates is a classic
//! confusion bug), nesting is capped, and nothing throws.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace warden::identity {

//! The parsed object, or nullopt with a short reason in `why` (no input text is quoted).
std::optional<nlohmann::json> parseStrictObject(std::string_view text, size_t max_depth,
                                                std::string* why);

//! True when `s` has a C0 control character, DEL, or a C1 control (U+0080..U+009F).
bool hasControlChars(std::string_view s);

//! `s` made safe for a log line: control characters become '?', cut to `max` bytes (+ "...").
std::string sanitizeForMessage(std::string_view s, size_t max = 64);

}  // namespace warden::identity
