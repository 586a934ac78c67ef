// core/include/warden/base/glob.h
//! Shell-style globs for config patterns (rule targets, users, statements, tables; masking
//! columns): `*` matches any run of characters (dots included), `?` exactly one; everything else
//! is literal. Matching is iterative (no recursion, O(pattern × text) worst case).
#pragma once

#include <string_view>

namespace warden {

//! True when `text` matches `pattern`. `fold_case`: ASCII letters compare case-insensitively.
bool globMatch(std::string_view pattern, std::string_view text, bool fold_case = false) noexcept;

//! True when `pattern` contains a glob metacharacter.
bool isGlob(std::string_view pattern) noexcept;

}  // namespace warden
