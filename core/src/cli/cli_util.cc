// core/src/cli/cli_util.cc
#include "cli_util.h"

#include <unistd.h>

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

}  // namespace warden::cli
