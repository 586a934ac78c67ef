// core/src/cli/cli_util.h
//! Small helpers shared by the `warden` subcommands.
#pragma once

#include <string>
#include <vector>

namespace warden::cli {

//! Directory of the running executable (plugin_dir default).
std::string exeDir();
//! Removes `--name VALUE` or `--name=VALUE` from args; true when found.
bool takeOption(std::vector<std::string>& args, const char* name, std::string& value);

int cmdExplain(std::vector<std::string> args);

}  // namespace warden::cli
