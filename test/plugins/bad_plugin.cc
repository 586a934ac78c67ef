// test/plugins/bad_plugin.cc
//! A minimal dialect plugin whose descriptor can be made incompatible at compile time
//! (BAD_ABI_MAJOR, BAD_ABI_MINOR, BAD_BUILD_KEY) to test that the host refuses it.
#include "warden/dialect/dialect.h"
#include "warden/plugin/abi.h"

namespace {

class NullDialect final : public warden::dialect::Dialect {
 public:
  std::string_view name() const noexcept override { return "testdialect"; }
  warden::dialect::Session* newSession(warden::dialect::SessionHost&) noexcept override {
    return nullptr;
  }
};

warden::dialect::Dialect* create(const char** error) noexcept {
  static NullDialect d;
  (void)error;
  return &d;
}

#if defined(BAD_ABI_MAJOR)
constexpr uint32_t kMajor = WARDEN_ABI_MAJOR + 98;
#else
constexpr uint32_t kMajor = WARDEN_ABI_MAJOR;
#endif
#if defined(BAD_ABI_MINOR)
constexpr uint32_t kMinor = WARDEN_ABI_MINOR + 7;
#else
constexpr uint32_t kMinor = WARDEN_ABI_MINOR;
#endif
#if defined(BAD_BUILD_KEY)
constexpr const char* kKey = "warden-abi-1;othercc-3;libfoo;cxx-201402L";
#else
constexpr const char* kKey = WARDEN_BUILD_KEY;
#endif

const warden_plugin_descriptor kDescriptor = {kMajor, kMinor, kKey, "testdialect",
                                              WARDEN_PLUGIN_DIALECT, "0.0.1", &create};
}  // namespace

WARDEN_DEFINE_PLUGIN(kDescriptor)
