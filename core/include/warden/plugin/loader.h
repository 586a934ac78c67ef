// core/include/warden/plugin/loader.h
//! Loads plugins from plugin_dir through the versioned entry point (abi.h) and keeps them for
//! the life of the process (never dlclose'd: sessions hold plugin objects, sinks hold vtables).
//! Two kinds: dialects (`libwarden_dialect_<name>.so`, kind WARDEN_PLUGIN_DIALECT) and audit
//! sinks (`libwarden_sink_<name>.so`, kind WARDEN_PLUGIN_AUDIT_SINK). Names are unique per kind.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "warden/base/result.h"
#include "warden/plugin/abi.h"

namespace warden::dialect { class Dialect; }
namespace warden::audit { class AuditSink; }
namespace warden::config { struct AuditSinkConfig; }

namespace warden::plugin {

//! The descriptor's create_audit_sink (abi.h).
using AuditSinkFactory = audit::AuditSink* (*)(const char* options_json,
                                                std::string* error) noexcept;

struct LoadedPlugin {
  std::string path;
  std::string name;
  std::string version;
  uint32_t abi_major = 0, abi_minor = 0;
  std::string build_key;
  uint32_t kind = WARDEN_PLUGIN_DIALECT;  //!< warden_plugin_kind
  dialect::Dialect* dialect = nullptr;    //!< kind WARDEN_PLUGIN_DIALECT: process-lifetime
  //! kind WARDEN_PLUGIN_AUDIT_SINK: called once per configured sink (createAuditSink below).
  AuditSinkFactory create_audit_sink = nullptr;
};

//! This binary's build key (WARDEN_BUILD_KEY as compiled into the host).
const char* hostBuildKey();

//! "dialect", "audit sink" or "unknown kind N", for messages and `warden version`.
std::string kindName(uint32_t kind);

//! Loads one plugin file. Refuses (with a message naming the file, the plugin's value and this
//! warden's value) when the entry point is missing, the ABI major differs, the plugin needs a
//! newer ABI minor, the build key differs, the name is empty, the kind is unknown or does not
//! match the file name (libwarden_dialect_* / libwarden_sink_*), the kind's factory is missing,
//! or (dialects) the factory fails. Sink factories are called later, once per configured sink.
Result<LoadedPlugin> loadPluginFile(const std::string& path);

class PluginSet {
 public:
  //! Loads every libwarden_dialect_*.so and libwarden_sink_*.so in `dir` (sorted by name). Each
  //! failure is reported in `errors`; duplicate names within one kind are errors too.
  void loadDir(const std::string& dir, std::vector<std::string>& errors);
  dialect::Dialect* findDialect(const std::string& name) const;
  //! The create_audit_sink of the sink plugin called `name`, or nullptr.
  AuditSinkFactory findSinkFactory(const std::string& name) const;
  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  //! The directories loadDir was called with (for messages).
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  const LoadedPlugin* find(const std::string& name, uint32_t kind) const;

  std::vector<LoadedPlugin> plugins_;
  std::vector<std::string> dirs_;
};

//! Creates the sink configured by one audit.sinks entry through its plugin's factory (the
//! entry's options_json is handed over as is). Errors name the entry ("audit.sinks[2]: no sink
//! plugin 'x' in plugin_dir /p (expected libwarden_sink_x.so)", "audit.sinks[0] (syslog): ...").
//! Called at start-up / config reload, never on the data path. The sink must be destroyed
//! before the process exits the plugin's lifetime (always true: plugins are never unloaded).
Result<std::unique_ptr<audit::AuditSink>> createAuditSink(const PluginSet& plugins,
                                                          const config::AuditSinkConfig& sink,
                                                          size_t index);
//! The same, labelling errors "audit.sinks (type 'x')" when the index is not known.
Result<std::unique_ptr<audit::AuditSink>> createAuditSink(const PluginSet& plugins,
                                                          const config::AuditSinkConfig& sink);

}  // namespace warden::plugin
