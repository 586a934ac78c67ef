// core/include/warden/policy/masking_policy.h
//! The masking configuration (SPEC `masking`, `detectors`) compiled once per config snapshot:
//! column patterns split and pre-parsed, detectors resolved, the hash key loaded. Sessions ask
//! forSession() once (and again after a reload) for what applies to their identity on their
//! target; statements then carry that SessionMasking to the dialect's row rewriter.
#pragma once

#include <filesystem>
#include <memory>

#include "warden/base/result.h"
#include "warden/config/config.h"
#include "warden/masking/plan.h"
#include "warden/policy/decision.h"

namespace warden::policy {

class MaskingPolicy {
 public:
  //! `key`: the deployment's hash key (see loadOrCreateMaskingKey).
  static std::shared_ptr<const MaskingPolicy> compile(const config::Config& config,
                                                      const masking::HashKey& key);
  //! Null when nothing applies (no rule for this identity/target and no detectors for its
  //! environment): results then stream untouched.
  std::shared_ptr<const masking::SessionMasking> forSession(const Identity& identity,
                                                            const config::Target& target) const;
  //! True when any rule uses the hash method (a key file is needed).
  static bool needsKey(const config::Config& config);

 private:
  struct Rule {
    masking::CompiledRule compiled;
    std::vector<std::string> exempt_groups, targets, environments;
  };
  std::vector<Rule> rules_;
  std::optional<config::DetectorsConfig> detectors_;
  masking::HashKey key_;
};

masking::Method toMethod(config::MaskMethod m);

//! The HMAC key of the `hash` method: `path` (base64 of 32 bytes, mode 0600), created with a
//! random key on first use. One key per deployment: copy the file to every instance so hashed
//! values join across them.
Result<masking::HashKey> loadOrCreateMaskingKey(const std::filesystem::path& path);
inline constexpr const char* kMaskingKeyFileName = "masking-hash.key";

}  // namespace warden::policy
