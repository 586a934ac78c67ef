// core/include/warden/audit/writer.h
//! The audit writer: one thread per process that seals records into the hash chain and makes
//! them durable, in batches (group commit).
//!
//! Producers (worker loop threads, the admin/reload path) call submit(): it never blocks on I/O
//! (a mutex-protected append) and returns a ticket, a number increasing in submission order.
//! The writer thread takes everything queued, seals it (seq, prev, hash; checkpoints every
//! checkpoint_records records or checkpoint_interval), writes the batch with one pwrite, then
//! fdatasync (fsync: batch) and hands it to every plugin sink. Only then does durableTicket()
//! pass the batch's last ticket and the listeners run (on the writer thread: they must only
//! wake a loop, e.g. uv_async_send). Sessions hold a statement until its ticket is durable:
//! the write-ahead rule (decision logged, then executed).
//!
//! Failure (disk full, I/O error, a required sink down): the writer truncates the file back to
//! its last good size, keeps the sealed batch, reports healthy() == false to the listeners and
//! retries every retry_interval. Nothing sealed is dropped: the same bytes are written once the
//! disk recovers (records queued meanwhile follow them). Producers see healthy() false and stop
//! traffic (fail closed).
//!
//! Files: audit-<UTC start>-<n>.jsonl in dir (record.h), a new one at each start and past
//! rotate_bytes / rotate_interval. A start continues the chain from the newest file (a partial
//! last line left by a crash is cut off first: it was never acknowledged). After each checkpoint
//! the signed head (audit-head.json) is replaced. stop() writes a final checkpoint.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "warden/audit/chain.h"
#include "warden/audit/record.h"
#include "warden/audit/sink.h"
#include "warden/base/result.h"

namespace warden::audit {

struct WriterOptions {
  std::filesystem::path dir;
  std::filesystem::path signing_key_file;  //!< created (0600) when absent
  std::string instance;                    //!< the `instance` member of every record
  uint64_t rotate_bytes = 64ull << 20;
  std::chrono::milliseconds rotate_interval{std::chrono::hours(1)};
  uint64_t checkpoint_records = 1000;
  std::chrono::milliseconds checkpoint_interval{std::chrono::seconds(10)};
  bool fsync = true;
  uint64_t queue_records = 65536;  //!< soft bound: overloaded() past it
  std::chrono::milliseconds retry_interval{std::chrono::milliseconds(500)};
  struct Sink {
    std::string name;
    bool required = true;
    std::unique_ptr<AuditSink> sink;
  };
  std::vector<Sink> sinks;
  //! Log lines from the writer thread (errors, recovery). May be empty.
  std::function<void(int level, const std::string&)> log;  // level: 0 info, 1 warn, 2 error
  //! Called on the writer thread with the name of each file the writer closed (index it).
  std::function<void(const std::filesystem::path& dir, const std::string& file)> on_file_closed;
};

struct WriterStats {
  uint64_t records = 0, batches = 0, bytes = 0, checkpoints = 0, files = 0, failures = 0;
  uint64_t queued = 0;
  uint64_t sink_failures = 0;  //!< optional sinks' failed batches
};

class Writer {
 public:
  //! Prepares the dir (mode 0700), loads/creates the signing key, writes the public key,
  //! recovers the chain tail, opens a new file and starts the thread.
  static Result<std::unique_ptr<Writer>> open(WriterOptions options);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  //! Queues `r` (seq, prev, ts and instance are set by the writer; ts = now). Thread-safe,
  //! never blocks on I/O. Returns its ticket.
  uint64_t submit(AuditRecord r);
  //! Every record with a ticket <= this is durable (and delivered to required sinks).
  uint64_t durableTicket() const { return durable_.load(std::memory_order_acquire); }
  bool healthy() const { return healthy_.load(std::memory_order_acquire); }
  //! Why the last write failed ("No space left on device ..."); empty when healthy.
  std::string lastError() const;
  //! More than queue_records are waiting: producers should stop taking new work.
  bool overloaded() const { return queued_.load(std::memory_order_relaxed) >= opt_.queue_records; }
  //! `fn` runs on the writer thread after every durable advance and every health change.
  void addListener(std::function<void()> fn);
  //! Blocks until everything submitted so far is durable or `timeout` passed (tests, shutdown).
  bool flush(std::chrono::milliseconds timeout);
  //! Drains the queue (bounded by `timeout` while failing), writes a final checkpoint, joins.
  void stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  WriterStats stats() const;
  const std::filesystem::path& dir() const { return opt_.dir; }

 private:
  explicit Writer(WriterOptions options);
  struct Pending {
    AuditRecord record;
    std::chrono::system_clock::time_point at;
    uint64_t ticket;
  };
  Result<void> recover();
  Result<void> openNewFile(std::chrono::system_clock::time_point now);
  void run();
  //! Seals `batch` into out_ (and a checkpoint when due). False on a sealing error (logged).
  void seal(std::vector<Pending>& batch, std::chrono::system_clock::time_point now);
  void sealCheckpoint(std::chrono::system_clock::time_point now);
  void fail(std::string why);
  //! Writes out_ at good_size_ (+ fdatasync + sinks). False: failed, state kept for a retry.
  bool commit();
  void closeFile();
  void writeHead();
  void notify();
  void log(int level, const std::string& msg) const;

  WriterOptions opt_;
  SigningKey key_;
  Chain chain_;
  // file state (writer thread only, after open())
  int fd_ = -1;
  std::string file_name_;
  unsigned file_counter_ = 0;
  uint64_t good_size_ = 0;  //!< bytes of the current file that are durable
  std::chrono::steady_clock::time_point file_opened_steady_;
  std::string last_file_name_;  //!< newest existing file at start (new names sort after it)
  bool dirty_ = false;          //!< the file may hold bytes past good_size_ (truncate first)
  bool file_done_ = false;      //!< out_ is durable in the file; only sinks remain
  std::vector<bool> sink_done_;
  uint64_t stats_checkpoints_ = 0;
  std::chrono::steady_clock::time_point last_attempt_;
  size_t last_batch_ = 0;                           //!< records in the last commit
  std::chrono::steady_clock::duration last_commit_{};  //!< how long it took
  static constexpr size_t kMaxBatch = 8192;
  std::string out_;              //!< sealed bytes not yet durable
  std::vector<std::string_view> out_lines_;
  uint64_t out_last_ticket_ = 0;  //!< highest ticket inside out_
  uint64_t since_checkpoint_ = 0;
  std::chrono::steady_clock::time_point last_checkpoint_;
  std::optional<CheckpointInfo> head_pending_;  //!< written to audit-head.json once durable
  std::vector<std::string> sink_errors_;

  // queue
  mutable std::mutex mu_;
  std::condition_variable cv_, flushed_cv_;
  std::vector<Pending> queue_;
  uint64_t next_ticket_ = 1;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  std::string last_error_;
  std::vector<std::function<void()>> listeners_;
  std::atomic<uint64_t> durable_{0};
  std::atomic<bool> healthy_{true};
  std::atomic<uint64_t> queued_{0};
  WriterStats stats_;
  std::thread thread_;
};

}  // namespace warden::audit
