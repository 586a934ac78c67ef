// core/src/plugin/loader.cc
#include "warden/plugin/loader.h"

#include <dirent.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "warden/audit/sink.h"
#include "warden/config/config.h"

namespace warden::plugin {
namespace {

constexpr std::string_view kDialectPrefix = "libwarden_dialect_";
constexpr std::string_view kSinkPrefix = "libwarden_sink_";

bool isPluginFileName(std::string_view n, std::string_view prefix) {
  return n.size() > prefix.size() + 3 && n.substr(0, prefix.size()) == prefix &&
         n.substr(n.size() - 3) == ".so";
}

//! The kind a file name promises (0: the name says nothing, e.g. a file loaded by full path).
uint32_t kindOfFileName(const std::string& path) {
  auto slash = path.rfind('/');
  std::string_view base = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  if (isPluginFileName(base, kDialectPrefix)) return WARDEN_PLUGIN_DIALECT;
  if (isPluginFileName(base, kSinkPrefix)) return WARDEN_PLUGIN_AUDIT_SINK;
  return 0;
}

}  // namespace

const char* hostBuildKey() { return WARDEN_BUILD_KEY; }

std::string kindName(uint32_t kind) {
  switch (kind) {
    case WARDEN_PLUGIN_DIALECT: return "dialect";
    case WARDEN_PLUGIN_AUDIT_SINK: return "audit sink";
    default: return fmt::format("unknown kind {}", kind);
  }
}

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
  // From here on the descriptor is this ABI's layout: name, kind and both factories are valid
  // members (a dialect's create_audit_sink is null, and the reverse).
  auto refuse = [&](std::string why) {
    std::string msg = fmt::format("plugin {} refused: {}", path, why);
    dlclose(handle);
    return makeError(std::move(msg));
  };
  if (!d->name || !*d->name) return refuse("the descriptor's name is empty");
  if (d->kind != WARDEN_PLUGIN_DIALECT && d->kind != WARDEN_PLUGIN_AUDIT_SINK)
    return refuse(fmt::format("'{}' declares unsupported kind {} (this warden loads kind {} "
                              "dialect and kind {} audit sink plugins)",
                              d->name, d->kind, static_cast<int>(WARDEN_PLUGIN_DIALECT),
                              static_cast<int>(WARDEN_PLUGIN_AUDIT_SINK)));
  if (uint32_t by_name = kindOfFileName(path); by_name && by_name != d->kind)
    return refuse(fmt::format("'{}' is a {} plugin but its file name says {} (name it {}{}.so)",
                              d->name, kindName(d->kind), kindName(by_name),
                              d->kind == WARDEN_PLUGIN_DIALECT ? kDialectPrefix : kSinkPrefix,
                              d->name));
  LoadedPlugin p;
  p.path = path;
  p.name = d->name;
  p.version = d->version ? d->version : "";
  p.abi_major = d->abi_major;
  p.abi_minor = d->abi_minor;
  p.build_key = key;
  p.kind = d->kind;
  if (d->kind == WARDEN_PLUGIN_AUDIT_SINK) {
    if (!d->create_audit_sink)
      return refuse(fmt::format("audit sink plugin '{}' has no create_audit_sink", d->name));
    // Sinks are created per audit.sinks entry (createAuditSink), not at load.
    p.create_audit_sink = d->create_audit_sink;
    return p;  // the handle stays open for the life of the process
  }
  if (!d->create_dialect)
    return refuse(fmt::format("dialect plugin '{}' has no create_dialect", d->name));
  const char* err = nullptr;
  dialect::Dialect* dialect = d->create_dialect(&err);
  if (!dialect) {
    std::string msg = fmt::format("plugin {} ({}): initialisation failed: {}", path, d->name,
                                  err ? err : "unknown error");
    dlclose(handle);
    return makeError(std::move(msg));
  }
  p.dialect = dialect;
  return p;  // the handle stays open for the life of the process
}

void PluginSet::loadDir(const std::string& dir, std::vector<std::string>& errors) {
  dirs_.push_back(dir);
  DIR* d = opendir(dir.c_str());
  if (!d) {
    errors.push_back(fmt::format("plugin_dir {}: {}", dir, std::strerror(errno)));
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (isPluginFileName(n, kDialectPrefix) || isPluginFileName(n, kSinkPrefix))
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
    if (find(r->name, r->kind)) {
      const char* what = r->kind == WARDEN_PLUGIN_AUDIT_SINK ? "an audit sink" : "a dialect";
      errors.push_back(fmt::format("plugin {} refused: {} named '{}' is already loaded", r->path,
                                   what, r->name));
      continue;
    }
    plugins_.push_back(std::move(r.value()));
  }
}

const LoadedPlugin* PluginSet::find(const std::string& name, uint32_t kind) const {
  for (const auto& p : plugins_)
    if (p.kind == kind && p.name == name) return &p;
  return nullptr;
}

dialect::Dialect* PluginSet::findDialect(const std::string& name) const {
  const LoadedPlugin* p = find(name, WARDEN_PLUGIN_DIALECT);
  return p ? p->dialect : nullptr;
}

AuditSinkFactory PluginSet::findSinkFactory(const std::string& name) const {
  const LoadedPlugin* p = find(name, WARDEN_PLUGIN_AUDIT_SINK);
  return p ? p->create_audit_sink : nullptr;
}

namespace {

Result<std::unique_ptr<audit::AuditSink>> createSink(const PluginSet& plugins,
                                                     const config::AuditSinkConfig& sink,
                                                     const std::string& where) {
  AuditSinkFactory factory = plugins.findSinkFactory(sink.type);
  if (!factory) {
    std::string dirs;
    for (const auto& d : plugins.dirs()) dirs += (dirs.empty() ? "" : ", ") + d;
    std::string loaded;
    for (const auto& p : plugins.plugins())
      if (p.kind == WARDEN_PLUGIN_AUDIT_SINK) loaded += (loaded.empty() ? "" : ", ") + p.name;
    return makeError(fmt::format(
        "{}: no sink plugin '{}' in plugin_dir {} (expected {}{}.so; sink plugins loaded: {})",
        where, sink.type, dirs.empty() ? "(none loaded)" : dirs, kSinkPrefix, sink.type,
        loaded.empty() ? "none" : loaded));
  }
  std::string error;
  audit::AuditSink* created = factory(sink.options_json.c_str(), &error);
  if (!created)
    return makeError(fmt::format("{} ({}): {}", where, sink.type,
                                 error.empty() ? "the sink plugin could not be created" : error));
  return std::unique_ptr<audit::AuditSink>(created);
}

}  // namespace

Result<std::unique_ptr<audit::AuditSink>> createAuditSink(const PluginSet& plugins,
                                                          const config::AuditSinkConfig& sink,
                                                          size_t index) {
  return createSink(plugins, sink, fmt::format("audit.sinks[{}]", index));
}

Result<std::unique_ptr<audit::AuditSink>> createAuditSink(const PluginSet& plugins,
                                                          const config::AuditSinkConfig& sink) {
  return createSink(plugins, sink, fmt::format("audit.sinks (type '{}')", sink.type));
}

}  // namespace warden::plugin
