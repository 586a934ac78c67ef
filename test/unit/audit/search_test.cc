// test/unit/audit/search_test.cc
//! `warden audit search` semantics (warden/audit/search.h) on real chained logs written with
//! audit::Chain: filters, newest first, limit, since/until across files (name-bound skipping),
//! the per-file index (used, skipped, stale), garbage and partial lines, lines across read
//! chunks, RFC 3339 parsing.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

#include "audit_log_helper.h"
#include "warden/audit/chain.h"
#include "warden/audit/search.h"

using namespace warden;
using namespace warden::audit;
using namespace warden::audit::testing;
using Json = nlohmann::json;

namespace {

struct Spec {
  std::string user = "alice";
  std::string target = "prod-pg";
  std::string action = "allow";
  std::string kind = "select";
  std::string text = "SELECT * FROM users WHERE id = ?";
  std::string event = "statement";
  std::string session = "s-1";
};

// Seals records into lines (no "\n") with a real chain.
struct Writer {
  Chain chain;
  std::string instance = "warden-test-1";

  std::string line(const std::string& ts, const Spec& s) {
    AuditRecord r;
    r.ts = ts;
    r.instance = instance;
    r.event = s.event;
    r.session = s.session;
    r.identity = IdentityInfo{s.user, {"dba"}, "human", "scram"};
    r.target = s.target;
    r.environment = "prod";
    r.dialect = "postgres";
    r.statement = StatementInfo{};
    r.statement->text = s.text;
    r.statement->fingerprint = "ab12";
    r.statement->kind = s.kind;
    r.statement->tables = {"public.users"};
    r.decision = DecisionInfo{s.action, "rule-1", ""};
    r.result = ResultInfo{1, 100, std::nullopt};
    std::string out;
    REQUIRE(chain.seal(r, out));
    out.pop_back();
    return out;
  }
};

std::string ts(int hour, int minute, int second = 0) {
  char buf[40];
  snprintf(buf, sizeof buf, "2024-05-01T%02d:%02d:%02d.000001Z", hour, minute, second);
  return buf;
}

std::string name(int hour, int n) {
  char buf[64];
  snprintf(buf, sizeof buf, "audit-20240501T%02d0000Z-%06d.jsonl", hour, n);
  return buf;
}

void writeLines(const fs::path& p, const std::vector<std::string>& lines, bool final_nl = true) {
  std::string text;
  for (size_t i = 0; i < lines.size(); ++i) {
    text += lines[i];
    if (i + 1 < lines.size() || final_nl) text += '\n';
  }
  writeFile(p, text);
}

TimePoint at(const char* rfc3339) {
  auto t = parseRfc3339(rfc3339);
  REQUIRE(t);
  return t.value();
}

uint64_t seqOf(const std::string& line) { return Json::parse(line)["seq"].get<uint64_t>(); }

// Three files opened at 10:00, 12:00 and 14:00; 10 records each, every 5 minutes.
// File k (0..2): users alice/bob alternate, plus one "carol" record only in file 0 and one
// "dave" record only in file 2; kinds select/insert/drop_table; actions allow/deny.
struct Log3 {
  TempDir dir;
  Writer w;
  std::vector<std::string> files;
  std::vector<std::string> all;  // every line in write order

  Log3() {
    for (int k = 0; k < 3; ++k) {
      std::vector<std::string> lines;
      int hour = 10 + 2 * k;
      for (int i = 0; i < 10; ++i) {
        Spec s;
        s.user = i % 2 ? "bob" : "alice";
        s.kind = i % 3 == 0 ? "select" : i % 3 == 1 ? "insert" : "drop_table";
        s.action = s.kind == "drop_table" ? "deny" : "allow";
        s.session = "s-" + std::to_string(k);
        s.text = "SELECT " + std::to_string(k * 10 + i) + " FROM Users";
        if (k == 0 && i == 4) s.user = "carol";
        if (k == 2 && i == 7) s.user = "dave", s.target = "dev-pg";
        lines.push_back(w.line(ts(hour, i * 5), s));
      }
      files.push_back(name(hour, k + 1));
      writeLines(dir.path / files.back(), lines);
      all.insert(all.end(), lines.begin(), lines.end());
    }
  }

  SearchResult run(const SearchQuery& q) {
    auto r = audit::search(dir.path, q);
    REQUIRE(r);
    return *r;
  }
};

std::vector<uint64_t> seqs(const SearchResult& r) {
  std::vector<uint64_t> out;
  for (const auto& l : r.records) out.push_back(seqOf(l));
  return out;
}

}  // namespace

TEST_CASE("search: no filter returns every record newest first", "[audit]") {
  Log3 log;
  auto r = log.run({});
  REQUIRE(r.records.size() == 30);
  CHECK_FALSE(r.truncated);
  for (size_t i = 0; i < 30; ++i) CHECK(r.records[i] == log.all[29 - i]);
  CHECK(r.stats.files == 3);
  CHECK(r.stats.files_scanned == 3);
  CHECK(r.stats.skipped == 0);
  CHECK(r.stats.partial == 0);
  CHECK_FALSE(fs::exists(log.dir.path / kIndexDirName));  // search never writes
}

TEST_CASE("search: filters are exact and combine with AND", "[audit]") {
  Log3 log;
  SearchQuery q;
  q.user = "carol";
  CHECK(seqs(log.run(q)) == std::vector<uint64_t>{5});
  q = {};
  q.user = "car";  // no substring match on exact filters
  CHECK(log.run(q).records.empty());
  q = {};
  q.target = "dev-pg";
  CHECK(seqs(log.run(q)) == std::vector<uint64_t>{28});
  q = {};
  q.action = "deny";
  auto deny = log.run(q);
  CHECK(deny.records.size() == 9);  // i = 2, 5, 8 in each file
  for (const auto& l : deny.records) CHECK(Json::parse(l)["decision"]["action"] == "deny");
  q = {};
  q.kind = "drop_table";
  CHECK(log.run(q).records.size() == 9);
  q.kind = "drop_*";
  CHECK(log.run(q).records.size() == 9);
  q.kind = "drop";
  CHECK(log.run(q).records.empty());
  q.kind = "*";
  CHECK(log.run(q).records.size() == 30);
  q = {};
  q.session = "s-1";
  auto s1 = log.run(q);
  CHECK(seqs(s1) == std::vector<uint64_t>{20, 19, 18, 17, 16, 15, 14, 13, 12, 11});
  q = {};
  q.event = "statement";
  CHECK(log.run(q).records.size() == 30);
  q.event = "auth";
  CHECK(log.run(q).records.empty());
  q = {};
  q.user = "bob";
  q.action = "deny";
  q.session = "s-2";
  // file 2: bob at odd i, deny at i = 2, 5, 8 -> i = 5 (seq 26)
  CHECK(seqs(log.run(q)) == std::vector<uint64_t>{26});
}

TEST_CASE("search: text is a case-insensitive substring of statement.text", "[audit]") {
  Log3 log;
  SearchQuery q;
  q.text = "select 17 from users";
  CHECK(seqs(log.run(q)) == std::vector<uint64_t>{18});
  q.text = "FROM USERS";
  CHECK(log.run(q).records.size() == 30);
  q.text = "from users where";
  CHECK(log.run(q).records.empty());
  q.text = "prod-pg";  // in the line, not in statement.text: the exact check rejects it
  auto r = log.run(q);
  CHECK(r.records.empty());
  CHECK(r.stats.parsed == 29);  // the prefilter let the prod-pg lines through; parse said no
}

TEST_CASE("search: text with characters JSON escapes", "[audit]") {
  TempDir dir;
  Writer w;
  Spec a, b;
  a.text = "SELECT 'it\"s' \\ x\n\tFROM t";
  b.text = "SELECT 1";
  writeLines(dir.path / name(10, 1), {w.line(ts(10, 0), a), w.line(ts(10, 1), b)});
  SearchQuery q;
  q.text = "'IT\"S' \\ X\n\tfrom";
  auto r = audit::search(dir.path, q);
  REQUIRE(r);
  REQUIRE(r->records.size() == 1);
  CHECK(seqOf(r->records[0]) == 1);
  q = {};
  q.user = "ali\"ce";
  CHECK(audit::search(dir.path, q)->records.empty());
}

TEST_CASE("search: limit keeps the newest and says when there is more", "[audit]") {
  Log3 log;
  SearchQuery q;
  q.limit = 3;
  auto r = log.run(q);
  CHECK(seqs(r) == std::vector<uint64_t>{30, 29, 28});
  CHECK(r.truncated);
  CHECK(r.stats.files_scanned == 1);  // stopped in the newest file
  q.user = "alice";
  r = log.run(q);
  CHECK(seqs(r) == std::vector<uint64_t>{29, 27, 25});
  q = {};
  q.user = "carol";
  q.limit = 1;
  r = log.run(q);
  CHECK(seqs(r) == std::vector<uint64_t>{5});
  CHECK_FALSE(r.truncated);
  q = {};
  q.limit = 30;
  CHECK_FALSE(log.run(q).truncated);
}

TEST_CASE("search: since/until across files skip files by their names", "[audit]") {
  Log3 log;
  SearchQuery q;
  q.since = at("2024-05-01T12:30:00Z");
  auto r = log.run(q);
  // file 1 (12:00) from 12:30 on: i = 6..9 (seq 17..20); file 2 all (21..30)
  REQUIRE(r.records.size() == 14);
  CHECK(seqOf(r.records.front()) == 30);
  CHECK(seqOf(r.records.back()) == 17);
  CHECK(r.stats.files_skipped_time == 1);  // 10:00 file ends before 12:00 (+ slack)
  CHECK(r.stats.files_scanned == 2);

  q = {};
  q.until = at("2024-05-01T10:20:00Z");
  r = log.run(q);
  CHECK(seqs(r) == std::vector<uint64_t>{4, 3, 2, 1});  // 10:00 10:05 10:10 10:15
  CHECK(r.stats.files_skipped_time == 2);

  q = {};
  q.since = at("2024-05-01T12:10:00Z");
  q.until = at("2024-05-01T12:20:00.000001Z");  // half-open: 12:20:00.000001 excluded
  r = log.run(q);
  CHECK(seqs(r) == std::vector<uint64_t>{14, 13});  // 12:10 and 12:15; 12:20:00.000001 is out
  CHECK(r.stats.files_skipped_time == 2);

  q = {};
  q.since = at("2024-05-01T16:00:00+02:00");  // = 14:00Z
  q.user = "dave";
  CHECK(seqs(log.run(q)) == std::vector<uint64_t>{28});
}

TEST_CASE("search: a fresh index skips files that cannot match", "[audit]") {
  Log3 log;
  REQUIRE(writeFileIndex(log.dir.path, log.files[0]));
  REQUIRE(writeFileIndex(log.dir.path, log.files[1]));
  REQUIRE(fs::exists(log.dir.path / "index" / (log.files[0] + ".idx")));

  SearchQuery q;
  q.user = "dave";  // only in the newest (unindexed) file
  auto r = log.run(q);
  CHECK(seqs(r) == std::vector<uint64_t>{28});
  CHECK(r.stats.indexes_used == 2);
  CHECK(r.stats.files_skipped_index == 2);
  CHECK(r.stats.files_scanned == 1);

  q.user = "carol";  // only in file 0
  r = log.run(q);
  CHECK(seqs(r) == std::vector<uint64_t>{5});
  CHECK(r.stats.files_skipped_index == 1);  // file 1
  CHECK(r.stats.files_scanned == 2);        // file 2 (no index) and file 0

  q = {};
  q.kind = "drop_*";
  r = log.run(q);
  CHECK(r.records.size() == 9);
  CHECK(r.stats.files_skipped_index == 0);
  q.kind = "alter_*";
  r = log.run(q);
  CHECK(r.records.empty());
  CHECK(r.stats.files_skipped_index == 2);

  q = {};
  q.target = "dev-pg";
  q.action = "allow";
  CHECK(log.run(q).stats.files_skipped_index == 2);

  // The index's exact time range: 12:50 is after the last record of file 1 (12:45), which
  // name bounds (next file at 14:00) cannot tell.
  q = {};
  q.since = at("2024-05-01T12:50:00Z");
  r = log.run(q);
  CHECK(r.records.size() == 10);
  CHECK(r.stats.files_skipped_time == 2);
  CHECK(r.stats.files_scanned == 1);
}

TEST_CASE("search: an index for another size is stale and ignored", "[audit]") {
  Log3 log;
  REQUIRE(writeFileIndex(log.dir.path, log.files[0]));
  // The file grows after indexing (a record the index does not know about).
  Spec s;
  s.user = "mallory";
  Writer other;
  std::string extra = other.line(ts(10, 59), s);
  std::string text = readFile(log.dir.path / log.files[0]) + extra + "\n";
  writeFile(log.dir.path / log.files[0], text);

  SearchQuery q;
  q.user = "mallory";
  auto r = log.run(q);
  REQUIRE(r.records.size() == 1);
  CHECK(r.records[0] == extra);
  CHECK(r.stats.indexes_stale == 1);
  CHECK(r.stats.indexes_used == 0);
  CHECK(r.stats.files_skipped_index == 0);

  // Rebuilt: used again, and it knows mallory.
  REQUIRE(writeFileIndex(log.dir.path, log.files[0]));
  r = log.run(q);
  CHECK(r.records.size() == 1);
  CHECK(r.stats.indexes_used == 1);

  // A corrupt index is ignored like a missing one.
  writeFile(log.dir.path / "index" / (log.files[0] + ".idx"), "{\"version\":1,garbage");
  r = log.run(q);
  CHECK(r.records.size() == 1);
  CHECK(r.stats.indexes_used == 0);
}

TEST_CASE("search: index content and the value cap", "[audit]") {
  TempDir dir;
  Writer w;
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i) {
    Spec s;
    s.session = "s-" + std::to_string(i);  // 300 distinct sessions: beyond the cap
    s.user = i % 2 ? "alice" : "bob";
    lines.push_back(w.line(ts(10, i / 60, i % 60), s));
  }
  lines.push_back("garbage");
  writeLines(dir.path / name(10, 1), lines);
  REQUIRE(writeFileIndex(dir.path, name(10, 1)));
  auto idx = Json::parse(readFile(dir.path / "index" / (name(10, 1) + ".idx")));
  CHECK(idx["size"] == fs::file_size(dir.path / name(10, 1)));
  CHECK(idx["records"] == 300);
  CHECK(idx["skipped"] == 1);
  CHECK(idx["first_seq"] == 1);
  CHECK(idx["last_seq"] == 300);
  CHECK(idx["first_ts"] == ts(10, 0, 0));
  CHECK(idx["max_ts"] == ts(10, 4, 59));
  CHECK(idx["values"]["user"] == Json::array({"alice", "bob"}));
  CHECK(idx["values"]["session"] == "any");
  CHECK(idx["values"]["event"] == Json::array({"statement"}));
  // "any" never excludes.
  SearchQuery q;
  q.session = "s-299";
  auto r = audit::search(dir.path, q);
  REQUIRE(r);
  CHECK(seqs(*r) == std::vector<uint64_t>{300});
  CHECK(r->stats.indexes_used == 1);
  CHECK(r->stats.files_skipped_index == 0);
  // No temp files left behind.
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "index")) ++entries, (void)e;
  CHECK(entries == 1);
  CHECK_FALSE(writeFileIndex(dir.path, "audit-missing.jsonl"));
}

TEST_CASE("search: garbage lines are skipped and counted", "[audit]") {
  TempDir dir;
  Writer w;
  Spec s;
  std::string deep(100000, '[');
  std::vector<std::string> lines = {
      w.line(ts(10, 0), s), "not json at all", "{\"broken\": ",
      "[1,2,3]", std::string("\x00\xff\xfe{", 4), "", "\"alice\"",
      deep, w.line(ts(10, 1), s), "{}", std::string(3, '\n')};
  writeLines(dir.path / name(10, 1), lines);
  auto r = audit::search(dir.path, {});
  REQUIRE(r);
  // "{}" is an object: a (filterless) match; the empty lines are not lines.
  REQUIRE(r->records.size() == 3);
  CHECK(r->records[0] == "{}");
  CHECK(seqOf(r->records[1]) == 2);
  CHECK(seqOf(r->records[2]) == 1);
  CHECK(r->stats.skipped == 6);

  SearchQuery q;
  q.user = "alice";
  r = audit::search(dir.path, q);
  REQUIRE(r);
  CHECK(seqs(*r) == std::vector<uint64_t>{2, 1});
  CHECK(r->stats.skipped == 0);  // garbage without the needle is never parsed
  q.text = "alice";
  CHECK(audit::search(dir.path, q)->records.empty());
}

TEST_CASE("search: a partial last line is ignored", "[audit]") {
  TempDir dir;
  Writer w;
  Spec s;
  std::vector<std::string> first = {w.line(ts(10, 0), s), w.line(ts(10, 1), s)};
  writeLines(dir.path / name(10, 1), first);
  std::string third = w.line(ts(12, 0), s);
  std::string fourth = w.line(ts(12, 1), s);
  // The newest file: one complete record, then half of the next (being appended).
  writeFile(dir.path / name(12, 2), third + "\n" + fourth.substr(0, fourth.size() / 2));
  auto r = audit::search(dir.path, {});
  REQUIRE(r);
  CHECK(seqs(*r) == std::vector<uint64_t>{3, 2, 1});
  CHECK(r->stats.partial == 1);
  CHECK(r->stats.skipped == 0);
  // A complete record without its "\n" is still partial (the writer has not finished it).
  writeFile(dir.path / name(12, 2), third + "\n" + fourth);
  r = audit::search(dir.path, {});
  CHECK(seqs(*r) == std::vector<uint64_t>{3, 2, 1});
  CHECK(r->stats.partial == 1);
  // Only a partial line in the newest file.
  writeFile(dir.path / name(12, 2), fourth.substr(0, 10));
  r = audit::search(dir.path, {});
  CHECK(seqs(*r) == std::vector<uint64_t>{2, 1});
  CHECK(r->stats.partial == 1);
}

TEST_CASE("search: many records and long lines across read chunks", "[audit]") {
  TempDir dir;
  Writer w;
  std::vector<std::string> lines;
  for (int i = 0; i < 6000; ++i) {
    Spec s;
    s.user = "u" + std::to_string(i % 7);
    if (i == 1234) s.text = "SELECT '" + std::string(700 * 1024, 'x') + "' AS needle_long";
    lines.push_back(w.line(ts(10 + i / 3600, (i / 60) % 60, i % 60), s));
  }
  // A line beyond kMaxLineBytes is dropped and counted.
  lines.insert(lines.begin() + 3000, "{\"x\":\"" + std::string(kMaxLineBytes + 10, 'y') + "\"}");
  writeLines(dir.path / name(10, 1), lines);
  auto all = audit::search(dir.path, {});
  REQUIRE(all);
  REQUIRE(all->records.size() == 6000);
  for (size_t i = 0; i < 6000; ++i) CHECK(seqOf(all->records[i]) == 6000 - i);
  CHECK(all->stats.skipped == 1);
  SearchQuery q;
  q.text = "NEEDLE_LONG";
  auto r = audit::search(dir.path, q);
  REQUIRE(r);
  CHECK(seqs(*r) == std::vector<uint64_t>{1235});
  q = {};
  q.user = "u3";
  q.limit = 5;
  r = audit::search(dir.path, q);
  CHECK(seqs(*r) == std::vector<uint64_t>{5996, 5989, 5982, 5975, 5968});
}

TEST_CASE("search: an unreadable dir is an error, an empty one has no records", "[audit]") {
  TempDir dir;
  CHECK_FALSE(audit::search(dir.path / "nope", {}));
  auto r = audit::search(dir.path, {});
  REQUIRE(r);
  CHECK(r->records.empty());
  CHECK(r->stats.files == 0);
}

TEST_CASE("search: a deadline stops the search and marks it", "[audit]") {
  Log3 log;
  auto r = audit::search(log.dir.path, {}, std::chrono::steady_clock::now() - std::chrono::seconds(1));
  REQUIRE(r);
  CHECK(r->stats.timed_out);
  CHECK(r->truncated);
}

TEST_CASE("search: RFC 3339 parsing", "[audit]") {
  using std::chrono::microseconds;
  auto us = [](std::string_view s) {
    auto t = parseRfc3339(s);
    REQUIRE(t);
    return std::chrono::duration_cast<microseconds>(t->time_since_epoch()).count();
  };
  CHECK(us("1970-01-01T00:00:00Z") == 0);
  CHECK(us("2024-05-01T12:34:56.123456Z") == 1714566896123456);
  CHECK(us("2024-05-01T12:34:56.1234567Z") == 1714566896123456);
  CHECK(us("2024-05-01T14:34:56.5+02:00") == 1714566896500000);
  CHECK(us("2024-05-01t12:34:56z") == 1714566896000000);
  CHECK(us("2024-05-01") == 1714521600000000);
  CHECK(us("2024-02-29T00:00:00Z") - us("2024-02-28T00:00:00Z") == 86400000000);
  for (const char* bad : {"", "yesterday", "2024-05-01T12:34:56", "2024-13-01T00:00:00Z",
                          "2023-02-29", "2024-05-01T25:00:00Z", "2024-05-01T12:34:56.Z",
                          "2024-05-01T12:34:56Zjunk", "2024-05-01T12:34:56+0200"}) {
    INFO(bad);
    auto t = parseRfc3339(bad);
    CHECK_FALSE(t);
    if (!t) CHECK(t.error().message.find("RFC 3339") != std::string::npos);
  }
  auto t = fileNameTime("audit-20240501T123456Z-000001.jsonl");
  REQUIRE(t);
  CHECK(formatTimestamp(*t) == "2024-05-01T12:34:56.000000Z");
  CHECK_FALSE(fileNameTime("audit-garbage.jsonl"));
}

TEST_CASE("search: recordMatches checks one line", "[audit]") {
  Writer w;
  Spec s;
  auto line = w.line(ts(10, 0), s);
  SearchQuery q;
  q.user = "alice";
  q.kind = "sel*";
  CHECK(recordMatches(line, q));
  q.user = "bob";
  CHECK_FALSE(recordMatches(line, q));
  CHECK_FALSE(recordMatches("garbage", {}));
}
