// core/include/warden/identity/login_throttle.h
//! Login throttling shared by every dialect and worker: failures are counted per client address
//! (IP, port ignored) and per user name inside a sliding window. Past `delay_after` failures the
//! failure reply is held back (250 ms doubling up to max_delay); past `lockout_after` logins from
//! that address / for that user are refused for `lockout`. A success clears the user's count
//! (not the address's: an attacker's own account must not reset a guessing run). Bounded memory;
//! thread-safe; never blocks a loop for long (one mutex, O(1) work).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "warden/config/config.h"

namespace warden::identity {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  struct Gate {
    bool refused = false;
    std::string reason;                      // which key is locked out, for logs and the client
    std::chrono::milliseconds retry_after{0};
  };

  explicit LoginThrottle(size_t max_entries = 100000) : max_entries_(max_entries) {}

  //! Before asking for credentials.
  Gate check(std::string_view address, std::string_view user,
             const config::LoginThrottleConfig& cfg, Clock::time_point now);
  //! After a failed login: how long to hold the failure reply (0 = answer at once).
  std::chrono::milliseconds failed(std::string_view address, std::string_view user,
                                   const config::LoginThrottleConfig& cfg, Clock::time_point now);
  void succeeded(std::string_view user, Clock::time_point now);

  //! The process-wide instance sessions use.
  static LoginThrottle& instance();
  //! "ip" from "ip:port" / "[v6]:port".
  static std::string_view addressKey(std::string_view client_address);
  size_t entries() const;

 private:
  struct Entry {
    uint32_t failures = 0;
    Clock::time_point window_start{};
    Clock::time_point locked_until{};
  };
  Entry& entry(const std::string& key, Clock::time_point now);
  void prune(Clock::time_point now, const config::LoginThrottleConfig& cfg);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // "a:<ip>" / "u:<user>"
  size_t max_entries_;
};

}  // namespace warden::identity
