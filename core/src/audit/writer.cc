// core/src/audit/writer.cc
//! The audit writer thread: queue, sealing, group commit, rotation, failure and retry
//! (writer.h). File recovery at start-up lives in writer_recover.cc.
#include "warden/audit/writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace warden::audit {

namespace {

std::string errnoText(int e) { return std::strerror(e); }

//! Replaces bytes that are not UTF-8 with U+FFFD (a record must never be dropped for them).
void fixUtf8(std::string& s) {
  if (isValidUtf8(s)) return;
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 1;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xc0 && c < 0xe0) len = 2;
    else if (c >= 0xe0 && c < 0xf0) len = 3;
    else if (c >= 0xf0 && c < 0xf8) len = 4;
    if (i + len <= s.size() && isValidUtf8(std::string_view(s).substr(i, len)) &&
        (c < 0x80 || c >= 0xc0)) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      i += 1;
    }
  }
  s = std::move(out);
}

void fixAll(std::vector<std::string>& v) {
  for (auto& s : v) fixUtf8(s);
}

void fixRecord(AuditRecord& r) {
  fixUtf8(r.instance);
  fixUtf8(r.event);
  if (r.session) fixUtf8(*r.session);
  if (r.identity) {
    fixUtf8(r.identity->user);
    fixAll(r.identity->groups);
    fixUtf8(r.identity->kind);
    fixUtf8(r.identity->method);
  }
  for (auto* o : {&r.client, &r.target, &r.environment, &r.dialect})
    if (*o) fixUtf8(**o);
  if (r.statement) {
    fixUtf8(r.statement->text);
    fixUtf8(r.statement->fingerprint);
    fixUtf8(r.statement->kind);
    fixAll(r.statement->tables);
  }
  if (r.decision) {
    fixUtf8(r.decision->action);
    fixUtf8(r.decision->rule);
    fixUtf8(r.decision->reason);
  }
  if (r.masked) fixAll(*r.masked);
  if (r.result && r.result->error) fixUtf8(*r.result->error);
  if (r.approval) {
    fixUtf8(r.approval->id);
    fixUtf8(r.approval->state);
    fixAll(r.approval->by);
  }
}

}  // namespace

Writer::Writer(WriterOptions options) : opt_(std::move(options)) {}

Writer::~Writer() { stop(); }

void Writer::log(int level, const std::string& msg) const {
  if (opt_.log) opt_.log(level, msg);
}

Result<std::unique_ptr<Writer>> Writer::open(WriterOptions options) {
  std::unique_ptr<Writer> w(new Writer(std::move(options)));
  std::error_code ec;
  if (!std::filesystem::exists(w->opt_.dir, ec)) {
    std::filesystem::create_directories(w->opt_.dir, ec);
    if (ec) return makeError(fmt::format("audit.dir {}: {}", w->opt_.dir.string(), ec.message()));
    ::chmod(w->opt_.dir.c_str(), 0700);
  }
  auto key_parent = w->opt_.signing_key_file.parent_path();
  if (!key_parent.empty() && !std::filesystem::exists(key_parent, ec)) {
    std::filesystem::create_directories(key_parent, ec);
    if (ec) return makeError(fmt::format("audit signing key dir {}: {}", key_parent.string(), ec.message()));
    ::chmod(key_parent.c_str(), 0700);
  }
  auto key = loadOrCreateSigningKey(w->opt_.signing_key_file);
  if (!key) return makeError(key.error().message);
  w->key_ = key.value();
  if (auto pub = writePublicKey(w->key_, w->opt_.dir); !pub) return makeError(pub.error().message);
  if (auto r = w->recover(); !r) return makeError(r.error().message);
  if (auto r = w->openNewFile(std::chrono::system_clock::now()); !r)
    return makeError(r.error().message);
  w->last_checkpoint_ = std::chrono::steady_clock::now();
  w->thread_ = std::thread([p = w.get()] { p->run(); });
  return w;
}

uint64_t Writer::submit(AuditRecord r) {
  auto now = std::chrono::system_clock::now();
  std::lock_guard<std::mutex> lk(mu_);
  uint64_t ticket = next_ticket_++;
  queue_.push_back(Pending{std::move(r), now, ticket});
  queued_.store(queue_.size(), std::memory_order_relaxed);
  if (queue_.size() == 1) cv_.notify_one();
  return ticket;
}

std::string Writer::lastError() const {
  std::lock_guard<std::mutex> lk(mu_);
  return last_error_;
}

void Writer::addListener(std::function<void()> fn) {
  std::lock_guard<std::mutex> lk(mu_);
  listeners_.push_back(std::move(fn));
}

WriterStats Writer::stats() const {
  std::lock_guard<std::mutex> lk(mu_);
  WriterStats s = stats_;
  s.queued = queue_.size();
  return s;
}

bool Writer::flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lk(mu_);
  uint64_t want = next_ticket_ - 1;
  return flushed_cv_.wait_for(lk, timeout, [&] { return durable_.load() >= want; });
}

void Writer::stop(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + timeout;
  }
  cv_.notify_all();
  thread_.join();
}

void Writer::notify() {
  std::vector<std::function<void()>> fns;
  {
    std::lock_guard<std::mutex> lk(mu_);
    fns = listeners_;
  }
  flushed_cv_.notify_all();
  for (auto& fn : fns) fn();
}

void Writer::seal(std::vector<Pending>& batch, std::chrono::system_clock::time_point now) {
  for (Pending& p : batch) {
    p.record.ts = formatTimestamp(p.at);
    p.record.instance = opt_.instance;
    if (!chain_.seal(p.record, out_)) {
      fixRecord(p.record);
      if (!chain_.seal(p.record, out_)) {
        log(2, fmt::format("audit: record {} could not be sealed", p.ticket));
        continue;
      }
    }
    out_last_ticket_ = p.ticket;
    ++since_checkpoint_;
    if (since_checkpoint_ >= opt_.checkpoint_records) sealCheckpoint(now);
  }
}

void Writer::sealCheckpoint(std::chrono::system_clock::time_point now) {
  AuditRecord cp;
  cp.event = "checkpoint";
  cp.ts = formatTimestamp(now);
  cp.instance = opt_.instance;
  if (!chain_.sealCheckpoint(cp, key_, out_)) return;
  head_pending_ = cp.checkpoint;
  since_checkpoint_ = 0;
  last_checkpoint_ = std::chrono::steady_clock::now();
  ++stats_checkpoints_;
}

void Writer::fail(std::string why) {
  bool was_healthy = healthy_.exchange(false);
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (last_error_ != why || was_healthy)
      log(2, fmt::format("audit: write failed, traffic stops until it recovers: {}", why));
    last_error_ = std::move(why);
    ++stats_.failures;
  }
  if (was_healthy) notify();
}

bool Writer::commit() {
  if (fd_ < 0) {
    if (auto r = openNewFile(std::chrono::system_clock::now()); !r) {
      fail(r.error().message);
      return false;
    }
  }
  if (!file_done_) {
    if (dirty_) {
      if (::ftruncate(fd_, off_t(good_size_)) != 0) {
        fail(fmt::format("{}: truncate after a failed write: {}", file_name_, errnoText(errno)));
        return false;
      }
      dirty_ = false;
    }
    size_t done = 0;
    while (done < out_.size()) {
      ssize_t n = ::pwrite(fd_, out_.data() + done, out_.size() - done, off_t(good_size_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int e = n < 0 ? errno : EIO;
        dirty_ = true;
        if (::ftruncate(fd_, off_t(good_size_)) == 0) dirty_ = false;
        fail(fmt::format("{}: {}", file_name_, errnoText(e)));
        return false;
      }
      done += size_t(n);
    }
    if (opt_.fsync && ::fdatasync(fd_) != 0) {
      int e = errno;
      dirty_ = true;
      if (::ftruncate(fd_, off_t(good_size_)) == 0) dirty_ = false;
      fail(fmt::format("{}: fdatasync: {}", file_name_, errnoText(e)));
      return false;
    }
    file_done_ = true;
    sink_done_.assign(opt_.sinks.size(), false);
  }
  if (!opt_.sinks.empty()) {
    std::vector<std::string_view> lines;
    std::string_view all(out_);
    while (!all.empty()) {
      size_t nl = all.find('\n');
      lines.push_back(all.substr(0, nl));
      all.remove_prefix(nl == std::string_view::npos ? all.size() : nl + 1);
    }
    for (size_t i = 0; i < opt_.sinks.size(); ++i) {
      if (sink_done_[i]) continue;
      auto& s = opt_.sinks[i];
      std::string err;
      bool ok = s.sink->write(lines, err);
      if (ok || !s.required) {
        sink_done_[i] = true;
        if (!ok) {
          log(1, fmt::format("audit sink {}: {} (optional sink: records not delivered there)",
                             s.name, err));
          std::lock_guard<std::mutex> lk(mu_);
          ++stats_.sink_failures;
        }
        continue;
      }
      fail(fmt::format("audit sink {}: {}", s.name, err));
      return false;
    }
  }
  // Durable everywhere it must be.
  uint64_t bytes = out_.size();
  good_size_ += bytes;
  uint64_t records = 0;
  for (char c : out_) records += c == '\n';
  out_.clear();
  file_done_ = false;
  {
    std::lock_guard<std::mutex> lk(mu_);
    stats_.records += records;
    stats_.bytes += bytes;
    stats_.batches++;
    stats_.checkpoints += stats_checkpoints_;
    stats_checkpoints_ = 0;
    last_error_.clear();
  }
  durable_.store(out_last_ticket_, std::memory_order_release);
  if (!healthy_.exchange(true)) log(0, "audit: writing again, traffic resumes");
  notify();
  if (head_pending_) writeHead();  // after waking sessions: only the head lags meanwhile
  return true;
}

void Writer::writeHead() {
  std::string text = formatHead(*head_pending_);
  auto tmp = opt_.dir / (std::string(kHeadFileName) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0;
  if (ok) {
    size_t done = 0;
    while (ok && done < text.size()) {
      ssize_t n = ::write(fd, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += size_t(n);
    }
    ok = ok && (!opt_.fsync || ::fdatasync(fd) == 0);
    ::close(fd);
  }
  ok = ok && ::rename(tmp.c_str(), (opt_.dir / kHeadFileName).c_str()) == 0;
  if (!ok) {
    // The records are durable; only the head lags (retried at the next checkpoint).
    log(1, fmt::format("audit: could not replace {}: {}", kHeadFileName, errnoText(errno)));
    ::unlink(tmp.c_str());
    return;
  }
  head_pending_.reset();
}

void Writer::closeFile() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  if (opt_.on_file_closed && good_size_ > 0) opt_.on_file_closed(opt_.dir, file_name_);
}

void Writer::run() {
  using clock = std::chrono::steady_clock;
  std::vector<Pending> batch;
  std::unique_lock<std::mutex> lk(mu_);
  for (;;) {
    bool failing = !out_.empty();  // a batch waits for a retry
    auto now = clock::now();
    auto wake = now + std::chrono::hours(1);
    if (failing) wake = std::min(wake, last_attempt_ + opt_.retry_interval);
    if (since_checkpoint_ > 0) wake = std::min(wake, last_checkpoint_ + opt_.checkpoint_interval);
    if (good_size_ > 0 && fd_ >= 0)
      wake = std::min(wake, file_opened_steady_ + opt_.rotate_interval);
    cv_.wait_until(lk, wake, [&] { return stopping_ || (!failing && !queue_.empty()); });
    // Group commit: sessions woken by the last commit resubmit within microseconds; wait a
    // little (a quarter of the last commit, at most 1 ms) for as many as the last batch had,
    // instead of committing the first one alone and the rest one fsync later.
    if (!failing && !stopping_ && !queue_.empty() && queue_.size() < last_batch_ &&
        last_batch_ > 1) {
      auto grace = std::min<std::chrono::steady_clock::duration>(last_commit_ / 4,
                                                                 std::chrono::milliseconds(1));
      cv_.wait_until(lk, clock::now() + grace,
                     [&] { return stopping_ || queue_.size() >= last_batch_; });
    }
    bool stopping = stopping_;
    if (!failing) {
      if (queue_.size() <= kMaxBatch) {
        batch.swap(queue_);
      } else {  // bounded batches: rotation and sinks see reasonable chunks
        batch.assign(std::make_move_iterator(queue_.begin()),
                     std::make_move_iterator(queue_.begin() + long(kMaxBatch)));
        queue_.erase(queue_.begin(), queue_.begin() + long(kMaxBatch));
      }
      queued_.store(queue_.size(), std::memory_order_relaxed);
    }
    lk.unlock();

    now = clock::now();
    auto wall = std::chrono::system_clock::now();
    if (!batch.empty()) {
      seal(batch, wall);
      batch.clear();
    }
    if (out_.empty() && since_checkpoint_ > 0 &&
        (stopping || now - last_checkpoint_ >= opt_.checkpoint_interval))
      sealCheckpoint(wall);
    if (!out_.empty() && (!failing || stopping || now - last_attempt_ >= opt_.retry_interval)) {
      last_attempt_ = now;
      size_t records = size_t(std::count(out_.begin(), out_.end(), '\n'));
      if (commit()) {
        last_batch_ = records;
        last_commit_ = clock::now() - now;
      }
    }
    if (out_.empty() && fd_ >= 0 && good_size_ > 0 &&
        (good_size_ >= opt_.rotate_bytes || now - file_opened_steady_ >= opt_.rotate_interval)) {
      closeFile();
      if (auto r = openNewFile(wall); !r) fail(r.error().message);
    }

    lk.lock();
    if (stopping && queue_.empty() && out_.empty() && since_checkpoint_ == 0) break;
    if (stopping && clock::now() >= stop_deadline_ && !out_.empty()) {
      log(2, fmt::format("audit: stopping with records not written: {}", last_error_));
      break;
    }
    if (stopping && !out_.empty()) {
      // Failing while stopping: retry until the deadline, without a busy loop.
      lk.unlock();
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(opt_.retry_interval,
                                                                      std::chrono::milliseconds(100)));
      lk.lock();
    }
  }
  lk.unlock();
  closeFile();
  for (auto& s : opt_.sinks) s.sink->close();
}

}  // namespace warden::audit
