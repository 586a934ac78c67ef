// dialects/postgres/plugin_entry.cc
//! The PostgreSQL dialect plugin: one versioned C entry point (core/include/warden/plugin/abi.h).
#include "session/pg_session.h"
#include "sql/analyzer.h"
#include "warden/plugin/abi.h"

namespace warden::dialect::postgres {
namespace {

class PostgresDialect final : public Dialect {
 public:
  std::string_view name() const noexcept override { return "postgres"; }
  Session* newSession(SessionHost& host) noexcept override {
    try {
      return new PgSession(host);
    } catch (...) {
      return nullptr;
    }
  }
  sql::Analyzer* newAnalyzer() noexcept override {
    auto analyzer = pg::sql::makeAnalyzer();
    if (analyzer) analyzer->warm();
    return analyzer.release();
  }
};

Dialect* createDialect(const char** error) noexcept {
  try {
    static PostgresDialect dialect;
    return &dialect;
  } catch (...) {
    if (error) *error = "postgres dialect initialisation failed";
    return nullptr;
  }
}

const warden_plugin_descriptor kDescriptor = {
    WARDEN_ABI_MAJOR, WARDEN_ABI_MINOR, WARDEN_BUILD_KEY, "postgres", WARDEN_PLUGIN_DIALECT,
    "0.1.0", &createDialect, nullptr,
};

}  // namespace
}  // namespace warden::dialect::postgres

WARDEN_DEFINE_PLUGIN(warden::dialect::postgres::kDescriptor)
