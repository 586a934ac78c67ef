// dialects/postgres/sql/fast_lexer.h
//! Hand-written PostgreSQL lexer for the analysis path: the exact token stream of
//! PostgresLexer (grammars/postgres/PostgresLexer.g4, ANTLR semantics: longest match, ties to the
//! rule defined first) followed by PgTokenSource (token_source.h: operator trimming, tagged
//! dollar quotes, string continuation) — same types, channels, code point start/stop, lines,
//! columns and texts, for every input, malformed ones included — without the ANTLR lexer's
//! per-character ATN/DFA simulation. PostgresLexer + PgTokenSource stay in the tree as the
//! oracle the tests and the fuzz target compare this lexer against (pg_fast_lexer_test.cc).
//!
//! Input handling mirrors antlr4::ANTLRInputStream::load (4.9 runtime, libstdc++ codecvt_utf8):
//! one leading U+FEFF is dropped (indexes count from after it), an incomplete multi-byte
//! sequence at the very end is dropped, and any other malformed UTF-8 makes load() throw
//! (the analyzer turns that into an unparsed statement, as before).
//!
//! Use: PgFastLexer lexer; PgFastTokenStream tokens(lexer); ... lexer.load(text);
//!      tokens.setTokenSource(&lexer);   // resets the stream (frees the previous tokens)
//! (a plain CommonTokenStream works too; PgFastTokenStream skips its dynamic_cast per token).
//! One instance per thread (per analyzer); not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "antlr4-runtime.h"
#include "sql/fast_token.h"

namespace warden::pg::sql {

class PgKeywordTable;

class PgFastLexer final : public antlr4::TokenSource {
 public:
  PgFastLexer();
  ~PgFastLexer() override;

  //! Copies `text` and restarts at its beginning. Throws std::range_error on UTF-8 that the
  //! ANTLR input stream rejects.
  void load(std::string_view text);

  std::unique_ptr<antlr4::Token> nextToken() override { return next(); }
  std::unique_ptr<PgFastToken> next();
  size_t getLine() const override { return line_; }
  size_t getCharPositionInLine() override { return cp_ - line_start_cp_; }
  //! An ANTLRInputStream over the same text, built on first use (nothing on the analysis path
  //! asks for it; tokens carry their text).
  antlr4::CharStream* getInputStream() override;
  std::string getSourceName() override { return antlr4::IntStream::UNKNOWN_SOURCE_NAME; }
  antlr4::TokenFactory<antlr4::CommonToken>* getTokenFactory() override {
    return antlr4::CommonTokenFactory::DEFAULT.get();
  }

  //! The bytes [begin, end) of the loaded text (as stored in a token's span).
  std::string_view bytes(uint32_t begin, uint32_t end) const {
    return std::string_view(buffer_).substr(begin, end - begin);
  }

 private:
  struct Match {
    size_t type;
    size_t end;  // byte offset one past the token
  };
  Match scan(size_t p);
  Match scanOperator(size_t p);
  Match scanDollar(size_t p);
  Match scanWord(size_t p);
  //! Moves the position (code point index, line, column) to byte `to`.
  void advance(size_t to);
  //! PgTokenSource's string continuation: extends a string literal token ending at `end`.
  //! Returns the new end; sets `type` to ERRCHAR (and the EOF position quirk) when a
  //! continuation is not closed.
  size_t continueString(size_t& type, size_t end);

  const PgKeywordTable* keywords_;  // built once per process, immutable
  std::string buffer_;        // the text as given (a BOM included)
  size_t base_ = 0;           // 3 when a leading BOM is skipped
  size_t end_ = 0;            // end of the lexed bytes (an incomplete trailing sequence dropped)
  bool ascii_ = true;         // no byte >= 0x80 after base_: code point index == byte - base_
  size_t pos_ = 0;            // next byte to lex
  size_t cp_ = 0;             // code point index of pos_
  size_t line_ = 1;
  size_t line_start_cp_ = 0;  // code point index of the first character of the line
  bool stale_eof_ = false;    // the EOF token reports eof_line_/eof_column_ (see .cc)
  size_t eof_line_ = 0, eof_column_ = 0;
  std::unique_ptr<antlr4::ANTLRInputStream> input_;  // lazily, see getInputStream()
  bool input_loaded_ = false;
};

//! CommonTokenStream over a PgFastLexer: fetch() numbers the tokens without the base class's
//! dynamic_cast to WritableToken per token (the lexer's tokens are known to be PgFastTokens).
class PgFastTokenStream final : public antlr4::CommonTokenStream {
 public:
  explicit PgFastTokenStream(PgFastLexer& lexer) : CommonTokenStream(&lexer), lexer_(lexer) {}

 protected:
  size_t fetch(size_t n) override;

 private:
  PgFastLexer& lexer_;
};

}  // namespace warden::pg::sql
