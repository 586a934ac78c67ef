// plugins/audit_syslog/plugin_entry.cc
//! libwarden_sink_syslog.so: the RFC 5424 syslog audit sink (plugins/README.md "Audit sink
//! plugins"), loaded like any third-party sink through the versioned entry point (abi.h).
#include <new>

#include "syslog_sink.h"
#include "warden/plugin/abi.h"

namespace warden::audit_syslog {
namespace {

audit::AuditSink* createSink(const char* options_json, std::string* error) noexcept {
  try {
    std::string why;
    auto options = parseOptions(options_json ? options_json : "", why);
    if (!options) {
      if (error) *error = why;
      return nullptr;
    }
    return new SyslogSink(std::move(*options));  // owned by the host (loader.h createAuditSink)
  } catch (const std::exception& e) {
    if (error) *error = std::string("syslog sink: ") + e.what();
  } catch (...) {
    if (error) *error = "syslog sink: creation failed";
  }
  return nullptr;
}

const warden_plugin_descriptor kDescriptor = {
    WARDEN_ABI_MAJOR,
    WARDEN_ABI_MINOR,
    WARDEN_BUILD_KEY,
    "syslog",
    WARDEN_PLUGIN_AUDIT_SINK,
    "0.1.0",
    nullptr /* create_dialect */,
    &createSink,
};

}  // namespace
}  // namespace warden::audit_syslog

WARDEN_DEFINE_PLUGIN(warden::audit_syslog::kDescriptor)
