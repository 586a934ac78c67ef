// core/src/runtime/server.cc
#include "warden/runtime/server.h"

#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <cstdio>

#include <fmt/format.h>

#include "listen_socket.h"
#include "warden/admin/admin_api.h"
#include "warden/admin/admin_server.h"
#include "warden/audit/writer.h"
#include "warden/base/log.h"
#include "worker.h"

namespace warden::runtime {

struct Server::MainLoop {
  uv_loop_t loop;
  uv_signal_t sigterm, sigint, sighup;
  uv_timer_t drain_timer;
  Server* server = nullptr;
  bool forced = false;
};

//! The admin API's view of the server: everything it reads or triggers runs on the main loop.
struct Server::AdminBridge final : admin::AdminBackend {
  AdminBridge(Server& s, uv_loop_t* loop, std::string addr)
      : server(s), listen(std::move(addr)), api(*this),
        http(loop, [this](const admin::HttpRequest& r) { return api.handle(r); }) {}

  std::vector<config::AdminToken> tokens() const override {
    return server.snapshot_->config->admin.tokens;
  }
  admin::AdminStatus status() const override {
    admin::AdminStatus st;
    st.generation = server.generation_;
    st.reloads_ok = server.reloads_ok_;
    st.reloads_rejected = server.reloads_rejected_;
    st.sessions = server.sessionCount();
    st.draining = server.draining_;
    if (server.audit_) {
      auto a = server.audit_->stats();
      st.audit_enabled = true;
      st.audit_healthy = server.audit_->healthy();
      if (!st.audit_healthy) st.audit_error = server.audit_->lastError();
      st.audit_records = a.records;
      st.audit_batches = a.batches;
      st.audit_failures = a.failures;
      st.audit_queued = a.queued;
    }
    return st;
  }
  std::string auditDir() const override { return server.snapshot_->config->audit.dir; }
  admin::ReloadOutcome reload(const std::string& by) override {
    admin::ReloadOutcome out;
    out.ok = server.reload(&out.errors, by);
    out.generation = server.generation_;
    return out;
  }

  Server& server;
  std::string listen;  // bound at start-up; a reload does not move it
  admin::AdminApi api;
  admin::AdminServer http;
};

namespace {
std::string listenKey(const config::Target& t) {
  return t.listen_host.find(':') != std::string::npos
             ? fmt::format("[{}]:{}", t.listen_host, t.listen_port)
             : fmt::format("{}:{}", t.listen_host, t.listen_port);
}
}  // namespace

SnapshotPtr loadEverything(const std::string& config_path, plugin::PluginSet& plugins,
                           uint64_t generation, std::vector<std::string>& errors,
                           bool load_plugins) {
  std::vector<config::ConfigError> cerrs;
  auto cfg = config::loadConfig(config_path, &cerrs);
  if (!cfg) {
    for (const auto& e : cerrs) errors.push_back(e.format());
    if (cerrs.empty()) errors.push_back(config_path + ": " + cfg.error().message);
    return nullptr;
  }
  if (load_plugins) plugins.loadDir(cfg.value()->plugin_dir, errors);
  // Audit sinks: the plugin must exist and accept its options (the sink is created and dropped).
  const auto& sinks = cfg.value()->audit.sinks;
  for (size_t i = 0; i < sinks.size(); ++i)
    if (auto s = plugin::createAuditSink(plugins, sinks[i], i); !s) errors.push_back(s.error().message);
  size_t before = errors.size();
  auto snap = buildSnapshot(cfg.value(), plugins, generation, errors);
  if (!snap || errors.size() != before || !errors.empty()) return nullptr;
  return snap.value();
}

Server::Server() = default;
Server::~Server() = default;

int Server::run(const std::string& config_path) {
  config_path_ = config_path;
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> errors;
  snapshot_ = loadEverything(config_path, plugins_, ++generation_, errors);
  if (!snapshot_) {
    for (const auto& e : errors) fprintf(stderr, "%s\n", e.c_str());
    log::error("configuration invalid, not starting", {{"config", config_path}, {"errors", errors.size()}});
    return 1;
  }
  const auto& cfg = *snapshot_->config;
  log::setLevel(log::parseLevel(cfg.log_level, log::Level::Info));
  int nworkers = cfg.workers > 0 ? cfg.workers : 1;

  // Open every listener socket up front so a bind error stops the start cleanly.
  std::vector<std::vector<ListenerSpec>> specs(nworkers);
  for (const auto& t : cfg.targets) {
    std::string key = listenKey(t);
    for (int w = 0; w < nworkers; ++w) {
      auto fd = openListenSocket(t.listen_host, t.listen_port);
      if (!fd) {
        fprintf(stderr, "%s\n", fd.error().message.c_str());
        log::error("cannot listen", {{"target", t.name}, {"error", fd.error().message}});
        for (auto& v : specs)
          for (auto& s : v) ::close(s.fd);
        return 1;
      }
      specs[w].push_back({key, t.name, fd.value()});
    }
    listeners_[key] = t.name;
  }
  if (!openAudit()) {
    for (auto& v : specs)
      for (auto& s : v) ::close(s.fd);
    return 1;
  }
  // The admin socket is bound after the targets' and before any worker runs: a failure is a
  // start-up error like a target's.
  int admin_fd = -1;
  if (!cfg.admin.listen.empty()) {
    auto fd = admin::openAdminSocket(cfg.admin.listen);
    if (!fd) {
      fprintf(stderr, "%s\n", fd.error().message.c_str());
      log::error("cannot listen", {{"admin", cfg.admin.listen}, {"error", fd.error().message}});
      for (auto& v : specs)
        for (auto& s : v) ::close(s.fd);
      return 1;
    }
    admin_fd = fd.value();
  }

  main_ = std::make_unique<MainLoop>();
  main_->server = this;
  uv_loop_init(&main_->loop);
  if (admin_fd >= 0) {
    admin_ = std::make_unique<AdminBridge>(*this, &main_->loop, cfg.admin.listen);
    if (auto started = admin_->http.start(admin_fd); !started) {
      fprintf(stderr, "%s\n", started.error().message.c_str());
      log::error("cannot listen", {{"admin", cfg.admin.listen}, {"error", started.error().message}});
      admin_->http.close();
      uv_run(&main_->loop, UV_RUN_DEFAULT);  // runs the close callbacks
      uv_loop_close(&main_->loop);
      admin_.reset();
      for (auto& v : specs)
        for (auto& s : v) ::close(s.fd);
      return 1;
    }
  }
  for (int w = 0; w < nworkers; ++w) {
    workers_.push_back(std::make_unique<Worker>(*this, w));
    workers_.back()->setAudit(audit_.get());
  }
  for (int w = 0; w < nworkers; ++w) workers_[w]->start(snapshot_, std::move(specs[w]));

  std::string plugin_list;
  for (const auto& p : plugins_.plugins())
    plugin_list += (plugin_list.empty() ? "" : ",") + p.name + "@" + p.version;
  log::info("warden started", {{"version", WARDEN_VERSION}, {"workers", nworkers},
                               {"plugins", plugin_list}, {"config", config_path}, {"pid", (long)getpid()}});
  for (const auto& t : cfg.targets)
    log::info("listening", {{"target", t.name}, {"listen", listenKey(t)}, {"dialect", t.dialect},
                            {"backend", fmt::format("{}:{}", t.backend.host, t.backend.port)}});
  if (admin_) {
    log::info("admin API listening", {{"listen", admin_->listen}, {"tokens", (long)cfg.admin.tokens.size()}});
    if (cfg.admin.tokens.empty())
      log::warn("admin.tokens is empty: only /healthz and /readyz answer", {});
  }

  auto on_signal = [](uv_signal_t* h, int signum) {
    auto* m = static_cast<MainLoop*>(h->data);
    if (signum == SIGHUP) {
      m->server->reload(nullptr, "signal");
    } else {
      m->server->startDrain();
    }
  };
  for (uv_signal_t* s : {&main_->sigterm, &main_->sigint, &main_->sighup}) {
    uv_signal_init(&main_->loop, s);
    s->data = main_.get();
  }
  uv_signal_start(&main_->sigterm, on_signal, SIGTERM);
  uv_signal_start(&main_->sigint, on_signal, SIGINT);
  uv_signal_start(&main_->sighup, on_signal, SIGHUP);
  uv_timer_init(&main_->loop, &main_->drain_timer);
  main_->drain_timer.data = main_.get();

  uv_run(&main_->loop, UV_RUN_DEFAULT);

  for (auto& w : workers_) w->join();
  if (audit_) audit_->stop();  // after the sessions' last records: drains, final checkpoint
  uv_loop_close(&main_->loop);
  log::info("warden stopped", {});
  return 0;
}

bool Server::reload(std::vector<std::string>* errors_out, const std::string& by) {
  std::vector<std::string> mine;
  if (!errors_out) errors_out = &mine;
  size_t before = errors_out->size();
  bool ok = reloadNow(errors_out);
  auditReload(by, ok, std::vector<std::string>(errors_out->begin() + long(before), errors_out->end()));
  return ok;
}

bool Server::reloadNow(std::vector<std::string>* errors_out) {
  if (draining_) {
    if (errors_out) errors_out->push_back("draining: reload refused");
    return false;
  }
  std::vector<std::string> errors;
  auto snap = loadEverything(config_path_, plugins_, generation_ + 1, errors, /*load_plugins=*/false);
  if (!snap) {
    for (const auto& e : errors) log::error("reload rejected", {{"error", e}});
    log::error("configuration reload failed; keeping the running configuration",
               {{"config", config_path_}, {"errors", errors.size()}});
    ++reloads_rejected_;
    if (errors_out) errors_out->insert(errors_out->end(), errors.begin(), errors.end());
    return false;
  }
  log::setLevel(log::parseLevel(snap->config->log_level, log::Level::Info));
  if (snap->config->workers != snapshot_->config->workers)
    log::warn("workers changed in config; takes effect at the next restart",
              {{"running", (long)workers_.size()}, {"configured", snap->config->workers}});
  if (snap->config->admin.listen != (admin_ ? admin_->listen : std::string()))
    log::warn("admin.listen changed in config; takes effect at the next restart",
              {{"running", admin_ ? admin_->listen : std::string("(none)")},
               {"configured", snap->config->admin.listen}});
  {
    const auto &was = snapshot_->config->audit, &now = snap->config->audit;
    bool sinks_same = was.sinks.size() == now.sinks.size();
    for (size_t i = 0; sinks_same && i < was.sinks.size(); ++i)
      sinks_same = was.sinks[i].options_json == now.sinks[i].options_json;
    if (was.dir != now.dir || was.signing_key_file != now.signing_key_file ||
        was.rotate_bytes != now.rotate_bytes || was.rotate_interval != now.rotate_interval ||
        was.checkpoint_records != now.checkpoint_records ||
        was.checkpoint_interval != now.checkpoint_interval || was.fsync != now.fsync ||
        was.queue_records != now.queue_records || !sinks_same)
      log::warn("audit settings changed in config; they take effect at the next restart "
                "(audit.redact_literals applies now)", {});
  }
  std::map<std::string, std::string> desired;
  for (const auto& t : snap->config->targets) desired[listenKey(t)] = t.name;
  std::vector<std::vector<ListenerSpec>> added(workers_.size());
  std::vector<std::pair<std::string, std::string>> keep;
  for (const auto& t : snap->config->targets) {
    std::string key = listenKey(t);
    if (listeners_.count(key)) {
      keep.emplace_back(key, t.name);
      continue;
    }
    for (size_t w = 0; w < workers_.size(); ++w) {
      auto fd = openListenSocket(t.listen_host, t.listen_port);
      if (!fd) {
        log::error("reload rejected: cannot listen", {{"target", t.name}, {"error", fd.error().message}});
        for (auto& v : added)
          for (auto& s : v) ::close(s.fd);
        ++reloads_rejected_;
        if (errors_out) errors_out->push_back(fd.error().message);
        return false;
      }
      added[w].push_back({key, t.name, fd.value()});
    }
  }
  for (size_t w = 0; w < workers_.size(); ++w) {
    Worker* wk = workers_[w].get();
    auto add = std::move(added[w]);
    wk->post([wk, snap, add = std::move(add), keep]() mutable {
      wk->applySnapshot(snap, std::move(add), keep);
    });
  }
  ++generation_;  // only now: a listen failure above rejects the reload
  ++reloads_ok_;
  listeners_ = std::move(desired);
  snapshot_ = snap;
  log::info("configuration reloaded", {{"config", config_path_}, {"generation", (unsigned long long)generation_},
                                       {"targets", (long)snap->config->targets.size()}});
  return true;
}

void Server::startDrain() {
  if (draining_) {
    if (!main_->forced) {
      main_->forced = true;
      log::warn("second stop signal: closing all sessions now", {});
      for (auto& w : workers_) {
        Worker* wk = w.get();
        wk->post([wk] { wk->forceCloseSessions(); });
      }
    }
    return;
  }
  draining_ = true;
  log::info("draining", {{"sessions", (long)sessions_.load()}});
  for (auto& w : workers_) {
    Worker* wk = w.get();
    wk->post([wk] { wk->beginDrain(); });
  }
  drain_deadline_ms_ = uv_now(&main_->loop) +
                       static_cast<uint64_t>(snapshot_->config->limits.drain_timeout.count());
  uv_timer_start(
      &main_->drain_timer,
      [](uv_timer_t* t) { static_cast<MainLoop*>(t->data)->server->checkDrain(); }, 20, 20);
}

void Server::checkDrain() {
  uint64_t now = uv_now(&main_->loop);
  if (sessions_.load() > 0) {
    if (now < drain_deadline_ms_) return;
    if (!main_->forced) {
      main_->forced = true;
      log::warn("drain timeout: closing remaining sessions", {{"sessions", (long)sessions_.load()}});
      for (auto& w : workers_) {
        Worker* wk = w.get();
        wk->post([wk] { wk->forceCloseSessions(); });
      }
    }
    if (now < drain_deadline_ms_ + 10000) return;  // give forced closes a bounded time
  }
  if (stopped_) return;
  stopped_ = true;
  for (auto& w : workers_) {
    Worker* wk = w.get();
    wk->post([wk] { wk->stopLoop(); });
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&main_->drain_timer), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&main_->sigterm), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&main_->sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&main_->sighup), nullptr);
  if (admin_) admin_->http.close();
}

}  // namespace warden::runtime
