// test/unit/identity/login_throttle_test.cc
#include <catch2/catch.hpp>

#include "warden/identity/login_throttle.h"

using warden::identity::LoginThrottle;
using namespace std::chrono_literals;

namespace {
warden::config::LoginThrottleConfig cfg() {
  warden::config::LoginThrottleConfig c;
  c.delay_after = 3;
  c.lockout_after = 6;
  c.window = 60s;
  c.lockout = 300s;
  c.max_delay = 2s;
  return c;
}
}  // namespace

TEST_CASE("throttle: address keys drop the port", "[identity][throttle]") {
  CHECK(LoginThrottle::addressKey("127.0.0.1:5432") == "127.0.0.1");
  CHECK(LoginThrottle::addressKey("[::1]:5432") == "::1");
  CHECK(LoginThrottle::addressKey("::1") == "::1");
  CHECK(LoginThrottle::addressKey("host") == "host");
}

TEST_CASE("throttle: failures slow down, then lock out, then expire", "[identity][throttle]") {
  LoginThrottle t;
  auto c = cfg();
  auto now = LoginThrottle::Clock::time_point{} + 1000s;
  CHECK(t.failed("127.0.0.1:1", "bob", c, now) == 0ms);
  CHECK(t.failed("127.0.0.1:2", "bob", c, now) == 0ms);
  CHECK(t.failed("127.0.0.1:3", "bob", c, now) == 250ms);  // third: delay_after reached
  CHECK(t.failed("127.0.0.1:4", "bob", c, now) == 500ms);
  CHECK(t.failed("127.0.0.1:5", "bob", c, now) == 1000ms);
  CHECK_FALSE(t.check("127.0.0.1:6", "bob", c, now).refused);
  CHECK(t.failed("127.0.0.1:6", "bob", c, now) == 2000ms);  // capped at max_delay; 6th locks out
  auto g = t.check("127.0.0.1:7", "bob", c, now + 1s);
  CHECK(g.refused);
  CHECK(g.retry_after == 299s);
  // Locked per address: another user from the same address is refused too ...
  CHECK(t.check("127.0.0.1:8", "carol", c, now + 1s).refused);
  // ... and per user: the same user from another address as well.
  CHECK(t.check("127.0.0.2:1", "bob", c, now + 1s).refused);
  CHECK_FALSE(t.check("127.0.0.2:1", "carol", c, now + 1s).refused);
  // A success does not lift a lockout.
  t.succeeded("bob", now + 1s);
  CHECK(t.check("127.0.0.2:1", "bob", c, now + 2s).refused);
  // The lockout ends; the window restarts the count.
  CHECK_FALSE(t.check("127.0.0.1:9", "bob", c, now + 301s).refused);
  CHECK(t.failed("127.0.0.1:9", "bob", c, now + 400s) == 0ms);
}

TEST_CASE("throttle: a success clears the user's count but not the address's", "[identity][throttle]") {
  LoginThrottle t;
  auto c = cfg();
  auto now = LoginThrottle::Clock::now();
  t.failed("10.0.0.1:1", "alice", c, now);
  t.failed("10.0.0.1:1", "alice", c, now);
  t.succeeded("alice", now);
  // The address still carries two failures: the third is delayed.
  CHECK(t.failed("10.0.0.1:1", "mallory", c, now) == 250ms);
  // alice's own count restarted.
  CHECK(t.failed("10.0.0.9:1", "alice", c, now) == 0ms);
}

TEST_CASE("throttle: memory stays bounded under distinct keys", "[identity][throttle]") {
  LoginThrottle t(100);
  auto c = cfg();
  auto now = LoginThrottle::Clock::now();
  for (int i = 0; i < 1000; ++i)
    t.failed("10.0.0." + std::to_string(i) + ":1", "u" + std::to_string(i), c, now);
  CHECK(t.entries() <= 102);
}
