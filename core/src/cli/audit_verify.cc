// core/src/cli/audit_verify.cc
//! `warden audit verify DIR [--key PUBFILE] [--strict] [--json]` (SPEC.md "Command line"):
//! checks the hash chain and the signed checkpoints of every audit-*.jsonl in DIR, in name
//! order. Exit 0 intact (warnings, e.g. an unsigned tail, on stderr), 1 with the first bad seq
//! and why, e.g. "audit-...jsonl:17: seq 1042: hash mismatch (record edited)". The format is
//! described in warden/audit/chain.h and README.md "Audit trail format".
#include <cstdio>
#include <string>
#include <vector>

#include "warden/audit/chain.h"

namespace warden::cli {

bool takeOption(std::vector<std::string>& args, const char* name, std::string& value);
int cmdAuditSearch(std::vector<std::string> args);  // audit_search.cc

namespace {

constexpr const char* kUsage =
    "usage: warden audit verify DIR [--key PUBFILE] [--strict] [--json]\n";

bool takeFlag(std::vector<std::string>& args, const char* name) {
  for (auto it = args.begin(); it != args.end(); ++it) {
    if (*it == name) {
      args.erase(it);
      return true;
    }
  }
  return false;
}

int cmdAuditVerify(std::vector<std::string> args) {
  std::string key;
  takeOption(args, "--key", key);
  bool strict = takeFlag(args, "--strict");
  bool json = takeFlag(args, "--json");
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-') {
    fprintf(stderr, "%s", kUsage);
    return 1;
  }
  auto report = audit::verifyDir(args[0], key, strict);
  if (json) {
    printf("%s\n", report.toJson().c_str());
  } else {
    for (const auto& w : report.warnings) fprintf(stderr, "warning: %s\n", w.c_str());
    printf("%s\n", report.message().c_str());
  }
  return report.ok ? 0 : 1;
}

}  // namespace

int cmdAudit(std::vector<std::string> args) {
  if (!args.empty() && args[0] == "verify") {
    args.erase(args.begin());
    return cmdAuditVerify(std::move(args));
  }
  if (!args.empty() && args[0] == "search") {
    args.erase(args.begin());
    return cmdAuditSearch(std::move(args));
  }
  fprintf(stderr, "%s       warden audit search DIR [filters] [--json] (see --help)\n", kUsage);
  return 1;
}

}  // namespace warden::cli
