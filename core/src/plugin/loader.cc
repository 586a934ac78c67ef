// core/src/plugin/loader.cc
#include "warden/plugin/loader.h"

#include <dirent.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace warden::plugin {

const char* hostBuildKey() { return WARDEN_BUILD_KEY; }

Result<LoadedPlugin> loadPluginFile(const std::string& path) {
  // RTLD_LOCAL: a plugin's symbols never satisfy another plugin's references.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    return makeError(fmt::format("plugin {}: cannot load: {}", path, why ? why : "unknown error"));
  }
  auto entry = reinterpret_cast<warden_plugin_entry_fn>(dlsym(handle, WARDEN_PLUGIN_ENTRY_SYMBOL));
  if (!entry) {
    dlclose(handle);
    return makeError(fmt::format("plugin {} refused: no '{}' entry point (not a warden plugin)",
                                 path, WARDEN_PLUGIN_ENTRY_SYMBOL));
  }
  const warden_plugin_descriptor* d = entry();
  if (!d) {
    dlclose(handle);
    return makeError(fmt::format("plugin {} refused: entry point returned no descriptor", path));
  }
  // abi_major/abi_minor are the first two fields in every ABI version: safe to read before
  // anything else.
  if (d->abi_major != WARDEN_ABI_MAJOR) {
    std::string msg = fmt::format(
        "plugin {} refused: built for plugin ABI {}.{}, this warden speaks ABI {}.{} "
        "(rebuild the plugin against this warden's SDK)",
        path, d->abi_major, d->abi_minor, WARDEN_ABI_MAJOR, WARDEN_ABI_MINOR);
    dlclose(handle);
    return makeError(std::move(msg));
  }
  if (d->abi_minor > WARDEN_ABI_MINOR) {
    std::string msg = fmt::format(
        "plugin {} refused: needs plugin ABI {}.{}, this warden provides only {}.{} (upgrade warden)",
        path, d->abi_major, d->abi_minor, WARDEN_ABI_MAJOR, WARDEN_ABI_MINOR);
    dlclose(handle);
    return makeError(std::move(msg));
  }
  const char* key = d->build_key ? d->build_key : "";
  if (std::strcmp(key, WARDEN_BUILD_KEY) != 0) {
    std::string msg = fmt::format(
        "plugin {} refused: build key '{}' differs from this warden's '{}' "
        "(compiler, C++ library or standard differ; rebuild the plugin with the same toolchain)",
        path, key, WARDEN_BUILD_KEY);
    dlclose(handle);
    return makeError(std::move(msg));
  }
  if (d->kind != WARDEN_PLUGIN_DIALECT || !d->create_dialect || !d->name || !*d->name) {
    dlclose(handle);
    return makeError(fmt::format("plugin {} refused: unsupported kind {} or incomplete descriptor",
                                 path, d->kind));
  }
  const char* err = nullptr;
  dialect::Dialect* dialect = d->create_dialect(&err);
  if (!dialect) {
    std::string msg = fmt::format("plugin {} ({}): initialisation failed: {}", path, d->name,
                                  err ? err : "unknown error");
    dlclose(handle);
    return makeError(std::move(msg));
  }
  LoadedPlugin p;
  p.path = path;
  p.name = d->name;
  p.version = d->version ? d->version : "";
  p.abi_major = d->abi_major;
  p.abi_minor = d->abi_minor;
  p.build_key = key;
  p.dialect = dialect;
  return p;  // the handle stays open for the life of the process
}

void PluginSet::loadDir(const std::string& dir, std::vector<std::string>& errors) {
  DIR* d = opendir(dir.c_str());
  if (!d) {
    errors.push_back(fmt::format("plugin_dir {}: {}", dir, std::strerror(errno)));
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind("libwarden_dialect_", 0) == 0 && n.size() > 3 && n.substr(n.size() - 3) == ".so")
      names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    auto r = loadPluginFile(dir + "/" + n);
    if (!r) {
      errors.push_back(r.error().message);
      continue;
    }
    if (findDialect(r->name)) {
      errors.push_back(fmt::format("plugin {} refused: a dialect named '{}' is already loaded",
                                   r->path, r->name));
      continue;
    }
    plugins_.push_back(std::move(r.value()));
  }
}

dialect::Dialect* PluginSet::findDialect(const std::string& name) const {
  for (const auto& p : plugins_)
    if (p.name == name) return p.dialect;
  return nullptr;
}

}  // namespace warden::plugin
