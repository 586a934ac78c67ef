// test/unit/sql/statement_test.cc
//! The neutral model's names (SPEC.md kinds and categories) and renderings.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "warden/sql/statement.h"

using namespace warden::sql;

TEST_CASE("every SPEC kind and category name round-trips", "[unit][sql]") {
  for (const char* k :
       {"select", "insert", "update", "delete", "merge", "copy_from", "copy_to", "call", "do",
        "execute", "prepare", "deallocate", "begin", "commit", "rollback", "savepoint", "set",
        "show", "use", "explain", "lock", "vacuum", "analyze", "load_data", "select_into_file",
        "kill", "shutdown", "create_table", "alter_table", "drop_table", "truncate",
        "rename_table", "create_index", "drop_index", "create_view", "drop_view", "drop_schema",
        "drop_database", "create_database", "create_function", "drop_function", "create_role",
        "alter_role", "drop_role", "create_user", "alter_user", "drop_user", "grant", "revoke",
        "unparsed", "other"}) {
    auto kind = kindFromName(k);
    REQUIRE(kind);
    CHECK(kindName(*kind) == k);
  }
  for (const char* c : {"read", "write", "ddl", "dcl", "tcl", "session", "admin", "dynamic",
                        "unknown"}) {
    auto cat = categoryFromName(c);
    REQUIRE(cat);
    CHECK(categoryName(*cat) == c);
  }
  CHECK(!kindFromName("drop_everything"));
  CHECK(defaultCategory(Kind::DropTable) == Category::Ddl);
  CHECK(defaultCategory(Kind::Grant) == Category::Dcl);
  CHECK(defaultCategory(Kind::Do) == Category::Dynamic);
  CHECK(defaultCategory(Kind::Begin) == Category::Tcl);
  CHECK(defaultCategory(Kind::Select) == Category::Read);
  CHECK(defaultCategory(Kind::Delete) == Category::Write);
}

TEST_CASE("finish fills categories, multi-statement flags and literal dependence", "[unit][sql]") {
  Analysis a;
  a.statements.resize(2);
  a.statements[0].kind = Kind::Delete;
  a.statements[1].kind = Kind::Select;
  a.statements[1].nested.emplace_back();
  a.statements[1].nested[0].kind = Kind::Insert;
  a.statements[1].nested[0].literal_dependent = true;
  finish(a);
  CHECK(a.statements[0].category == Category::Write);
  CHECK(a.statements[1].nested[0].category == Category::Write);
  CHECK(a.statements[0].has(kMultiStatement));
  CHECK(a.statements[1].literal_dependent);
  CHECK(a.literal_dependent);
  CHECK(a.approxBytes() > sizeof(Statement) * 3);
}

TEST_CASE("explain JSON and the test dump", "[unit][sql]") {
  Statement s;
  s.kind = Kind::Delete;
  s.category = Category::Write;
  s.objects.push_back({"", "public", "users", ObjectType::Table, Access::Write});
  s.projection.push_back({"email", {{"public.users", "email"}}, false, false});
  s.flags = kWritesFile;
  s.limit = 5;
  s.normalized = "DELETE FROM public.users";
  s.fingerprint = fingerprintHex(s.normalized);
  auto j = nlohmann::json::parse(toJson(s));
  CHECK(j["kind"] == "delete");
  CHECK(j["category"] == "write");
  CHECK(j["tables"][0]["name"] == "public.users");
  CHECK(j["tables"][0]["access"] == "write");
  CHECK(j["has_where"] == false);
  CHECK(j["projection"][0]["sources"][0] == "public.users.email");
  CHECK(j["flags"][0] == "writes_file");
  CHECK(j["limit"] == 5);
  CHECK(j["fingerprint"].get<std::string>().size() == 16);
  CHECK(dump(s) ==
        "delete write where=absent limit=5 flags=writes_file\n"
        "  object public.users table write\n"
        "  column email <- public.users.email\n");
  CHECK(fingerprintHex("a") != fingerprintHex("b"));
}
