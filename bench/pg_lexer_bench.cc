// bench/pg_lexer_bench.cc
//! Lexing micro-bench: over the PostgreSQL corpus (test/corpus/postgres), the token stream the
//! parser reads, produced (a) by the ANTLR PostgresLexer + PgTokenSource into a
//! CommonTokenStream, as the analyzer used to (ANTLRInputStream::load, warm lexer DFA), and (b)
//! by PgFastLexer (sql/fast_lexer.h) into a PgFastTokenStream, as the analyzer does now. Prints
//! ns per byte of each (median over rounds; rounds alternate the order), the same with every
//! token's text read once (getText()), and the speed-up. Exit 1 if the token counts differ.
//! Last line:  RESULT pg_lexer_speedup=X pg_lexer_speedup_with_text=Y
//!
//! usage: pg_lexer_bench [--rounds=N] PATH...   (corpus files/dirs)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "PostgresLexer.h"
#include "antlr4-runtime.h"
#include "corpus.h"
#include "sql/fast_lexer.h"
#include "sql/token_source.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Result {
  double fill_ns = 0;  // whole corpus, CommonTokenStream::fill()
  double text_ns = 0;  // + getText() on every token
  size_t tokens = 0;
  size_t text_bytes = 0;
};

template <class Load>
Result run(const std::vector<warden::corpus::Entry>& corpus, antlr4::TokenSource& source,
           antlr4::CommonTokenStream& tokens, Load&& load) {
  Result r;
  auto t0 = Clock::now();
  for (const auto& e : corpus) {
    load(e.text);
    tokens.setTokenSource(&source);
    tokens.fill();
    r.tokens += tokens.size();
  }
  auto t1 = Clock::now();
  for (const auto& e : corpus) {
    load(e.text);
    tokens.setTokenSource(&source);
    tokens.fill();
    for (auto* t : tokens.getTokens()) r.text_bytes += t->getText().size();
  }
  auto t2 = Clock::now();
  r.fill_ns = std::chrono::duration<double, std::nano>(t1 - t0).count();
  r.text_ns = std::chrono::duration<double, std::nano>(t2 - t1).count();
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--rounds=", 9) == 0) rounds = std::max(1, std::atoi(argv[i] + 9));
    else paths.emplace_back(argv[i]);
  }
  auto corpus = warden::corpus::load(paths);
  size_t bytes = 0;
  for (const auto& e : corpus) bytes += e.text.size();
  if (corpus.empty() || bytes == 0) {
    std::fprintf(stderr, "pg_lexer_bench: empty corpus\n");
    return 1;
  }

  antlr4::ANTLRInputStream input;
  pggrammar::PostgresLexer lexer(&input);
  lexer.removeErrorListeners();
  warden::pg::sql::PgTokenSource wrapped(lexer);
  auto loadAntlr = [&](const std::string& text) {
    input.load(text);
    lexer.setInputStream(&input);
  };
  antlr4::CommonTokenStream antlr_stream(&wrapped);
  warden::pg::sql::PgFastLexer fast;
  warden::pg::sql::PgFastTokenStream fast_stream(fast);
  auto loadFast = [&](const std::string& text) { fast.load(text); };

  run(corpus, wrapped, antlr_stream, loadAntlr);  // warm the lexer DFA
  run(corpus, fast, fast_stream, loadFast);
  std::vector<double> antlr_fill, antlr_text, fast_fill, fast_text;
  size_t antlr_tokens = 0, fast_tokens = 0;
  for (int round = 0; round < rounds; ++round) {
    Result a, f;
    if (round % 2 == 0) {
      a = run(corpus, wrapped, antlr_stream, loadAntlr);
      f = run(corpus, fast, fast_stream, loadFast);
    } else {
      f = run(corpus, fast, fast_stream, loadFast);
      a = run(corpus, wrapped, antlr_stream, loadAntlr);
    }
    antlr_fill.push_back(a.fill_ns / bytes);
    antlr_text.push_back(a.text_ns / bytes);
    fast_fill.push_back(f.fill_ns / bytes);
    fast_text.push_back(f.text_ns / bytes);
    antlr_tokens = a.tokens;
    fast_tokens = f.tokens;
  }
  std::printf("corpus: %zu statements, %zu bytes, %zu tokens (fast lexer: %zu), %d rounds\n",
              corpus.size(), bytes, antlr_tokens, fast_tokens, rounds);
  std::printf("%-34s %12s %22s\n", "path", "ns/byte", "ns/byte incl. getText");
  std::printf("%-34s %12.2f %22.2f\n", "antlr PostgresLexer+PgTokenSource", median(antlr_fill),
              median(antlr_text));
  std::printf("%-34s %12.2f %22.2f\n", "PgFastLexer", median(fast_fill), median(fast_text));
  std::printf("RESULT pg_lexer_speedup=%.1f pg_lexer_speedup_with_text=%.1f\n",
              median(antlr_fill) / median(fast_fill), median(antlr_text) / median(fast_text));
  return antlr_tokens == fast_tokens ? 0 : 1;
}
