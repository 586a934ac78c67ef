// test/unit/sql/analysis_cache_test.cc
//! The per-worker analysis cache: hits by shape, literal-dependent entries, the byte bound.
//! Uses the real PostgreSQL analyzer (its normaliser decides what a shape is).
#include <catch2/catch.hpp>

#include "sql/analyzer.h"
#include "warden/sql/analysis_cache.h"

using warden::sql::AnalysisCache;
using warden::sql::Kind;

namespace {

//! Counts full parses; delegates to the real analyzer.
class CountingAnalyzer : public warden::sql::Analyzer {
 public:
  CountingAnalyzer() : real_(warden::pg::sql::makeAnalyzer()) {}
  void normalize(std::string_view t, warden::sql::Normalized& out) noexcept override {
    real_->normalize(t, out);
  }
  void analyze(std::string_view t, warden::sql::Analysis& out) noexcept override {
    ++parses;
    real_->analyze(t, out);
  }
  int parses = 0;

 private:
  std::unique_ptr<warden::sql::Analyzer> real_;
};

}  // namespace

TEST_CASE("statements of one shape are parsed once", "[unit][sql][cache]") {
  CountingAnalyzer an;
  AnalysisCache cache;
  auto a = cache.analyze(an, "postgres", "SELECT * FROM t WHERE id = 1");
  auto b = cache.analyze(an, "postgres", "select_wrong");  // different shape
  auto c = cache.analyze(an, "postgres", "SELECT  *  FROM t /* c */ WHERE id = 2");
  CHECK(an.parses == 2);
  CHECK(a.get() == c.get());
  CHECK(a->statements.at(0).kind == Kind::Select);
  CHECK(a->statements.at(0).range.end == 0);  // cached analyses carry no ranges
  CHECK(cache.stats().hits == 1);
  // Same text under another dialect name is another key.
  cache.analyze(an, "other", "SELECT * FROM t WHERE id = 1");
  CHECK(an.parses == 3);
}

TEST_CASE("literal-dependent analyses are not served for other literals", "[unit][sql][cache]") {
  CountingAnalyzer an;
  AnalysisCache cache;
  auto always = cache.analyze(an, "postgres", "DELETE FROM t WHERE 1 = 1");
  auto never = cache.analyze(an, "postgres", "DELETE FROM t WHERE 1 = 2");
  REQUIRE(always->statements.size() == 1);
  REQUIRE(never->statements.size() == 1);
  CHECK(always->statements[0].where_is_tautology);
  CHECK_FALSE(never->statements[0].where_is_tautology);
  CHECK(an.parses == 2);
  auto again = cache.analyze(an, "postgres", "DELETE FROM t WHERE 1 = 2");
  CHECK(again.get() == never.get());
  CHECK(an.parses == 2);
  auto l10 = cache.analyze(an, "postgres", "SELECT * FROM t LIMIT 10");
  auto l99 = cache.analyze(an, "postgres", "SELECT * FROM t LIMIT 99");
  CHECK(l10->statements.at(0).limit == 10);
  CHECK(l99->statements.at(0).limit == 99);
  CHECK(cache.stats().literal_misses >= 2);
}

TEST_CASE("the cache stays within its byte bound, least recently used out first",
          "[unit][sql][cache]") {
  CountingAnalyzer an;
  AnalysisCache cache(64 * 1024);
  cache.analyze(an, "postgres", "SELECT * FROM keep_me");
  for (int i = 0; i < 400; ++i) {
    cache.analyze(an, "postgres", "SELECT * FROM keep_me");  // keeps it recent
    cache.analyze(an, "postgres", "SELECT c" + std::to_string(i) + " FROM t" + std::to_string(i));
  }
  auto st = cache.stats();
  CHECK(st.bytes <= 64 * 1024);
  CHECK(st.evictions > 0);
  int before = an.parses;
  cache.analyze(an, "postgres", "SELECT * FROM keep_me");
  CHECK(an.parses == before);
}

TEST_CASE("unlexable text is analysed (unparsed) and not cached", "[unit][sql][cache]") {
  CountingAnalyzer an;
  AnalysisCache cache;
  auto a = cache.analyze(an, "postgres", "SELECT 'open");
  auto b = cache.analyze(an, "postgres", "SELECT 'open");
  CHECK(an.parses == 2);
  CHECK(a->statements.at(0).kind == Kind::Unparsed);
  CHECK(cache.stats().entries == 0);
}

TEST_CASE("texts seen byte for byte are served without normalising", "[unit][sql][cache]") {
  CountingAnalyzer an;
  AnalysisCache cache;
  auto a = cache.analyze(an, "postgres", "SELECT * FROM t LIMIT 10");
  auto b = cache.analyze(an, "postgres", "SELECT * FROM t LIMIT 10");
  CHECK(a.get() == b.get());
  CHECK(an.parses == 1);
  CHECK(cache.stats().exact_hits == 1);
  CHECK(cache.stats().exact_entries == 1);
  // Another literal: the shape entry is literal-dependent and is replaced; the first text still
  // gets its own analysis from the exact index, and the new one its own.
  auto c = cache.analyze(an, "postgres", "SELECT * FROM t LIMIT 99");
  CHECK(c->statements.at(0).limit == 99);
  auto d = cache.analyze(an, "postgres", "SELECT * FROM t LIMIT 10");
  CHECK(d->statements.at(0).limit == 10);
  auto e = cache.analyze(an, "postgres", "SELECT * FROM t LIMIT 99");
  CHECK(e->statements.at(0).limit == 99);
  CHECK(an.parses == 2);
  // The dialect is part of the exact key too.
  cache.analyze(an, "other", "SELECT * FROM t LIMIT 10");
  CHECK(an.parses == 3);
  // Unlexable texts are never remembered.
  cache.analyze(an, "postgres", "SELECT 'open");
  cache.analyze(an, "postgres", "SELECT 'open");
  CHECK(an.parses == 5);
  CHECK(cache.stats().exact_entries == 3);
}

TEST_CASE("the exact-text index keeps to a quarter of the byte bound", "[unit][sql][cache]") {
  CountingAnalyzer an;
  AnalysisCache cache(64 * 1024);
  for (int i = 0; i < 300; ++i)
    cache.analyze(an, "postgres", "SELECT c FROM t WHERE id = " + std::to_string(i));
  auto st = cache.stats();
  CHECK(st.exact_bytes <= 16 * 1024);
  CHECK(st.exact_entries < 300);
  CHECK(st.exact_entries > 0);
  CHECK(an.parses == 1);  // one shape, not literal-dependent
  // The most recent text is still an exact hit; the oldest is served by shape.
  auto before = cache.stats().exact_hits;
  cache.analyze(an, "postgres", "SELECT c FROM t WHERE id = 299");
  CHECK(cache.stats().exact_hits == before + 1);
  cache.analyze(an, "postgres", "SELECT c FROM t WHERE id = 0");
  CHECK(cache.stats().exact_hits == before + 1);
  CHECK(an.parses == 1);
}

TEST_CASE("without the exact-text index every lookup goes by shape", "[unit][sql][cache]") {
  CountingAnalyzer an;
  AnalysisCache cache(16u << 20, false);
  cache.analyze(an, "postgres", "SELECT 1");
  cache.analyze(an, "postgres", "SELECT 1");
  CHECK(cache.stats().exact_hits == 0);
  CHECK(cache.stats().hits == 1);
  CHECK(an.parses == 1);
}

TEST_CASE("analyses whose meaning a literal decides are never shared across literals",
          "[unit][sql][cache]") {
  // Each pair has one shape; the first is harmless, the second is not. A cache that served the
  // first analysis for the second would wave the second through.
  struct Pair {
    const char* harmless;
    const char* dangerous;
  };
  const Pair pairs[] = {
      {"EXPLAIN (ANALYZE 0) DELETE FROM t", "EXPLAIN (ANALYZE 1) DELETE FROM t"},
      {"EXPLAIN (ANALYZE 'off') DELETE FROM t", "EXPLAIN (ANALYZE 'on') DELETE FROM t"},
      {"SET standard_conforming_strings = 'on'", "SET standard_conforming_strings = 'off'"},
      {"SET client_encoding = 'UTF8'", "SET client_encoding = 'SJIS'"},
      {"SET NAMES 'UTF8'", "SET NAMES 'BIG5'"},
      {"SELECT set_config('search_path', 'x', false)", "SELECT set_config('role', 'x', false)"},
      {"SELECT set_config('standard_conforming_strings', 'on', false)",
       "SELECT set_config('standard_conforming_strings', 'off', false)"},
      {"DELETE FROM t WHERE 1 = 2", "DELETE FROM t WHERE 1 = 1"},
      {"MERGE INTO t USING u ON 1 = 2 WHEN MATCHED THEN DELETE",
       "MERGE INTO t USING u ON 1 = 1 WHEN MATCHED THEN DELETE"},
  };
  for (const auto& p : pairs) {
    CountingAnalyzer an;
    AnalysisCache cache;
    auto fresh_an = warden::pg::sql::makeAnalyzer();
    warden::sql::Analysis direct;
    fresh_an->analyze(p.dangerous, direct);
    warden::sql::finish(direct);
    cache.analyze(an, "postgres", p.harmless);
    auto cached = cache.analyze(an, "postgres", p.dangerous);
    INFO(p.dangerous);
    REQUIRE(cached->statements.size() == direct.statements.size());
    CHECK(warden::sql::dump(cached->statements[0]) == warden::sql::dump(direct.statements[0]));
  }
}
