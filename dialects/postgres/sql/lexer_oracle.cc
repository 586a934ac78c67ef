// dialects/postgres/sql/lexer_oracle.cc
#include "sql/lexer_oracle.h"

#include "PostgresLexer.h"
#include "antlr4-runtime.h"
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

}  // namespace warden::pg::sql
