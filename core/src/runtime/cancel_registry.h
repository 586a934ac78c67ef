// core/src/runtime/cancel_registry.h
//! Process-wide map from client-facing cancel keys (opaque bytes chosen by the dialect, e.g. a
//! PostgreSQL pid+secret that Warden generated) to the live session that owns them. A cancel
//! may arrive on any worker (SO_REUSEPORT), so the map is shared under a mutex; only the key
//! lookup happens under the lock, the cancel itself runs on the owner's loop.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace warden::runtime {

class Worker;

class CancelRegistry {
 public:
  struct Owner {
    Worker* worker = nullptr;
    uint64_t session_id = 0;
  };
  static CancelRegistry& instance();
  //! False if the key is already taken (the dialect must pick another).
  bool add(const std::string& key, Owner owner);
  void remove(const std::string& key);
  bool find(const std::string& key, Owner& owner) const;
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, Owner> map_;
};

}  // namespace warden::runtime
