// test/unit/config/config_test_support.h
//! Helpers shared by the config loader tests: load from text and get the formatted errors, and
//! a scratch directory for files the config points at.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "warden/config/config.h"

namespace warden::config::test {

struct Loaded {
  ConfigPtr config;  // null when loading failed
  std::vector<std::string> errors;  // formatted "FILE:LINE:COL: message"
  std::string summary;              // Result's error text
};

inline Loaded loadText(const std::string& text, const std::string& file_name = "t.yaml") {
  Loaded out;
  std::vector<ConfigError> errors;
  auto result = loadConfigFromString(text, file_name, &errors);
  if (result.ok()) {
    out.config = result.value();
  } else {
    out.summary = result.error().message;
  }
  for (const auto& e : errors) out.errors.push_back(e.format());
  return out;
}

inline Loaded loadFile(const std::string& path) {
  Loaded out;
  std::vector<ConfigError> errors;
  auto result = loadConfig(path, &errors);
  if (result.ok()) {
    out.config = result.value();
  } else {
    out.summary = result.error().message;
  }
  for (const auto& e : errors) out.errors.push_back(e.format());
  return out;
}

//! A fresh directory under /tmp, removed with its content on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "warden-config-XXXXXX").string();
    path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  //! Writes `content` to `name` (creating parent directories) and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    std::filesystem::path p = file(name);
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  std::string path_;
};

//! Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
      had_ = true;
    }
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      setenv(name_.c_str(), old_.c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_, old_;
  bool had_ = false;
};

//! A minimal valid config body: one target. Tests append sections to it.
inline constexpr const char* kMinimalTarget =
    "targets:\n"
    "  - name: pg\n"
    "    dialect: postgres\n"
    "    listen: 127.0.0.1:6432\n"
    "    backend: {port: 5432}\n";

}  // namespace warden::config::test
