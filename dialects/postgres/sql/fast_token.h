// dialects/postgres/sql/fast_token.h
//! The token PgFastLexer (fast_lexer.h) hands to the parser: indexes and position as ANTLR's
//! CommonToken has them (code point start/stop, 1-based line, 0-based column in code points),
//! but the text is read lazily from the lexer's UTF-8 buffer (byte range) instead of being
//! converted back from a UTF-32 input stream on every getText().
//! Ownership: the token stream owns tokens (unique_ptr); a token reads its text through the
//! lexer that made it, so tokens must not outlive the lexer nor its next load() — the same rule
//! as CommonToken, whose text lives in the reloaded ANTLRInputStream.
//! Allocation: a statement makes a token per ~3 bytes and the token stream frees them all before
//! the next one; freed tokens go to a bounded per-thread free list and are reused (malloc/free
//! was a third of the lexing time). Not under AddressSanitizer: there every token is its own
//! allocation, so a use after free is still caught.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "antlr4-runtime.h"

namespace warden::pg::sql {

class PgFastLexer;

//! Where a token is: code point indexes, line and column as ANTLR reports them, and the byte
//! range of its text in the lexer's buffer.
struct FastTokenSpan {
  size_t type = 0;
  size_t channel = 0;
  size_t start = 0;  // code point index of the first character
  size_t stop = 0;   // code point index of the last character (start - 1 for EOF)
  uint32_t line = 1;
  uint32_t column = 0;
  uint32_t begin = 0;  // byte offset in the lexer's buffer
  uint32_t end = 0;    // byte offset one past the text
};

class PgFastToken final : public antlr4::WritableToken {
 public:
  PgFastToken(PgFastLexer* source, const FastTokenSpan& span) : source_(source), span_(span) {}

  std::string getText() const override;
  size_t getType() const override { return span_.type; }
  size_t getLine() const override { return span_.line; }
  size_t getCharPositionInLine() const override { return span_.column; }
  size_t getChannel() const override { return span_.channel; }
  size_t getTokenIndex() const override { return index_; }
  size_t getStartIndex() const override { return span_.start; }
  size_t getStopIndex() const override { return span_.stop; }
  antlr4::TokenSource* getTokenSource() const override;
  antlr4::CharStream* getInputStream() const override;
  std::string toString() const override;

  void setText(const std::string& text) override { text_ = std::make_unique<std::string>(text); }
  void setType(size_t type) override { span_.type = type; }
  void setLine(size_t line) override { span_.line = static_cast<uint32_t>(line); }
  void setCharPositionInLine(size_t pos) override { span_.column = static_cast<uint32_t>(pos); }
  void setChannel(size_t channel) override { span_.channel = channel; }
  void setTokenIndex(size_t index) override { index_ = index; }

  static void* operator new(size_t size);
  static void operator delete(void* p, size_t size) noexcept;

 private:
  PgFastLexer* source_;
  FastTokenSpan span_;
  size_t index_ = INVALID_INDEX;  // antlr4-common.h macro
  std::unique_ptr<std::string> text_;  // set only through setText (nobody on the data path)
};

}  // namespace warden::pg::sql
