// test/fuzz/pg_sql_fuzz.cc
//! PostgreSQL SQL analysis: lexer + parser + visitor + normaliser on arbitrary text. Checks:
//! never crashes, always at least one statement, unparsed statements carry an error and
//! category unknown, the fingerprint scanner agrees with the ANTLR lexer wherever both accept
//! the text (cache safety: equal normalised text must mean equal tokens), and the analysis
//! path's hand-written lexer (PgFastLexer) produces exactly the ANTLR lexer's token stream
//! (PostgresLexer + PgTokenSource) on every input, and rejects the same inputs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "sql/analyzer.h"
#include "sql/fast_lexer.h"
#include "sql/lexer_oracle.h"
#include "sql/normalizer.h"

namespace {

// The ANTLR input stream drops a U+FEFF byte-order mark the scanner keeps: texts with one
// normalise differently from texts without (different cache keys, which is safe), so the
// token-by-token comparison skips them.
bool plainUtf8Bmp(std::string_view s) {  // valid UTF-8 without 4-byte sequences or a BOM
  if (s.find("\xEF\xBB\xBF") != std::string_view::npos) return false;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t j = 1; j < n; ++j)
      if ((static_cast<unsigned char>(s[i + j]) & 0xC0) != 0x80) return false;
    if (c == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static warden::sql::Analyzer* analyzer = [] {
    warden::sql::AnalyzerLimits limits;
    limits.max_bytes = 64 * 1024;
    limits.time_budget = std::chrono::milliseconds(200);
    return warden::pg::sql::makeAnalyzer(limits).release();
  }();
  std::string_view text(reinterpret_cast<const char*>(data), size);

  warden::sql::Analysis a;
  analyzer->analyze(text, a);
  if (a.statements.empty()) __builtin_trap();
  for (const auto& s : a.statements) {
    if (s.kind == warden::sql::Kind::Unparsed &&
        (s.error.empty() || s.category != warden::sql::Category::Unknown))
      __builtin_trap();
    if (s.range.end < s.range.begin || s.range.end > size) __builtin_trap();
  }

  static warden::pg::sql::PgFastLexer fast;  // reused, as the analyzer reuses its lexer
  std::string diff = warden::pg::sql::diffFastLexer(text, fast);
  if (!diff.empty()) {
    std::fprintf(stderr, "fast lexer differs: %s\n", diff.c_str());
    __builtin_trap();
  }

  warden::sql::Normalized n;
  warden::pg::sql::normalize(text, n);
  std::string oracle;
  if (n.ok && plainUtf8Bmp(text) && warden::pg::sql::normalizeWithLexer(text, oracle) &&
      oracle != n.text) {
    __builtin_trap();
  }
  return 0;
}
