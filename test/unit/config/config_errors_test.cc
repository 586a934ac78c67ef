// test/unit/config/config_errors_test.cc
//! Schema errors: each class with its exact "FILE:LINE:COL: message", several at once, unknown
//! keys at every depth, duplicates, cross-section checks.
#include <catch2/catch.hpp>

#include "config_test_support.h"

using warden::config::test::kMinimalTarget;
using warden::config::test::loadFile;
using warden::config::test::loadText;
using Errors = std::vector<std::string>;

TEST_CASE("YAML syntax errors carry the parser's 1-based position", "[config]") {
  auto l = loadText("workers: 2\ntargets: [a\nlog_level: info\n");
  CHECK_FALSE(l.config);
  CHECK(l.errors == Errors{"t.yaml:3:10: YAML syntax error: end of sequence flow not found"});

  l = loadText("workers: 2\ntargets: a: b\n");
  CHECK(l.errors == Errors{"t.yaml:2:11: YAML syntax error: illegal map value"});

  l = loadText(std::string(kMinimalTarget) + "---\nworkers: 2\n");
  CHECK(l.errors == Errors{"t.yaml:7:1: only one YAML document is allowed in a config file"});
}

TEST_CASE("empty and non-mapping documents", "[config]") {
  CHECK(loadText("").errors ==
        Errors{"t.yaml:1:1: the config is empty (expected a mapping with at least 'targets')"});
  CHECK(loadText("- a\n- b\n").errors ==
        Errors{"t.yaml:1:1: config: expected a mapping, got a list"});
  CHECK(loadText("workers: 2\n").errors ==
        Errors{"t.yaml:1:1: config: missing required key 'targets'"});
  CHECK(loadText("targets: []\n").errors ==
        Errors{"t.yaml:1:10: targets: at least one target is required"});
  CHECK(loadText("targets:\n").errors ==
        Errors{"t.yaml:1:1: targets: at least one target is required"});
}

TEST_CASE("unknown keys are reported at every depth, with suggestions", "[config]") {
  auto l = loadText(
      "wrkers: 2\n"                   // 1
      "targets:\n"                    // 2
      "  - name: pg\n"                // 3
      "    dialect: postgres\n"       // 4
      "    listen: 127.0.0.1:6432\n"  // 5
      "    enviroment: prod\n"        // 6
      "    backend:\n"                // 7
      "      port: 5432\n"            // 8
      "      hots: db\n"              // 9
      "      foo: 1\n"                // 10
      "identity:\n"                   // 11
      "  users:\n"                    // 12
      "    - name: a\n"               // 13
      "      passwd: x\n"             // 14
      "rules:\n"                      // 15
      "  - name: r\n"                 // 16
      "    action: deny\n"            // 17
      "    when: {environment: [prod]}\n");  // 18
  CHECK_FALSE(l.config);
  CHECK(l.errors ==
        Errors{
            "t.yaml:1:1: unknown key 'wrkers' at top level (did you mean 'workers'?)",
            "t.yaml:6:5: unknown key 'enviroment' in targets[0] (did you mean 'environment'?)",
            "t.yaml:9:7: unknown key 'hots' in targets[0].backend (did you mean 'host'?)",
            "t.yaml:10:7: unknown key 'foo' in targets[0].backend",
            "t.yaml:14:7: unknown key 'passwd' in identity.users[0] (did you mean 'password'?)",
            "t.yaml:18:12: unknown key 'environment' in rules[0].when (did you mean "
            "'environments'?)",
        });
  // The summary names the first error and how many follow.
  CHECK(l.summary == "t.yaml:1:1: unknown key 'wrkers' at top level (did you mean 'workers'?) "
                     "(and 5 more errors)");
}

TEST_CASE("duplicate keys in one mapping", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) + "workers: 2\nworkers: 3\n");
  CHECK(l.errors == Errors{"t.yaml:7:1: duplicate key 'workers' at top level (first at line 6)"});
}

TEST_CASE("wrong types name the path and what was expected", "[config]") {
  auto l = loadText(
      "workers: two\n"                  // 1
      "log_level: verbose\n"            // 2
      "targets:\n"                      // 3
      "  - name: pg\n"                  // 4
      "    dialect: postgres\n"         // 5
      "    listen: 127.0.0.1:6432\n"    // 6
      "    proxy_protocol: maybe\n"     // 7
      "    backend: {port: 70000, connect_timeout: 5 minutes}\n"  // 8
      "    client_tls: sometimes\n"     // 9
      "default_action: alow\n"          // 10
      "audit: [var/audit]\n"            // 11
      "identity:\n"                     // 12
      "  users:\n"                      // 13
      "    - name: alice\n"             // 14
      "      groups: dba\n"             // 15
      "      kind: robot\n");           // 16
  CHECK(l.errors ==
        Errors{
            "t.yaml:1:10: workers: expected a positive integer",
            "t.yaml:2:12: log_level: expected one of debug, info, warn or error, got 'verbose'",
            "t.yaml:7:21: targets[0].proxy_protocol: expected true or false",
            "t.yaml:8:21: targets[0].backend.port: expected a port number 1..65535",
            "t.yaml:8:45: targets[0].backend.connect_timeout: expected a duration such as 500ms, "
            "60s, 15m, 2h or integer seconds",
            "t.yaml:9:17: targets[0].client_tls: expected one of disabled, optional or required, "
            "got 'sometimes'",
            "t.yaml:10:17: default_action: expected one of allow, deny or require_approval, got "
            "'alow' (did you mean 'allow'?)",
            "t.yaml:11:8: audit: expected a mapping, got a list",
            "t.yaml:15:15: identity.users[0].groups: expected a list, got a scalar",
            "t.yaml:16:13: identity.users[0].kind: expected one of human, agent or service, got "
            "'robot'",
        });
}

TEST_CASE("workers must be a positive integer", "[config]") {
  for (const char* bad : {"0", "-1", "1.5", "\"\"", "[1]", "99999999999999999999"}) {
    INFO(bad);
    auto l = loadText(std::string("workers: ") + bad + "\n" + kMinimalTarget);
    CHECK(l.errors == Errors{"t.yaml:1:10: workers: expected a positive integer"});
  }
  auto l = loadText(std::string("workers: 7\n") + kMinimalTarget);
  REQUIRE(l.config);
  CHECK(l.config->workers == 7);
}

TEST_CASE("missing required keys point at the enclosing mapping", "[config]") {
  auto l = loadText(
      "targets:\n"                // 1
      "  - name: pg\n"            // 2
      "    backend: {host: db}\n"  // 3
      "  - dialect: mysql\n"      // 4
      "    listen: 127.0.0.1:3307\n"  // 5
      "    backend:\n");          // 6
  CHECK(l.errors == Errors{
                        "t.yaml:2:5: targets[0]: missing required key 'dialect'",
                        "t.yaml:2:5: targets[0]: missing required key 'listen'",
                        "t.yaml:3:14: targets[0].backend: missing required key 'port'",
                        "t.yaml:4:5: targets[1]: missing required key 'name'",
                        "t.yaml:6:5: targets[1].backend: missing required key 'port'",
                    });
}

TEST_CASE("duplicate target names and colliding listen addresses", "[config]") {
  auto l = loadText(
      "admin: {listen: 127.0.0.1:9190}\n"  // 1
      "targets:\n"                        // 2
      "  - name: pg\n"                    // 3
      "    dialect: postgres\n"           // 4
      "    listen: 127.0.0.1:6432\n"      // 5
      "    backend: {port: 5432}\n"       // 6
      "  - name: pg\n"                    // 7
      "    dialect: postgres\n"           // 8
      "    listen: 127.0.0.1:6433\n"      // 9
      "    backend: {port: 5432}\n"       // 10
      "  - name: other\n"                 // 11
      "    dialect: postgres\n"           // 12
      "    listen: 127.0.0.1:6432\n"      // 13
      "    backend: {port: 5432}\n"       // 14
      "  - name: wild\n"                  // 15
      "    dialect: postgres\n"           // 16
      "    listen: 0.0.0.0:6432\n"        // 17
      "    backend: {port: 5432}\n"       // 18
      "  - name: admin-clash\n"           // 19
      "    dialect: postgres\n"           // 20
      "    listen: 127.0.0.1:9190\n"      // 21
      "    backend: {port: 5432}\n");     // 22
  CHECK(l.errors ==
        Errors{
            "t.yaml:7:11: targets[1].name: duplicate target name 'pg' (first at line 3)",
            "t.yaml:13:13: targets[2].listen: listen address 127.0.0.1:6432 is already used by "
            "target 'pg' (line 5)",
            "t.yaml:17:13: targets[3].listen: listen address 0.0.0.0:6432 is already used by "
            "target 'pg' (line 5)",
            "t.yaml:21:13: targets[4].listen: listen address 127.0.0.1:9190 is already used by "
            "admin.listen (line 1)",
        });
}

TEST_CASE("target names and dialects are checked", "[config]") {
  auto l = loadText(
      "targets:\n"
      "  - name: \"my pg\"\n"
      "    dialect: PostgreSQL\n"
      "    listen: 127.0.0.1:6432\n"
      "    backend: {port: 5432}\n");
  CHECK(l.errors ==
        Errors{
            "t.yaml:2:11: targets[0].name: target names may contain letters, digits, '-', '_' "
            "and '.'",
            "t.yaml:3:14: targets[0].dialect: dialect names are lowercase letters, digits and '_'",
        });
}

TEST_CASE("client TLS modes must be backed by a certificate", "[config]") {
  auto l = loadText(
      "targets:\n"                     // 1
      "  - name: a\n"                  // 2
      "    dialect: postgres\n"        // 3
      "    listen: 127.0.0.1:6432\n"   // 4
      "    client_tls: required\n"     // 5
      "    backend: {port: 5432}\n"    // 6
      "  - name: b\n"                  // 7
      "    dialect: postgres\n"        // 8
      "    listen: 127.0.0.1:6433\n"   // 9
      "    client_tls: optional\n"     // 10
      "    client_auth: password\n"    // 11
      "    backend: {port: 5432}\n");  // 12
  CHECK(l.errors ==
        Errors{
            "t.yaml:5:17: targets[0].client_tls: 'required' needs a server certificate (set "
            "tls.cert_file and tls.key_file)",
            "t.yaml:11:18: targets[1].client_auth: 'password' sends cleartext passwords and needs "
            "client TLS (client_tls optional or required, and tls configured)",
        });
  // `optional` alone, without certificates, is fine: no TLS is offered.
  auto ok = loadText(
      "targets:\n"
      "  - {name: a, dialect: postgres, listen: 127.0.0.1:6432, client_tls: optional,\n"
      "     backend: {port: 5432}}\n");
  CHECK(ok.errors.empty());
  CHECK(ok.config);
}

TEST_CASE("rules: names, actions, approvals, references", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +  // lines 1-5
                    "rules:\n"                                     // 6
                    "  - name: r1\n"                               // 7
                    "    action: require_approval\n"               // 8
                    "  - name: r1\n"                               // 9
                    "    action: deny\n"                           // 10
                    "    approval: {groups: [dba]}\n"              // 11
                    "  - name: r3\n"                               // 12
                    "    when: {targets: [pgg], kinds: [robot], where: present}\n"  // 13
                    "    action: require_approval\n"               // 14
                    "    approval: {quorum: 0, wait: 0}\n"         // 15
                    "  - name: r4\n"                               // 16
                    "    mode: dryrun\n");                         // 17
  CHECK(l.errors ==
        Errors{
            "t.yaml:8:13: rules[0]: action 'require_approval' needs an 'approval' with 'groups'",
            "t.yaml:9:11: rules[1].name: duplicate rule name 'r1' (first at line 7)",
            "t.yaml:11:5: rules[1]: 'approval' is only used with action 'require_approval'",
            "t.yaml:13:22: rules[2].when.targets[0]: unknown target 'pgg' (did you mean 'pg'?)",
            "t.yaml:13:36: rules[2].when.kinds[0]: unknown identity kind 'robot'",
            "t.yaml:13:51: rules[2].when.where: the only supported value is 'absent'",
            "t.yaml:15:15: rules[2].approval: missing required key 'groups'",
            "t.yaml:15:24: rules[2].approval.quorum: expected a positive integer",
            "t.yaml:15:33: rules[2].approval.wait: must be greater than zero",
            "t.yaml:16:5: rules[3]: missing required key 'action'",
            "t.yaml:17:11: rules[3].mode: expected one of enforce or dry_run, got 'dryrun' (did "
            "you mean 'dry_run'?)",
        });
}

TEST_CASE("rules: statement kinds, table patterns and flags are checked", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +                              // lines 1-5
                    "rules:\n"                                                // 6
                    "  - name: r1\n"                                          // 7
                    "    when: {statements: [drop_tabel, 'drop_*', zz*]}\n"   // 8
                    "    action: deny\n"                                      // 9
                    "  - name: r2\n"                                          // 10
                    "    when: {tables: [public.users, 'a..b', w.x.y.z]}\n"   // 11
                    "    action: deny\n"                                      // 12
                    "  - name: r3\n"                                          // 13
                    "    when: {flags: [writes_file, runs_program]}\n"        // 14
                    "    action: deny\n");                                    // 15
  CHECK(l.errors ==
        Errors{
            "t.yaml:8:25: rules[0].when.statements[0]: 'drop_tabel' names no statement kind or "
            "category (see SPEC.md \"Statement kinds and categories\")",
            "t.yaml:8:47: rules[0].when.statements[2]: 'zz*' names no statement kind or category "
            "(see SPEC.md \"Statement kinds and categories\")",
            "t.yaml:11:35: rules[1].when.tables[1]: 'a..b' is not [db.][schema.]name",
            "t.yaml:11:43: rules[1].when.tables[2]: 'w.x.y.z' is not [db.][schema.]name",
            "t.yaml:14:33: rules[2].when.flags[1]: unknown statement flag 'runs_program'",
        });
}

TEST_CASE("masking, detectors, limits, state, approvals", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) +                      // lines 1-5
                    "masking:\n"                                       // 6
                    "  - name: m\n"                                    // 7
                    "    columns: []\n"                                // 8
                    "    method: scramble\n"                           // 9
                    "  - name: m\n"                                    // 10
                    "    columns: [a.b]\n"                             // 11
                    "detectors: {enabled: [emial, jwt], method: null}\n"  // 12
                    "limits:\n"                                        // 13
                    "  write_high_watermark: 4096\n"                   // 14
                    "  write_low_watermark: 8192\n"                    // 15
                    "  max_message_bytes: 10\n"                        // 16
                    "state: {backend: redis}\n"                        // 17
                    "approvals: {webhook_url: ftp://x}\n");            // 18
  CHECK(l.errors ==
        Errors{
            "t.yaml:8:14: masking[0].columns: needs at least one column",
            "t.yaml:9:13: masking[0].method: expected one of redact, partial, hash or null, got "
            "'scramble'",
            "t.yaml:10:11: masking[1].name: duplicate masking rule name 'm' (first at line 7)",
            "t.yaml:12:23: detectors.enabled[0]: unknown detector 'emial' (did you mean 'email'?)",
            "t.yaml:15:24: limits: write_low_watermark (8192) must be below write_high_watermark "
            "(4096)",
            "t.yaml:16:22: limits.max_message_bytes: expected an integer 1024..1073741824",
            "t.yaml:17:18: state.backend: expected one of embedded or postgres, got 'redis'",
            "t.yaml:18:26: approvals.webhook_url: expected an http:// or https:// URL",
        });
}

TEST_CASE("tls needs both files, and they must be readable", "[config]") {
  auto l = loadText(std::string(kMinimalTarget) + "tls:\n  cert_file: /nonexistent/x.crt\n");
  CHECK(l.errors ==
        Errors{"t.yaml:7:3: tls: cert_file and key_file must be given together"});
  l = loadText(std::string(kMinimalTarget) +
               "tls:\n  cert_file: /nonexistent/x.crt\n  key_file: /nonexistent/x.key\n");
  CHECK(l.errors ==
        Errors{
            "t.yaml:7:14: tls.cert_file: cannot read '/nonexistent/x.crt': No such file or "
            "directory",
            "t.yaml:8:13: tls.key_file: cannot read '/nonexistent/x.key': No such file or "
            "directory",
        });
}

TEST_CASE("an unreadable config file is reported without a position", "[config]") {
  auto l = loadFile("/nonexistent/warden.yaml");
  CHECK_FALSE(l.config);
  CHECK(l.errors ==
        Errors{"/nonexistent/warden.yaml: cannot read config file: No such file or directory"});
  CHECK(l.summary == l.errors[0]);
}

TEST_CASE("inputs that make yaml-cpp's LoadAll loop forever are rejected promptly", "[config]") {
  // yaml-cpp 0.7 LoadAll(",") never returns (found by test/fuzz/config_fuzz.cc).
  for (const char* text : {",", ",,", "a: 1\n,", "- x\n,"}) {
    auto l = loadText(text);
    CHECK(l.config == nullptr);
    CHECK_FALSE(l.errors.empty());
  }
}

TEST_CASE("a second YAML document is reported where it starts", "[config]") {
  auto l = loadText("workers: 1\n---\nworkers: 2\n");
  REQUIRE(l.config == nullptr);
  REQUIRE(l.errors.size() == 1);
  CHECK(l.errors[0] == "t.yaml:3:1: only one YAML document is allowed in a config file");
}
