// core/include/warden/sql/analyzer.h
//! The analysis seam between the core and a dialect's SQL parser. A dialect plugin returns one
//! Analyzer per worker thread (parser objects and their DFA caches are never shared between
//! threads); the core wraps it with the fingerprint cache (analysis_cache.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "warden/sql/statement.h"

namespace warden::sql {

//! Output of the cheap lexical pass run on every statement (cache-hit path).
struct Normalized {
  std::string text;                   // literals as '?', whitespace folded, plain comments gone
  std::vector<std::string> literals;  // the replaced literals, in order, as written
  bool ok = true;                     // false: not lexable (unterminated quote/comment...)
  void clear() { text.clear(); literals.clear(); ok = true; }
};

struct AnalyzerLimits {
  size_t max_bytes = 1 << 20;                      // longer text: unparsed without parsing
  std::chrono::microseconds time_budget{100000};  // parse slower than this: unparsed
};

class Analyzer {
 public:
  virtual ~Analyzer() = default;
  //! Lexical normalisation. Must agree with the parser's lexer on what is a literal, a comment
  //! and a statement separator: two texts with equal `text` must analyse equally except for
  //! fields marked literal_dependent. Executable comments (MySQL `/*! */`) are kept.
  virtual void normalize(std::string_view text, Normalized& out) noexcept = 0;
  //! Full parse of `text` into statements. Never throws; anything not understood becomes a
  //! Statement of kind Unparsed (with `error`). Fills normalized/fingerprint/range per statement.
  virtual void analyze(std::string_view text, Analysis& out) noexcept = 0;
  //! Parse a small built-in corpus so the first client statement does not pay for a cold DFA.
  virtual void warm() noexcept {}
  //! Statistics for benches: statements parsed, and how many needed the LL fallback.
  virtual void stats(uint64_t& parsed, uint64_t& ll_fallbacks) const noexcept {
    parsed = 0;
    ll_fallbacks = 0;
  }
};

}  // namespace warden::sql
