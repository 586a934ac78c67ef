// test/unit/policy/rule_engine_test.cc
//! Matching semantics of the guardrail engine over hand-built neutral statements (no parser):
//! globs, precedence, dry-run, defaults, identity/target scope, nested statements, EXECUTE of a
//! prepared body, tables and search_path, where: absent, unparsed, flags.
#include <catch2/catch.hpp>

#include <functional>
#include <map>

#include "warden/base/glob.h"
#include "warden/policy/rule_engine.h"

namespace warden::policy {
namespace {

using config::Action;
using sql::Kind;
using sql::Statement;

Statement stmt(Kind k, sql::Category c, std::vector<sql::ObjectRef> objects = {}) {
  Statement s;
  s.kind = k;
  s.category = c;
  s.objects = std::move(objects);
  return s;
}
sql::ObjectRef table(std::string schema, std::string name, sql::Access a = sql::Access::Write) {
  sql::ObjectRef o;
  o.schema = std::move(schema);
  o.name = std::move(name);
  o.access = a;
  return o;
}
Statement del(std::string schema, std::string name, bool where) {
  Statement s = stmt(Kind::Delete, sql::Category::Write, {table(std::move(schema), std::move(name))});
  s.has_where = where;
  return s;
}

config::Rule rule(std::string name, Action a, std::function<void(config::RuleWhen&)> when,
                  config::RuleMode mode = config::RuleMode::Enforce) {
  config::Rule r;
  r.name = std::move(name);
  r.action = a;
  r.mode = mode;
  when(r.when);
  return r;
}

struct Fixture {
  std::shared_ptr<config::Config> cfg = std::make_shared<config::Config>();
  std::shared_ptr<PolicyEngine> engine;
  Identity id;

  Fixture() {
    config::Target prod, dev;
    prod.name = "prod-pg";
    prod.environment = "prod";
    dev.name = "dev-pg";
    dev.environment = "dev";
    cfg->targets = {prod, dev};
    id.user = "alice";
    id.groups = {"dba"};
    id.kind = "human";
  }
  void build() {
    std::vector<std::string> errors;
    auto e = makeRuleEngine(cfg, &errors);
    INFO((errors.empty() ? std::string() : errors[0]));
    REQUIRE(e.ok());
    engine = e.value();
  }
  Decision decide(std::vector<Statement> statements, const std::string& target = "prod-pg",
                  const PreparedLookup* prepared = nullptr, bool with_scope = true) {
    sql::Analysis a;
    a.statements = std::move(statements);
    StatementRequest req;
    req.identity = &id;
    req.target = cfg->findTarget(target);
    req.analysis = &a;
    req.prepared = prepared;
    std::shared_ptr<const PolicyScope> scope;
    if (with_scope) {
      scope = engine->scopeFor(id, *req.target);
      req.scope = scope.get();
    }
    return engine->evaluate(req);
  }
};

class MapLookup final : public PreparedLookup {
 public:
  std::map<std::string, Statement, std::less<>> bodies;
  void find(std::string_view name,
            const std::function<void(const Statement&)>& fn) const override {
    auto it = bodies.find(name);
    if (it != bodies.end()) fn(it->second);
  }
};

}  // namespace

TEST_CASE("glob: star, question mark, case folding", "[policy][glob]") {
  CHECK(globMatch("drop_*", "drop_table"));
  CHECK(globMatch("*", ""));
  CHECK(globMatch("public.*", "public.users"));
  CHECK(globMatch("*.ssn", "hr.people.ssn"));
  CHECK(globMatch("us?rs", "users"));
  CHECK_FALSE(globMatch("us?rs", "usrs"));
  CHECK_FALSE(globMatch("drop_*", "create_table"));
  CHECK_FALSE(globMatch("Users", "users"));
  CHECK(globMatch("Users", "users", true));
  CHECK(globMatch("a*b*c", "aXXbYYc"));
  CHECK_FALSE(globMatch("a*b*c", "aXXbYY"));
  CHECK(globMatch("**a", "bbbba"));
  CHECK_FALSE(globMatch("", "x"));
  CHECK(isGlob("a*"));
  CHECK_FALSE(isGlob("abc"));
}

TEST_CASE("rules: statements match kinds and categories, with globs", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("no-drop", Action::Deny, [](auto& w) { w.statements = {"drop_*", "truncate"}; }),
                  rule("no-dcl", Action::Deny, [](auto& w) { w.statements = {"dcl"}; })};
  f.build();
  auto d = f.decide({stmt(Kind::DropTable, sql::Category::Ddl, {table("public", "users")})});
  CHECK(d.verdict == Verdict::Deny);
  CHECK(d.rule == "no-drop");
  CHECK(d.message == "statement denied by rule 'no-drop'");
  CHECK(f.decide({stmt(Kind::Truncate, sql::Category::Ddl)}).verdict == Verdict::Deny);
  CHECK(f.decide({stmt(Kind::Grant, sql::Category::Dcl)}).rule == "no-dcl");
  CHECK(f.decide({stmt(Kind::SetRole, sql::Category::Dcl)}).verdict == Verdict::Deny);
  auto ok = f.decide({stmt(Kind::CreateTable, sql::Category::Ddl)});
  CHECK(ok.verdict == Verdict::Allow);
  CHECK(ok.by_default);
  CHECK(ok.matches.empty());
}

TEST_CASE("rules: dynamic and admin also match through flags", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("no-dynamic", Action::Deny, [](auto& w) { w.statements = {"dynamic"}; }),
                  rule("no-admin", Action::Deny, [](auto& w) { w.statements = {"admin"}; })};
  f.build();
  Statement q = stmt(Kind::Select, sql::Category::Read);
  CHECK(f.decide({q}).verdict == Verdict::Allow);
  q.flags = sql::kExecutesDynamicSql;  // SELECT query_to_xml('...')
  CHECK(f.decide({q}).rule == "no-dynamic");
  Statement copy = stmt(Kind::CopyTo, sql::Category::Read);
  copy.flags = sql::kExecutesProgram;
  CHECK(f.decide({copy}).rule == "no-admin");
}

TEST_CASE("rules: deny beats require_approval beats allow; all matches reported", "[policy]") {
  Fixture f;
  f.cfg->rules = {
      rule("allow-dba", Action::Allow, [](auto& w) { w.groups = {"dba"}; }),
      rule("review-deletes", Action::RequireApproval, [](auto& w) { w.statements = {"delete"}; }),
      rule("no-bulk", Action::Deny, [](auto& w) { w.statements = {"delete"}; w.where_absent = true; })};
  f.build();
  auto bulk = f.decide({del("public", "users", false)});
  CHECK(bulk.verdict == Verdict::Deny);
  CHECK(bulk.rule == "no-bulk");
  REQUIRE(bulk.matches.size() == 3);
  CHECK(bulk.matches[0].name == "allow-dba");
  CHECK(bulk.matches[2].name == "no-bulk");
  CHECK(bulk.auditAction() == "deny");

  auto one = f.decide({del("public", "users", true)});
  CHECK(one.verdict == Verdict::Hold);
  CHECK(one.rule == "review-deletes");
  CHECK(one.hold_id.rfind("apr-", 0) == 0);
  CHECK(one.message.find(one.hold_id) != std::string::npos);
  CHECK(one.auditAction() == "require_approval");

  auto sel = f.decide({stmt(Kind::Select, sql::Category::Read)});
  CHECK(sel.verdict == Verdict::Allow);
  CHECK(sel.rule == "allow-dba");
  CHECK_FALSE(sel.by_default);
}

TEST_CASE("rules: default_action applies only when no enforcing rule matches", "[policy]") {
  Fixture f;
  f.cfg->default_action = Action::Deny;
  f.cfg->rules = {rule("reads-ok", Action::Allow, [](auto& w) { w.statements = {"read"}; }),
                  rule("watch", Action::Allow, [](auto& w) { w.statements = {"write"}; },
                       config::RuleMode::DryRun)};
  f.build();
  CHECK(f.decide({stmt(Kind::Select, sql::Category::Read)}).verdict == Verdict::Allow);
  auto w = f.decide({del("", "t", true)});
  CHECK(w.verdict == Verdict::Deny);  // a dry-run allow does not lift the default deny
  CHECK(w.by_default);
  CHECK(w.rule.empty());
  CHECK(w.message == "statement denied by the default action");
  REQUIRE(w.matches.size() == 1);
  CHECK(w.matches[0].dry_run);
  // Each part of a batch is decided on its own: an allowed SELECT does not carry a DELETE.
  auto batch = f.decide({stmt(Kind::Select, sql::Category::Read), del("", "t", true)});
  CHECK(batch.verdict == Verdict::Deny);
  CHECK(batch.by_default);
  CHECK(f.decide({stmt(Kind::Select, sql::Category::Read), stmt(Kind::Select, sql::Category::Read)})
            .verdict == Verdict::Allow);
  CHECK(f.decide({}).verdict == Verdict::Deny);  // nothing to allow it: the default
}

TEST_CASE("rules: a dry-run deny lets the statement pass and is reported", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("would-block", Action::Deny, [](auto& w) { w.statements = {"drop_table"}; },
                       config::RuleMode::DryRun)};
  f.build();
  auto d = f.decide({stmt(Kind::DropTable, sql::Category::Ddl)});
  CHECK(d.verdict == Verdict::Allow);
  CHECK(d.by_default);
  REQUIRE(d.matches.size() == 1);
  CHECK(d.matches[0].dry_run);
  CHECK(d.auditAction() == "dry_run_deny");
  CHECK(d.auditRule() == "would-block");
}

TEST_CASE("rules: identity and target conditions", "[policy]") {
  Fixture f;
  f.cfg->rules = {
      rule("prod-only", Action::Deny, [](auto& w) { w.environments = {"prod"}; w.statements = {"ddl"}; }),
      rule("agents", Action::Deny, [](auto& w) { w.kinds = {"agent"}; w.statements = {"dynamic"}; }),
      rule("bob", Action::Deny, [](auto& w) { w.users = {"b*"}; }),
      rule("interns", Action::Deny, [](auto& w) { w.groups = {"intern*"}; w.statements = {"write"}; }),
      rule("dev-target", Action::Deny, [](auto& w) { w.targets = {"dev-*"}; w.statements = {"truncate"}; })};
  f.build();
  auto ddl = stmt(Kind::CreateTable, sql::Category::Ddl);
  CHECK(f.decide({ddl}, "prod-pg").verdict == Verdict::Deny);
  CHECK(f.decide({ddl}, "dev-pg").verdict == Verdict::Allow);
  auto dyn = stmt(Kind::Do, sql::Category::Dynamic);
  CHECK(f.decide({dyn}).verdict == Verdict::Allow);  // human
  f.id.kind = "agent";
  CHECK(f.decide({dyn}).rule == "agents");
  f.id.kind = "human";
  f.id.user = "bob";
  CHECK(f.decide({stmt(Kind::Select, sql::Category::Read)}).rule == "bob");
  f.id.user = "alice";
  f.id.groups = {"dba", "interns-2026"};
  CHECK(f.decide({del("", "t", true)}).rule == "interns");
  CHECK(f.decide({stmt(Kind::Truncate, sql::Category::Ddl)}, "dev-pg").rule == "dev-target");
  // Without a precomputed scope the engine computes it per call, with the same answer.
  CHECK(f.decide({del("", "t", true)}, "prod-pg", nullptr, false).rule == "interns");
}

TEST_CASE("rules: tables match schema.name or name, unqualified names any schema", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("users", Action::Deny, [](auto& w) {
                    w.statements = {"delete"};
                    w.tables = {"public.users"};
                  }),
                  rule("audit", Action::Deny, [](auto& w) {
                    w.statements = {"truncate", "drop_*"};
                    w.tables = {"audit.*", "ledger"};
                  })};
  f.build();
  CHECK(f.decide({del("public", "users", true)}).rule == "users");
  CHECK(f.decide({del("PUBLIC", "Users", true)}).rule == "users");  // case never helps
  CHECK(f.decide({del("", "users", true)}).rule == "users");  // search_path decides at run time
  CHECK(f.decide({del("other", "users", true)}).verdict == Verdict::Allow);
  CHECK(f.decide({del("public", "orders", true)}).verdict == Verdict::Allow);
  CHECK(f.decide({stmt(Kind::Truncate, sql::Category::Ddl, {table("audit", "events")})}).rule == "audit");
  CHECK(f.decide({stmt(Kind::Truncate, sql::Category::Ddl, {table("x", "ledger")})}).rule == "audit");
  // A schema holds the tables; a database holds everything.
  sql::ObjectRef schema;
  schema.type = sql::ObjectType::Schema;
  schema.name = "audit";
  CHECK(f.decide({stmt(Kind::DropSchema, sql::Category::Ddl, {schema})}).rule == "audit");
  schema.name = "scratch";
  CHECK(f.decide({stmt(Kind::DropSchema, sql::Category::Ddl, {schema})}).rule == "audit");  // may hold "ledger"
  sql::ObjectRef db;
  db.type = sql::ObjectType::Database;
  db.name = "app";
  CHECK(f.decide({stmt(Kind::DropDatabase, sql::Category::Ddl, {db})}).rule == "audit");
  sql::ObjectRef fn;
  fn.type = sql::ObjectType::Function;
  fn.schema = "audit";
  fn.name = "f";
  CHECK(f.decide({stmt(Kind::DropFunction, sql::Category::Ddl, {fn})}).verdict == Verdict::Allow);
}

TEST_CASE("rules: where absent includes always-true WHERE", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("bulk", Action::Deny, [](auto& w) {
    w.statements = {"delete", "update"};
    w.where_absent = true;
  })};
  f.build();
  CHECK(f.decide({del("", "t", false)}).verdict == Verdict::Deny);
  CHECK(f.decide({del("", "t", true)}).verdict == Verdict::Allow);
  Statement taut = del("", "t", true);
  taut.where_is_tautology = true;
  CHECK(f.decide({taut}).verdict == Verdict::Deny);
  CHECK(f.decide({stmt(Kind::Select, sql::Category::Read)}).verdict == Verdict::Allow);
}

TEST_CASE("rules: unparsed", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("unparsed", Action::Deny, [](auto& w) { w.unparsed = true; })};
  f.build();
  Statement bad;  // Kind::Unparsed
  bad.error = "syntax error at or near \"selec\"";
  auto d = f.decide({bad});
  CHECK(d.verdict == Verdict::Deny);
  CHECK(d.message.find("could not be parsed") != std::string::npos);
  CHECK(d.message.find("selec") != std::string::npos);
  CHECK(f.decide({stmt(Kind::Select, sql::Category::Read)}).verdict == Verdict::Allow);
  // A batch with one unreadable part is decided as a whole.
  CHECK(f.decide({stmt(Kind::Select, sql::Category::Read), bad}).verdict == Verdict::Deny);
}

TEST_CASE("rules: a batch is decided as a whole", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("no-drop", Action::Deny, [](auto& w) { w.statements = {"drop_table"}; })};
  f.build();
  CHECK(f.decide({stmt(Kind::Select, sql::Category::Read), stmt(Kind::DropTable, sql::Category::Ddl),
                  stmt(Kind::Select, sql::Category::Read)})
            .verdict == Verdict::Deny);
}

TEST_CASE("rules: statement conditions must hold on one statement", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("users-delete", Action::Deny, [](auto& w) {
    w.statements = {"delete"};
    w.tables = {"users"};
  })};
  f.build();
  // DELETE FROM orders; SELECT * FROM users: no single statement is a delete on users.
  CHECK(f.decide({del("", "orders", true),
                  stmt(Kind::Select, sql::Category::Read, {table("", "users", sql::Access::Read)})})
            .verdict == Verdict::Allow);
}

TEST_CASE("rules: nested statements count unless only planned", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("bulk", Action::Deny, [](auto& w) {
    w.statements = {"delete"};
    w.where_absent = true;
  })};
  f.build();
  Statement explain = stmt(Kind::Explain, sql::Category::Write);
  explain.nested.push_back(del("", "t", false));
  CHECK(f.decide({explain}).verdict == Verdict::Deny);  // EXPLAIN ANALYZE runs it
  explain.nested[0].flags |= sql::kNotExecuted;
  explain.category = sql::Category::Read;
  CHECK(f.decide({explain}).verdict == Verdict::Allow);  // plain EXPLAIN only plans it
  Statement prepare = stmt(Kind::Prepare, sql::Category::Session);
  prepare.prepared_name = "p";
  prepare.nested.push_back(del("", "t", false));
  CHECK(f.decide({prepare}).verdict == Verdict::Deny);
}

TEST_CASE("rules: EXECUTE is decided as the prepared body", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("bulk", Action::Deny, [](auto& w) {
                    w.statements = {"delete"};
                    w.where_absent = true;
                  }),
                  rule("agents-dynamic", Action::Deny, [](auto& w) {
                    w.kinds = {"agent"};
                    w.statements = {"dynamic"};
                  })};
  f.build();
  Statement exec = stmt(Kind::Execute, sql::Category::Dynamic);
  exec.flags = sql::kExecutesDynamicSql;
  exec.prepared_name = "p";
  MapLookup lookup;
  CHECK(f.decide({exec}, "prod-pg", &lookup).verdict == Verdict::Allow);  // unknown, human
  lookup.bodies["p"] = del("", "t", false);
  CHECK(f.decide({exec}, "prod-pg", &lookup).rule == "bulk");
  lookup.bodies["p"] = del("", "t", true);
  CHECK(f.decide({exec}, "prod-pg", &lookup).verdict == Verdict::Allow);
  // A known body: the EXECUTE runs exactly it, so it is not dynamic SQL; an unknown name is.
  f.id.kind = "agent";
  CHECK(f.decide({exec}, "prod-pg", &lookup).verdict == Verdict::Allow);
  Statement other = exec;
  other.prepared_name = "never_prepared";
  CHECK(f.decide({other}, "prod-pg", &lookup).rule == "agents-dynamic");
  CHECK(f.decide({exec}, "prod-pg", nullptr).rule == "agents-dynamic");
}

TEST_CASE("rules: flags extension", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("files", Action::Deny, [](auto& w) { w.flags = {"writes_file", "executes_program"}; })};
  f.build();
  Statement s = stmt(Kind::Select, sql::Category::Read);
  CHECK(f.decide({s}).verdict == Verdict::Allow);
  s.flags = sql::kWritesFile;  // SELECT lo_export(...)
  CHECK(f.decide({s}).verdict == Verdict::Deny);
}

TEST_CASE("rules: statements that change how later SQL is read are always denied", "[policy]") {
  Fixture f;
  f.cfg->rules = {rule("allow-all", Action::Allow, [](auto& w) { w.statements = {"*"}; })};
  f.build();
  Statement set = stmt(Kind::Set, sql::Category::Session);
  CHECK(f.decide({set}).verdict == Verdict::Allow);
  set.flags = sql::kChangesSession | sql::kChangesParsing;  // SET standard_conforming_strings = off
  auto d = f.decide({stmt(Kind::Select, sql::Category::Read), set});
  CHECK(d.verdict == Verdict::Deny);
  CHECK(d.message.find("standard_conforming_strings") != std::string::npos);
  Statement outer = stmt(Kind::Select, sql::Category::Read);
  outer.nested.push_back(set);
  CHECK(f.decide({outer}).verdict == Verdict::Deny);
}

TEST_CASE("rules: a rule message replaces the default text", "[policy]") {
  Fixture f;
  auto r = rule("no-drop", Action::Deny, [](auto& w) { w.statements = {"drop_table"}; });
  r.message = "dropping tables in prod is not allowed";
  f.cfg->rules = {r};
  f.build();
  CHECK(f.decide({stmt(Kind::DropTable, sql::Category::Ddl)}).message ==
        "dropping tables in prod is not allowed");
}

TEST_CASE("rules: patterns that name nothing are rejected", "[policy]") {
  CHECK(statementPatternKnown("drop_table"));
  CHECK(statementPatternKnown("drop_*"));
  CHECK(statementPatternKnown("dcl"));
  CHECK(statementPatternKnown("*"));
  CHECK_FALSE(statementPatternKnown("drop_tabel"));
  CHECK_FALSE(statementPatternKnown("zzz*"));
  CHECK(tablePatternValid("public.users"));
  CHECK(tablePatternValid("db.public.*"));
  CHECK_FALSE(tablePatternValid("a..b"));
  CHECK_FALSE(tablePatternValid("a.b.c.d"));
  CHECK_FALSE(tablePatternValid(".x"));

  auto cfg = std::make_shared<config::Config>();
  cfg->rules = {rule("typo", Action::Deny, [](auto& w) { w.statements = {"drop_tabel"}; })};
  std::vector<std::string> errors;
  auto e = makeRuleEngine(cfg, &errors);
  CHECK_FALSE(e.ok());
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("drop_tabel") != std::string::npos);
}

}  // namespace warden::policy
