// core/include/warden/plugin/loader.h
//! Loads plugins from plugin_dir through the versioned entry point (abi.h) and keeps them for
//! the life of the process (never dlclose'd: sessions hold plugin objects).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "warden/base/result.h"
#include "warden/plugin/abi.h"

namespace warden::dialect { class Dialect; }

namespace warden::plugin {

struct LoadedPlugin {
  std::string path;
  std::string name;
  std::string version;
  uint32_t abi_major = 0, abi_minor = 0;
  std::string build_key;
  dialect::Dialect* dialect = nullptr;
};

//! This binary's build key (WARDEN_BUILD_KEY as compiled into the host).
const char* hostBuildKey();

//! Loads one plugin file. Refuses (with a message naming the file, the plugin's value and this
//! warden's value) when the entry point is missing, the ABI major differs, the plugin needs a
//! newer ABI minor, the build key differs, the kind is unknown, or the factory fails.
Result<LoadedPlugin> loadPluginFile(const std::string& path);

class PluginSet {
 public:
  //! Loads every libwarden_dialect_*.so in `dir` (sorted by name). Each failure is reported in
  //! `errors`; duplicates by name are errors too.
  void loadDir(const std::string& dir, std::vector<std::string>& errors);
  dialect::Dialect* findDialect(const std::string& name) const;
  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }

 private:
  std::vector<LoadedPlugin> plugins_;
};

}  // namespace warden::plugin
