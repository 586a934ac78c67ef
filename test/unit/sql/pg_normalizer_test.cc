// test/unit/sql/pg_normalizer_test.cc
//! The PostgreSQL fingerprint scanner: literal/comment/identifier extents per PostgreSQL's lexer
//! rules, and agreement with the ANTLR lexer (lexer_oracle.h) on every case.
#include <catch2/catch.hpp>

#include "sql/lexer_oracle.h"
#include "sql/normalizer.h"

using warden::pg::sql::normalize;
using warden::pg::sql::normalizeWithLexer;

namespace {

std::string norm(std::string_view text) {
  warden::sql::Normalized n;
  normalize(text, n);
  REQUIRE(n.ok);
  std::string oracle;
  INFO("text: " << text);
  REQUIRE(normalizeWithLexer(text, oracle));
  CHECK(oracle == n.text);
  return n.text;
}

bool lexable(std::string_view text) {
  warden::sql::Normalized n;
  normalize(text, n);
  return n.ok;
}

}  // namespace

TEST_CASE("literals become ? and layout is folded", "[unit][sql][normalizer]") {
  CHECK(norm("SELECT  *\n FROM t WHERE id = 42 AND name = 'bob'") ==
        "SELECT * FROM t WHERE id = ? AND name = ?");
  CHECK(norm("select 1.5, .5, 1e10, 2.e-3, 7") == "select ?, ?, ?, ?, ?");
  CHECK(norm("SELECT $1, $23 FROM t") == "SELECT $1, $23 FROM t");
  CHECK(norm("SELECT t1.c2 FROM t1") == "SELECT t1.c2 FROM t1");
  CHECK(norm("SELECT 123abc") == "SELECT ?abc");
  CHECK(norm("  SELECT 1 ; ") == "SELECT ? ;");
}

TEST_CASE("string forms: doubled quotes, E escapes, U&, B, X, N, continuation",
          "[unit][sql][normalizer]") {
  CHECK(norm("SELECT 'it''s'") == "SELECT ?");
  CHECK(norm("SELECT E'it\\'s', e'\\\\'") == "SELECT ?, ?");
  CHECK(norm("SELECT 'a\\' , 1") == "SELECT ? , ?");  // standard strings: backslash is data
  CHECK(norm("SELECT U&'d\\0061t' UESCAPE '!'") == "SELECT ? UESCAPE ?");
  CHECK(norm("SELECT B'101', X'1F', N'x'") == "SELECT ?, ?, ?");
  CHECK(norm("SELECT se'x'") == "SELECT se?");
  CHECK(norm("SELECT 'a'\n   'b'") == "SELECT ?");
  CHECK(norm("SELECT 'a'   'b'") == "SELECT ? ?");
  CHECK_FALSE(lexable("SELECT 'unterminated"));
  CHECK_FALSE(lexable("SELECT E'\\'"));
}

TEST_CASE("dollar quotes, tagged and nested", "[unit][sql][normalizer]") {
  CHECK(norm("DO $$BEGIN DELETE FROM t; END$$") == "DO ?");
  CHECK(norm("SELECT $fn$ it's $$ not the end $fn$, 1") == "SELECT ?, ?");
  CHECK(norm("SELECT $a$x$a$$b$y$b$") == "SELECT ? ?");
  CHECK(norm("SELECT a$b$c FROM t") == "SELECT a$b$c FROM t");
  CHECK_FALSE(lexable("SELECT $tag$ never closed $TAG$"));
}

TEST_CASE("comments: line, nested block; identifiers quoted", "[unit][sql][normalizer]") {
  CHECK(norm("SELECT 1 -- trailing 'x'\nFROM t") == "SELECT ? FROM t");
  CHECK(norm("SELECT /* a /* nested */ still comment */ 1") == "SELECT ?");
  CHECK(norm("SELECT a/**/b") == "SELECT a b");
  CHECK(norm("SELECT \"we\"\"ird\", U&\"d\\0061t\" FROM \"T\"") ==
        "SELECT \"we\"\"ird\", U&\"d\\0061t\" FROM \"T\"");
  CHECK_FALSE(lexable("SELECT /* /* */ 1"));
  CHECK_FALSE(lexable("SELECT \"open"));
}

TEST_CASE("a ? in an operator cannot forge a literal placeholder", "[unit][sql][normalizer]") {
  CHECK(norm("SELECT d ? 'k' FROM t") == "SELECT d ?? ? FROM t");
  CHECK(norm("SELECT d ?| array['a'] FROM t") == "SELECT d ??| array[?] FROM t");
  warden::sql::Normalized a, b;
  normalize("SELECT d ? 'k'", a);
  normalize("SELECT d ? ?", b);
  CHECK(a.text != b.text);
  // A literal next to an operator '?' stays apart from it, whichever side it is on.
  CHECK(norm("SELECT 1?") == "SELECT ? ??");
  CHECK(norm("SELECT ?1") == "SELECT ?? ?");
  CHECK(norm("SELECT 1?2") == "SELECT ? ?? ?");
}

TEST_CASE("literals are reported in order", "[unit][sql][normalizer]") {
  warden::sql::Normalized n;
  normalize("SELECT * FROM t WHERE a = 'x' LIMIT 10", n);
  REQUIRE(n.literals.size() == 2);
  CHECK(n.literals[0] == "'x'");
  CHECK(n.literals[1] == "10");
}

TEST_CASE("nesting depth is measured", "[unit][sql][normalizer]") {
  warden::sql::Normalized n;
  warden::pg::sql::NormalizeInfo info;
  normalize("SELECT ((1)), a[(2)]", n, &info);
  CHECK(info.max_depth == 2);
}

TEST_CASE("bit and hex strings end at the first quote (no '' doubling)", "[unit][sql][normalizer]") {
  // Found by the pg_sql fuzz target: B'..' then '..' are two literals, as PostgreSQL lexes them.
  CHECK(norm("SET ' 'b', '', 'ET 'a' 'b', '', 'c'") == "SET ? ? ?ET ? ?, ?, ?");
  CHECK(norm("SELECT x'1F''2'") == "SELECT ? ?");
}

TEST_CASE("an operator cut at the end of the text keeps its tail", "[unit][sql][normalizer]") {
  // Found by the pg_sql fuzz target: the token source lost the second '+' of a trailing "++".
  CHECK(norm("SELECT a++") == "SELECT a++");
  CHECK(norm("COPY t++") == "COPY t++");
}

TEST_CASE("the output may grow beyond the input and is written in full", "[unit][sql][normalizer]") {
  // Worst case for the output buffer: alternating '?' operators and one-byte literals give
  // " ??" and " ?" — 2.5 output bytes per input byte.
  std::string text;
  for (int i = 0; i < 500; ++i) text += "?1";
  warden::sql::Normalized n;
  normalize(text, n);
  REQUIRE(n.ok);
  std::string expected = "?? ?";
  for (int i = 1; i < 500; ++i) expected += " ?? ?";
  CHECK(n.text == expected);
  CHECK(n.text.size() > 2 * text.size());
  CHECK(n.literals.size() == 500);
  // Reusing the output object for a shorter text leaves nothing of the longer one.
  normalize("SELECT 1", n);
  CHECK(n.text == "SELECT ?");
}
