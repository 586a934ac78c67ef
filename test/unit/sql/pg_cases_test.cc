// test/unit/sql/pg_cases_test.cc
//! Runs the PostgreSQL analysis case files (test/unit/sql/cases/postgres/*.txt): each case is
//! SQL and the exact expected sql::dump() of its statements. WARDEN_CASES_PRINT=1 prints the
//! actual dumps (to write new cases — check them by hand before pasting).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "sql/analyzer.h"

namespace {

struct Case {
  std::string file, name, sql, expected;
  int line = 0;
};

std::string trimTrailingNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<Case> loadCases(const std::filesystem::path& file) {
  std::vector<Case> cases;
  std::ifstream in(file);
  std::string line;
  enum { Outside, Sql, Expected } state = Outside;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("===", 0) == 0) {
      cases.push_back({file.filename().string(), line.substr(line.find_first_not_of("= ")), "", "", n});
      state = Sql;
      continue;
    }
    if (state != Sql && line.rfind("#", 0) == 0) continue;
    if (state == Sql && line == "---") { state = Expected; continue; }
    if (state == Sql) cases.back().sql += line + "\n";
    if (state == Expected) cases.back().expected += line + "\n";
  }
  for (auto& c : cases) {
    c.sql = trimTrailingNewlines(c.sql);
    c.expected = trimTrailingNewlines(c.expected);
  }
  return cases;
}

std::string actualDump(warden::sql::Analyzer& analyzer, const std::string& sql) {
  warden::sql::Analysis a;
  analyzer.analyze(sql, a);
  std::string out;
  for (const auto& s : a.statements) out += warden::sql::dump(s);
  return trimTrailingNewlines(out);
}

const std::filesystem::path kCaseDir =
    std::filesystem::path(WARDEN_SOURCE_DIR) / "test/unit/sql/cases/postgres";

}  // namespace

TEST_CASE("postgres analysis case files", "[pg-cases][unit]") {
  auto analyzer = warden::pg::sql::makeAnalyzer();
  REQUIRE(analyzer);
  const bool print = std::getenv("WARDEN_CASES_PRINT") != nullptr;
  size_t total = 0;
  for (const char* category : {"dml", "ddl", "dcl", "tcl", "utility", "lexing", "lineage"}) {
    auto file = kCaseDir / (std::string(category) + ".txt");
    INFO("case file " << file.string());
    REQUIRE(std::filesystem::exists(file));
    auto cases = loadCases(file);
    CHECK(!cases.empty());
    for (const auto& c : cases) {
      ++total;
      std::string actual = actualDump(*analyzer, c.sql);
      if (print && actual != c.expected) {
        std::cout << "=== " << c.name << "  (" << c.file << ":" << c.line << ")\n"
                  << c.sql << "\n---\n" << actual << "\n\n";
      }
      INFO(c.file << ":" << c.line << " " << c.name << "\n" << c.sql);
      CHECK(actual == c.expected);
    }
  }
  CHECK(total > 0);
}
