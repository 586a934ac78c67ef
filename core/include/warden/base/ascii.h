// core/include/warden/base/ascii.h
//! ASCII case folding for protocol tokens and SQL identifiers (locale-independent: only A-Z fold).
#pragma once

#include <string>
#include <string_view>

namespace warden {

inline char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

//! True when `a` and `b` are equal ignoring ASCII case.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  return true;
}

//! `s` with A-Z folded to a-z.
inline std::string toLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = asciiLower(c);
  return out;
}

}  // namespace warden
