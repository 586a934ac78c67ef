// core/src/cli/explain.cc
//! `warden explain`: what Warden understood of a statement (SPEC.md), and with a config and a
//! target, the decision the policy reaches for a given identity. How users debug "why was this
//! blocked?", and how tests see the analysis from outside.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "warden/config/config.h"
#include "warden/dialect/dialect.h"
#include "warden/plugin/loader.h"
#include "warden/runtime/server.h"
#include "warden/sql/analyzer.h"

namespace warden::cli {
namespace {

constexpr const char* kUsage =
    "usage: warden explain [--config FILE --target NAME] [--dialect D] [--user U] "
    "[--groups a,b] [--kind human|agent|service] [--plugin-dir DIR] SQL   (SQL '-' reads stdin)\n";

int usageError(const char* why) {
  fprintf(stderr, "warden explain: %s\n%s", why, kUsage);
  return 1;
}

}  // namespace

int cmdExplain(std::vector<std::string> args) {
  std::string config_path, target_name, dialect_name, user, groups, kind = "human";
  std::string plugin_dir = exeDir();
  bool has_config = takeOption(args, "--config", config_path);
  bool has_target = takeOption(args, "--target", target_name);
  takeOption(args, "--dialect", dialect_name);
  takeOption(args, "--user", user);
  takeOption(args, "--groups", groups);
  takeOption(args, "--kind", kind);
  takeOption(args, "--plugin-dir", plugin_dir);
  if (args.size() != 1) return usageError(args.empty() ? "no SQL given" : "more than one SQL argument (quote the statement)");
  if (has_config != has_target) return usageError("--config and --target go together");
  if (kind != "human" && kind != "agent" && kind != "service")
    return usageError("--kind must be human, agent or service");
  std::string sql = args[0];
  if (sql == "-") sql.assign(std::istreambuf_iterator<char>(std::cin), {});

  plugin::PluginSet plugins;
  std::vector<std::string> errors;
  runtime::SnapshotPtr snap;
  const runtime::TargetRuntime* target = nullptr;
  dialect::Dialect* dialect = nullptr;
  if (has_config) {
    snap = runtime::loadEverything(config_path, plugins, 1, errors);
    if (!snap) {
      for (const auto& e : errors) fprintf(stderr, "%s\n", e.c_str());
      return 1;
    }
    target = snap->find(target_name);
    if (!target) {
      fprintf(stderr, "warden explain: no target '%s' in %s\n", target_name.c_str(),
              config_path.c_str());
      return 1;
    }
    if (!dialect_name.empty() && dialect_name != target->target->dialect)
      return usageError("--dialect differs from the target's dialect");
    dialect = target->dialect;
  } else {
    plugins.loadDir(plugin_dir, errors);
    if (dialect_name.empty()) dialect_name = "postgres";
    dialect = plugins.findDialect(dialect_name);
    if (!dialect) {
      for (const auto& e : errors) fprintf(stderr, "%s\n", e.c_str());
      fprintf(stderr, "warden explain: dialect '%s' is not loaded from %s\n",
              dialect_name.c_str(), plugin_dir.c_str());
      return 1;
    }
  }

  std::unique_ptr<sql::Analyzer> analyzer = newAnalyzer(dialect);
  sql::Analysis analysis;
  analyzeSql(analyzer.get(), sql, analysis);

  nlohmann::json out;
  out["statements"] = nlohmann::json::array();
  for (const auto& s : analysis.statements)
    out["statements"].push_back(nlohmann::json::parse(sql::toJson(s)));
  if (snap) {
    policy::Identity identity;
    identity.user = user;
    identity.groups = splitCommas(groups);
    identity.kind = kind;
    identity.method = "explain";
    policy::StatementRequest req;
    req.identity = &identity;
    req.target = target->target;
    req.dialect = target->target->dialect;
    req.text = sql;
    req.analysis = &analysis;
    policy::Decision d = snap->policy->evaluate(req);
    nlohmann::json decision;
    decision["action"] = verdictName(d.verdict);
    decision["rules"] = nlohmann::json::array();
    if (!d.rule.empty()) decision["rules"].push_back(d.rule);
    // Every rule that matched, including dry-run ones and those a stronger rule outranked.
    decision["matched"] = nlohmann::json::array();
    for (const auto& m : d.matches) {
      nlohmann::json j;
      j["rule"] = m.name;
      j["action"] = actionName(m.action);
      j["mode"] = m.dry_run ? "dry_run" : "enforce";
      decision["matched"].push_back(std::move(j));
    }
    decision["audit_action"] = std::string(d.auditAction());
    decision["default"] = d.by_default;
    if (!d.message.empty()) decision["message"] = d.message;
    decision["target"] = target->target->name;
    decision["environment"] = target->target->environment;
    out["decision"] = std::move(decision);
  }
  printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace warden::cli
