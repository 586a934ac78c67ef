// core/src/runtime/cancel_registry.cc
#include "cancel_registry.h"

namespace warden::runtime {

CancelRegistry& CancelRegistry::instance() {
  static CancelRegistry registry;
  return registry;
}

bool CancelRegistry::add(const std::string& key, Owner owner) {
  std::lock_guard<std::mutex> lock(mu_);
  return map_.emplace(key, owner).second;
}

void CancelRegistry::remove(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  map_.erase(key);
}

bool CancelRegistry::find(const std::string& key, Owner& owner) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = map_.find(key);
  if (it == map_.end()) return false;
  owner = it->second;
  return true;
}

size_t CancelRegistry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return map_.size();
}

}  // namespace warden::runtime
