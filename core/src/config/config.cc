// core/src/config/config.cc
//! Small accessors of the config snapshot.
#include "warden/config/config.h"

namespace warden::config {

std::string ConfigError::format() const {
  // File-level problems (unreadable file) have no position: "FILE: message", like compilers.
  if (mark.line <= 0) return mark.file + ": " + message;
  return mark.file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": " +
         message;
}

const User* IdentityConfig::findUser(std::string_view name) const {
  for (const User& u : users) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

const Target* Config::findTarget(std::string_view name) const {
  for (const Target& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace warden::config
