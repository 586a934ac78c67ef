// core/include/warden/runtime/server.h
//! The gateway process: loads config and plugins, opens SO_REUSEPORT listeners (one socket per
//! worker per target), runs the workers, and handles signals on the main thread:
//! SIGTERM/SIGINT drain gracefully (listeners close, sessions finish their current work and
//! close at the next idle point, forced after limits.drain_timeout; a second signal forces),
//! SIGHUP reloads the configuration without dropping connections. With admin.listen set, the
//! admin HTTP API (admin/admin_server.h) runs on the same main loop: POST /api/v1/reload is the
//! SIGHUP reload, /readyz says 503 while draining, and the listener closes when the process
//! stops. admin.listen is bound at start-up only (a change needs a restart; tokens reload).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "warden/plugin/loader.h"
#include "warden/runtime/snapshot.h"

namespace warden::audit { class Writer; }

namespace warden::runtime {

class Worker;
class AuditIndexer;
void destroyAuditIndexer(AuditIndexer* p);
struct AuditIndexerDeleter {
  void operator()(AuditIndexer* p) const { destroyAuditIndexer(p); }
};

class Server {
 public:
  Server();
  ~Server();
  //! Runs until stopped. Returns the process exit code (0 clean stop, 1 config/start error).
  int run(const std::string& config_path);
  //! Worker → server accounting (any thread).
  void sessionCountChanged(int delta) { sessions_.fetch_add(delta); }
  long sessionCount() const { return sessions_.load(std::memory_order_relaxed); }

 private:
  struct MainLoop;
  struct AdminBridge;  // the admin API's view of this server (server.cc)
  //! Reloads the config file (SIGHUP, admin API). On rejection returns false, logs, and appends
  //! the reasons to `errors` when given; the running configuration keeps serving.
  bool reload(std::vector<std::string>* errors = nullptr, const std::string& by = "signal");
  bool reloadNow(std::vector<std::string>* errors);
  void startDrain();
  void checkDrain();
  //! Opens the audit writer when audit.dir is set (a failure stops the start: fail closed).
  bool openAudit();
  //! A config_reload record: who asked (admin user, or "signal"), outcome and errors.
  void auditReload(const std::string& by, bool ok, const std::vector<std::string>& errors);

  std::string config_path_;
  plugin::PluginSet plugins_;
  SnapshotPtr snapshot_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::map<std::string, std::string> listeners_;  // "host:port" → target name
  std::atomic<long> sessions_{0};
  std::unique_ptr<MainLoop> main_;
  std::unique_ptr<AdminBridge> admin_;
  std::unique_ptr<AuditIndexer, AuditIndexerDeleter> audit_indexer_;  // declared first: outlives audit_
  std::unique_ptr<audit::Writer> audit_;
  uint64_t generation_ = 0;
  uint64_t reloads_ok_ = 0, reloads_rejected_ = 0;
  bool draining_ = false, stopped_ = false;
  uint64_t drain_deadline_ms_ = 0;
};

//! Loads the config, plugins and builds a snapshot (what `warden check` validates).
//! Errors are formatted for humans (FILE:LINE:COL: message where a position is known).
SnapshotPtr loadEverything(const std::string& config_path, plugin::PluginSet& plugins,
                           uint64_t generation, std::vector<std::string>& errors,
                           bool load_plugins = true);

}  // namespace warden::runtime
