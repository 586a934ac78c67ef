// test/fuzz/config_fuzz.cc
//! Fuzzes the YAML config loader: any text must give a config or errors, never a crash/throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "warden/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<warden::config::ConfigError> errors;
  auto r = warden::config::loadConfigFromString(text, "fuzz.yaml", &errors);
  if (!r.ok()) {
    for (const auto& e : errors) (void)e.format();
  }
  return 0;
}
