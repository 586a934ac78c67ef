// test/fuzz/audit_search_fuzz.cc
//! Audit search (warden/audit/search.h, `GET /api/v1/audit`) over fuzzed files. Input layout:
//!   4 selector bytes | audit file bytes [ "\n--idx--\n" index bytes ]
//! The file is written as DIR/audit-20240501T120000Z-000001.jsonl, the optional index as
//! DIR/index/<that>.idx, in one temp dir per process (emptied each run, removed at exit).
//! Selector bytes: s0 = filters on (bit 0 user, 1 target, 2 action, 3 kind, 4 event, 5 session,
//! 6 text, 7 since), s1 = bit 0 until, bits 1-2 limit (0: none, else 1, 2, 5), bit 3 kind as a
//! prefix glob, bit 4 pad the file past one 256 KiB read chunk, bit 5 empty-string values
//! allowed; s2/s3 pick the filter values among those the file's records carry (or a few fixed
//! ones), and the time bounds among their `ts` values.
//! Checked:
//! - audit::search without an index returns exactly what a reference gives: the file's complete
//!   lines, last first, filtered with audit::recordMatches, limit applied (truncated iff more);
//!   the file is skipped only by its name time (until <= name time - kNameTimeSlack);
//! - with the fuzzed index the result is that same one or empty (an index can only skip a file);
//! - with a fresh writeFileIndex() index it is the same again, and the index is used;
//! - records come back newest first by seq when the file's seqs increase;
//! - GET /api/v1/audit through AdminApi (fake backend, the deferred search run synchronously)
//!   with the same filters answers 200 with valid JSON and the same records; with the raw input
//!   as the query it answers 200 (valid JSON, at most limit records) or 400, never anything else;
//! - parseRfc3339 and urlDecode on the raw input; a parsed time formats and parses back.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "warden/admin/admin_api.h"
#include "warden/audit/chain.h"
#include "warden/audit/record.h"
#include "warden/audit/search.h"
#include "warden/base/log.h"

namespace {

namespace fs = std::filesystem;
using namespace warden;
using Json = nlohmann::json;

constexpr const char* kFileName = "audit-20240501T120000Z-000001.jsonl";
constexpr std::string_view kIndexMark = "\n--idx--\n";
constexpr size_t kChunk = 256 * 1024;  // search.cc's read chunk

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "warden-fuzz-audit-search-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    path = tmpl;
    fs::create_directories(path / audit::kIndexDirName);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void clean() const {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(path, ec)) {
      if (e.path().filename() == audit::kIndexDirName) continue;
      fs::remove_all(e.path(), ec);
    }
    for (const auto& e : fs::directory_iterator(path / audit::kIndexDirName, ec))
      fs::remove_all(e.path(), ec);
  }
};

const TempDir& tempDir() {
  static const TempDir dir = [] {
    log::setLevel(log::Level::Error);  // the route logs every search at info
    return TempDir();
  }();
  return dir;
}

void writeFile(const fs::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  check(static_cast<bool>(out));
}

struct Backend : admin::AdminBackend {
  std::string dir;
  std::vector<config::AdminToken> tokens() const override { return {{"tok", "fuzzer", {}}}; }
  admin::AdminStatus status() const override { return {}; }
  admin::ReloadOutcome reload(const std::string&) override { return {}; }
  std::string auditDir() const override { return dir; }
};

admin::HttpResponse get(admin::AdminApi& api, std::string query) {
  admin::HttpRequest r;
  r.method = "GET";
  r.path = "/api/v1/audit";
  r.target = r.path + "?" + query;
  r.query = std::move(query);
  r.headers.emplace_back("authorization", "Bearer tok");
  admin::HttpResponse resp = api.handle(r);
  if (resp.deferred) {
    auto job = std::move(resp.deferred);
    resp = job();
    check(!resp.deferred);
  }
  return resp;
}

// Nesting within `max` outside strings (as search.cc's depthOk), before handing a line to
// nlohmann in the harness itself.
bool shallow(std::string_view s, int max = 32) {
  int depth = 0;
  bool in_string = false, escape = false;
  for (char c : s) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if ((c == '{' || c == '[') && ++depth > max) return false;
    else if (c == '}' || c == ']') --depth;
  }
  return true;
}

const std::string* stringAt(const Json& j, const char* outer, const char* key) {
  const Json* o = &j;
  if (outer) {
    auto it = j.find(outer);
    if (it == j.end() || !it->is_object()) return nullptr;
    o = &*it;
  }
  auto it = o->find(key);
  return it != o->end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int64_t micros(audit::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

audit::TimePoint fromMicros(int64_t us) {
  return audit::TimePoint(
      std::chrono::duration_cast<audit::TimePoint::duration>(std::chrono::microseconds(us)));
}

void fuzzParsers(std::string_view raw) {
  std::string decoded;
  (void)admin::urlDecode(raw, decoded);
  for (std::string_view s : {raw, std::string_view(decoded)}) {
    auto t = audit::parseRfc3339(s.substr(0, 64));
    if (!t) {
      check(!t.error().message.empty());
      continue;
    }
    // 1970-01-01 .. 9999-12-31: formatTimestamp writes it back in the canonical form.
    int64_t us = micros(*t);
    if (us >= 0 && us <= 253402300799999999) {
      auto again = audit::parseRfc3339(audit::formatTimestamp(*t));
      check(again && *again == *t);
    }
  }
}

// The reference answer: complete lines, last first, recordMatches, limit.
struct Expected {
  std::vector<std::string_view> records;
  bool truncated = false;
};

Expected reference(std::string_view file, const audit::SearchQuery& q) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (true) {
    size_t nl = file.find('\n', pos);
    if (nl == std::string_view::npos) break;  // the partial last line is ignored
    auto line = file.substr(pos, nl - pos);
    if (!line.empty() && line.size() <= audit::kMaxLineBytes) lines.push_back(line);
    pos = nl + 1;
  }
  Expected e;
  auto lo = audit::fileNameTime(kFileName);
  check(lo.has_value());
  int64_t name_lo =
      micros(*lo) - std::chrono::duration_cast<std::chrono::microseconds>(audit::kNameTimeSlack).count();
  if (q.until && micros(*q.until) <= name_lo) return e;  // skipped by its name
  for (size_t k = lines.size(); k-- > 0;) {
    if (!audit::recordMatches(lines[k], q)) continue;
    if (q.limit != 0 && e.records.size() == q.limit) {
      e.truncated = true;
      break;
    }
    e.records.push_back(lines[k]);
  }
  return e;
}

bool same(const audit::SearchResult& r, const Expected& e) {
  if (r.records.size() != e.records.size() || r.truncated != e.truncated) return false;
  for (size_t i = 0; i < e.records.size(); ++i)
    if (r.records[i] != e.records[i]) return false;
  return true;
}

void checkResult(const audit::SearchResult& r, const audit::SearchQuery& q) {
  check(q.limit == 0 || r.records.size() <= q.limit);
  check(r.stats.matched == r.records.size());
  check(!r.stats.timed_out);
  check(r.stats.files == 1);
  check(r.stats.partial <= 1);
  check(r.stats.parsed <= r.stats.lines);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const TempDir& dir = tempDir();
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  fuzzParsers(raw);
  if (size < 4) return 0;
  const uint8_t s0 = data[0], s1 = data[1], s2 = data[2], s3 = data[3];
  std::string_view body = raw.substr(4);
  std::optional<std::string_view> index;
  if (auto at = body.find(kIndexMark); at != std::string_view::npos) {
    index = body.substr(at + kIndexMark.size());
    body = body.substr(0, at + 1);  // the file keeps the mark's leading "\n"
  }
  std::string file(body);
  if (s1 & 0x10) {  // lines across read chunks, at an offset the input decides
    std::string unit = file.empty() ? std::string("\n") : file;
    size_t want = kChunk + 1 + (static_cast<size_t>(s2) * 977) % kChunk;
    file.clear();
    while (file.size() < want) file += unit;
  }

  // Candidate filter values: what the records carry.
  struct Field {
    const char* outer;
    const char* key;
    std::vector<std::string> values;
  };
  Field fields[] = {{"identity", "user", {}}, {nullptr, "target", {}}, {"decision", "action", {}},
                    {"statement", "kind", {}}, {nullptr, "event", {}}, {nullptr, "session", {}},
                    {"statement", "text", {}}};
  std::vector<int64_t> times;
  std::vector<uint64_t> seqs;
  bool seqs_increase = true;
  {
    size_t pos = 0;
    std::string_view f(file);
    for (int n = 0; n < 64; ++n) {
      size_t nl = f.find('\n', pos);
      if (nl == std::string_view::npos) break;
      auto line = f.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.empty() || !shallow(line)) continue;
      Json j = Json::parse(line, nullptr, false);
      if (!j.is_object()) continue;
      for (auto& fld : fields)
        if (const std::string* v = stringAt(j, fld.outer, fld.key)) fld.values.push_back(*v);
      if (const std::string* ts = stringAt(j, nullptr, "ts"))
        if (auto t = audit::parseRfc3339(*ts)) times.push_back(micros(*t));
      auto seq = j.find("seq");
      if (seq != j.end() && seq->is_number_unsigned()) {
        uint64_t v = seq->get<uint64_t>();
        if (!seqs.empty() && v <= seqs.back()) seqs_increase = false;
        seqs.push_back(v);
      } else {
        seqs_increase = false;
      }
    }
    if (pos < f.size() && f.find('\n', pos) != std::string_view::npos) seqs_increase = false;
  }
  static const char* kFixed[] = {"alice", "pg", "deny", "drop_table", "statement", "1", "SELECT"};
  audit::SearchQuery q;
  std::optional<std::string>* slots[] = {&q.user, &q.target, &q.action, &q.kind,
                                         &q.event, &q.session, &q.text};
  unsigned pick = s2 | (s3 << 8);
  bool any_empty = false;
  for (int i = 0; i < 7; ++i) {
    if (!(s0 & (1 << i))) continue;
    const auto& vals = fields[i].values;
    std::string v = vals.empty() ? kFixed[i] : vals[(pick >> i) % vals.size()];
    if (i == 3 && (s1 & 0x08)) v = v.substr(0, v.size() / 2) + "*";
    if (i == 6) {  // a piece of the text, case flipped
      size_t from = v.empty() ? 0 : (pick % v.size());
      v = v.substr(from, 1 + (s3 % 8));
      for (char& c : v)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (v.empty() && !(s1 & 0x20)) continue;
    any_empty = any_empty || v.empty();
    *slots[i] = std::move(v);
  }
  auto timeAt = [&](unsigned k) -> int64_t {
    int64_t base = times.empty() ? 1714564800000000 /* 2024-05-01T12:00:00Z */ : times[k % times.size()];
    return base + (static_cast<int64_t>(k % 5) - 2);  // around it, by a microsecond or two
  };
  if (s0 & 0x80) q.since = fromMicros(timeAt(s2));
  if (s1 & 0x01) q.until = fromMicros(timeAt(s3 + 1u));
  static const size_t kLimits[] = {0, 1, 2, 5};
  q.limit = kLimits[(s1 >> 1) & 3];

  dir.clean();
  writeFile(dir.path / kFileName, file);
  const Expected want = reference(file, q);

  auto plain = audit::search(dir.path, q);
  check(plain.ok());
  checkResult(*plain, q);
  check(plain->stats.indexes_used == 0);
  check(same(*plain, want));
  if (seqs_increase) {
    std::optional<uint64_t> last;
    for (const auto& rec : plain->records) {
      Json j = Json::parse(rec, nullptr, false);
      auto seq = j.find("seq");
      check(seq != j.end() && seq->is_number_unsigned());
      check(!last || seq->get<uint64_t>() < *last);
      last = seq->get<uint64_t>();
    }
  }

  const fs::path idx_path = dir.path / audit::kIndexDirName / (std::string(kFileName) + ".idx");
  if (index) {
    writeFile(idx_path, *index);
    auto with = audit::search(dir.path, q);
    check(with.ok());
    checkResult(*with, q);
    check(same(*with, want) || with->records.empty());
  }

  check(audit::writeFileIndex(dir.path, kFileName).ok());
  auto fresh = audit::search(dir.path, q);
  check(fresh.ok());
  checkResult(*fresh, q);
  check(same(*fresh, want));
  bool skipped_by_name = fresh->stats.files_skipped_time == 1 && fresh->stats.indexes_used == 0 &&
                         fresh->stats.files_scanned == 0;
  check(fresh->stats.indexes_used == 1 || skipped_by_name);

  // The API route with the same filters.
  Backend backend;
  backend.dir = dir.path.string();
  admin::AdminApi api(backend);
  auto formattable = [](const std::optional<audit::TimePoint>& t) {
    // formatTimestamp() writes years 0000..9999 the way parseRfc3339 reads them.
    return !t || (micros(*t) >= -62167219200000000 && micros(*t) <= 253402300799999999);
  };
  if (!any_empty && formattable(q.since) && formattable(q.until)) {
    std::string query;
    const char* names[] = {"user", "target", "action", "kind", "event", "session", "text"};
    for (int i = 0; i < 7; ++i)
      if (*slots[i]) query += std::string(names[i]) + "=" + percentEncode(**slots[i]) + "&";
    if (q.since) query += "since=" + percentEncode(audit::formatTimestamp(*q.since)) + "&";
    if (q.until) query += "until=" + percentEncode(audit::formatTimestamp(*q.until)) + "&";
    query += "limit=" + std::to_string(q.limit == 0 ? admin::kAuditMaxLimit : q.limit);
    auto resp = get(api, query);
    check(resp.status == 200);
    Json j = Json::parse(resp.body, nullptr, false);
    check(j.is_object() && j["records"].is_array() && j["truncated"].is_boolean());
    if (q.limit != 0 || want.records.size() <= admin::kAuditMaxLimit) {
      check(j["records"].size() == want.records.size());
      check(j["truncated"].get<bool>() == want.truncated);
      for (size_t i = 0; i < want.records.size(); ++i)
        check(j["records"][i] == Json::parse(want.records[i]));
    }
  }
  // The raw input as the query string: 200 (valid JSON) or 400.
  {
    auto resp = get(api, std::string(raw.substr(0, 512)));
    check(resp.status == 200 || resp.status == 400);
    Json j = Json::parse(resp.body, nullptr, false);
    check(j.is_object());
    if (resp.status == 200) check(j["records"].is_array() && j["records"].size() <= admin::kAuditMaxLimit);
  }
  dir.clean();
  return 0;
}
