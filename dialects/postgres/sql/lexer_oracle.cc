// dialects/postgres/sql/lexer_oracle.cc
#include "sql/lexer_oracle.h"

#include <algorithm>
#include <exception>
#include <vector>

#include "PostgresLexer.h"
#include "antlr4-runtime.h"
#include "sql/fast_lexer.h"
#include "sql/token_source.h"

namespace warden::pg::sql {

bool normalizeWithLexer(std::string_view text, std::string& out) {
  using L = pggrammar::PostgresLexer;
  out.clear();
  try {
    antlr4::ANTLRInputStream input{std::string(text)};
    L lexer(&input);
    lexer.removeErrorListeners();
    PgTokenSource source(lexer);
    bool pending_space = false, last_literal = false;
    for (;;) {
      auto tok = source.nextToken();
      size_t type = tok->getType();
      if (type == antlr4::Token::EOF) break;
      if (type == L::ERRCHAR) return false;
      if (tok->getChannel() != antlr4::Token::DEFAULT_CHANNEL) {
        pending_space = !out.empty();
        continue;
      }
      switch (type) {
        case L::STRING: case L::ESCAPE_STRING: case L::UNICODE_STRING: case L::BIT_STRING:
        case L::HEX_STRING: case L::NATIONAL_STRING: case L::DOLLAR_STRING: case L::INTEGER:
        case L::NUMERIC:
          if (pending_space || (!out.empty() && out.back() == '?')) out.push_back(' ');
          out.push_back('?');
          last_literal = true;
          break;
        default: {
          std::string text = tok->getText();
          if (pending_space || (last_literal && !text.empty() && text[0] == '?'))
            out.push_back(' ');
          last_literal = false;
          // '?' is doubled in operators only; quoted identifiers are delimited (as in the
          // scanner).
          bool quoted = type == L::QUOTED_IDENT || type == L::UNICODE_QUOTED_IDENT;
          for (char c : text) {
            out.push_back(c);
            if (c == '?' && !quoted) out.push_back('?');
          }
        }
      }
      pending_space = false;
    }
    return true;
  } catch (...) {
    return false;
  }
}

namespace {

struct TokenRecord {
  size_t type, channel, start, stop, line, column;
  std::string text;
  bool operator==(const TokenRecord&) const = default;
};

std::string describe(const TokenRecord& t) {
  auto n = [](size_t v) { return std::to_string(static_cast<long long>(v)); };
  return "type=" + n(t.type) + " channel=" + n(t.channel) + " start=" + n(t.start) +
         " stop=" + n(t.stop) + " line=" + n(t.line) + " column=" + n(t.column) + " text='" +
         t.text + "'";
}

//! Every token up to EOF (bounded: a source that never ends shows as a missing EOF).
std::vector<TokenRecord> drain(antlr4::TokenSource& source, size_t limit) {
  std::vector<TokenRecord> out;
  for (size_t i = 0; i < limit; ++i) {
    auto tok = source.nextToken();
    out.push_back({tok->getType(), tok->getChannel(), tok->getStartIndex(), tok->getStopIndex(),
                   tok->getLine(), tok->getCharPositionInLine(), tok->getText()});
    if (tok->getType() == antlr4::Token::EOF) break;
  }
  return out;
}

}  // namespace

std::string diffFastLexer(std::string_view text, PgFastLexer& fast) {
  using L = pggrammar::PostgresLexer;
  const size_t limit = text.size() + 2;  // a token per code point at most, then EOF
  std::vector<TokenRecord> expected, actual;
  std::string expected_error, actual_error;
  try {
    antlr4::ANTLRInputStream input{std::string(text)};
    L lexer(&input);
    lexer.removeErrorListeners();
    PgTokenSource source(lexer);
    expected = drain(source, limit);
  } catch (const std::exception& e) {
    expected_error = std::string("throws: ") + e.what();
  }
  try {
    fast.load(text);
    actual = drain(fast, limit);
  } catch (const std::exception& e) {
    actual_error = std::string("throws: ") + e.what();
  }
  if (expected_error.empty() != actual_error.empty()) {
    return "ANTLR lexer " + (expected_error.empty() ? "accepts" : expected_error) +
           ", fast lexer " + (actual_error.empty() ? "accepts" : actual_error);
  }
  for (size_t i = 0; i < std::max(expected.size(), actual.size()); ++i) {
    if (i < expected.size() && i < actual.size() && expected[i] == actual[i]) continue;
    return "token " + std::to_string(i) + ": ANTLR lexer " +
           (i < expected.size() ? describe(expected[i]) : "(none)") + " | fast lexer " +
           (i < actual.size() ? describe(actual[i]) : "(none)");
  }
  return {};
}

std::string diffFastLexer(std::string_view text) {
  PgFastLexer fast;
  return diffFastLexer(text, fast);
}

}  // namespace warden::pg::sql
