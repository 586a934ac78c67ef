// core/src/cli/main.cc
//! `warden` command line (SPEC.md "Command line").
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli_util.h"
#include "warden/base/log.h"
#include "warden/plugin/abi.h"
#include "warden/plugin/loader.h"
#include "warden/runtime/server.h"

namespace warden::cli {
int cmdAudit(std::vector<std::string> args);  // audit_verify.cc
}

namespace {

void usage(FILE* out) {
  fprintf(out,
          "usage: warden <command> [options]\n"
          "  run --config FILE      serve until SIGTERM/SIGINT; SIGHUP reloads the config\n"
          "  check --config FILE    validate the config and load plugins\n"
          "  explain [--config FILE --target NAME] [--dialect D] [--user U] [--groups a,b]\n"
          "          [--kind K] [--plugin-dir DIR] SQL   the analysis of SQL (and the decision) as JSON\n"
          "  policy test --config FILE CASES.yaml   run policy test cases, PASS/FAIL per case\n"
          "  audit verify DIR [--key PUBFILE] [--strict] [--json]   check the audit hash chain\n"
          "          and signed checkpoints (exit 1 with the first bad seq)\n"
          "  version [--plugin-dir DIR]   version, ABI, build key, loaded plugins\n");
}

using warden::cli::exeDir;
using warden::cli::takeOption;

int cmdCheck(std::vector<std::string> args) {
  std::string config;
  if (!takeOption(args, "--config", config) || !args.empty()) {
    fprintf(stderr, "usage: warden check --config FILE\n");
    return 1;
  }
  warden::plugin::PluginSet plugins;
  std::vector<std::string> errors;
  auto snap = warden::runtime::loadEverything(config, plugins, 1, errors);
  if (!snap) {
    for (const auto& e : errors) fprintf(stderr, "%s\n", e.c_str());
    fprintf(stderr, "%s: configuration invalid (%zu error%s)\n", config.c_str(), errors.size(),
            errors.size() == 1 ? "" : "s");
    return 1;
  }
  std::string names;
  for (const auto& p : plugins.plugins()) names += (names.empty() ? "" : ", ") + p.name;
  printf("%s: configuration OK (%zu target%s; plugins: %s)\n", config.c_str(),
         snap->config->targets.size(), snap->config->targets.size() == 1 ? "" : "s",
         names.empty() ? "none" : names.c_str());
  return 0;
}

int cmdVersion(std::vector<std::string> args) {
  std::string dir = exeDir();
  takeOption(args, "--plugin-dir", dir);
  printf("warden %s\n", WARDEN_VERSION);
  printf("plugin ABI %d.%d\n", WARDEN_ABI_MAJOR, WARDEN_ABI_MINOR);
  printf("build key %s\n", warden::plugin::hostBuildKey());
  warden::plugin::PluginSet plugins;
  std::vector<std::string> errors;
  plugins.loadDir(dir, errors);
  printf("plugins (%s):\n", dir.c_str());
  for (const auto& p : plugins.plugins())
    printf("  %s %s (ABI %u.%u) %s\n", p.name.c_str(), p.version.c_str(), p.abi_major, p.abi_minor,
           p.path.c_str());
  for (const auto& e : errors) printf("  refused: %s\n", e.c_str());
  return 0;
}

int cmdRun(std::vector<std::string> args) {
  std::string config;
  if (!takeOption(args, "--config", config) || !args.empty()) {
    fprintf(stderr, "usage: warden run --config FILE\n");
    return 1;
  }
  warden::runtime::Server server;
  return server.run(config);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 1;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "run") return cmdRun(args);
  if (cmd == "check") return cmdCheck(args);
  if (cmd == "version" || cmd == "--version") return cmdVersion(args);
  if (cmd == "explain") return warden::cli::cmdExplain(args);
  if (cmd == "policy") return warden::cli::cmdPolicy(args);
  if (cmd == "audit") return warden::cli::cmdAudit(args);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "warden: unknown command '%s'\n", cmd.c_str());
  usage(stderr);
  return 1;
}
