// test/unit/sql/pg_analyzer_test.cc
//! The PostgreSQL analyzer's envelope: batches, budgets, bad input -> unparsed (never a crash,
//! never "allow"), fingerprints stable across literals, byte ranges.
#include <catch2/catch.hpp>

#include <string>

#include "sql/analyzer.h"

using warden::sql::Analysis;
using warden::sql::Kind;

namespace {

Analysis run(std::string_view text, warden::sql::AnalyzerLimits limits = {}) {
  auto an = warden::pg::sql::makeAnalyzer(limits);
  REQUIRE(an);
  Analysis a;
  an->analyze(text, a);
  return a;
}

}  // namespace

TEST_CASE("a batch gives one statement per part, with ranges and fingerprints", "[unit][sql]") {
  std::string text = "SELECT 1; DELETE FROM t WHERE id = 2 ;  UPDATE u SET a = 'x'";
  auto a = run(text);
  REQUIRE(a.statements.size() == 3);
  CHECK(a.statements[0].kind == Kind::Select);
  CHECK(a.statements[1].kind == Kind::Delete);
  CHECK(a.statements[2].kind == Kind::Update);
  for (const auto& s : a.statements) CHECK(s.has(warden::sql::kMultiStatement));
  const auto& r = a.statements[1].range;
  CHECK(text.substr(r.begin, r.end - r.begin) == "DELETE FROM t WHERE id = 2");
  CHECK(a.statements[1].normalized == "DELETE FROM t WHERE id = ?");
  auto b = run("SELECT 7; DELETE FROM t WHERE id = 99; UPDATE u SET a = 'y'");
  CHECK(b.statements[1].fingerprint == a.statements[1].fingerprint);
  CHECK(b.statements[1].fingerprint != a.statements[2].fingerprint);
}

TEST_CASE("anything the grammar cannot read is unparsed", "[unit][sql]") {
  for (const char* bad : {"SELEC 1", "DELETE t", "SELECT 1 FROM", "DROP TABLE", "SELECT 'x",
                          "SELECT \x01", "SELECT (1", "SELECT $tag$ x", "\xff\xfe",
                          "SELECT 1; GARBAGE", "hello world"}) {
    auto a = run(bad);
    INFO(bad);
    REQUIRE(a.statements.size() == 1);
    CHECK(a.statements[0].kind == Kind::Unparsed);
    CHECK(a.statements[0].category == warden::sql::Category::Unknown);
    CHECK(!a.statements[0].error.empty());
  }
}

TEST_CASE("size, nesting and time budgets make a statement unparsed", "[unit][sql]") {
  warden::sql::AnalyzerLimits small;
  small.max_bytes = 64;
  auto big = run("SELECT * FROM t WHERE a = 1 AND b = 2 AND c = 3 AND d = 4 AND e = 5 AND f = 6",
                 small);
  CHECK(big.statements.at(0).kind == Kind::Unparsed);
  CHECK(big.statements.at(0).error == "statement too large");

  std::string deep = "SELECT " + std::string(5000, '(') + "1" + std::string(5000, ')');
  auto d = run(deep);
  CHECK(d.statements.at(0).kind == Kind::Unparsed);

  std::string prefix = "SELECT ";
  for (int i = 0; i < 20000; ++i) prefix += "- ";
  prefix += "1";
  auto p = run(prefix);
  CHECK(p.statements.at(0).kind == Kind::Unparsed);

  warden::sql::AnalyzerLimits slow;
  slow.time_budget = std::chrono::microseconds(1);
  std::string many = "SELECT 1";
  for (int i = 0; i < 3000; ++i) many += " + f(a" + std::to_string(i) + ")";
  auto t = run(many, slow);
  CHECK(t.statements.at(0).kind == Kind::Unparsed);
  CHECK(t.statements.at(0).error == "statement exceeds the analysis time budget");
}

TEST_CASE("long lists parse; over-long operator chains are unparsed, never misread",
          "[unit][sql]") {
  std::string ors = "DELETE FROM t WHERE a = 0";
  for (int i = 1; i < 300; ++i) ors += " OR a = " + std::to_string(i);
  auto a = run(ors + " OR 1 = 1");
  CHECK(a.statements.at(0).kind == Kind::Delete);
  CHECK(a.statements.at(0).where_is_tautology);  // the tautology deep in the chain is seen
  for (int i = 300; i < 2000; ++i) ors += " OR a = " + std::to_string(i);
  CHECK(run(ors).statements.at(0).kind == Kind::Unparsed);
  std::string in = "SELECT * FROM t WHERE a IN (0";
  for (int i = 1; i < 5000; ++i) in += ", " + std::to_string(i);
  CHECK(run(in + ")").statements.at(0).kind == Kind::Select);
}

TEST_CASE("empty texts and lone semicolons", "[unit][sql]") {
  for (const char* t : {"", ";", " ; ; ", "-- only a comment"}) {
    auto a = run(t);
    INFO(t);
    REQUIRE(a.statements.size() == 1);
    CHECK(a.statements[0].kind == Kind::Other);
  }
}

TEST_CASE("non-ASCII text keeps byte ranges", "[unit][sql]") {
  std::string text = "SELECT 'héllo' AS \"naïve\"; SELECT 2";
  auto a = run(text);
  REQUIRE(a.statements.size() == 2);
  const auto& r = a.statements[1].range;
  CHECK(text.substr(r.begin, r.end - r.begin) == "SELECT 2");
}

TEST_CASE("a leading byte-order mark does not shift byte ranges", "[unit][sql]") {
  std::string text = "\xEF\xBB\xBF" "DROP TABLE a; SELECT 1";
  auto a = run(text);
  REQUIRE(a.statements.size() == 2);
  const auto& r0 = a.statements[0].range;
  const auto& r1 = a.statements[1].range;
  CHECK(text.substr(r0.begin, r0.end - r0.begin) == "DROP TABLE a");
  CHECK(text.substr(r1.begin, r1.end - r1.begin) == "SELECT 1");
  // ... also with other non-ASCII text after it
  text = "\xEF\xBB\xBF" "SELECT '\xC3\xA9'; SELECT 2";
  a = run(text);
  REQUIRE(a.statements.size() == 2);
  const auto& r = a.statements[1].range;
  CHECK(text.substr(r.begin, r.end - r.begin) == "SELECT 2");
}

TEST_CASE("the SLL stage handles common statements; stats count parses", "[unit][sql]") {
  auto an = warden::pg::sql::makeAnalyzer();
  an->warm();
  uint64_t parsed = 0, ll = 0;
  an->stats(parsed, ll);
  CHECK(parsed > 10);
  CHECK(ll * 10 <= parsed);
}
