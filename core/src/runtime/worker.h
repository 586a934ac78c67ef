// core/src/runtime/worker.h
//! One event-loop thread. Owns its listeners (SO_REUSEPORT sockets handed over by the Server),
//! the sessions accepted on them, per-loop scratch buffers and caches. Other threads talk to it
//! only through post() (uv_async_t + locked queue, drained fully per wake).
#pragma once

#include <uv.h>

#include <array>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "warden/runtime/snapshot.h"
#include "warden/sql/analysis_cache.h"

namespace warden::audit { class Writer; }

namespace warden::runtime {

class Server;
class SessionRunner;
class OobSender;

//! A listening socket for one target on one worker.
struct ListenerSpec {
  std::string key;          // "host:port"
  std::string target_name;
  int fd = -1;              // bound + listening socket, owned by the worker once posted
};

class Worker {
 public:
  Worker(Server& server, int index);
  ~Worker();

  //! Spawns the loop thread with the initial snapshot and listeners.
  void start(SnapshotPtr snapshot, std::vector<ListenerSpec> listeners);
  //! Thread-safe: run `fn` on the loop thread.
  void post(std::function<void()> fn);
  void join();

  // ---- loop-thread API
  uv_loop_t* loop() { return &loop_; }
  int index() const { return index_; }
  const SnapshotPtr& snapshot() const { return snapshot_; }
  //! Swap snapshot and reconcile listeners: keep `keep` (key → target name), close the
  //! others, open `added`.
  void applySnapshot(SnapshotPtr snapshot, std::vector<ListenerSpec> added,
                     std::vector<std::pair<std::string, std::string>> keep);
  void beginDrain();
  void forceCloseSessions();
  void stopLoop();

  void addSession(std::unique_ptr<SessionRunner> s);
  void sessionFinished(SessionRunner* s);  // called from the runner's last close callback
  SessionRunner* findSession(uint64_t id);
  size_t sessionCount() const { return sessions_.size(); }

  void startOob(const sockaddr_storage& addr, std::vector<uint8_t> bytes);
  void oobFinished(OobSender* o);

  std::span<uint8_t> readBuffer() { return {read_buf_.data(), read_buf_.size()}; }
  std::vector<uint8_t>& plaintextScratch() { return plain_scratch_; }
  std::vector<uint8_t>& ciphertextScratch() { return cipher_scratch_; }

  bool cacheGet(const std::string& key, std::string& value) const;
  void cachePut(const std::string& key, std::string value);

  bool draining() const { return draining_; }

  //! This worker's SQL analyzer and analysis cache for a dialect (created, and its DFA warmed,
  //! on first use; the loop thread only). analyzer is null when the dialect has no parser.
  struct DialectAnalysis {
    std::unique_ptr<sql::Analyzer> analyzer;
    sql::AnalysisCache cache;
  };
  DialectAnalysis& analysisFor(dialect::Dialect* dialect);
  //! This worker's OIDC token verifier (its own JWKS cache and fetches; loop thread only).
  identity::TokenVerifier& tokenVerifier();

  //! The process's audit writer (null: audit.dir not configured). Set before start().
  void setAudit(audit::Writer* writer) { audit_ = writer; }
  audit::Writer* audit() const { return audit_; }
  //! Sessions waiting for the writer (their auditProgress() runs on each writer wake-up).
  void addAuditWaiter(SessionRunner* s) { audit_waiters_.insert(s); }
  void removeAuditWaiter(SessionRunner* s) { audit_waiters_.erase(s); }

 private:
  struct Listener {
    Worker* worker;
    uv_tcp_t tcp;
    std::string key, target_name;
  };
  static void onAsync(uv_async_t* a);
  static void onAuditAsync(uv_async_t* a);
  void closeAuditAsync();
  static void onConnection(uv_stream_t* server, int status);
  void openListener(const ListenerSpec& spec);
  void closeListener(Listener* l);
  void run();

  Server& server_;
  int index_;
  uv_loop_t loop_;
  uv_async_t async_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;
  SnapshotPtr snapshot_;
  std::map<std::string, Listener*> listeners_;
  std::unordered_map<uint64_t, std::unique_ptr<SessionRunner>> sessions_;
  std::list<std::unique_ptr<OobSender>> oob_;
  std::array<uint8_t, 64 * 1024> read_buf_;
  std::vector<uint8_t> plain_scratch_, cipher_scratch_;
  std::unordered_map<std::string, std::string> cache_;
  std::unordered_map<dialect::Dialect*, std::unique_ptr<DialectAnalysis>> analyses_;
  std::unique_ptr<identity::TokenVerifier> token_verifier_;
  bool draining_ = false;
  bool stopping_ = false;
  audit::Writer* audit_ = nullptr;
  uv_async_t audit_async_;
  std::mutex audit_mu_;            // guards audit_async_open_ against the writer thread
  bool audit_async_open_ = false;
  std::unordered_set<SessionRunner*> audit_waiters_;
};

}  // namespace warden::runtime
