// core/src/runtime/worker.cc
#include "worker.h"

#include "warden/dialect/dialect.h"

#include <unistd.h>

#include <atomic>

#include "oob_sender.h"
#include "session_runner.h"
#include "warden/audit/writer.h"
#include "warden/base/log.h"
#include "warden/runtime/server.h"

namespace warden::runtime {

namespace {
std::atomic<uint64_t> g_next_session_id{1};
constexpr size_t kCacheMaxEntries = 4096;
}  // namespace

Worker::Worker(Server& server, int index) : server_(server), index_(index) {
  uv_loop_init(&loop_);
  uv_async_init(&loop_, &async_, &Worker::onAsync);
  async_.data = this;
  uv_async_init(&loop_, &audit_async_, &Worker::onAuditAsync);
  audit_async_.data = this;
  audit_async_open_ = true;
}

Worker::~Worker() { uv_loop_close(&loop_); }

void Worker::start(SnapshotPtr snapshot, std::vector<ListenerSpec> listeners) {
  snapshot_ = std::move(snapshot);
  for (const auto& l : listeners) openListener(l);
  if (audit_)
    audit_->addListener([this] {
      std::lock_guard<std::mutex> lk(audit_mu_);
      if (audit_async_open_) uv_async_send(&audit_async_);
    });
  thread_ = std::thread([this] { run(); });
}

void Worker::run() {
  // Parsers for the configured dialects exist (DFA warm) before the first client arrives.
  if (snapshot_)
    for (const auto& [name, rt] : snapshot_->targets) analysisFor(rt.dialect);
  uv_run(&loop_, UV_RUN_DEFAULT);
  // A JWKS fetch still in flight is cancelled here, on the loop thread, so its handles close
  // through the loop before it ends (never from ~Worker after uv_loop_close).
  token_verifier_.reset();
  closeAuditAsync();
  // Anything still open (should be nothing after a clean stop) is closed so the loop can end.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
  }
  uv_async_send(&async_);
}

void Worker::onAsync(uv_async_t* a) {
  auto* self = static_cast<Worker*>(a->data);
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    batch.swap(self->queue_);
  }
  for (auto& fn : batch) fn();
}

void Worker::openListener(const ListenerSpec& spec) {
  auto* l = new Listener{this, {}, spec.key, spec.target_name};
  uv_tcp_init(&loop_, &l->tcp);
  l->tcp.data = l;
  int rc = uv_tcp_open(&l->tcp, spec.fd);
  if (rc != 0) ::close(spec.fd);  // not adopted by the handle
  if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&l->tcp), 1024, &Worker::onConnection);
  if (rc != 0) {
    log::error("listener failed", {{"worker", index_}, {"listen", spec.key}, {"error", uv_strerror(rc)}});
    closeListener(l);
    return;
  }
  listeners_[spec.key] = l;
}

void Worker::closeListener(Listener* l) {
  uv_close(reinterpret_cast<uv_handle_t*>(&l->tcp),
           [](uv_handle_t* h) { delete static_cast<Listener*>(h->data); });
}

void Worker::onConnection(uv_stream_t* server, int status) {
  auto* l = static_cast<Listener*>(server->data);
  Worker* self = l->worker;
  if (status < 0) {
    log::warn("accept failed", {{"listen", l->key}, {"error", uv_strerror(status)}});
    return;
  }
  const TargetRuntime* rt = self->snapshot_ ? self->snapshot_->find(l->target_name) : nullptr;
  const long limit = self->snapshot_ ? long(self->snapshot_->config->limits.max_client_connections) : 0;
  const long live = self->server_.sessionCount();
  if (!rt || !rt->dialect || self->draining_ || live >= 2 * limit) {
    // Far over the limit: no session at all, just accept and close (bounded work per flood).
    // Accept and drop: leaving it queued would spin the loop.
    uv_tcp_t* tmp = new uv_tcp_t;
    uv_tcp_init(&self->loop_, tmp);
    uv_accept(server, reinterpret_cast<uv_stream_t*>(tmp));
    uv_close(reinterpret_cast<uv_handle_t*>(tmp), [](uv_handle_t* h) { delete reinterpret_cast<uv_tcp_t*>(h); });
    return;
  }
  uint64_t id = g_next_session_id.fetch_add(1);
  auto runner = std::make_unique<SessionRunner>(*self, self->snapshot_, *rt, id);
  SessionRunner* r = runner.get();
  self->sessions_.emplace(id, std::move(runner));
  self->server_.sessionCountChanged(+1);
  if (live >= limit) {
    r->setOverloaded();
    log::warn("client connection over limits.max_client_connections; refusing",
              {{"target", l->target_name}, {"limit", limit}});
  }
  r->start(server);
}

void Worker::applySnapshot(SnapshotPtr snapshot, std::vector<ListenerSpec> added,
                           std::vector<std::pair<std::string, std::string>> keep) {
  snapshot_ = std::move(snapshot);
  std::map<std::string, std::string> keep_map(keep.begin(), keep.end());
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    auto k = keep_map.find(it->first);
    if (k == keep_map.end()) {
      closeListener(it->second);
      it = listeners_.erase(it);
    } else {
      it->second->target_name = k->second;
      ++it;
    }
  }
  if (!draining_)
    for (const auto& l : added) openListener(l);
  else
    for (const auto& l : added) ::close(l.fd);
}

void Worker::beginDrain() {
  if (draining_) return;
  draining_ = true;
  for (auto& [key, l] : listeners_) closeListener(l);
  listeners_.clear();
  std::vector<SessionRunner*> live;
  for (auto& [id, s] : sessions_) live.push_back(s.get());
  for (auto* s : live) s->drain();
}

void Worker::forceCloseSessions() {
  std::vector<SessionRunner*> live;
  for (auto& [id, s] : sessions_) live.push_back(s.get());
  for (auto* s : live) s->forceClose("gateway shutting down");
}

void Worker::stopLoop() {
  stopping_ = true;
  for (auto& [key, l] : listeners_) closeListener(l);
  listeners_.clear();
  for (auto& o : oob_) o->abort();
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
  closeAuditAsync();
}

void Worker::closeAuditAsync() {
  std::lock_guard<std::mutex> lk(audit_mu_);
  if (!audit_async_open_) return;
  audit_async_open_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&audit_async_), nullptr);
}

void Worker::onAuditAsync(uv_async_t* a) {
  auto* self = static_cast<Worker*>(a->data);
  if (self->audit_waiters_.empty()) return;
  std::vector<SessionRunner*> waiting(self->audit_waiters_.begin(), self->audit_waiters_.end());
  for (SessionRunner* s : waiting)
    if (self->audit_waiters_.count(s)) s->auditProgress();
}

void Worker::sessionFinished(SessionRunner* s) {
  // Destroy outside the handle callbacks that are still unwinding.
  uint64_t id = s->sessionId();
  post([this, id] {
    if (sessions_.erase(id)) server_.sessionCountChanged(-1);
  });
}

SessionRunner* Worker::findSession(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void Worker::startOob(const sockaddr_storage& addr, std::vector<uint8_t> bytes) {
  if (stopping_) return;
  oob_.push_back(std::make_unique<OobSender>(*this, addr, std::move(bytes)));
  oob_.back()->start();
}

void Worker::oobFinished(OobSender* o) {
  post([this, o] {
    for (auto it = oob_.begin(); it != oob_.end(); ++it)
      if (it->get() == o) {
        oob_.erase(it);
        break;
      }
  });
}

identity::TokenVerifier& Worker::tokenVerifier() {
  if (!token_verifier_) token_verifier_ = std::make_unique<identity::TokenVerifier>(&loop_);
  return *token_verifier_;
}

Worker::DialectAnalysis& Worker::analysisFor(dialect::Dialect* dialect) {
  auto& slot = analyses_[dialect];
  if (!slot) {
    slot = std::make_unique<DialectAnalysis>();
    if (dialect) slot->analyzer.reset(dialect->newAnalyzer());
  }
  return *slot;
}

bool Worker::cacheGet(const std::string& key, std::string& value) const {
  auto it = cache_.find(key);
  if (it == cache_.end()) return false;
  value = it->second;
  return true;
}

void Worker::cachePut(const std::string& key, std::string value) {
  if (cache_.size() >= kCacheMaxEntries) cache_.clear();  // bounded; entries are cheap to rebuild
  cache_[key] = std::move(value);
}

}  // namespace warden::runtime
