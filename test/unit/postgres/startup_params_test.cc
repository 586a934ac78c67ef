// test/unit/postgres/startup_params_test.cc
#include <catch2/catch.hpp>

#include "session/startup_params.h"

using namespace warden::dialect::postgres;
using Params = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("presentation settings are forwarded, user/database/replication skipped",
          "[postgres][startup]") {
  Params in = {{"user", "alice"}, {"database", "app"}, {"application_name", "psql"},
               {"client_encoding", "UTF8"}, {"DateStyle", "ISO"}, {"TimeZone", "UTC"},
               {"extra_float_digits", "3"}, {"replication", "false"}};
  auto out = backendStartupParams(in);
  REQUIRE(out.ok());
  CHECK(out.value() == Params{{"application_name", "psql"}, {"client_encoding", "UTF8"},
                              {"DateStyle", "ISO"}, {"TimeZone", "UTC"}, {"extra_float_digits", "3"}});
}

TEST_CASE("settings that change privileges or bypass policy refuse the connection",
          "[postgres][startup]") {
  for (const char* name : {"role", "session_authorization", "default_transaction_read_only",
                           "session_replication_role", "log_statement", "anything_unknown"}) {
    auto out = backendStartupParams({{name, "x"}});
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().message.find(std::string("\"") + name + "\"") != std::string::npos);
  }
}

TEST_CASE("options: -c settings are checked one by one and re-encoded", "[postgres][startup]") {
  auto ok = backendStartupParams({{"options", "-c search_path=a,b --statement-timeout=5s -cDateStyle=ISO"}});
  REQUIRE(ok.ok());
  REQUIRE(ok.value().size() == 1);
  CHECK(ok.value()[0].first == "options");
  CHECK(ok.value()[0].second == "-c search_path=a,b -c statement_timeout=5s -c DateStyle=ISO");

  auto escaped = parseStartupOptions(R"(-c application_name=my\ app)");
  REQUIRE(escaped.ok());
  CHECK(escaped.value() == Params{{"application_name", "my app"}});
  auto round = backendStartupParams({{"options", R"(-c application_name=my\ app)"}});
  REQUIRE(round.ok());
  CHECK(round.value()[0].second == R"(-c application_name=my\ app)");

  auto bad = backendStartupParams({{"options", "-c search_path=a -c default_transaction_read_only=off"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("default_transaction_read_only") != std::string::npos);
  CHECK_FALSE(backendStartupParams({{"options", "-c"}}).ok());
  CHECK_FALSE(backendStartupParams({{"options", "-D /tmp"}}).ok());
  CHECK_FALSE(backendStartupParams({{"options", "-c noequals"}}).ok());
  auto empty = backendStartupParams({{"options", "   "}});
  REQUIRE(empty.ok());
  CHECK(empty.value().empty());
}
