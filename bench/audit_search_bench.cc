// bench/audit_search_bench.cc
//! Audit search bench (warden/audit/search.h): writes a synthetic chained log of RECORDS
//! records (audit::Chain, real hashes) across FILES rotated files into DIR, then times
//!   user          a selective identity.user filter (one user in one old file), no index
//!   index_build   writeFileIndex() for every file but the newest (the writer's job on rotation)
//!   user_indexed  the same user search with the indexes (closed files skipped)
//!   text          a case-insensitive statement.text substring found in a handful of records
//!   newest100     no filter, limit 100 (what the admin page shows first)
//! Each search runs ROUNDS times (warm page cache); the median is reported. Last line:
//!   RESULT audit_search_ms_user=A audit_search_ms_user_indexed=B audit_search_ms_text=C
//!          audit_search_ms_newest100=D audit_search_ms_index_build=E audit_search_records=N
//!
//! usage: audit_search_bench --dir=DIR [--records=N] [--files=N] [--rounds=N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "warden/audit/chain.h"
#include "warden/audit/search.h"

using namespace warden;
using Clock = std::chrono::steady_clock;

namespace {

const char* kTemplates[] = {
    "SELECT id, email FROM users WHERE id = ?",
    "SELECT * FROM orders WHERE customer_id = ? AND created_at > ? ORDER BY created_at DESC LIMIT ?",
    "UPDATE accounts SET balance = balance - ? WHERE id = ?",
    "INSERT INTO events (kind, payload, created_at) VALUES (?, ?, now())",
    "DELETE FROM sessions WHERE expires_at < ?",
    "SELECT count(*) FROM invoices i JOIN customers c ON c.id = i.customer_id WHERE c.region = ?",
    "BEGIN",
    "COMMIT",
    "SELECT p.name, sum(l.qty) FROM products p JOIN lines l ON l.product_id = p.id GROUP BY p.name",
};
const char* kKinds[] = {"select", "select", "update", "insert", "delete", "select", "begin", "commit", "select"};

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Timed {
  double ms;
  size_t found;
  audit::SearchStats stats;
};

Timed timeSearch(const std::filesystem::path& dir, const audit::SearchQuery& q, int rounds) {
  std::vector<double> t;
  Timed out{};
  for (int r = 0; r < rounds; ++r) {
    auto start = Clock::now();
    auto res = audit::search(dir, q);
    t.push_back(ms(Clock::now() - start));
    if (!res) {
      fprintf(stderr, "search failed: %s\n", res.error().message.c_str());
      exit(1);
    }
    out.found = res->records.size();
    out.stats = res->stats;
  }
  out.ms = median(t);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir_arg;
  long records = 1000000, files = 20, rounds = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&](const char* name) -> const char* {
      size_t n = strlen(name);
      return a.compare(0, n, name) == 0 ? argv[i] + n : nullptr;
    };
    if (const char* v = val("--dir=")) dir_arg = v;
    else if (const char* v = val("--records=")) records = atol(v);
    else if (const char* v = val("--files=")) files = atol(v);
    else if (const char* v = val("--rounds=")) rounds = atol(v);
    else {
      fprintf(stderr, "usage: audit_search_bench --dir=DIR [--records=N] [--files=N] [--rounds=N]\n");
      return 1;
    }
  }
  if (dir_arg.empty() || records < files || files < 2 || rounds < 1) {
    fprintf(stderr, "audit_search_bench: --dir is required; records >= files >= 2\n");
    return 1;
  }
  std::filesystem::path dir(dir_arg);
  std::filesystem::create_directories(dir);

  // --- generate
  auto gen_start = Clock::now();
  std::mt19937_64 rng(42);
  audit::Chain chain;
  const long per_file = records / files;
  const long needle_file = files / 4;  // an old, closed file
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1714521600));  // 2024-05-01
  std::string buf;
  uint64_t bytes = 0;
  size_t needle_user_count = 0, needle_text_count = 0;
  for (long f = 0; f < files; ++f) {
    long first = f * per_file, last = f + 1 == files ? records : first + per_file;
    auto file_time = t0 + std::chrono::milliseconds(100 * first);
    auto name = audit::auditFileName(file_time, static_cast<unsigned>(f + 1));
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    buf.clear();
    for (long i = first; i < last; ++i) {
      audit::AuditRecord r;
      r.ts = audit::formatTimestamp(t0 + std::chrono::milliseconds(100 * i));
      r.instance = "bench-1";
      r.event = "statement";
      r.session = "s-" + std::to_string(i / 40);
      std::string user = "user" + std::to_string(rng() % 200);
      if (f == needle_file && (i - first) % (per_file / 50 + 1) == 7) {
        user = "needle-user";
        ++needle_user_count;
      }
      r.identity = audit::IdentityInfo{user, {"dev"}, "human", "scram"};
      r.client = "10.1.2." + std::to_string(rng() % 250) + ":5" + std::to_string(rng() % 1000);
      r.target = rng() % 4 == 0 ? "analytics-pg" : "prod-pg";
      r.environment = "prod";
      r.dialect = "postgres";
      size_t t = rng() % (sizeof kTemplates / sizeof *kTemplates);
      r.statement = audit::StatementInfo{};
      r.statement->text = kTemplates[t];
      if (i % (records / 20 + 1) == 13) {
        r.statement->text += " /* Needle_Text_42 */";
        ++needle_text_count;
      }
      r.statement->fingerprint = "f" + std::to_string(t * 7919);
      r.statement->kind = kKinds[t];
      r.statement->tables = {"public.users"};
      r.decision = audit::DecisionInfo{rng() % 50 == 0 ? "deny" : "allow", "default", ""};
      r.result = audit::ResultInfo{rng() % 100, 100 + rng() % 5000, std::nullopt};
      if (!chain.seal(r, buf)) {
        fprintf(stderr, "seal failed\n");
        return 1;
      }
      if (buf.size() > (1 << 20)) {
        out << buf;
        bytes += buf.size();
        buf.clear();
      }
    }
    out << buf;
    bytes += buf.size();
    buf.clear();
  }
  printf("generated %ld records in %ld files (%.1f MB) in %.0f ms\n", records, files,
         bytes / 1e6, ms(Clock::now() - gen_start));

  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (audit::isAuditFileName(e.path().filename().string())) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  std::filesystem::remove_all(dir / audit::kIndexDirName);

  audit::SearchQuery user_q;
  user_q.user = "needle-user";
  audit::SearchQuery text_q;
  text_q.text = "needle_text_42";
  audit::SearchQuery newest_q;
  newest_q.limit = 100;

  auto user = timeSearch(dir, user_q, static_cast<int>(rounds));
  printf("user (no index):  %8.1f ms  %zu found (expected %zu), %llu files scanned, %llu lines\n",
         user.ms, user.found, needle_user_count, (unsigned long long)user.stats.files_scanned,
         (unsigned long long)user.stats.lines);

  auto idx_start = Clock::now();
  for (size_t k = 0; k + 1 < names.size(); ++k) {
    if (auto ok = audit::writeFileIndex(dir, names[k]); !ok) {
      fprintf(stderr, "index: %s\n", ok.error().message.c_str());
      return 1;
    }
  }
  double index_ms = ms(Clock::now() - idx_start);
  printf("index build:      %8.1f ms  (%zu files, %.1f ms per file)\n", index_ms,
         names.size() - 1, index_ms / double(names.size() - 1));

  auto user_idx = timeSearch(dir, user_q, static_cast<int>(rounds));
  printf("user (indexed):   %8.1f ms  %zu found, %llu files scanned, %llu skipped by index\n",
         user_idx.ms, user_idx.found, (unsigned long long)user_idx.stats.files_scanned,
         (unsigned long long)user_idx.stats.files_skipped_index);
  auto text = timeSearch(dir, text_q, static_cast<int>(rounds));
  printf("text:             %8.1f ms  %zu found (expected %zu), %llu lines parsed\n", text.ms,
         text.found, needle_text_count, (unsigned long long)text.stats.parsed);
  auto newest = timeSearch(dir, newest_q, static_cast<int>(rounds));
  printf("newest 100:       %8.1f ms  %zu found\n", newest.ms, newest.found);

  bool ok = user.found == needle_user_count && user_idx.found == needle_user_count &&
            text.found == needle_text_count && newest.found == 100 &&
            user_idx.stats.files_skipped_index + 2 >= names.size();
  if (!ok) fprintf(stderr, "audit_search_bench: unexpected result counts\n");
  printf("RESULT audit_search_ms_user=%.1f audit_search_ms_user_indexed=%.1f "
         "audit_search_ms_text=%.1f audit_search_ms_newest100=%.2f audit_search_ms_index_build=%.0f "
         "audit_search_records=%ld\n",
         user.ms, user_idx.ms, text.ms, newest.ms, index_ms, records);
  return ok ? 0 : 1;
}
