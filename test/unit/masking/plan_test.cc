// test/unit/masking/plan_test.cc
//! MaskPlan building (warden/masking/plan.h): origin from backend metadata, projection lineage
//! through aliases/expressions/CTEs/subqueries/unions/stars/whole rows, views through a catalog,
//! conservative masking when lineage is unknown, detectors, exemptions left to the caller.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "sql/analyzer.h"
#include "warden/masking/plan.h"

using namespace warden;
using masking::ColumnAction;
using masking::ResultColumn;
using Kind = ColumnAction::Kind;

namespace {

sql::Analysis analyse(std::string_view text) {
  auto an = pg::sql::makeAnalyzer();
  sql::Analysis a;
  an->analyze(text, a);
  return a;
}

masking::SessionMasking session(bool detectors = false) {
  masking::SessionMasking s;
  masking::CompiledRule pii;
  pii.name = "pii";
  pii.method = masking::Method::Partial;
  pii.patterns = {masking::ColumnPattern::parse("public.users.email"),
                  masking::ColumnPattern::parse("*.ssn")};
  masking::CompiledRule pay;
  pay.name = "pay";
  pay.method = masking::Method::Hash;
  pay.patterns = {masking::ColumnPattern::parse("users.salary")};
  s.rules = {pii, pay};
  if (detectors) s.detectors = masking::DetectorSet::all();
  return s;
}

//! Tables users(id, name, email, ssn, salary) and orders(id, note) in public; view
//! v_contacts(id, contact) over users.email.
class FakeCatalog final : public masking::RelationCatalog {
 public:
  Relation find(std::string_view, std::string_view name) const override {
    if (name == "users" || name == "orders") return Relation::Table;
    if (name == "v_contacts") return Relation::View;
    return Relation::Unknown;
  }
  bool viewSources(std::string_view, std::string_view name, std::string_view column,
                   std::vector<sql::ColumnSource>& out) const override {
    if (name != "v_contacts") return false;
    if (column == "contact" || column == "*") out.push_back({"users", "email"});
    if (column == "id" || column == "*") out.push_back({"users", "id"});
    return true;
  }
};

ResultColumn none(masking::ValueType t = masking::ValueType::Text) {
  ResultColumn c;
  c.type = t;
  return c;
}

ResultColumn origin(std::string_view table, std::string_view column,
                    masking::ValueType t = masking::ValueType::Text) {
  ResultColumn c;
  c.origin = ResultColumn::Origin::Column;
  c.schema = "public";
  c.table = table;
  c.column = column;
  c.type = t;
  return c;
}

std::vector<Kind> kinds(const masking::ResultPlan& p) {
  std::vector<Kind> out;
  for (const auto& c : p.columns) out.push_back(c.kind);
  return out;
}

masking::ResultPlan plan(std::string_view sql, std::vector<ResultColumn> cols,
                         bool detectors = false) {
  static const FakeCatalog catalog;
  auto s = session(detectors);
  auto a = analyse(sql);
  REQUIRE(a.statements.size() == 1);
  return masking::buildPlan(s, &a.statements[0], cols, &catalog);
}

}  // namespace

TEST_CASE("column patterns: three, two and one part", "[masking]") {
  auto p = masking::ColumnPattern::parse("public.users.email");
  CHECK((p.schema == "public" && p.table == "users" && p.column == "email"));
  p = masking::ColumnPattern::parse("users.email");
  CHECK((p.schema == "*" && p.table == "users" && p.column == "email"));
  p = masking::ColumnPattern::parse("ssn");
  CHECK((p.schema == "*" && p.table == "*" && p.column == "ssn"));
  auto s = session();
  CHECK(s.match("public", "users", "email") != nullptr);
  CHECK(s.match("", "USERS", "Email") != nullptr);  // unknown schema, folded case
  CHECK(s.match("other", "users", "email") == nullptr);
  CHECK(s.match("x", "anything", "ssn")->name == "pii");
  CHECK(s.match("public", "users", "name") == nullptr);
  CHECK(s.tableMayMatch("", "users"));
  CHECK(s.tableMayMatch("", "orders"));  // *.ssn could be there
}

TEST_CASE("origin from the backend decides plain columns", "[masking]") {
  auto p = plan("SELECT id, email, salary FROM users",
                {origin("users", "id", masking::ValueType::Int4), origin("users", "email"),
                 origin("users", "salary", masking::ValueType::Int4)});
  CHECK(kinds(p) == std::vector<Kind>{Kind::None, Kind::Mask, Kind::Mask});
  CHECK(p.columns[1].method == masking::Method::Partial);
  CHECK(p.columns[2].method == masking::Method::Hash);
  CHECK(p.active);
  CHECK(p.selected == std::vector<uint8_t>{0, 1, 1});
  CHECK(std::find(p.masked.begin(), p.masked.end(), "public.users.email") != p.masked.end());
}

TEST_CASE("lineage decides expressions, aliases, CTEs, subqueries and unions", "[masking]") {
  for (const char* sql :
       {"SELECT lower(email) FROM users", "SELECT email || '' AS e FROM users u",
        "SELECT substr(u.email, 1, 3) FROM users u", "SELECT email::varchar(5) FROM users",
        "WITH c AS (SELECT email FROM users) SELECT email FROM c",
        "SELECT x.e FROM (SELECT lower(email) e FROM users) x",
        "SELECT name FROM users UNION ALL SELECT email FROM users"}) {
    INFO(sql);
    auto p = plan(sql, {none()});
    CHECK(kinds(p) == std::vector<Kind>{Kind::Mask});
  }
  auto p = plan("SELECT upper(name), count(*) FROM users GROUP BY 1",
                {none(), none(masking::ValueType::Int8)});
  CHECK(kinds(p) == std::vector<Kind>{Kind::None, Kind::None});
  CHECK_FALSE(p.active);
}

TEST_CASE("a star maps around fixed entries", "[masking]") {
  // SELECT 1 AS a, * FROM (SELECT lower(email) e, id FROM users) x: no origins for e.
  auto p = plan("SELECT name, x.* FROM (SELECT lower(email) e FROM users) x, users",
                {origin("users", "name"), none()});
  CHECK(kinds(p) == std::vector<Kind>{Kind::None, Kind::Mask});
}

TEST_CASE("whole-row references: JSON members, or the whole value", "[masking]") {
  auto p = plan("SELECT row_to_json(u) FROM users u", {none(masking::ValueType::Json)});
  REQUIRE(p.columns[0].kind == Kind::Json);
  CHECK(p.columns[0].tables == std::vector<std::string>{"users"});
  p = plan("SELECT u FROM users u", {none(masking::ValueType::Other)});
  CHECK(p.columns[0].kind == Kind::Mask);
  p = plan("SELECT row_to_json(o) FROM orders o", {none(masking::ValueType::Json)});
  CHECK(p.columns[0].kind == Kind::Json);  // *.ssn could be a member
}

TEST_CASE("views resolve through the catalog's view lineage", "[masking]") {
  ResultColumn v;
  v.origin = ResultColumn::Origin::View;
  v.table = "v_contacts";
  v.column = "contact";
  ResultColumn id = v;
  id.column = "id";
  id.type = masking::ValueType::Int4;
  auto p = plan("SELECT contact, id FROM v_contacts", {v, id});
  CHECK(kinds(p) == std::vector<Kind>{Kind::Mask, Kind::None});
  p = plan("SELECT upper(contact) FROM v_contacts", {none()});
  CHECK(kinds(p) == std::vector<Kind>{Kind::Mask});
}

TEST_CASE("unknown relations and unknown lineage mask conservatively", "[masking]") {
  // A table the catalog does not know (created since it was loaded).
  auto p = plan("SELECT x FROM brand_new", {none()});
  CHECK(kinds(p) == std::vector<Kind>{Kind::Mask});
  // The projection cannot describe the result (3 columns for 1 entry): mask what has no origin.
  auto s = session();
  auto a = analyse("SELECT email FROM users");
  FakeCatalog catalog;
  auto q = masking::buildPlan(s, &a.statements[0], std::vector<ResultColumn>{none(), none(), none()},
                              &catalog);
  CHECK(kinds(q) == std::vector<Kind>{Kind::Mask, Kind::Mask, Kind::Mask});
  // No lineage at all and no tables: nothing to mask by rules.
  q = masking::buildPlan(s, nullptr, std::vector<ResultColumn>{none()}, &catalog);
  CHECK(kinds(q) == std::vector<Kind>{Kind::None});
  // Functions are not tables.
  p = plan("SELECT g FROM generate_series(1, 3) g", {none(masking::ValueType::Int4)});
  CHECK(kinds(p) == std::vector<Kind>{Kind::None});
}

TEST_CASE("detectors scan text columns no rule masks", "[masking]") {
  auto p = plan("SELECT id, name, email, note FROM users, orders",
                {origin("users", "id", masking::ValueType::Int4), origin("users", "name"),
                 origin("users", "email"), origin("orders", "note")},
                true);
  CHECK(kinds(p) == std::vector<Kind>{Kind::None, Kind::Detect, Kind::Mask, Kind::Detect});
  p = plan("SELECT to_jsonb(o) FROM orders o", {none(masking::ValueType::Json)}, true);
  CHECK(p.columns[0].kind == Kind::Json);
  CHECK(p.columns[0].detect);
}

TEST_CASE("predicted masked columns for the audit record", "[masking]") {
  auto s = session();
  auto a = analyse("SELECT lower(email), name, salary FROM users; SELECT row_to_json(u) FROM users u");
  auto m = masking::predictMasked(s, a);
  CHECK(m == std::vector<std::string>{"users.*", "users.email", "users.salary"});
}
