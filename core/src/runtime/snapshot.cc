// core/src/runtime/snapshot.cc
#include "warden/runtime/snapshot.h"

#include "warden/policy/rule_engine.h"

#include <fmt/format.h>

#include <filesystem>

#include "warden/plugin/loader.h"

namespace warden::runtime {

const TargetRuntime* Snapshot::find(const std::string& name) const {
  auto it = targets.find(name);
  return it == targets.end() ? nullptr : &it->second;
}

static std::string where(const config::Mark& m) {
  if (m.file.empty()) return {};
  return fmt::format("{}:{}:{}: ", m.file, m.line, m.column);
}

Result<SnapshotPtr> buildSnapshot(config::ConfigPtr config, const plugin::PluginSet& plugins,
                                  uint64_t generation, std::vector<std::string>& errors) {
  auto snap = std::make_shared<Snapshot>();
  snap->config = config;
  snap->generation = generation;
  size_t before = errors.size();
  if (config->tls.enabled()) {
    auto ctx = net::TlsContext::makeServer(config->tls.cert_file, config->tls.key_file,
                                           config->tls.client_ca_file);
    if (!ctx)
      errors.push_back("tls: " + ctx.error().message);
    else
      snap->client_tls = ctx.value();
  }
  for (const auto& t : config->targets) {
    TargetRuntime rt;
    rt.target = &t;
    rt.dialect = plugins.findDialect(t.dialect);
    if (!rt.dialect) {
      std::string loaded;
      for (const auto& p : plugins.plugins()) loaded += (loaded.empty() ? "" : ", ") + p.name;
      errors.push_back(fmt::format("{}target '{}': dialect '{}' is not loaded (plugins loaded: {})",
                                   where(t.mark), t.name, t.dialect,
                                   loaded.empty() ? "none" : loaded));
    }
    if (t.client_tls == config::ClientTls::Required && !config->tls.enabled())
      errors.push_back(fmt::format("{}target '{}': client_tls: required needs tls.cert_file and "
                                   "tls.key_file", where(t.mark), t.name));
    if (t.backend.tls != config::BackendTls::Disable) {
      bool verify = t.backend.tls == config::BackendTls::VerifyFull;
      auto ctx = net::TlsContext::makeClient(verify, t.backend.ca_file);
      if (!ctx)
        errors.push_back(fmt::format("{}target '{}': backend tls: {}", where(t.mark), t.name,
                                     ctx.error().message));
      else
        rt.backend_tls = ctx.value();
    }
    snap->targets.emplace(t.name, std::move(rt));
  }
  if (auto engine = policy::makeRuleEngine(config, &errors)) snap->policy = engine.value();
  bool row_limits = false;
  for (const auto& t : config->targets) row_limits = row_limits || t.max_rows > 0;
  if (!config->masking.empty() || config->detectors || row_limits) {
    masking::HashKey key;
    if (policy::MaskingPolicy::needsKey(*config)) {
      auto k = policy::loadOrCreateMaskingKey(std::filesystem::path(config->state.dir) /
                                              policy::kMaskingKeyFileName);
      if (!k) errors.push_back(fmt::format("masking: hash key: {}", k.error().message));
      else key = k.value();
    }
    snap->masking = policy::MaskingPolicy::compile(*config, key);
  }
  if (const auto& oidc = config->identity.oidc) {
    snap->oidc.config = &*oidc;
    if (!oidc->jwks_file.empty()) {
      auto keys = identity::loadJwksFile(oidc->jwks_file);
      if (!keys) errors.push_back(fmt::format("identity.oidc.jwks_file: {}", keys.error().message));
      else snap->oidc.file_keys = keys.value();
    }
    if (oidc->jwks_url.rfind("https://", 0) == 0) {
      auto ctx = net::TlsContext::makeClient(true, oidc->jwks_ca_file);
      if (!ctx) errors.push_back(fmt::format("identity.oidc.jwks_url: TLS: {}", ctx.error().message));
      else snap->oidc.tls = ctx.value();
    }
  }
  if (errors.size() != before) return makeError("invalid configuration");
  return SnapshotPtr(std::move(snap));
}

}  // namespace warden::runtime
