// test/unit/config/config_valid_test.cc
//! Valid configs: the SPEC.md example, defaults, path resolution, the shipped conf/warden.yaml.
#include <catch2/catch.hpp>

#include <thread>

#include "config_test_support.h"

using namespace warden::config;
using namespace std::chrono_literals;
using warden::config::test::kMinimalTarget;
using warden::config::test::loadFile;
using warden::config::test::loadText;
using warden::config::test::ScopedEnv;
using warden::config::test::ScratchDir;

namespace {

// SPEC.md "Config file", with files relative to the config's directory and the backend password
// from an env var set by the test.
const char* kSpecExample = R"(workers: 2
plugin_dir: plugins
log_level: debug
admin:
  listen: 127.0.0.1:9190
  tokens:
    - token_env: WARDEN_TEST_ADMIN_TOKEN
      user: ops
      groups: [dba]
    - token: "literal-token"
      user: robot
tls:
  cert_file: tls/server.crt
  key_file: tls/server.key
identity:
  users:
    - name: alice
      password: "dev-only"
      groups: [dba]
      kind: human
    - name: bot
      scram_sha_256: "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$2cAwLhRbEH+i7tmvfKjy4RCX0Wn1IyzoZXUeslvdfGo=:dy5Mt3p3Yq2UDfIaXf7b0RDtF3f8Y/KkjbHXqUrVhCg="
      kind: agent
  oidc:
    issuer: http://127.0.0.1:9000
    audience: warden
    jwks_file: jwks.json
    user_claim: email
targets:
  - name: prod-pg
    dialect: postgres
    listen: 127.0.0.1:6432
    environment: prod
    client_tls: required
    client_auth: password
    proxy_protocol: true
    backend:
      host: db.internal
      port: 5432
      database: app
      user: app_rw
      password_env: WARDEN_TEST_PG_PASSWORD
      tls: verify-full
      ca_file: tls/ca.crt
      server_name: db.example
      connect_timeout: 2s
  - name: dev-pg
    dialect: postgres
    listen: "[::1]:6433"
    backend: {port: 5433, password_file: secrets/pg.txt, tls: disable}
default_action: allow
rules:
  - name: no-drop-in-prod
    when:
      environments: [prod]
      statements: [drop_*, truncate]
      tables: ["public.*"]
      where: absent
      unparsed: true
    action: deny
    mode: enforce
    message: "dropping tables in prod is not allowed"
  - name: bulk-write-review
    when:
      {environments: [prod], targets: [prod-pg], kinds: [agent], statements: [delete, update],
       where: absent}
    action: require_approval
    approval: {groups: [dba], quorum: 2, wait: 60s, grant_window: 15m}
  - name: watch-agents
    when: {kinds: [agent]}
    action: deny
    mode: dry_run
masking:
  - name: customer-pii
    columns: ["public.users.email", "*.ssn"]
    method: partial
    exempt_groups: [pii-readers]
detectors:
  enabled: [email, credit_card, us_ssn, iban, phone, aws_key, jwt, private_key]
  method: hash
  environments: [prod]
audit:
  dir: var/audit
  redact_literals: false
approvals:
  webhook_url: http://127.0.0.1:9300/hook
state:
  backend: postgres
  dir: /var/lib/warden/state
limits:
  max_message_bytes: 1048576
  write_high_watermark: 65536
  write_low_watermark: 16384
  auth_timeout: 5s
  drain_timeout: 0
  max_client_connections: 250
)";

}  // namespace

TEST_CASE("the SPEC example loads with every field filled", "[config]") {
  ScratchDir dir;
  dir.write("tls/server.crt", "cert");
  dir.write("tls/server.key", "key");
  dir.write("tls/ca.crt", "ca");
  dir.write("jwks.json", "{\"keys\":[]}");
  dir.write("secrets/pg.txt", "file-secret\n");
  std::filesystem::create_directories(dir.file("plugins"));
  std::string path = dir.write("warden.yaml", kSpecExample);
  ScopedEnv pg("WARDEN_TEST_PG_PASSWORD", "env-secret");
  ScopedEnv admin("WARDEN_TEST_ADMIN_TOKEN", "admin-token");

  auto loaded = loadFile(path);
  INFO(loaded.summary);
  REQUIRE(loaded.errors.empty());
  REQUIRE(loaded.config);
  const Config& c = *loaded.config;

  CHECK(c.source_file == path);
  CHECK(c.workers == 2);
  CHECK(c.plugin_dir == dir.file("plugins"));
  CHECK(c.log_level == "debug");
  CHECK(c.admin.listen == "127.0.0.1:9190");
  REQUIRE(c.admin.tokens.size() == 2);
  CHECK(c.admin.tokens[0].token == "admin-token");
  CHECK(c.admin.tokens[0].user == "ops");
  CHECK(c.admin.tokens[0].groups == std::vector<std::string>{"dba"});
  CHECK(c.admin.tokens[1].token == "literal-token");
  CHECK(c.tls.enabled());
  CHECK(c.tls.cert_file == dir.file("tls/server.crt"));
  CHECK(c.tls.key_file == dir.file("tls/server.key"));

  REQUIRE(c.identity.users.size() == 2);
  const User* alice = c.identity.findUser("alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->password == std::optional<std::string>("dev-only"));
  CHECK(alice->scram.valid());
  CHECK(alice->scram.iterations == 4096);
  CHECK(alice->scram.salt.size() == 16);
  CHECK(alice->groups == std::vector<std::string>{"dba"});
  CHECK(alice->kind == IdentityKind::Human);
  const User* bot = c.identity.findUser("bot");
  REQUIRE(bot != nullptr);
  CHECK_FALSE(bot->password.has_value());
  CHECK(bot->scram.iterations == 4096);
  CHECK(bot->kind == IdentityKind::Agent);
  CHECK(c.identity.findUser("mallory") == nullptr);
  REQUIRE(c.identity.oidc.has_value());
  CHECK(c.identity.oidc->issuer == "http://127.0.0.1:9000");
  CHECK(c.identity.oidc->audience == "warden");
  CHECK(c.identity.oidc->jwks_file == dir.file("jwks.json"));
  CHECK(c.identity.oidc->user_claim == "email");
  CHECK(c.identity.oidc->groups_claim == "groups");
  CHECK(c.identity.oidc->kind_claim == "warden_kind");

  REQUIRE(c.targets.size() == 2);
  const Target* prod = c.findTarget("prod-pg");
  REQUIRE(prod == &c.targets[0]);
  CHECK(prod->dialect == "postgres");
  CHECK(prod->listen_host == "127.0.0.1");
  CHECK(prod->listen_port == 6432);
  CHECK(prod->environment == "prod");
  CHECK(prod->client_tls == ClientTls::Required);
  CHECK(prod->client_auth == ClientAuth::Password);
  CHECK(prod->proxy_protocol);
  CHECK(prod->mark.line == 30);
  CHECK(prod->mark.column == 5);
  CHECK(prod->backend.host == "db.internal");
  CHECK(prod->backend.port == 5432);
  CHECK(prod->backend.database == "app");
  CHECK(prod->backend.user == "app_rw");
  CHECK(prod->backend.password == "env-secret");
  CHECK(prod->backend.tls == BackendTls::VerifyFull);
  CHECK(prod->backend.ca_file == dir.file("tls/ca.crt"));
  CHECK(prod->backend.server_name == "db.example");
  CHECK(prod->backend.connect_timeout == 2s);
  const Target* dev = c.findTarget("dev-pg");
  REQUIRE(dev != nullptr);
  CHECK(dev->listen_host == "::1");
  CHECK(dev->listen_port == 6433);
  CHECK(dev->environment == "default");
  CHECK(dev->client_tls == ClientTls::Optional);
  CHECK(dev->client_auth == ClientAuth::Scram);
  CHECK_FALSE(dev->proxy_protocol);
  CHECK(dev->backend.host == "127.0.0.1");
  CHECK(dev->backend.password == "file-secret");
  CHECK(dev->backend.tls == BackendTls::Disable);
  CHECK(dev->backend.connect_timeout == 5s);
  CHECK(c.findTarget("nope") == nullptr);

  CHECK(c.default_action == Action::Allow);
  REQUIRE(c.rules.size() == 3);
  const Rule& drop = c.rules[0];
  CHECK(drop.name == "no-drop-in-prod");
  CHECK(drop.when.environments == std::vector<std::string>{"prod"});
  CHECK(drop.when.statements == std::vector<std::string>{"drop_*", "truncate"});
  CHECK(drop.when.tables == std::vector<std::string>{"public.*"});
  CHECK(drop.when.where_absent);
  CHECK(drop.when.unparsed == std::optional<bool>(true));
  CHECK(drop.action == Action::Deny);
  CHECK(drop.mode == RuleMode::Enforce);
  CHECK(drop.message == "dropping tables in prod is not allowed");
  CHECK_FALSE(drop.approval.has_value());
  const Rule& bulk = c.rules[1];
  CHECK(bulk.action == Action::RequireApproval);
  CHECK(bulk.when.targets == std::vector<std::string>{"prod-pg"});
  CHECK(bulk.when.kinds == std::vector<std::string>{"agent"});
  CHECK_FALSE(bulk.when.unparsed.has_value());
  REQUIRE(bulk.approval.has_value());
  CHECK(bulk.approval->groups == std::vector<std::string>{"dba"});
  CHECK(bulk.approval->quorum == 2);
  CHECK(bulk.approval->wait == 60s);
  CHECK(bulk.approval->grant_window == 15min);
  CHECK(c.rules[2].mode == RuleMode::DryRun);

  REQUIRE(c.masking.size() == 1);
  CHECK(c.masking[0].name == "customer-pii");
  CHECK(c.masking[0].columns == std::vector<std::string>{"public.users.email", "*.ssn"});
  CHECK(c.masking[0].method == MaskMethod::Partial);
  CHECK(c.masking[0].exempt_groups == std::vector<std::string>{"pii-readers"});
  REQUIRE(c.detectors.has_value());
  CHECK(c.detectors->enabled.size() == 8);
  CHECK(c.detectors->method == MaskMethod::Hash);
  CHECK(c.detectors->environments == std::vector<std::string>{"prod"});

  CHECK(c.audit.dir == dir.file("var/audit"));
  CHECK_FALSE(c.audit.redact_literals);
  CHECK(c.approvals.webhook_url == "http://127.0.0.1:9300/hook");
  CHECK(c.state.backend == "postgres");
  CHECK(c.state.dir == "/var/lib/warden/state");
  CHECK(c.limits.max_message_bytes == 1048576u);
  CHECK(c.limits.write_high_watermark == 65536u);
  CHECK(c.limits.write_low_watermark == 16384u);
  CHECK(c.limits.auth_timeout == 5s);
  CHECK(c.limits.max_client_connections == 250);
  CHECK(c.limits.drain_timeout == 0ms);
}

TEST_CASE("a minimal config gets the documented defaults", "[config]") {
  auto loaded = loadText(kMinimalTarget);
  INFO(loaded.summary);
  REQUIRE(loaded.config);
  const Config& c = *loaded.config;
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  CHECK(c.workers == static_cast<int>(cpus));
  // plugin_dir defaults to the directory of the running binary.
  std::error_code ec;
  CHECK(c.plugin_dir == std::filesystem::read_symlink("/proc/self/exe", ec).parent_path().string());
  CHECK(c.log_level == "info");
  CHECK(c.admin.listen.empty());
  CHECK_FALSE(c.tls.enabled());
  CHECK(c.identity.users.empty());
  CHECK_FALSE(c.identity.oidc.has_value());
  REQUIRE(c.targets.size() == 1);
  CHECK(c.targets[0].backend.host == "127.0.0.1");
  CHECK(c.targets[0].backend.port == 5432);
  CHECK(c.targets[0].backend.tls == BackendTls::Prefer);
  CHECK(c.targets[0].backend.password.empty());
  CHECK(c.targets[0].client_tls == ClientTls::Optional);  // optional without certs: no TLS offered
  CHECK(c.targets[0].mark.file == "t.yaml");
  CHECK(c.targets[0].mark.line == 2);
  CHECK(c.default_action == Action::Allow);
  CHECK(c.rules.empty());
  CHECK_FALSE(c.detectors.has_value());
  CHECK(c.audit.redact_literals);
  CHECK(c.state.backend == "embedded");
  CHECK(c.limits.max_message_bytes == 64u << 20);
  CHECK(c.limits.auth_timeout == 15s);
}

TEST_CASE("relative paths resolve against the config file's directory", "[config]") {
  ScratchDir dir;
  dir.write("conf/secret", "s3cret\r\n");
  std::string text = std::string(kMinimalTarget) +
                     "    # second target reads a password file next to the config\n"
                     "  - name: other\n"
                     "    dialect: postgres\n"
                     "    listen: 127.0.0.1:6433\n"
                     "    backend: {port: 5432, password_file: secret}\n"
                     "audit: {dir: ../audit}\n"
                     "state: {dir: state}\n";
  auto loaded = loadFile(dir.write("conf/warden.yaml", text));
  INFO(loaded.summary);
  REQUIRE(loaded.config);
  CHECK(loaded.config->targets[1].backend.password == "s3cret");
  CHECK(loaded.config->audit.dir == dir.file("audit"));
  CHECK(loaded.config->state.dir == dir.file("conf/state"));
}

TEST_CASE("the shipped conf/warden.yaml is valid", "[config]") {
  // The quick start generates conf/tls/server.{crt,key}; stand-ins are enough for the loader.
  ScratchDir dir;
  std::ifstream in(std::string(WARDEN_SOURCE_DIR) + "/conf/warden.yaml");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  std::string path = dir.write("warden.yaml", text.str());
  dir.write("tls/server.crt", "cert");
  dir.write("tls/server.key", "key");
  ScopedEnv pg("WARDEN_PG_PASSWORD", "app-password");

  auto loaded = loadFile(path);
  INFO(loaded.summary);
  REQUIRE(loaded.config);
  const Config& c = *loaded.config;
  CHECK(c.workers == 2);
  CHECK(c.tls.cert_file == dir.file("tls/server.crt"));
  REQUIRE(c.targets.size() == 1);
  const Target& pg_target = c.targets[0];
  CHECK(pg_target.name == "pg");
  CHECK(pg_target.dialect == "postgres");
  CHECK(pg_target.listen_host == "127.0.0.1");
  CHECK(pg_target.listen_port == 6432);
  CHECK(pg_target.environment == "dev");
  CHECK(pg_target.client_tls == ClientTls::Optional);
  CHECK(pg_target.backend.port == 5432);
  CHECK(pg_target.backend.database == "app");
  CHECK(pg_target.backend.user == "app");
  CHECK(pg_target.backend.password == "app-password");
  CHECK(pg_target.backend.tls == BackendTls::Prefer);
  const User* alice = c.identity.findUser("alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->password == std::optional<std::string>("alice-dev-password"));
  CHECK(alice->groups == std::vector<std::string>{"dba"});
  const User* bot = c.identity.findUser("ci-bot");
  REQUIRE(bot != nullptr);
  CHECK(bot->kind == IdentityKind::Agent);
  CHECK(c.default_action == Action::Allow);
  CHECK(c.rules.empty());

  // Without the env var, the backend password is an error pointing at password_env.
  ScopedEnv unset("WARDEN_PG_PASSWORD", nullptr);
  auto missing = loadFile(path);
  CHECK_FALSE(missing.config);
  REQUIRE(missing.errors.size() == 1);
  CHECK_THAT(missing.errors[0],
             Catch::Matchers::EndsWith(": targets[0].backend.password_env: environment variable "
                                       "'WARDEN_PG_PASSWORD' is not set"));
}
