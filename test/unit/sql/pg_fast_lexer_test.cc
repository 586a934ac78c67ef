// test/unit/sql/pg_fast_lexer_test.cc
//! The hand-written lexer of the analysis path (sql/fast_lexer.h) against its oracle, the ANTLR
//! PostgresLexer + PgTokenSource: the whole token stream (type, channel, start/stop, line,
//! column, text; EOF included) must be identical on the corpus, on tricky cases and every
//! prefix of them (cut at every byte, so inside UTF-8 sequences too), on pseudo-random texts of
//! SQL-significant pieces and on random bytes (the same texts rejected as invalid UTF-8).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "../../difftest/corpus.h"
#include "PostgresLexer.h"
#include "sql/fast_lexer.h"
#include "sql/lexer_oracle.h"

using warden::pg::sql::diffFastLexer;
using warden::pg::sql::PgFastLexer;
using L = pggrammar::PostgresLexer;

namespace {

std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

// One CHECK per text would be millions of assertions: count, and show the first few failures.
struct Differences {
  size_t texts = 0, failed = 0;
  void check(std::string_view text, PgFastLexer& lexer) {
    ++texts;
    std::string d = diffFastLexer(text, lexer);
    if (d.empty()) return;
    if (++failed <= 10) {
      INFO("text: \"" << printable(text) << "\"");
      INFO(d);
      CHECK(d.empty());
    }
  }
};

// The brief's list and what reading the grammar turned up.
const std::vector<std::string> kTricky = {
    "", " ", "SELECT 1", "select * from t where a = 'x' -- c\n and b <> 2;",
    std::string("a\0b", 3), std::string("'\0'", 3), "\x01\x7F{}\\",
    // strings
    "'abc'", "'a''b'", "'a'' b", "'a''", "''''", "'''", "'", "'unterminated",
    "E'a\\'b'", "e'\\\\'", "E'\\'", "E'abc\\", "e'a''b'", "E'''", "E'x'' y",
    "B'0101'", "b'01''10'", "X'ff'", "x'", "N'nat'", "n'a''b'", "N'", "Nx'1'",
    "U&'d\\0061t'", "u&'x'' y", "U&'", "U&\"d\\0061t\"", "u&\"\"", "U&\"a\"\"b\"", "U&\"x",
    "'a'\n'b'", "'a' \n 'b'", "'a'\r\n'b'\n\t'c'", "'a' 'b'", "'a'\n'b", "'a'\n'b''", "'a'\n",
    "'a' -- c\n'b'", "'a'--c\n'b' x", "E'a'\n'\\''", "E'a'\n'\\", "B'1'\n'0'", "X'1'\n'a''b'",
    "N'x'\n'y'\n'z", "U&'x'\n'y'", "'a'\n-- only a comment", "'a'\n'b'\n'c",
    // quoted identifiers
    "\"id\"", "\"\"", "\"\"\"\"", "\"\"\"", "\"a\"\"b\"", "\"a\"\"", "\"", "\"x\ny\"", "\"é\"",
    // dollar quotes and parameters
    "$$x$$", "$$", "$$ unterminated", "$a$ b $a$ c", "$a$ $b$ $a$", "$a", "$1", "$12a", "$1$",
    "$_$x$_$", "$a1$x$a1$", "$é$ x $é$", "$😀$ y $😀$", "$A$x$a$", "$$$$", "$$$", "$ $",
    "$a$$a$", "x$y", "$$\n'a'\n$$ 'b'",
    // numbers
    "1.", ".5", "1e5", "1e", "1.e+", "1..2", "1.5e-3", "1E+", "1e+5x", "12.34.5", "0x1F",
    "1_000", "..", ". 5", "1.e5", "5.e", "1a", "$1.5",
    // operators
    "<->", "@-", "*/", "+-/*x*/", "a+-b", "a--b\nc", "a+--b", "a-+b", "1-- x\n2", "<=", ">=",
    "<>", "!=", "=>", "<=>", "!==", "~~*", "@@", "||/", "#-", "?|", "-|-", "*-", "++", "+++",
    "%+", "^-", "&&+", "=-", "<-", "!-", "`x", "a::b", "a:=b", ":a", "a=b", "<<=", ">>-",
    "@--x\n1", "!--", "<-->", "+/*", "1--2", "*--*", "=/*x*/=", "|/**/|", "?-", "a<-1",
    // comments
    "/* c */", "/**/", "/***/", "/**/+", "/* a */*", "/* /* nested */ still */ x",
    "/* /* unterminated */", "/* a //* b */ */", "/* a //* b */", "/*/ x */", "/*/*/", "/*",
    "/* x **/ y", "/* x */* y */", "a/*b", "a /* b */ c", "--", "-- x\r\ny", "/*+*/", "+/**/",
    "/* é 😀 */", "/* a\n b */ c", "/*/", "/**", "/* * / */", "/* // */", "/*//x*/",
    // identifiers and keywords
    "abc", "ABC_def", "a$b", "_x1$", "SELECT", "sElEcT", "current_timestamp", "CURRENT_USER",
    "selectx", "select$", "é", "naïve", "日本語", "😀x", "a😀", "x\xEF\xBB\xBFy", "e", "u&",
    "u&x", "b", "n", "x", "E", "uu&'x'", "ee'x'",
    // BOM, UTF-8 edges
    "\xEF\xBB\xBF" "SELECT 1", "\xEF\xBB\xBF\xEF\xBB\xBF" "x", "\xEF\xBB\xBF", "\xEF\xBB",
    "a\xC3", "a\xE2\x82", "a\xF0\x9F\x98", "\xED\xA0\x80", "\xF4\x8F\xBF\xBF", "\xC0\x80",
    "\xE0\x80\x80", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80", "\xF5", "\x80", "a\xC3x", "\xFF",
    "'😀' \"😀\" $😀$😀$😀$ -- 😀\n/* 😀 */ e'😀\\😀' 😀",
    // multi-line positions
    "a\nb\n\nc", "a\r\nb", "'x\ny'\nz", "$$\n$$ x", "/*\n*/ x", "\"a\nb\" c", "a \n\n 'b'\n'c' d",
};

}  // namespace

TEST_CASE("fast lexer: same tokens as the ANTLR lexer on tricky texts", "[unit][sql][lexer]") {
  PgFastLexer lexer;
  Differences d;
  for (const auto& text : kTricky) d.check(text, lexer);
  CHECK(d.failed == 0);
}

TEST_CASE("fast lexer: same tokens on every prefix of the tricky texts", "[unit][sql][lexer]") {
  PgFastLexer lexer;
  Differences d;
  for (const auto& text : kTricky) {
    for (size_t cut = 0; cut <= text.size(); ++cut)
      d.check(std::string_view(text).substr(0, cut), lexer);
    // and two cases glued together
    for (const auto& other : {"\n'q'", " $$", "*/", "-", "\xC3\xA9"}) d.check(text + other, lexer);
  }
  CHECK(d.failed == 0);
}

TEST_CASE("fast lexer: same tokens on every corpus statement", "[unit][sql][lexer]") {
  auto corpus = warden::corpus::load({std::string(WARDEN_SOURCE_DIR) + "/test/corpus/postgres"});
  REQUIRE(corpus.size() > 1000);
  PgFastLexer lexer;
  Differences d;
  for (const auto& e : corpus) d.check(e.text, lexer);
  CHECK(d.failed == 0);
}

TEST_CASE("fast lexer: same tokens on pseudo-random SQL-ish texts", "[unit][sql][lexer]") {
  static const char* const kPieces[] = {
      "'", "\"", "$", "-", "/", "*", "+", "<", ">", "=", "~", "!", "@", "#", "%", "^", "&", "|",
      "`", "?", ":", ";", ",", ".", "(", ")", "[", "]", "\\", "{", "e", "E", "u", "U", "&",
      "x", "b", "N", "a", "_", "0", "1", "9", " ", "\n", "\r", "\t", "\f", "\v", "\xC3\xA9",
      "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF", "select", "FROM", "$$", "$a$",
      "/*", "*/", "--", "''", "e'", "u&'", "U&\"", "1e", "1.", "$1", "\"\"", "b'", "x'"};
  constexpr size_t kCount = sizeof(kPieces) / sizeof(kPieces[0]);
  std::mt19937 rng(20261125);
  PgFastLexer lexer;
  Differences d;
  for (int i = 0; i < 6000; ++i) {
    std::string text;
    size_t pieces = rng() % 24;
    for (size_t j = 0; j < pieces; ++j) text += kPieces[rng() % kCount];
    d.check(text, lexer);
  }
  std::string nul("a\0'b", 4);
  d.check(nul, lexer);
  CHECK(d.failed == 0);
  CHECK(d.texts == 6001);
}

TEST_CASE("fast lexer: rejects exactly the UTF-8 the ANTLR input stream rejects",
          "[unit][sql][lexer]") {
  static const unsigned char kBytes[] = {0x00, 0x27, 0x24, 0x41, 0x0A, 0x7F, 0x80, 0x8F, 0x90,
                                         0x9F, 0xA0, 0xBB, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xDF,
                                         0xE0, 0xE2, 0xED, 0xEF, 0xF0, 0xF3, 0xF4, 0xF5, 0xFF};
  std::mt19937 rng(7);
  PgFastLexer lexer;
  Differences d;
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    size_t n = rng() % 7;
    for (size_t j = 0; j < n; ++j)
      text += static_cast<char>(kBytes[rng() % sizeof(kBytes)]);
    d.check(text, lexer);
  }
  CHECK(d.failed == 0);
}

TEST_CASE("fast lexer: tokens read their text through the lexer", "[unit][sql][lexer]") {
  PgFastLexer lexer;
  lexer.load("\xEF\xBB\xBF" "SELECT 'é' FROM t");
  std::vector<std::unique_ptr<antlr4::Token>> toks;
  for (;;) {
    toks.push_back(lexer.nextToken());
    if (toks.back()->getType() == antlr4::Token::EOF) break;
  }
  REQUIRE(toks.size() == 8);
  CHECK(toks[0]->getType() == L::K_SELECT);
  CHECK(toks[0]->getStartIndex() == 0);  // after the BOM, as ANTLRInputStream counts
  CHECK(toks[2]->getType() == L::STRING);
  CHECK(toks[2]->getText() == "'é'");
  CHECK(toks[2]->getStopIndex() == 9);
  CHECK(toks[6]->getType() == L::IDENT);
  CHECK(toks[7]->getText() == "<EOF>");
  // The input stream, built on demand, holds the same text.
  antlr4::misc::Interval string_chars(size_t(7), size_t(9));
  CHECK(toks[2]->getInputStream()->getText(string_chars) == "'é'");
  CHECK_THROWS(lexer.load("a\xC3x"));
}
