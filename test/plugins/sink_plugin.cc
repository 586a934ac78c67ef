// test/plugins/sink_plugin.cc
//! A minimal audit sink plugin for the loader tests. As built plain ("sink_good") its factory
//! echoes options_json: a sink whose write() fails with error = options_json, and an error
//! "options say no" when options_json contains "fail". Compile-time defines make the
//! descriptor incomplete or inconsistent so the host must refuse it: SINK_NO_FACTORY (kind
//! audit sink, create_audit_sink null), SINK_EMPTY_NAME, SINK_DIALECT_KIND (a dialect kind in a
//! libwarden_sink_*.so), SINK_UNKNOWN_KIND (kind 7).
#include <string>

#include "warden/audit/sink.h"
#include "warden/plugin/abi.h"

namespace {

class EchoSink final : public warden::audit::AuditSink {
 public:
  explicit EchoSink(std::string options) : options_(std::move(options)) {}
  bool write(std::span<const std::string_view> lines, std::string& error) noexcept override {
    error = options_ + " lines=" + std::to_string(lines.size());
    return false;
  }

 private:
  std::string options_;
};

[[maybe_unused]] warden::audit::AuditSink* create(const char* options_json,
                                                  std::string* error) noexcept {
  std::string opts = options_json ? options_json : "";
  if (opts.find("fail") != std::string::npos) {
    *error = "options say no";
    return nullptr;
  }
  return new EchoSink(opts);
}

#if defined(SINK_EMPTY_NAME)
constexpr const char* kName = "";
#else
constexpr const char* kName = "testsink";
#endif
#if defined(SINK_DIALECT_KIND)
constexpr uint32_t kKind = WARDEN_PLUGIN_DIALECT;
#elif defined(SINK_UNKNOWN_KIND)
constexpr uint32_t kKind = 7;
#else
constexpr uint32_t kKind = WARDEN_PLUGIN_AUDIT_SINK;
#endif
#if defined(SINK_NO_FACTORY)
constexpr auto kFactory = nullptr;
#else
constexpr auto kFactory = &create;
#endif

const warden_plugin_descriptor kDescriptor = {
    WARDEN_ABI_MAJOR, WARDEN_ABI_MINOR, WARDEN_BUILD_KEY, kName, kKind, "0.0.1", nullptr, kFactory};
}  // namespace

WARDEN_DEFINE_PLUGIN(kDescriptor)
