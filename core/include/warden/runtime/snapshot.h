// core/include/warden/runtime/snapshot.h
//! Everything a worker needs from one configuration generation, built once on the main thread
//! and shared read-only (shared_ptr<const Snapshot>) by all workers. A reload builds a new one
//! and swaps the pointer per worker; live sessions keep the snapshot they started with for their
//! target/backend settings, but evaluate statements against the worker's current policy.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "warden/config/config.h"
#include "warden/identity/token_verifier.h"
#include "warden/net/tls_channel.h"
#include "warden/policy/decision.h"
#include "warden/policy/masking_policy.h"

namespace warden::dialect { class Dialect; }
namespace warden::plugin { class PluginSet; }

namespace warden::runtime {

struct TargetRuntime {
  const config::Target* target = nullptr;
  dialect::Dialect* dialect = nullptr;
  std::shared_ptr<net::TlsContext> backend_tls;  // null when backend.tls == disable
};

struct Snapshot {
  config::ConfigPtr config;
  std::shared_ptr<net::TlsContext> client_tls;   // null when no tls.cert_file
  std::map<std::string, TargetRuntime> targets;  // by target name
  std::shared_ptr<policy::PolicyEngine> policy;
  //! Null when the config has no masking rules and no detectors.
  std::shared_ptr<const policy::MaskingPolicy> masking;
  identity::OidcSource oidc;                      // config null when identity.oidc is absent
  uint64_t generation = 0;

  const TargetRuntime* find(const std::string& name) const;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

//! Builds a snapshot: TLS contexts (certificate/key/CA errors are reported), dialect lookup
//! (a target whose dialect plugin is not loaded is an error), policy engine.
Result<SnapshotPtr> buildSnapshot(config::ConfigPtr config, const plugin::PluginSet& plugins,
                                  uint64_t generation, std::vector<std::string>& errors);

}  // namespace warden::runtime
