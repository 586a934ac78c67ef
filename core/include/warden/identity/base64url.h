// core/include/warden/identity/base64url.h
//! Strict base64url (RFC 4648 section 5) as JOSE uses it (RFC 7515 section 2): no padding, no
//! whitespace, and only canonical encodings (the unused low bits of the last character must be
//! zero), so every byte string has exactly one accepted text form. Without that last rule a
//! token's signature part could be altered without changing the decoded signature.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace warden::identity {

//! Unpadded base64url of `data`.
std::string base64UrlEncode(std::span<const uint8_t> data);
inline std::string base64UrlEncode(std::string_view data) {
  return base64UrlEncode({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
}

//! Decodes unpadded base64url. nullopt on '=', any character outside [A-Za-z0-9_-], a length of
//! 4k+1, or non-zero unused trailing bits. An empty input decodes to an empty vector.
std::optional<std::vector<uint8_t>> base64UrlDecode(std::string_view text);

}  // namespace warden::identity
