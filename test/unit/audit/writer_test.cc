// test/unit/audit/writer_test.cc
//! The audit writer thread: group commit, chain continued across restarts, rotation,
//! checkpoints + head, fail closed with a required sink and retry without loss.
#include <atomic>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "audit_log_helper.h"
#include "warden/audit/writer.h"

using namespace warden::audit;
using warden::audit::testing::TempDir;
namespace fs = std::filesystem;

namespace {

AuditRecord statement(int i) {
  AuditRecord r;
  r.event = "statement";
  r.session = std::to_string(i % 7);
  StatementInfo s;
  s.text = "SELECT ? FROM t" + std::to_string(i);
  s.kind = "select";
  s.fingerprint = "abc";
  r.statement = s;
  return r;
}

WriterOptions options(const fs::path& dir) {
  WriterOptions o;
  o.dir = dir / "log";
  o.signing_key_file = dir / "state" / "audit-signing.key";
  o.instance = "test";
  o.retry_interval = std::chrono::milliseconds(20);
  return o;
}

std::vector<std::string> files(const fs::path& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(dir))
    if (isAuditFileName(e.path().filename().string())) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

size_t countLines(const fs::path& dir, std::string_view needle) {
  size_t n = 0;
  for (auto& f : files(dir)) {
    std::istringstream in(slurp(dir / f));
    for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  }
  return n;
}

//! A required sink that fails while `down` is set and remembers what it received.
struct FlakySink : AuditSink {
  std::shared_ptr<std::atomic<bool>> down = std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<std::atomic<int>> lines = std::make_shared<std::atomic<int>>(0);
  bool write(std::span<const std::string_view> l, std::string& error) noexcept override {
    if (*down) {
      error = "sink down";
      return false;
    }
    *lines += int(l.size());
    return true;
  }
};

}  // namespace

TEST_CASE("audit writer: records become durable, chained and verifiable", "[audit][writer]") {
  TempDir tmp;
  auto o = options(tmp.path);
  o.checkpoint_records = 50;
  auto w = Writer::open(std::move(o));
  REQUIRE(w);
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) last = (*w)->submit(statement(i));
  REQUIRE((*w)->flush(std::chrono::seconds(10)));
  CHECK((*w)->durableTicket() >= last);
  CHECK((*w)->healthy());
  (*w)->stop();
  auto report = verifyDir(tmp.path / "log", {}, /*strict=*/true);
  INFO(report.message());
  CHECK(report.ok);
  CHECK(report.records >= 1000 + 1000 / 50);
  CHECK(fs::exists(tmp.path / "log" / kHeadFileName));
  CHECK(fs::exists(tmp.path / "log" / kPublicKeyFileName));
  auto perms = fs::status(tmp.path / "state" / "audit-signing.key").permissions();
  CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

TEST_CASE("audit writer: a restart continues the chain, cutting a partial last line", "[audit][writer]") {
  TempDir tmp;
  {
    auto w = Writer::open(options(tmp.path));
    REQUIRE(w);
    for (int i = 0; i < 10; ++i) (*w)->submit(statement(i));
    (*w)->stop();
  }
  auto log_dir = tmp.path / "log";
  auto first = files(log_dir);
  REQUIRE(first.size() == 1);
  {  // a crash in the middle of a write leaves half a record
    std::ofstream out(log_dir / first[0], std::ios::app | std::ios::binary);
    out << "{\"event\":\"statement\",\"seq\":9";
  }
  {
    auto w = Writer::open(options(tmp.path));
    REQUIRE(w);
    for (int i = 0; i < 10; ++i) (*w)->submit(statement(i));
    (*w)->stop();
  }
  CHECK(files(log_dir).size() == 2);
  auto report = verifyDir(log_dir, {}, true);
  INFO(report.message());
  CHECK(report.ok);
  CHECK(countLines(log_dir, "\"event\":\"statement\"") == 20);
}

TEST_CASE("audit writer: rotation by size keeps one chain across files", "[audit][writer]") {
  TempDir tmp;
  auto o = options(tmp.path);
  o.rotate_bytes = 4096;
  std::vector<std::string> closed;
  std::mutex mu;
  o.on_file_closed = [&](const fs::path&, const std::string& f) {
    std::lock_guard<std::mutex> lk(mu);
    closed.push_back(f);
  };
  auto w = Writer::open(std::move(o));
  REQUIRE(w);
  for (int i = 0; i < 400; ++i) {
    (*w)->submit(statement(i));
    if (i % 20 == 0) REQUIRE((*w)->flush(std::chrono::seconds(5)));
  }
  (*w)->stop();
  auto log_dir = tmp.path / "log";
  CHECK(files(log_dir).size() > 3);
  CHECK(closed.size() + 0 >= files(log_dir).size() - 1);
  auto report = verifyDir(log_dir, {}, true);
  INFO(report.message());
  CHECK(report.ok);
  CHECK(countLines(log_dir, "\"event\":\"statement\"") == 400);
}

TEST_CASE("audit writer: a failing required sink stops acknowledgements, nothing is lost", "[audit][writer]") {
  TempDir tmp;
  auto o = options(tmp.path);
  auto sink = std::make_unique<FlakySink>();
  auto down = sink->down;
  auto received = sink->lines;
  o.sinks.push_back({"flaky", true, std::move(sink)});
  std::atomic<int> wakeups{0};
  auto w = Writer::open(std::move(o));
  REQUIRE(w);
  (*w)->addListener([&] { ++wakeups; });
  uint64_t t1 = (*w)->submit(statement(1));
  REQUIRE((*w)->flush(std::chrono::seconds(5)));
  CHECK((*w)->durableTicket() >= t1);

  *down = true;
  uint64_t t2 = (*w)->submit(statement(2));
  CHECK_FALSE((*w)->flush(std::chrono::milliseconds(300)));
  CHECK_FALSE((*w)->healthy());
  CHECK((*w)->durableTicket() < t2);
  CHECK((*w)->lastError().find("sink down") != std::string::npos);
  uint64_t t3 = (*w)->submit(statement(3));  // queued while failing

  *down = false;
  REQUIRE((*w)->flush(std::chrono::seconds(5)));
  CHECK((*w)->healthy());
  CHECK((*w)->durableTicket() >= t3);
  CHECK(wakeups > 0);
  (*w)->stop();
  auto log_dir = tmp.path / "log";
  auto report = verifyDir(log_dir, {}, true);
  INFO(report.message());
  CHECK(report.ok);
  // Every record exactly once in the file, and the sink got each at least once.
  CHECK(countLines(log_dir, "\"event\":\"statement\"") == 3);
  CHECK(*received >= 3);
}

TEST_CASE("audit writer: invalid UTF-8 is replaced, never dropped", "[audit][writer]") {
  TempDir tmp;
  auto w = Writer::open(options(tmp.path));
  REQUIRE(w);
  AuditRecord r = statement(1);
  r.statement->text = "SELECT '\xff\xfe'";
  (*w)->submit(r);
  (*w)->stop();
  CHECK(countLines(tmp.path / "log", "\xEF\xBF\xBD") == 1);
  CHECK(verifyDir(tmp.path / "log", {}, true).ok);
}
