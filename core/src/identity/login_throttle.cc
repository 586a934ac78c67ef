// core/src/identity/login_throttle.cc
#include "warden/identity/login_throttle.h"

#include <algorithm>

#include <fmt/format.h>

namespace warden::identity {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

LoginThrottle& LoginThrottle::instance() {
  static LoginThrottle t;
  return t;
}

std::string_view LoginThrottle::addressKey(std::string_view a) {
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    return close == std::string_view::npos ? a : a.substr(1, close - 1);
  }
  size_t colon = a.rfind(':');
  if (colon != std::string_view::npos && a.find(':') == colon) return a.substr(0, colon);
  return a;
}

size_t LoginThrottle::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

LoginThrottle::Entry& LoginThrottle::entry(const std::string& key, Clock::time_point now) {
  auto [it, fresh] = entries_.try_emplace(key);
  if (fresh) it->second.window_start = now;
  return it->second;
}

void LoginThrottle::prune(Clock::time_point now, const config::LoginThrottleConfig& cfg) {
  if (entries_.size() < max_entries_) return;
  for (auto it = entries_.begin(); it != entries_.end();) {
    bool stale = now - it->second.window_start > cfg.window && now >= it->second.locked_until;
    it = stale ? entries_.erase(it) : std::next(it);
  }
  // Still full (a flood of distinct keys inside one window): forget unlocked entries first.
  for (auto it = entries_.begin(); entries_.size() >= max_entries_ && it != entries_.end();)
    it = now >= it->second.locked_until ? entries_.erase(it) : std::next(it);
}

LoginThrottle::Gate LoginThrottle::check(std::string_view address, std::string_view user,
                                         const config::LoginThrottleConfig&, Clock::time_point now) {
  Gate g;
  try {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, what] :
         {std::pair{"a:" + std::string(addressKey(address)), fmt::format("client address {}", addressKey(address))},
          std::pair{"u:" + std::string(user), fmt::format("user \"{}\"", user)}}) {
      auto it = entries_.find(key);
      if (it == entries_.end() || now >= it->second.locked_until) continue;
      auto left = duration_cast<milliseconds>(it->second.locked_until - now);
      if (!g.refused || left > g.retry_after) {
        g.refused = true;
        g.retry_after = left;
        g.reason = fmt::format("too many failed logins for {}", what);
      }
    }
  } catch (...) {
    g.refused = true;  // out of memory: fail closed
    g.reason = "login throttling unavailable";
  }
  return g;
}

milliseconds LoginThrottle::failed(std::string_view address, std::string_view user,
                                   const config::LoginThrottleConfig& cfg, Clock::time_point now) {
  try {
    std::lock_guard<std::mutex> lock(mu_);
    prune(now, cfg);
    uint32_t worst = 0;
    for (const std::string& key : {"a:" + std::string(addressKey(address)), "u:" + std::string(user)}) {
      Entry& e = entry(key, now);
      if (now - e.window_start > cfg.window) {
        e.failures = 0;
        e.window_start = now;
      }
      e.failures++;
      if (e.failures >= cfg.lockout_after) e.locked_until = now + cfg.lockout;
      worst = std::max(worst, e.failures);
    }
    if (worst < cfg.delay_after) return milliseconds(0);
    uint32_t steps = std::min<uint32_t>(worst - cfg.delay_after, 20);
    milliseconds d(250ll << steps);
    return std::min(d, cfg.max_delay);
  } catch (...) {
    return cfg.max_delay;
  }
}

void LoginThrottle::succeeded(std::string_view user, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find("u:" + std::string(user));
  if (it != entries_.end() && it->second.locked_until <= now) entries_.erase(it);
}

}  // namespace warden::identity
