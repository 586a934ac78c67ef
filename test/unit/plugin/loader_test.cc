// test/unit/plugin/loader_test.cc
//! The host refuses plugins built for another ABI or toolchain, with a message naming both sides.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

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
