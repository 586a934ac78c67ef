// core/src/base/glob.cc
#include "warden/base/glob.h"

namespace warden {
namespace {
inline char fold(char c, bool f) { return (f && c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
}  // namespace

bool globMatch(std::string_view p, std::string_view t, bool fold_case) noexcept {
  // Classic two-pointer matcher with one backtrack point (the last '*').
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && (p[pi] == '?' || fold(p[pi], fold_case) == fold(t[ti], fold_case))) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool isGlob(std::string_view p) noexcept {
  return p.find_first_of("*?") != std::string_view::npos;
}

}  // namespace warden
