// test/unit/plugin/loader_test.cc
//! The host refuses plugins built for another ABI or toolchain, with a message naming both sides.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "warden/audit/sink.h"
#include "warden/config/config.h"
#include "warden/dialect/dialect.h"
#include "warden/plugin/loader.h"

using warden::plugin::loadPluginFile;
using warden::plugin::PluginSet;

namespace {
std::string testPlugin(const std::string& c) {
  return std::string(WARDEN_TEST_PLUGIN_DIR) + "/" + c + "/libwarden_dialect_" + c + ".so";
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("a plugin built with the host's ABI and build key loads", "[plugin]") {
  auto r = loadPluginFile(testPlugin("good"));
  REQUIRE(r.ok());
  CHECK(r->name == "testdialect");
  CHECK(r->abi_major == WARDEN_ABI_MAJOR);
  CHECK(r->build_key == warden::plugin::hostBuildKey());
  REQUIRE(r->dialect != nullptr);
  CHECK(r->dialect->name() == "testdialect");
}

TEST_CASE("a plugin with another ABI major is refused with a clear message", "[plugin]") {
  auto r = loadPluginFile(testPlugin("abi_major"));
  REQUIRE_FALSE(r.ok());
  const auto& m = r.error().message;
  CHECK(contains(m, "refused"));
  CHECK(contains(m, "libwarden_dialect_abi_major.so"));
  CHECK(contains(m, "ABI " + std::to_string(WARDEN_ABI_MAJOR + 98) + "."));
  CHECK(contains(m, "this warden speaks ABI " + std::to_string(WARDEN_ABI_MAJOR) + "."));
}

TEST_CASE("a plugin needing a newer ABI minor is refused", "[plugin]") {
  auto r = loadPluginFile(testPlugin("abi_minor"));
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "needs plugin ABI"));
}

TEST_CASE("a plugin with another build key is refused naming both keys", "[plugin]") {
  auto r = loadPluginFile(testPlugin("build_key"));
  REQUIRE_FALSE(r.ok());
  const auto& m = r.error().message;
  CHECK(contains(m, "build key 'warden-abi-1;othercc-3;libfoo;cxx-201402L'"));
  CHECK(contains(m, warden::plugin::hostBuildKey()));
}

TEST_CASE("a shared object without the entry point is refused", "[plugin]") {
  auto r = loadPluginFile(testPlugin("no_entry"));
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "warden_plugin_entry"));
}

TEST_CASE("a missing file is an error, not a crash", "[plugin]") {
  auto r = loadPluginFile("/nonexistent/libwarden_dialect_x.so");
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.error().message, "cannot load"));
}

TEST_CASE("loadDir reports refused plugins and keeps the good ones", "[plugin]") {
  PluginSet set;
  std::vector<std::string> errors;
  set.loadDir(std::string(WARDEN_TEST_PLUGIN_DIR) + "/abi_major", errors);
  REQUIRE(errors.size() == 1);
  CHECK(set.plugins().empty());
  CHECK(set.findDialect("testdialect") == nullptr);

  PluginSet real;
  std::vector<std::string> real_errors;
  real.loadDir(WARDEN_PLUGIN_DIR, real_errors);
  CHECK(real_errors.empty());
  REQUIRE(real.findDialect("postgres") != nullptr);
  CHECK(real.findDialect("postgres")->name() == "postgres");
}

TEST_CASE("loadDir on a missing directory reports it", "[plugin]") {
  PluginSet set;
  std::vector<std::string> errors;
  set.loadDir("/nonexistent-plugin-dir", errors);
  REQUIRE(errors.size() == 1);
  CHECK(contains(errors[0], "/nonexistent-plugin-dir"));
}

// --- audit sink plugins (kind WARDEN_PLUGIN_AUDIT_SINK, libwarden_sink_*.so) -----------------

namespace {
std::string testSinkPlugin(const std::string& c) {
  return std::string(WARDEN_TEST_PLUGIN_DIR) + "/" + c + "/libwarden_sink_" + c + ".so";
}
warden::config::AuditSinkConfig sinkConfig(const std::string& type, const std::string& json) {
  warden::config::AuditSinkConfig c;
  c.type = type;
  c.options_json = json;
  return c;
}
}  // namespace

TEST_CASE("a sink plugin loads with its kind and factory, and no dialect", "[plugin][audit]") {
  auto r = loadPluginFile(testSinkPlugin("sink_good"));
  REQUIRE(r.ok());
  CHECK(r->name == "testsink");
  CHECK(r->kind == WARDEN_PLUGIN_AUDIT_SINK);
  CHECK(r->create_audit_sink != nullptr);
  CHECK(r->dialect == nullptr);
  CHECK(warden::plugin::kindName(r->kind) == "audit sink");
}

TEST_CASE("incomplete or inconsistent sink plugins are refused naming what is wrong",
          "[plugin][audit]") {
  auto no_factory = loadPluginFile(testSinkPlugin("sink_no_factory"));
  REQUIRE_FALSE(no_factory.ok());
  CHECK(contains(no_factory.error().message, "libwarden_sink_sink_no_factory.so refused"));
  CHECK(contains(no_factory.error().message,
                 "audit sink plugin 'testsink' has no create_audit_sink"));

  auto empty = loadPluginFile(testSinkPlugin("sink_empty_name"));
  REQUIRE_FALSE(empty.ok());
  CHECK(contains(empty.error().message, "name is empty"));

  auto kind = loadPluginFile(testSinkPlugin("sink_dialect_kind"));
  REQUIRE_FALSE(kind.ok());
  CHECK(contains(kind.error().message, "is a dialect plugin but its file name says audit sink"));

  auto unknown = loadPluginFile(testSinkPlugin("sink_unknown_kind"));
  REQUIRE_FALSE(unknown.ok());
  CHECK(contains(unknown.error().message, "unsupported kind 7"));

  PluginSet set;
  std::vector<std::string> errors;
  set.loadDir(std::string(WARDEN_TEST_PLUGIN_DIR) + "/sink_no_factory", errors);
  REQUIRE(errors.size() == 1);
  CHECK(set.plugins().empty());
  CHECK(set.findSinkFactory("testsink") == nullptr);
}

TEST_CASE("loadDir loads sink plugins beside dialects; names are per kind", "[plugin][audit]") {
  PluginSet real;
  std::vector<std::string> errors;
  real.loadDir(WARDEN_PLUGIN_DIR, errors);
  CHECK(errors.empty());
  CHECK(real.findDialect("postgres") != nullptr);
  CHECK(real.findSinkFactory("syslog") != nullptr);
  CHECK(real.findDialect("syslog") == nullptr);
  CHECK(real.findSinkFactory("postgres") == nullptr);

  PluginSet twice;  // the same sink from two directories: the second is a duplicate
  std::vector<std::string> twice_errors;
  twice.loadDir(std::string(WARDEN_TEST_PLUGIN_DIR) + "/sink_good", twice_errors);
  twice.loadDir(std::string(WARDEN_TEST_PLUGIN_DIR) + "/sink_good", twice_errors);
  REQUIRE(twice_errors.size() == 1);
  CHECK(contains(twice_errors[0], "an audit sink named 'testsink' is already loaded"));
}

TEST_CASE("createAuditSink hands options_json to the plugin and names the entry on errors",
          "[plugin][audit]") {
  PluginSet set;
  std::vector<std::string> errors;
  const std::string dir = std::string(WARDEN_TEST_PLUGIN_DIR) + "/sink_good";
  set.loadDir(dir, errors);
  REQUIRE(errors.empty());

  auto sink = warden::plugin::createAuditSink(
      set, sinkConfig("testsink", R"({"type":"testsink","x":1})"), 0);
  REQUIRE(sink.ok());
  REQUIRE(sink.value() != nullptr);
  std::string error;
  std::string_view lines[] = {"a", "b"};
  CHECK_FALSE(sink.value()->write(lines, error));
  CHECK(error == R"({"type":"testsink","x":1} lines=2)");

  auto missing = warden::plugin::createAuditSink(set, sinkConfig("nosuch", "{}"), 2);
  REQUIRE_FALSE(missing.ok());
  CHECK(contains(missing.error().message,
                 "audit.sinks[2]: no sink plugin 'nosuch' in plugin_dir " + dir));
  CHECK(contains(missing.error().message, "libwarden_sink_nosuch.so"));
  CHECK(contains(missing.error().message, "sink plugins loaded: testsink"));

  auto refused = warden::plugin::createAuditSink(set, sinkConfig("testsink", R"({"fail":1})"), 1);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message == "audit.sinks[1] (testsink): options say no");

  auto unindexed = warden::plugin::createAuditSink(set, sinkConfig("nosuch", "{}"));
  REQUIRE_FALSE(unindexed.ok());
  CHECK(contains(unindexed.error().message, "audit.sinks (type 'nosuch'): no sink plugin"));
}
