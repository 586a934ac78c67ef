// test/unit/policy/masking_policy_test.cc
//! The masking config compiled per snapshot (warden/policy/masking_policy.h): which rules apply
//! to an identity on a target (exempt_groups, targets, environments), detectors per environment,
//! max_rows from the target and the rules, the hash key file.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "../config/config_test_support.h"
#include "warden/policy/masking_policy.h"

using namespace warden;

namespace {

const char* kConfig = R"(targets:
  - name: prod-pg
    dialect: postgres
    listen: 127.0.0.1:16432
    environment: prod
    max_rows: 1000
    backend: {host: 127.0.0.1, port: 5432, database: app, user: app, password: x}
  - name: dev-pg
    dialect: postgres
    listen: 127.0.0.1:16433
    environment: dev
    backend: {host: 127.0.0.1, port: 5432, database: app, user: app, password: x}
masking:
  - name: pii
    columns: ["public.users.email"]
    method: partial
    exempt_groups: [pii-readers]
  - name: prod-only
    columns: ["*.ssn"]
    method: hash
    environments: [prod]
    max_rows: 50
  - name: dev-target
    columns: ["notes.body"]
    method: "null"
    targets: ["dev-*"]
detectors: {enabled: [email, jwt], method: redact, environments: [prod]}
)";

policy::Identity who(std::vector<std::string> groups) {
  policy::Identity id;
  id.user = "u";
  id.groups = std::move(groups);
  return id;
}

}  // namespace

TEST_CASE("masking policy: rules per identity and target, detectors per environment",
          "[masking][config]") {
  auto l = config::test::loadText(kConfig);
  REQUIRE(l.errors.empty());
  const auto& cfg = *l.config;
  CHECK(cfg.targets[0].max_rows == 1000);
  CHECK(cfg.masking[1].max_rows == 50);
  CHECK(cfg.masking[1].environments == std::vector<std::string>{"prod"});
  CHECK(cfg.masking[2].targets == std::vector<std::string>{"dev-*"});
  masking::HashKey key;
  key.bytes[0] = 7;
  auto policy = policy::MaskingPolicy::compile(cfg, key);

  auto prod = policy->forSession(who({"dev"}), cfg.targets[0]);
  REQUIRE(prod);
  REQUIRE(prod->rules.size() == 2);
  CHECK(prod->rules[0].name == "pii");
  CHECK(prod->rules[1].name == "prod-only");
  CHECK(prod->rules[1].max_rows == 50);
  CHECK(prod->rules[1].method == masking::Method::Hash);
  CHECK(prod->max_rows == 1000);
  CHECK(prod->detectors.enabled(masking::Detector::Email));
  CHECK(prod->detectors.enabled(masking::Detector::Jwt));
  CHECK_FALSE(prod->detectors.enabled(masking::Detector::CreditCard));
  CHECK(prod->key.bytes[0] == 7);

  auto exempt = policy->forSession(who({"pii-readers"}), cfg.targets[0]);
  REQUIRE(exempt);
  REQUIRE(exempt->rules.size() == 1);
  CHECK(exempt->rules[0].name == "prod-only");

  auto dev = policy->forSession(who({"dev"}), cfg.targets[1]);
  REQUIRE(dev);
  REQUIRE(dev->rules.size() == 2);
  CHECK(dev->rules[1].name == "dev-target");
  CHECK(dev->detectors.empty());
  CHECK(dev->max_rows == 0);

  // Exempt from pii on dev: only the dev target's own rule is left.
  auto rest = policy->forSession(who({"pii-readers"}), cfg.targets[1]);
  REQUIRE(rest);
  REQUIRE(rest->rules.size() == 1);
  CHECK(rest->rules[0].name == "dev-target");
  CHECK(policy::MaskingPolicy::needsKey(cfg));
}

TEST_CASE("masking config errors: max_rows must be a count", "[masking][config]") {
  std::string text = kConfig;
  text.replace(text.find("max_rows: 50"), 12, "max_rows: -1");
  auto l = config::test::loadText(text);
  REQUIRE(l.errors.size() == 1);
  CHECK(l.errors[0].find("masking[1].max_rows") != std::string::npos);
}

TEST_CASE("masking hash key: created 0600 once, then read back; loose modes refused",
          "[masking]") {
  auto dir = std::filesystem::temp_directory_path() /
             ("warden-mask-key-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto path = dir / "state" / policy::kMaskingKeyFileName;
  auto first = policy::loadOrCreateMaskingKey(path);
  REQUIRE(first.ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto again = policy::loadOrCreateMaskingKey(path);
  REQUIRE(again.ok());
  CHECK(again.value().bytes == first.value().bytes);
  ::chmod(path.c_str(), 0644);
  CHECK_FALSE(policy::loadOrCreateMaskingKey(path).ok());
  ::chmod(path.c_str(), 0600);
  std::ofstream(path) << "not base64 of 32 bytes\n";
  CHECK_FALSE(policy::loadOrCreateMaskingKey(path).ok());
  std::filesystem::remove_all(dir);
}
