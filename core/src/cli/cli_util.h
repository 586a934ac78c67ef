// core/src/cli/cli_util.h
//! Small helpers shared by the `warden` subcommands.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "warden/config/config.h"
#include "warden/policy/decision.h"
#include "warden/sql/analyzer.h"
#include "warden/sql/statement.h"

namespace warden::dialect { class Dialect; }

namespace warden::cli {

//! Directory of the running executable (plugin_dir default).
std::string exeDir();
//! Removes `--name VALUE` or `--name=VALUE` from args; true when found.
bool takeOption(std::vector<std::string>& args, const char* name, std::string& value);
//! "a,b,,c" → {a, b, c}.
std::vector<std::string> splitCommas(const std::string& s);

//! SPEC action names: allow | deny | require_approval.
std::string_view verdictName(policy::Verdict v);
std::string_view actionName(config::Action a);

//! The dialect's SQL analyzer (null when the dialect has no parser).
std::unique_ptr<sql::Analyzer> newAnalyzer(dialect::Dialect* dialect);
//! Analyses `sql` as a session would before the policy seam; without an analyzer the text is
//! one unparsed statement (what sessions do too).
void analyzeSql(sql::Analyzer* analyzer, std::string_view sql, sql::Analysis& out);

int cmdExplain(std::vector<std::string> args);
int cmdPolicy(std::vector<std::string> args);

}  // namespace warden::cli
