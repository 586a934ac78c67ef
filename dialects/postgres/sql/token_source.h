// dialects/postgres/sql/token_source.h
//! Token source between PostgresLexer and the parser: the scanner decisions of PostgreSQL that a
//! lexer grammar cannot express.
//!  - `$tag$ ... $tag$`: the lexer emits DOLLAR_QUOTE_OPEN for the opening tag; this wrapper
//!    scans to the matching closing tag and emits one DOLLAR_STRING token (unterminated: one
//!    ERRCHAR token, which no parser rule accepts).
//!  - operators: the lexer's OPERATOR takes the longest run of operator characters; this wrapper
//!    cuts it as PostgreSQL's scanner does (never across `--` or `/*`; a multi-character operator
//!    may end in `+`/`-` only if it contains one of ~ ! @ # % ^ & | ` ?) and re-types what is
//!    left (`<-` -> LT, then MINUS is lexed again).
//!  - string continuation: 'a' <whitespace with a newline> 'b' is one string in PostgreSQL; the
//!    wrapper extends the first string token over the continuation (same token type; its text
//!    is the source text, decode with the visitor's string decoder).
//! Use: PostgresLexer lexer(&input); PgTokenSource src(lexer); CommonTokenStream tokens(&src);
//! The analysis path lexes with PgFastLexer (fast_lexer.h) instead, which reproduces this
//! wrapper's output over PostgresLexer exactly; this pair is its oracle (lexer_oracle.h,
//! pg_fast_lexer_test.cc, the pg_sql fuzz target). Change both together.
#pragma once

#include <memory>
#include <string>

#include "PostgresLexer.h"
#include "antlr4-runtime.h"

namespace warden::pg::sql {

class PgTokenSource : public antlr4::TokenSource {
 public:
  explicit PgTokenSource(pggrammar::PostgresLexer& lexer) : lexer_(lexer) {}

  std::unique_ptr<antlr4::Token> nextToken() override;
  size_t getLine() const override { return lexer_.getLine(); }
  size_t getCharPositionInLine() override { return lexer_.getCharPositionInLine(); }
  antlr4::CharStream* getInputStream() override { return lexer_.getInputStream(); }
  std::string getSourceName() override { return lexer_.getSourceName(); }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return lexer_.getTokenFactory();
  }

 private:
  //! Continues lexing at code point index `index` (line/column recomputed from `consumed`,
  //! the text between the token start and `index`).
  void resumeAt(size_t index, size_t tokenLine, size_t tokenColumn, const std::string& consumed);
  void extendStringContinuation(antlr4::CommonToken& tok);
  void closeDollarQuote(antlr4::CommonToken& tok);
  void trimOperator(antlr4::CommonToken& tok);

  pggrammar::PostgresLexer& lexer_;
};

}  // namespace warden::pg::sql
