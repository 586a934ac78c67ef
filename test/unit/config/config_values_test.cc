// test/unit/config/config_values_test.cc
//! Value syntaxes through the loader: durations and listen addresses (IPv4, IPv6, names).
#include <catch2/catch.hpp>

#include "config_test_support.h"

using namespace std::chrono_literals;
using warden::config::test::kMinimalTarget;
using warden::config::test::loadText;
using Errors = std::vector<std::string>;

namespace {

//! Loads the minimal target with `connect_timeout: <value>` (value at line 6, column 22).
warden::config::test::Loaded withTimeout(const std::string& value) {
  return loadText(
      "targets:\n"
      "  - name: pg\n"
      "    dialect: postgres\n"
      "    listen: 127.0.0.1:6432\n"
      "    backend:\n"
      "      connect_timeout: " + value + "\n"
      "      port: 5432\n");
}

//! Loads one target listening on `value` (value at line 4, column 13).
warden::config::test::Loaded withListen(const std::string& value) {
  return loadText(
      "targets:\n"
      "  - name: pg\n"
      "    dialect: postgres\n"
      "    listen: " + value + "\n"
      "    backend: {port: 5432}\n");
}

}  // namespace

TEST_CASE("durations: units, sums and integer seconds", "[config]") {
  struct Case {
    const char* text;
    std::chrono::milliseconds expected;
  };
  for (const Case& c : {Case{"500ms", 500ms}, Case{"60s", 60s}, Case{"15m", 15min},
                        Case{"2h", 2h}, Case{"90", 90s}, Case{"1m30s", 90s},
                        Case{"1h2m3s4ms", 1h + 2min + 3s + 4ms}, Case{"\"45s\"", 45s}}) {
    INFO(c.text);
    auto l = withTimeout(c.text);
    REQUIRE(l.errors.empty());
    CHECK(l.config->targets[0].backend.connect_timeout == c.expected);
  }
}

TEST_CASE("durations: malformed values are errors at the value", "[config]") {
  const std::string expected =
      "t.yaml:6:24: targets[0].backend.connect_timeout: expected a duration such as 500ms, 60s, "
      "15m, 2h or integer seconds";
  for (const char* bad : {"1.5s", "-5s", "5 s", "10d", "s", "ms5", "1e3", "[1s]", "{a: 1}",
                          "99999999999999h"}) {
    INFO(bad);
    CHECK(withTimeout(bad).errors == Errors{expected});
  }
  CHECK(withTimeout("0").errors ==
        Errors{"t.yaml:6:24: targets[0].backend.connect_timeout: must be greater than zero"});
  CHECK(withTimeout("0ms").errors ==
        Errors{"t.yaml:6:24: targets[0].backend.connect_timeout: must be greater than zero"});
  // Zero is fine where it means "none": approval grant windows, drain timeouts.
  auto l = loadText(std::string(kMinimalTarget) +
                    "limits: {drain_timeout: 0s}\n"
                    "rules:\n"
                    "  - name: r\n"
                    "    action: require_approval\n"
                    "    approval: {groups: [dba], grant_window: 0}\n");
  REQUIRE(l.errors.empty());
  CHECK(l.config->limits.drain_timeout == 0ms);
  CHECK(l.config->rules[0].approval->grant_window == 0ms);
  CHECK(l.config->rules[0].approval->wait == 60s);  // default
}

TEST_CASE("listen: IPv4, host names and bracketed IPv6", "[config]") {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (const Case& c : {Case{"127.0.0.1:6432", "127.0.0.1", 6432},
                        Case{"0.0.0.0:1", "0.0.0.0", 1},
                        Case{"localhost:65535", "localhost", 65535},
                        Case{"DB-Proxy.example.com:5432", "db-proxy.example.com", 5432},
                        Case{"\"[::1]:6432\"", "::1", 6432},
                        Case{"\"[::]:6432\"", "::", 6432},
                        Case{"\"[fe80::1:2]:7000\"", "fe80::1:2", 7000}}) {
    INFO(c.text);
    auto l = withListen(c.text);
    REQUIRE(l.errors.empty());
    CHECK(l.config->targets[0].listen_host == c.host);
    CHECK(l.config->targets[0].listen_port == c.port);
  }
}

TEST_CASE("listen: malformed addresses say what is wrong", "[config]") {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c : {
           Case{"6432", "expected HOST:PORT"},
           Case{"\"::1:6432\"", "IPv6 addresses must be written in brackets, e.g. [::1]:6432"},
           Case{"\":6432\"", "missing host (use 0.0.0.0 for all IPv4 interfaces)"},
           Case{"\"[::1]6432\"", "expected ':PORT' after ']'"},
           Case{"\"[::1\"", "missing ']' after the IPv6 address"},
           Case{"\"[1.2.3.4]:80\"", "'1.2.3.4' is not an IPv6 address"},
           Case{"\"[]:80\"", "'' is not an IPv6 address"},
           Case{"127.0.0.1:0", "port must be a number 1..65535"},
           Case{"127.0.0.1:65536", "port must be a number 1..65535"},
           Case{"\"127.0.0.1:\"", "port must be a number 1..65535"},
           Case{"127.0.0.1:http", "port must be a number 1..65535"},
           Case{"\"db host:5432\"", "'db host' is not a valid host name or address"},
       }) {
    INFO(c.text);
    CHECK(withListen(c.text).errors ==
          Errors{std::string("t.yaml:4:13: targets[0].listen: ") + c.why});
  }
  CHECK(withListen("[a, b]").errors ==
        Errors{"t.yaml:4:13: targets[0].listen: expected a string, got a list"});
}

TEST_CASE("listen: IPv6 wildcard collides with every address on the port", "[config]") {
  auto l = loadText(
      "targets:\n"
      "  - {name: a, dialect: postgres, listen: \"[::]:6432\", backend: {port: 1}}\n"
      "  - {name: b, dialect: postgres, listen: 127.0.0.1:6432, backend: {port: 1}}\n"
      "  - {name: c, dialect: postgres, listen: \"[::1]:6433\", backend: {port: 1}}\n"
      "  - {name: d, dialect: postgres, listen: 127.0.0.1:6433, backend: {port: 1}}\n");
  CHECK(l.errors == Errors{"t.yaml:3:42: targets[1].listen: listen address 127.0.0.1:6432 is "
                           "already used by target 'a' (line 2)"});
}

TEST_CASE("scalars where lists are expected, and list items of the wrong shape", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +
                    "rules:\n"                                    // 6
                    "  - name: r\n"                               // 7
                    "    action: deny\n"                          // 8
                    "    when:\n"                                 // 9
                    "      statements: drop_table\n"              // 10
                    "      tables: [public.a, {x: 1}, \"\"]\n");  // 11
  CHECK(l.errors == Errors{
                        "t.yaml:10:19: rules[0].when.statements: expected a list, got a scalar",
                        "t.yaml:11:26: rules[0].when.tables[1]: expected a string, got a mapping",
                        "t.yaml:11:34: rules[0].when.tables[2]: must not be empty",
                    });
  CHECK(loadText("targets: pg\n").errors ==
        Errors{"t.yaml:1:10: targets: expected a list, got a scalar"});
}
