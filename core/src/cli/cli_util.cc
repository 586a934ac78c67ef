#include "cli_util.h"

#include <unistd.h>

#include <sstream>

#include "warden/dialect/dialect.h"

namespace warden::cli {

std::string exeDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = 0;
  std::string p(buf);
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

bool takeOption(std::vector<std::string>& args, const char* name, std::string& value) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name && i + 1 < args.size()) {
      value = args[i + 1];
      args.erase(args.begin() + long(i), args.begin() + long(i) + 2);
      return true;
    }
    std::string prefix = std::string(name) + "=";
    if (args[i].rfind(prefix, 0) == 0) {
      value = args[i].substr(prefix.size());
      args.erase(args.begin() + long(i));
      return true;
    }
  }
  return false;
}

std::vector<std::string> splitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::string_view verdictName(policy::Verdict v) {
  switch (v) {
    case policy::Verdict::Allow: return "allow";
    case policy::Verdict::Deny: return "deny";
    case policy::Verdict::Hold: return "require_approval";
  }
  return "deny";
}

std::string_view actionName(config::Action a) {
  switch (a) {
    case config::Action::Allow: return "allow";
    case config::Action::Deny: return "deny";
    case config::Action::RequireApproval: return "require_approval";
  }
  return "deny";
}

std::unique_ptr<sql::Analyzer> newAnalyzer(dialect::Dialect* dialect) {
  return std::unique_ptr<sql::Analyzer>(dialect ? dialect->newAnalyzer() : nullptr);
}

void analyzeSql(sql::Analyzer* analyzer, std::string_view sql, sql::Analysis& out) {
  out = sql::Analysis{};
  if (analyzer) {
    analyzer->analyze(sql, out);
  } else {
    out.statements.emplace_back();
    out.statements.back().error = "no SQL analyzer for this dialect";
  }
}

}  // namespace warden::cli
