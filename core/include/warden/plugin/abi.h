// core/include/warden/plugin/abi.h
//! The versioned plugin entry point. A plugin shared object exports exactly one C symbol,
//! `warden_plugin_entry`, returning a static descriptor. The host refuses a plugin whose ABI
//! major differs or whose build key (compiler, C++ standard library ABI, standard, Warden ABI)
//! differs from its own — the C++ objects behind `create_dialect` are only compatible then
//! (Qt's plugin build key idea).
#pragma once

#include <cstdint>

#define WARDEN_ABI_MAJOR 4
#define WARDEN_ABI_MINOR 0
#define WARDEN_PLUGIN_ENTRY_SYMBOL "warden_plugin_entry"

#define WARDEN_STR2(x) #x
#define WARDEN_STR(x) WARDEN_STR2(x)

#if defined(__clang__)
#define WARDEN_COMPILER_ID "clang-" WARDEN_STR(__clang_major__)
#elif defined(__GNUC__)
#define WARDEN_COMPILER_ID "gcc-" WARDEN_STR(__GNUC__)
#else
#define WARDEN_COMPILER_ID "unknown"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define WARDEN_STDLIB_ID "libstdc++-cxx11"
#elif defined(_LIBCPP_VERSION)
#define WARDEN_STDLIB_ID "libc++-" WARDEN_STR(_LIBCPP_VERSION)
#else
#define WARDEN_STDLIB_ID "libstdc++-old"
#endif

//! Compiled into the host and every plugin; must match byte for byte.
#define WARDEN_BUILD_KEY                                                                       \
  "warden-abi-" WARDEN_STR(WARDEN_ABI_MAJOR) ";" WARDEN_COMPILER_ID ";" WARDEN_STDLIB_ID \
  ";cxx-" WARDEN_STR(__cplusplus)

#ifdef __cplusplus
namespace warden::dialect { class Dialect; }
namespace warden::audit { class AuditSink; }
#include <string>
extern "C" {
#endif

enum warden_plugin_kind { WARDEN_PLUGIN_DIALECT = 1, WARDEN_PLUGIN_AUDIT_SINK = 2 };

struct warden_plugin_descriptor {
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* build_key;   // WARDEN_BUILD_KEY of the plugin's build
  const char* name;        // e.g. "postgres"
  uint32_t kind;           // warden_plugin_kind
  const char* version;     // plugin's own version string
#ifdef __cplusplus
  //! Returns a process-lifetime Dialect (never destroyed), or nullptr with `*error` set to a
  //! static string. Must not throw.
  warden::dialect::Dialect* (*create_dialect)(const char** error) noexcept;
#else
  void* (*create_dialect)(const char** error);
#endif
#ifdef __cplusplus
  //! kind WARDEN_PLUGIN_AUDIT_SINK: a new sink configured by `options_json` (the sink's entry
  //! under audit.sinks as a JSON object), or nullptr with `*error` set. Owned by the caller
  //! (deleted through its virtual destructor while the plugin stays loaded). Must not throw.
  warden::audit::AuditSink* (*create_audit_sink)(const char* options_json,
                                                 std::string* error) noexcept;
#else
  void* (*create_audit_sink)(const char* options_json, void* error);
#endif
};

typedef const struct warden_plugin_descriptor* (*warden_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

//! Use once in a plugin: WARDEN_DEFINE_PLUGIN(desc) where `desc` is a static descriptor.
#define WARDEN_DEFINE_PLUGIN(desc)                                                     \
  extern "C" __attribute__((visibility("default"))) const warden_plugin_descriptor* \
  warden_plugin_entry(void) { return &(desc); }
