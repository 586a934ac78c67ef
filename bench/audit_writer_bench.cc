// bench/audit_writer_bench.cc
//! Audit writer bench: what group commit (audit::Writer, fsync: batch) sustains when sessions
//! hold every statement until its audit record is durable (write-ahead), and whether a SIGKILL
//! ever loses a record that was acknowledged.
//!
//! throughput   A Writer on DIR/log (real files, fdatasync per batch, checkpoint every 1000
//!              records; signing key in DIR/state). First a probe times fdatasync of a 32 KiB
//!              append in that dir (the floor of one group commit). Then two variants, each a
//!              warm-up followed by SECONDS measured:
//!                wait       PRODUCERS threads ("sessions") each submit a realistic statement
//!                           record and block until its ticket is durable (a Writer listener
//!                           wakes a condition variable: no polling), then submit the next.
//!                           records/s, batches, mean batch, fdatasync/s, p50/p99 ack latency.
//!                pipelined  the same producers keep up to WINDOW records each in flight
//!                           (raw capacity of the writer thread: sealing + writing).
//!              The writer is stopped cleanly after each variant (the second start continues the
//!              chain), then audit::verifyDir(strict) must pass and hold exactly the records the
//!              writers reported: exit 1 otherwise.
//!   RESULT audit_records_per_s=X audit_records_per_s_pipelined=Y audit_ack_p50_us=..
//!          audit_ack_p99_us=.. audit_batch_mean=.. audit_fsyncs_per_s=..
//!
//! kill9        ROUNDS times on the same DIR: fork a child that runs a Writer with PRODUCERS
//!              producers; each submits a statement whose text carries a unique marker
//!              (`/* marker=r<round>.p<producer>.n<n> */`), waits until its ticket is durable and
//!              only then writes the marker to a pipe (one write(2) < PIPE_BUF, before its next
//!              submit). After a random delay (MIN_MS..MAX_MS, mt19937 seeded with SEED, printed)
//!              the parent SIGKILLs the child, drains the pipe (complete lines only) and reads
//!              every audit-*.jsonl: an acknowledged marker missing from disk is `lost`. Markers
//!              of earlier rounds are checked again after every round (a restart's recovery must
//!              not cut acknowledged records either). Each round the dir is verified with
//!              audit::verifyDir (non-strict: the unsigned tail a crash leaves is fine; a partial
//!              last line left by a kill mid-write is reported, cut at the next start, and the
//!              rest of the log must verify). After the last round a clean start + one record +
//!              stop must leave a log that verifies strictly (a start + stop with no record is
//!              reported too: it leaves the crash's unsigned tail unsigned).
//!   RESULT audit_lost_after_kill9=N audit_kill9_acked=A audit_kill9_rounds=R audit_kill9_verify=ok|FAILED
//!
//! Exit status: 0 ok, 1 a check failed (lost records, verification), 2 usage / setup error.
//! Note: SIGKILL kills the process, not the kernel: the page cache survives, so kill9 checks the
//! protocol (acknowledge only after the write; recovery keeps every acknowledged record), not
//! fdatasync against power loss.
//!
//! usage: audit_writer_bench throughput [--dir=D] [--producers=64] [--seconds=3]
//!                                      [--warmup-ms=500] [--window=1024] [--keep]
//!                                      [--variant=both|wait|pipelined]
//!        audit_writer_bench kill9 --dir=D [--rounds=5] [--producers=64] [--seed=42]
//!                                         [--min-ms=300] [--max-ms=1500]
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "warden/audit/chain.h"
#include "warden/audit/record.h"
#include "warden/audit/writer.h"

namespace {

namespace fs = std::filesystem;
using namespace warden::audit;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string mode;
  fs::path dir;
  int producers = 64;
  double seconds = 3;
  int warmup_ms = 500;
  size_t window = 1024;
  std::string variant = "both";  // both | wait | pipelined
  bool keep = false;
  int rounds = 5;
  uint64_t seed = 42;
  int min_ms = 300, max_ms = 1500;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "audit_writer_bench: %s\n"
               "usage: audit_writer_bench throughput [--dir=D] [--producers=64] [--seconds=3]\n"
               "                                     [--warmup-ms=500] [--window=1024] [--keep]\n"
               "                                     [--variant=both|wait|pipelined]\n"
               "       audit_writer_bench kill9 --dir=D [--rounds=5] [--producers=64] [--seed=42]\n"
               "                                        [--min-ms=300] [--max-ms=1500]\n",
               msg);
  std::exit(2);
}

Args parseArgs(int argc, char** argv) {
  Args a;
  if (argc < 2) usage("missing mode");
  a.mode = argv[1];
  if (a.mode != "throughput" && a.mode != "kill9") usage("mode must be throughput or kill9");
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    auto val = [&](const char* key) -> const char* {
      size_t n = std::strlen(key);
      return s.compare(0, n, key) == 0 ? s.c_str() + n : nullptr;
    };
    if (auto v = val("--dir=")) a.dir = v;
    else if (auto v = val("--producers=")) a.producers = std::atoi(v);
    else if (auto v = val("--seconds=")) a.seconds = std::atof(v);
    else if (auto v = val("--warmup-ms=")) a.warmup_ms = std::atoi(v);
    else if (auto v = val("--window=")) a.window = size_t(std::atol(v));
    else if (auto v = val("--variant=")) a.variant = v;
    else if (auto v = val("--rounds=")) a.rounds = std::atoi(v);
    else if (auto v = val("--seed=")) a.seed = std::strtoull(v, nullptr, 10);
    else if (auto v = val("--min-ms=")) a.min_ms = std::atoi(v);
    else if (auto v = val("--max-ms=")) a.max_ms = std::atoi(v);
    else if (s == "--keep") a.keep = true;
    else usage(("unknown argument " + s).c_str());
  }
  if (a.producers < 1 || a.seconds <= 0 || a.window < 1 || a.rounds < 1 || a.min_ms < 0 ||
      a.max_ms < a.min_ms || a.warmup_ms < 0 ||
      (a.variant != "both" && a.variant != "wait" && a.variant != "pipelined"))
    usage("bad value");
  if (a.mode == "kill9" && a.dir.empty()) usage("kill9 needs --dir");
  return a;
}

WriterOptions writerOptions(const fs::path& root) {
  WriterOptions o;
  o.dir = root / "log";
  o.signing_key_file = root / "state" / "audit-signing.key";
  o.instance = "bench-gw-1";
  o.checkpoint_records = 1000;
  o.fsync = true;
  o.log = [](int level, const std::string& msg) {
    if (level >= 1) std::fprintf(stderr, "writer[%d]: %s\n", level, msg.c_str());
  };
  return o;
}

//! A statement record as a session submits it before forwarding the statement: who, from where,
//! to which target, the redacted text (~80 bytes) with fingerprint/kind/tables, the decision.
AuditRecord statementRecord(int producer, uint64_t n, const std::string* marker = nullptr) {
  AuditRecord r;
  r.event = "statement";
  r.session = "s-" + std::to_string(1000 + producer);
  IdentityInfo id;
  id.user = "alice" + std::to_string(producer % 16) + "@corp.example";
  id.groups = {"analysts", "eu-support"};
  id.kind = "human";
  id.method = "scram";
  r.identity = std::move(id);
  r.client = "10.1.2." + std::to_string(10 + producer % 200) + ":" + std::to_string(40000 + producer);
  r.target = "prod-pg";
  r.environment = "prod";
  r.dialect = "postgres";
  StatementInfo st;
  if (marker) {
    // The marker rides in a trailing comment, as a tracing tag (sqlcommenter style) would.
    st.text = "INSERT INTO audit_probe (session_id, seq, payload) VALUES (?, ?, ?) /* marker=" +
              *marker + " */";
    st.fingerprint = "5b0c3e7f91d2a846";
    st.kind = "insert";
    st.tables = {"audit_probe"};
  } else {
    st.text = "SELECT o.id, o.total, c.email FROM orders o JOIN customers c ON c.id = o.customer_id "
              "WHERE o.id = ?";
    st.fingerprint = "a41f0c9e27d3b618";
    st.kind = "select";
    st.tables = {"orders", "customers"};
  }
  st.id = n;
  r.statement = std::move(st);
  DecisionInfo d;
  d.action = "allow";
  d.rule = "analysts-read-prod";
  d.reason = "group analysts may read prod";
  r.decision = std::move(d);
  return r;
}

//! Wakes producers when the durable ticket advances: the Writer listener takes the mutex (so a
//! producer between its check and its wait cannot miss it) and notifies. No polling.
class DurableWaiter {
 public:
  explicit DurableWaiter(Writer& w) : w_(w) {
    w_.addListener([this] {
      { std::lock_guard<std::mutex> lk(mu_); }
      cv_.notify_all();
    });
  }
  //! False when `abort` was set first (writer unhealthy for good, shutdown).
  bool waitFor(uint64_t ticket, const std::atomic<bool>& abort) {
    if (w_.durableTicket() >= ticket) return true;
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait(lk, [&] { return w_.durableTicket() >= ticket || abort.load(); });
    return w_.durableTicket() >= ticket;
  }
  void wakeAll() {
    { std::lock_guard<std::mutex> lk(mu_); }
    cv_.notify_all();
  }

 private:
  Writer& w_;
  std::mutex mu_;
  std::condition_variable cv_;
};

double percentile(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

// ---- throughput

//! Times fdatasync after a 32 KiB append (about one batch of 64 records) in `dir`.
void probeFsync(const fs::path& dir, double& p50, double& p99) {
  auto path = dir / "fsync-probe.tmp";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    p50 = p99 = 0;
    return;
  }
  std::string block(32 * 1024, 'x');
  std::vector<uint32_t> us;
  off_t off = 0;
  for (int i = 0; i < 200; ++i) {
    if (::pwrite(fd, block.data(), block.size(), off) != ssize_t(block.size())) break;
    off += off_t(block.size());
    auto t0 = Clock::now();
    if (::fdatasync(fd) != 0) break;
    us.push_back(uint32_t(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()));
  }
  ::close(fd);
  ::unlink(path.c_str());
  p50 = percentile(us, 0.5);
  p99 = percentile(us, 0.99);
}

struct alignas(64) ProducerState {
  std::atomic<uint64_t> acked{0};
  std::vector<uint32_t> lat_us;
};

struct VariantResult {
  double rate = 0, batches = 0, batch_mean = 0, fsyncs_per_s = 0, head_writes_per_s = 0;
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
  uint64_t written = 0;  // every line the writer committed (records + checkpoints)
  bool ok = true;
};

VariantResult runVariant(const Args& a, const fs::path& root, bool pipelined) {
  VariantResult res;
  auto w = Writer::open(writerOptions(root));
  if (!w) {
    std::fprintf(stderr, "audit_writer_bench: Writer::open: %s\n", w.error().message.c_str());
    std::exit(2);
  }
  Writer& writer = *w.value();
  DurableWaiter waiter(writer);
  std::atomic<bool> stop{false}, measuring{false};
  std::vector<ProducerState> st(size_t(a.producers));
  std::vector<std::thread> threads;
  for (int p = 0; p < a.producers; ++p) {
    threads.emplace_back([&, p] {
      ProducerState& me = st[size_t(p)];
      me.lat_us.reserve(1 << 16);
      uint64_t n = 0;
      if (!pipelined) {
        while (!stop.load(std::memory_order_relaxed)) {
          auto rec = statementRecord(p, ++n);
          auto t0 = Clock::now();
          uint64_t t = writer.submit(std::move(rec));
          if (!waiter.waitFor(t, stop)) break;
          if (measuring.load(std::memory_order_relaxed))
            me.lat_us.push_back(uint32_t(
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()));
          me.acked.fetch_add(1, std::memory_order_relaxed);
        }
      } else {
        std::deque<uint64_t> inflight;
        while (!stop.load(std::memory_order_relaxed)) {
          if (inflight.size() >= a.window) {
            if (!waiter.waitFor(inflight.front(), stop)) break;
            uint64_t d = writer.durableTicket();
            while (!inflight.empty() && inflight.front() <= d) inflight.pop_front();
          }
          inflight.push_back(writer.submit(statementRecord(p, ++n)));
        }
      }
    });
  }
  auto sum = [&] {
    uint64_t s = 0;
    for (auto& x : st) s += x.acked.load(std::memory_order_relaxed);
    return s;
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(a.warmup_ms));
  auto s0 = writer.stats();
  uint64_t c0 = pipelined ? writer.durableTicket() : sum();
  auto t0 = Clock::now();
  measuring = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(a.seconds));
  uint64_t c1 = pipelined ? writer.durableTicket() : sum();
  auto s1 = writer.stats();
  auto t1 = Clock::now();
  measuring = false;
  stop = true;
  waiter.wakeAll();
  for (auto& t : threads) t.join();
  if (!writer.flush(std::chrono::seconds(30))) {
    std::fprintf(stderr, "audit_writer_bench: flush timed out: %s\n", writer.lastError().c_str());
    res.ok = false;
  }
  writer.stop();
  auto sf = writer.stats();
  double dt = std::chrono::duration<double>(t1 - t0).count();
  res.rate = double(c1 - c0) / dt;
  res.batches = double(s1.batches - s0.batches);
  res.batch_mean = res.batches > 0 ? double(s1.records - s0.records) / res.batches : 0;
  res.fsyncs_per_s = res.batches / dt;
  res.head_writes_per_s = double(s1.checkpoints - s0.checkpoints) / dt;
  res.written = sf.records;
  if (sf.failures) {
    std::fprintf(stderr, "audit_writer_bench: writer reported %llu failures\n",
                 (unsigned long long)sf.failures);
    res.ok = false;
  }
  if (!pipelined) {
    std::vector<uint32_t> all;
    for (auto& x : st) all.insert(all.end(), x.lat_us.begin(), x.lat_us.end());
    res.p50 = percentile(all, 0.5);
    res.p99 = percentile(all, 0.99);
    res.p999 = percentile(all, 0.999);
    res.max = all.empty() ? 0 : *std::max_element(all.begin(), all.end());
  }
  return res;
}

int runThroughput(Args a) {
  bool own_dir = a.dir.empty();
  if (own_dir) {
    char tmpl[] = "/tmp/audit-writer-bench.XXXXXX";
    if (!::mkdtemp(tmpl)) {
      std::perror("mkdtemp");
      return 2;
    }
    a.dir = tmpl;
  }
  fs::create_directories(a.dir / "log");
  std::printf("dir %s, %d producers, %.1f s measured after %d ms warm-up, checkpoint every 1000, "
              "fsync: batch\n",
              a.dir.c_str(), a.producers, a.seconds, a.warmup_ms);
  double f50 = 0, f99 = 0;
  probeFsync(a.dir / "log", f50, f99);
  std::printf("fdatasync probe (32 KiB append): p50 %.0f us, p99 %.0f us -> a waiting producer "
              "acks at most 1/p50: ceiling ~%.0f records/s for %d producers\n",
              f50, f99, f50 > 0 ? a.producers * 1e6 / f50 : 0.0, a.producers);
  std::fflush(stdout);

  VariantResult wv, pv;
  if (a.variant != "pipelined") {
    wv = runVariant(a, a.dir, false);
    std::printf("wait       %10.0f records/s  batches %.0f  mean batch %.1f  fdatasync/s %.0f (+ head "
              "%.0f/s)  ack p50 %.0f us  p99 %.0f us  p99.9 %.0f us  max %.0f us\n",
              wv.rate, wv.batches, wv.batch_mean, wv.fsyncs_per_s, wv.head_writes_per_s, wv.p50,
                wv.p99, wv.p999, wv.max);
    std::fflush(stdout);
  }
  if (a.variant != "wait") {
    pv = runVariant(a, a.dir, true);
    std::printf("pipelined  %10.0f records/s  batches %.0f  mean batch %.1f  fdatasync/s %.0f (+ head "
              "%.0f/s)  window %zu/producer\n",
                pv.rate, pv.batches, pv.batch_mean, pv.fsyncs_per_s, pv.head_writes_per_s, a.window);
  }

  // The whole log (two starts, chain continued) must verify strictly and hold every line the
  // writers committed.
  auto rep = verifyDir(a.dir / "log", {}, /*strict=*/true);
  uint64_t expected = wv.written + pv.written;
  bool ok = wv.ok && pv.ok && rep.ok && rep.records == expected;
  std::printf("verify (strict): %s; %llu records on disk, writers committed %llu\n",
              rep.message().c_str(), (unsigned long long)rep.records,
              (unsigned long long)expected);
  if (!ok) std::printf("VERIFY FAILED: the audit log is not intact (dir %s kept)\n", a.dir.c_str());
  std::printf("RESULT audit_records_per_s=%.0f audit_records_per_s_pipelined=%.0f "
              "audit_ack_p50_us=%.0f audit_ack_p99_us=%.0f audit_batch_mean=%.1f "
              "audit_fsyncs_per_s=%.0f audit_fsync_probe_p50_us=%.0f audit_verify=%s\n",
              wv.rate, pv.rate, wv.p50, wv.p99, wv.batch_mean, wv.fsyncs_per_s, f50,
              ok ? "ok" : "FAILED");
  if (ok && own_dir && !a.keep) fs::remove_all(a.dir);
  return ok ? 0 : 1;
}

// ---- kill9

std::string markerOf(int round, int producer, uint64_t n) {
  return "r" + std::to_string(round) + ".p" + std::to_string(producer) + ".n" + std::to_string(n);
}

//! The child: a Writer + producers that report each acknowledged marker; runs until killed.
[[noreturn]] void killChild(const fs::path& root, int round, int producers, int pipe_fd) {
  auto w = Writer::open(writerOptions(root));
  if (!w) {
    std::fprintf(stderr, "kill9 child: Writer::open: %s\n", w.error().message.c_str());
    std::fflush(stderr);
    ::_exit(3);
  }
  Writer& writer = *w.value();
  DurableWaiter waiter(writer);
  std::atomic<bool> never{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (uint64_t n = 1;; ++n) {
        std::string marker = markerOf(round, p, n);
        uint64_t t = writer.submit(statementRecord(p, n, &marker));
        waiter.waitFor(t, never);
        // Acknowledged: tell the parent before the next submit. One write(2) of < PIPE_BUF
        // bytes to a pipe is atomic, so lines of different producers never interleave.
        marker += '\n';
        size_t done = 0;
        while (done < marker.size()) {
          ssize_t k = ::write(pipe_fd, marker.data() + done, marker.size() - done);
          if (k < 0 && errno == EINTR) continue;
          if (k <= 0) ::_exit(4);  // the parent is gone
          done += size_t(k);
        }
      }
    });
  }
  for (;;) ::pause();
}

//! Every marker found in the statement text of the dir's audit files.
std::unordered_set<std::string> markersOnDisk(const fs::path& dir, uint64_t& lines) {
  std::unordered_set<std::string> out;
  lines = 0;
  static const std::string kOpen = "/* marker=";
  for (auto& e : fs::directory_iterator(dir)) {
    if (!isAuditFileName(e.path().filename().string())) continue;
    std::ifstream in(e.path(), std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      ++lines;
      auto at = line.find(kOpen);
      if (at == std::string::npos) continue;
      at += kOpen.size();
      auto end = line.find(" */", at);
      if (end != std::string::npos) out.insert(line.substr(at, end - at));
    }
  }
  return out;
}

//! verifyDir on an audit dir after a kill. A partial last line in the newest file (a kill in the
//! middle of a write: never acknowledged, cut off at the next start) is tolerated when the log
//! up to it verifies; anything else failing is a broken log.
bool verifyAfterKill(const fs::path& dir, std::string& summary) {
  auto rep = verifyDir(dir, {}, /*strict=*/false);
  if (rep.ok) {
    summary = "ok (" + rep.message() + ")";
    return true;
  }
  std::vector<std::string> names;
  for (auto& e : fs::directory_iterator(dir))
    if (isAuditFileName(e.path().filename().string())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  bool partial_tail = rep.reason.find("partial last line") != std::string::npos && !names.empty() &&
                      rep.file == names.back();
  if (!partial_tail) {
    summary = "FAILED: " + rep.message();
    return false;
  }
  // Re-verify everything but the partial line (same verifier, same key and head).
  VerifyOptions opt;
  auto key = readPublicKey(dir / kPublicKeyFileName);
  if (!key) {
    summary = "FAILED: " + rep.message() + "; public key: " + key.error().message;
    return false;
  }
  opt.public_key = key.value();
  if (std::ifstream hin(dir / kHeadFileName); hin) {
    std::stringstream ss;
    ss << hin.rdbuf();
    auto head = parseHead(ss.str());
    if (head) opt.head = head.value();
  }
  ChainVerifier v(opt);
  for (auto& n : names) {
    std::ifstream in(dir / n, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string bytes = ss.str();
    if (n == names.back()) bytes.resize(bytes.rfind('\n') == std::string::npos ? 0 : bytes.rfind('\n') + 1);
    v.beginFile(n);
    feedBuffer(v, bytes);
  }
  auto rest = v.finish();
  if (!rest.ok) {
    summary = "FAILED: " + rest.message();
    return false;
  }
  summary = "partial last line (" + rep.message() + "; cut at the next start), the rest ok (" +
            rest.message() + ")";
  return true;
}

int runKill9(const Args& a) {
  fs::create_directories(a.dir);
  fs::path logdir = a.dir / "log";
  std::mt19937_64 rng(a.seed);
  std::uniform_int_distribution<int> delay_ms(a.min_ms, a.max_ms);
  std::printf("kill9: dir %s, %d rounds, %d producers, seed %llu, kill after %d..%d ms\n",
              a.dir.c_str(), a.rounds, a.producers, (unsigned long long)a.seed, a.min_ms, a.max_ms);
  std::fflush(stdout);
  std::unordered_set<std::string> acked_all, lost_all;
  bool verify_ok = true;
  for (int round = 1; round <= a.rounds; ++round) {
    int delay = delay_ms(rng);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      std::perror("pipe2");
      return 2;
    }
    std::fflush(stdout);
    std::fflush(stderr);
    pid_t pid = ::fork();
    if (pid < 0) {
      std::perror("fork");
      return 2;
    }
    if (pid == 0) {
      ::close(fds[0]);
      killChild(a.dir, round, a.producers, fds[1]);
    }
    ::close(fds[1]);
    auto deadline = Clock::now() + std::chrono::milliseconds(delay);
    std::string buf;
    uint64_t acked_round = 0;
    auto takeLines = [&] {
      size_t start = 0;
      for (size_t nl; (nl = buf.find('\n', start)) != std::string::npos; start = nl + 1) {
        acked_all.insert(buf.substr(start, nl - start));
        ++acked_round;
      }
      buf.erase(0, start);
    };
    char chunk[65536];
    bool killed = false;
    for (;;) {
      int timeout = -1;
      if (!killed) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) {
          ::kill(pid, SIGKILL);
          killed = true;
        } else {
          timeout = int(left);
        }
      }
      pollfd pfd{fds[0], POLLIN, 0};
      int r = ::poll(&pfd, 1, timeout);
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) continue;  // deadline: kill at the top
      ssize_t n = ::read(fds[0], chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // EOF: the child is gone (killed, or failed on its own)
      buf.append(chunk, size_t(n));
      takeLines();
    }
    ::close(fds[0]);
    if (!killed) ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
      std::printf("round %d: the child ended on its own (status %d) before the kill\n", round, status);
      return 2;
    }
    // A partial line in the pipe cannot happen (atomic writes); it would not count anyway.
    uint64_t lines = 0;
    auto disk = markersOnDisk(logdir, lines);
    uint64_t missing = 0;
    for (auto& m : acked_all)
      if (!disk.count(m)) {
        ++missing;
        lost_all.insert(m);
      }
    uint64_t unacked_on_disk = 0;
    for (auto& m : disk) unacked_on_disk += !acked_all.count(m);
    std::string summary;
    bool vok = verifyAfterKill(logdir, summary);
    verify_ok = verify_ok && vok;
    std::printf("round %d: SIGKILL after %d ms: %llu acknowledged this round (%.0f/s; %zu in all), missing "
                "on disk %llu, on disk but never acknowledged %llu (in flight at the kill), %llu "
                "lines in the log; verify: %s\n",
                round, delay, (unsigned long long)acked_round, acked_round * 1000.0 / delay,
                acked_all.size(),
                (unsigned long long)missing, (unsigned long long)unacked_on_disk,
                (unsigned long long)lines, summary.c_str());
    std::fflush(stdout);
  }
  // A clean start after the last crash continues the chain and a clean stop signs it. A start +
  // stop with no record leaves the crash's unsigned tail unsigned (stop() only checkpoints
  // records of its own run): reported, not a failure. With one record the final checkpoint
  // covers the whole chain, so the log must then verify strictly.
  for (int pass = 0; pass < 2; ++pass) {
    auto w = Writer::open(writerOptions(a.dir));
    if (!w) {
      std::printf("final start: Writer::open: %s\n", w.error().message.c_str());
      verify_ok = false;
      break;
    }
    if (pass == 1) {
      std::string marker = "final.p0.n1";
      uint64_t t = w.value()->submit(statementRecord(0, 1, &marker));
      if (!w.value()->flush(std::chrono::seconds(30)) || w.value()->durableTicket() < t) {
        std::printf("final start: the record did not become durable: %s\n",
                    w.value()->lastError().c_str());
        verify_ok = false;
      }
    }
    w.value()->stop();
    w.value().reset();
    auto rep = verifyDir(logdir, {}, /*strict=*/true);
    if (pass == 0) {
      std::printf("after a clean start + stop with no record: verify (strict): %s%s\n",
                  rep.message().c_str(),
                  rep.ok ? "" : " (note: the crash tail stays unsigned until a record follows)");
      continue;
    }
    uint64_t lines = 0;
    auto disk = markersOnDisk(logdir, lines);
    for (auto& m : acked_all)
      if (!disk.count(m)) lost_all.insert(m);
    std::printf("after a clean start + 1 record + stop: verify (strict): %s\n", rep.message().c_str());
    verify_ok = verify_ok && rep.ok;
  }
  if (!lost_all.empty()) {
    std::vector<std::string> some(lost_all.begin(), lost_all.end());
    std::sort(some.begin(), some.end());
    some.resize(std::min<size_t>(some.size(), 10));
    std::string list;
    for (auto& s : some) list += " " + s;
    std::printf("LOST ACKNOWLEDGED RECORDS: %zu, e.g.%s\n", lost_all.size(), list.c_str());
  }
  if (!verify_ok) std::printf("VERIFY FAILED: the audit log is broken (dir %s)\n", a.dir.c_str());
  std::printf("RESULT audit_lost_after_kill9=%zu audit_kill9_acked=%zu audit_kill9_rounds=%d "
              "audit_kill9_verify=%s\n",
              lost_all.size(), acked_all.size(), a.rounds, verify_ok ? "ok" : "FAILED");
  return lost_all.empty() && verify_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parseArgs(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  return a.mode == "throughput" ? runThroughput(a) : runKill9(a);
}
