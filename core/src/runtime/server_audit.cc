// core/src/runtime/server_audit.cc
//! The server's side of the audit trail: opening the writer from audit.* (key, sinks, index on
//! rotation) and the config_reload records.
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "warden/audit/search.h"
#include "warden/audit/writer.h"
#include "warden/plugin/loader.h"
#include "warden/base/log.h"
#include "warden/runtime/server.h"

namespace warden::runtime {

//! Builds search indexes of closed audit files on its own thread (a big file takes a while;
//! the writer thread must not wait for it). Bounded: one pending file list, joined at stop.
class AuditIndexer {
 public:
  AuditIndexer() : thread_([this] { run(); }) {}
  ~AuditIndexer() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  void add(std::filesystem::path dir, std::string file) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (queue_.size() >= 1024) return;  // a backlog only costs search speed (files are scanned)
      queue_.emplace_back(std::move(dir), std::move(file));
    }
    cv_.notify_one();
  }

 private:
  void run() {
    std::unique_lock<std::mutex> lk(mu_);
    for (;;) {
      cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left
      auto [dir, file] = std::move(queue_.front());
      queue_.pop_front();
      lk.unlock();
      if (auto r = audit::writeFileIndex(dir, file); !r)
        log::warn("audit index not written", {{"file", file}, {"error", r.error().message}});
      lk.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::filesystem::path, std::string>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

void destroyAuditIndexer(AuditIndexer* p) { delete p; }

bool Server::openAudit() {
  const auto& cfg = *snapshot_->config;
  if (cfg.audit.dir.empty()) {
    log::warn("audit.dir is not set: no audit trail is written", {});
    return true;
  }
  // A file-size limit must surface as EFBIG on write (fail closed, retried), not kill us.
  signal(SIGXFSZ, SIG_IGN);
  audit::WriterOptions o;
  o.dir = cfg.audit.dir;
  o.signing_key_file = cfg.audit.signing_key_file.empty()
                           ? std::filesystem::path(cfg.state.dir) / "audit-signing.key"
                           : std::filesystem::path(cfg.audit.signing_key_file);
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == 0) snprintf(host, sizeof host, "warden");
  o.instance = host;
  o.rotate_bytes = cfg.audit.rotate_bytes;
  o.rotate_interval = cfg.audit.rotate_interval;
  o.checkpoint_records = cfg.audit.checkpoint_records;
  o.checkpoint_interval = cfg.audit.checkpoint_interval;
  o.fsync = cfg.audit.fsync;
  o.queue_records = cfg.audit.queue_records;
  o.log = [](int level, const std::string& msg) {
    if (level >= 2) log::error(msg, {});
    else if (level == 1) log::warn(msg, {});
    else log::info(msg, {});
  };
  for (size_t i = 0; i < cfg.audit.sinks.size(); ++i) {
    const auto& sc = cfg.audit.sinks[i];
    auto sink = plugin::createAuditSink(plugins_, sc, i);
    if (!sink) {
      fprintf(stderr, "%s\n", sink.error().message.c_str());
      log::error("cannot create an audit sink, not starting", {{"error", sink.error().message}});
      return false;
    }
    o.sinks.push_back({sc.type, sc.required, std::move(sink.value())});
  }
  audit_indexer_.reset(new AuditIndexer());
  o.on_file_closed = [ix = audit_indexer_.get()](const std::filesystem::path& dir,
                                                 const std::string& file) { ix->add(dir, file); };
  auto w = audit::Writer::open(std::move(o));
  if (!w) {
    fprintf(stderr, "audit: %s\n", w.error().message.c_str());
    log::error("cannot open the audit trail, not starting", {{"error", w.error().message}});
    return false;
  }
  audit_ = std::move(w.value());
  log::info("audit trail", {{"dir", cfg.audit.dir}, {"fsync", cfg.audit.fsync ? "batch" : "write"}});
  return true;
}

void Server::auditReload(const std::string& by, bool ok, const std::vector<std::string>& errors) {
  if (!audit_) return;
  audit::AuditRecord r;
  r.event = "config_reload";
  r.identity = audit::IdentityInfo{by, {}, by == "signal" ? "service" : "human",
                                   by == "signal" ? "signal" : "admin_token"};
  std::string reason;
  for (const auto& e : errors) reason += (reason.empty() ? "" : "; ") + e;
  if (reason.size() > 4096) reason.resize(4096);
  r.decision = audit::DecisionInfo{ok ? "allow" : "deny", "", reason};
  audit::ResultInfo res;
  if (!ok) res.error = "configuration rejected; the running configuration keeps serving";
  res.rows = generation_;
  r.result = res;
  audit_->submit(std::move(r));
}

}  // namespace warden::runtime
