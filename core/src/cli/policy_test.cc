// core/src/cli/policy_test.cc
//! `warden policy test --config FILE CASES.yaml`: runs policy test cases against the rules of a
//! config and prints PASS/FAIL per case (SPEC.md "Command line"). Each case is analysed by the
//! target's dialect plugin and decided by the same engine, with the same per-session scope, as a
//! running gateway would — so a policy change can be checked in CI before it is deployed.
//!
//! Cases file (documented for users in README.md and at the top of conf/policy-prod.cases.yaml):
//!   cases:
//!     - name: no-drop-in-prod          # unique
//!       target: prod-pg                # a target of the config (its environment applies)
//!       user: alice                    # default "test"
//!       groups: [dba]                  # default none
//!       kind: human                    # human | agent | service (default human)
//!       statement: "DROP TABLE t"      # or statements: [..] run in order in one session
//!       expect: deny                   # allow | deny | require_approval
//!       rule: no-drop-truncate-in-prod # optional: the deciding rule ("default": none decided)
//!       dry_run: [rule-a]              # optional: exactly these dry-run rules matched
//! Unknown keys, unknown targets and bad values are reported as FILE:LINE:COL: message.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "../config/yaml_reader.h"
#include "cli_util.h"
#include "warden/config/config.h"
#include "warden/plugin/loader.h"
#include "warden/policy/decision.h"
#include "warden/runtime/server.h"
#include "warden/sql/analyzer.h"

namespace warden::cli {
namespace {

using config::detail::Field;
using config::detail::MapView;
using config::detail::Reader;

constexpr const char* kUsage = "usage: warden policy test --config FILE CASES.yaml\n";

int usageError(const char* why) {
  fprintf(stderr, "warden policy test: %s\n%s", why, kUsage);
  return 1;
}

struct TestCase {
  std::string name;
  const runtime::TargetRuntime* target = nullptr;
  policy::Identity identity;
  std::vector<std::string> statements;  // one session, in order; the last one is judged
  config::Action expect = config::Action::Allow;
  std::optional<std::string> rule;      // "default": decided by default_action
  std::optional<std::vector<std::string>> dry_run;
};

//! The prepared statements of one simulated session: PREPARE bodies of allowed requests, by
//! name, plus those the request being decided prepares itself (as the gateway's registry does).
class SessionPrepared final : public policy::PreparedLookup {
 public:
  void setRequest(const sql::Analysis* current) { current_ = current; }

  void find(std::string_view name,
            const std::function<void(const sql::Statement&)>& fn) const override {
    auto it = bodies_.find(name);
    if (it != bodies_.end())
      for (const auto& body : it->second) fn(body);
    if (current_ == nullptr) return;
    for (const auto& s : current_->statements)
      if (s.kind == sql::Kind::Prepare && s.prepared_name == name)
        for (const auto& body : s.nested) fn(body);
  }

  //! The request was allowed: apply its PREPARE / DEALLOCATE / DISCARD in statement order.
  void commit(const sql::Analysis& a) {
    for (const auto& s : a.statements) {
      if (s.kind == sql::Kind::Prepare) {
        bodies_[s.prepared_name] = s.nested;
      } else if (s.kind == sql::Kind::Deallocate) {
        if (s.prepared_name.empty()) bodies_.clear();
        else bodies_.erase(s.prepared_name);
      } else if (s.kind == sql::Kind::Discard) {
        bodies_.clear();
      }
    }
  }

 private:
  std::map<std::string, std::vector<sql::Statement>, std::less<>> bodies_;
  const sql::Analysis* current_ = nullptr;
};

// ---- reading the cases file


std::optional<std::string> readNonEmpty(Reader& r, const Field& f) {
  return config::detail::readString(r, f, false);
}

std::optional<TestCase> readCase(Reader& r, const Field& item, const runtime::Snapshot& snap,
                                 const std::string& config_path,
                                 std::map<std::string, config::Mark>& seen) {
  MapView m(r, item.value, item.path, item.value_mark,
            {"name", "target", "user", "groups", "kind", "statement", "statements", "expect",
             "rule", "dry_run"});
  if (!m.valid()) return std::nullopt;
  size_t errors_before = r.errorCount();
  TestCase c;
  c.identity.user = "test";
  c.identity.method = "policy-test";

  if (const Field* f = m.require("name")) {
    if (auto v = readNonEmpty(r, *f)) {
      c.name = *v;
      auto [it, fresh] = seen.emplace(*v, f->value_mark);
      if (!fresh)
        r.error(f->value_mark, f->path + ": duplicate case name '" + *v + "' (first at line " +
                                   std::to_string(it->second.line) + ")");
    }
  }
  if (const Field* f = m.require("target")) {
    if (auto v = readNonEmpty(r, *f)) {
      c.target = snap.find(*v);
      if (c.target == nullptr) {
        std::vector<std::string> names;
        for (const auto& [name, rt] : snap.targets) names.push_back(name);
        std::string hint = config::detail::suggest(*v, names);
        std::string known;
        for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
        r.error(f->value_mark, f->path + ": no target '" + *v + "' in " +
                                   config_path + " (targets: " + known + ")" +
                                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
  }
  if (const Field* f = m.get("user"))
    if (auto v = readNonEmpty(r, *f)) c.identity.user = *v;
  if (const Field* f = m.get("groups"))
    if (auto v = config::detail::readStringList(r, *f)) c.identity.groups = *v;
  if (const Field* f = m.get("kind")) {
    auto v = config::detail::readEnum<std::string_view>(
        r, *f, {{"human", "human"}, {"agent", "agent"}, {"service", "service"}});
    if (v) c.identity.kind = std::string(*v);
  }

  const Field* one = m.get("statement");
  const Field* many = m.get("statements");
  if (one && many) {
    r.error(many->key_mark, item.path + ": give either 'statement' or 'statements', not both");
  } else if (!one && !many) {
    r.error(m.mark(), item.path + ": missing required key 'statement' (or 'statements')");
  } else if (one) {
    if (auto v = config::detail::readString(r, *one)) c.statements.push_back(*v);
  } else if (auto v = config::detail::readStringList(r, *many)) {
    if (v->empty()) r.error(many->value_mark, many->path + ": must list at least one statement");
    c.statements = std::move(*v);
  }

  if (const Field* f = m.require("expect")) {
    auto v = config::detail::readEnum<config::Action>(
        r, *f,
        {{"allow", config::Action::Allow},
         {"deny", config::Action::Deny},
         {"require_approval", config::Action::RequireApproval}});
    if (v) c.expect = *v;
  }
  if (const Field* f = m.get("rule")) {
    if (auto v = readNonEmpty(r, *f)) {
      bool known = *v == "default";
      for (const auto& rule : snap.config->rules) known = known || rule.name == *v;
      if (!known)
        r.error(f->value_mark, f->path + ": no rule '" + *v + "' in " +
                                   config_path + " (use 'default' for none)");
      c.rule = *v;
    }
  }
  if (const Field* f = m.get("dry_run")) {
    if (f->value.IsScalar()) {
      if (auto v = readNonEmpty(r, *f)) c.dry_run = std::vector<std::string>{*v};
    } else if (auto v = config::detail::readStringList(r, *f)) {
      c.dry_run = std::move(*v);
    }
  }
  if (r.errorCount() != errors_before) return std::nullopt;
  return c;
}

//! Nullopt after printing errors (FILE:LINE:COL: message, in file order).
std::optional<std::vector<TestCase>> readCases(const std::string& path,
                                               const runtime::Snapshot& snap,
                                               const std::string& config_path) {
  std::vector<config::ConfigError> errors;
  auto fail = [&]() -> std::optional<std::vector<TestCase>> {
    std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
      return std::pair(a.mark.line, a.mark.column) < std::pair(b.mark.line, b.mark.column);
    });
    for (const auto& e : errors) fprintf(stderr, "%s\n", e.format().c_str());
    fprintf(stderr, "%s: invalid test cases (%zu error%s)\n", path.c_str(), errors.size(),
            errors.size() == 1 ? "" : "s");
    return std::nullopt;
  };
  std::string why;
  auto text = config::detail::readFile(path, &why);
  if (!text) {
    errors.push_back({config::Mark{path, 0, 0}, "cannot read test cases: " + why});
    return fail();
  }
  Reader r(path, std::filesystem::path(path).parent_path(), &errors);
  YAML::Node root;
  try {
    root = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    config::Mark at = e.mark.is_null() ? config::Mark{path, 0, 0} : r.markAt(e.mark.line, e.mark.column);
    r.error(at, "YAML syntax error: " + e.msg);
    return fail();
  }
  config::Mark start{path, 1, 1};
  if (root.IsNull()) {
    r.error(start, "the file is empty (expected a mapping with 'cases')");
    return fail();
  }
  MapView top(r, root, "", start, {"cases"});
  std::vector<TestCase> cases;
  const Field* f = top.get("cases");
  if (top.valid() && f == nullptr) r.error(start, "missing required key 'cases'");
  if (f != nullptr) {
    std::map<std::string, config::Mark> seen;
    auto items = config::detail::readSequence(r, *f);
    if (items.empty() && (f->value.IsNull() || f->value.IsSequence()))
      r.error(f->value_mark, "cases: the list is empty");
    for (const Field& item : items)
      if (auto c = readCase(r, item, snap, config_path, seen)) cases.push_back(std::move(*c));
  }
  if (!errors.empty()) return fail();
  return cases;
}

// ---- running

struct Outcome {
  bool pass = false;
  std::string expected, actual, detail;
};

std::string describe(const policy::Decision& d) {
  std::string s(verdictName(d.verdict));
  s += " (" + (d.by_default ? std::string("default") : d.rule) + ")";
  std::string dry;
  for (const auto& m : d.matches)
    if (m.dry_run) dry += (dry.empty() ? "" : ",") + m.name;
  if (!dry.empty()) s += " [dry-run: " + dry + "]";
  return s;
}

std::string kindsOf(const sql::Analysis& a) {
  std::string out;
  for (const auto& s : a.statements) {
    if (!out.empty()) out += ", ";
    out += sql::kindName(s.kind);
    if (s.kind == sql::Kind::Unparsed && !s.error.empty()) out += " (" + s.error + ")";
  }
  return out;
}

Outcome runCase(const TestCase& c, policy::PolicyEngine& engine, sql::Analyzer* analyzer) {
  Outcome o;
  o.expected = std::string(actionName(c.expect));
  if (c.rule) o.expected += " (" + *c.rule + ")";
  if (c.dry_run) {
    std::string dry;
    for (const auto& n : *c.dry_run) dry += (dry.empty() ? "" : ",") + n;
    o.expected += " [dry-run: " + (dry.empty() ? std::string("none") : dry) + "]";
  }
  const config::Target& target = *c.target->target;
  auto scope = engine.scopeFor(c.identity, target);
  SessionPrepared prepared;
  for (size_t i = 0; i < c.statements.size(); ++i) {
    sql::Analysis analysis;
    analyzeSql(analyzer, c.statements[i], analysis);
    policy::StatementRequest req;
    req.identity = &c.identity;
    req.target = &target;
    req.dialect = target.dialect;
    req.text = c.statements[i];
    req.analysis = &analysis;
    req.session_id = 1;
    req.scope = scope.get();
    prepared.setRequest(&analysis);
    req.prepared = &prepared;
    policy::Decision d = engine.evaluate(req);
    prepared.setRequest(nullptr);
    bool last = i + 1 == c.statements.size();
    std::string step = c.statements.size() > 1 ? "statement " + std::to_string(i + 1) + " of " +
                                                     std::to_string(c.statements.size()) + ": "
                                               : std::string();
    if (!last) {
      if (d.verdict == policy::Verdict::Allow) {
        prepared.commit(analysis);
        continue;
      }
      o.actual = step + describe(d);
      o.detail = "earlier statements of a case must be allowed; analysed as: " +
                 kindsOf(analysis) + (d.message.empty() ? "" : "; message: " + d.message);
      return o;
    }
    o.actual = describe(d);
    std::vector<std::string> why;
    if (verdictName(d.verdict) != actionName(c.expect)) why.push_back("action differs");
    if (c.rule) {
      bool same = *c.rule == "default" ? d.by_default : (!d.by_default && d.rule == *c.rule);
      if (!same) why.push_back("deciding rule differs");
    }
    if (c.dry_run) {
      std::set<std::string> want(c.dry_run->begin(), c.dry_run->end()), got;
      for (const auto& m : d.matches)
        if (m.dry_run) got.insert(m.name);
      if (want != got) why.push_back("dry-run matches differ");
    }
    o.pass = why.empty();
    if (!o.pass) {
      std::string reasons;
      for (const auto& w : why) reasons += (reasons.empty() ? "" : ", ") + w;
      o.detail = step + reasons + "; analysed as: " + kindsOf(analysis);
      if (!d.message.empty()) o.detail += "; message: " + d.message;
    }
  }
  return o;
}

int runTests(const std::string& config_path, const std::string& cases_path) {
  plugin::PluginSet plugins;
  std::vector<std::string> errors;
  auto snap = runtime::loadEverything(config_path, plugins, 1, errors);
  if (!snap) {
    for (const auto& e : errors) fprintf(stderr, "%s\n", e.c_str());
    fprintf(stderr, "%s: configuration invalid (%zu error%s)\n", config_path.c_str(),
            errors.size(), errors.size() == 1 ? "" : "s");
    return 1;
  }
  if (!snap->policy) {
    fprintf(stderr, "warden policy test: %s: no policy engine\n", config_path.c_str());
    return 1;
  }
  auto cases = readCases(cases_path, *snap, config_path);
  if (!cases) return 1;

  // One analyzer per dialect, as one worker has.
  std::map<std::string, std::unique_ptr<sql::Analyzer>> analyzers;
  std::vector<Outcome> outcomes;
  for (const auto& c : *cases) {
    auto& a = analyzers[c.target->target->dialect];
    if (!a) a = newAnalyzer(c.target->dialect);
    outcomes.push_back(runCase(c, *snap->policy, a.get()));
  }

  size_t wn = 4, we = 8;
  for (size_t i = 0; i < cases->size(); ++i) {
    wn = std::max(wn, (*cases)[i].name.size());
    we = std::max(we, outcomes[i].expected.size());
  }
  printf("%-6s %-*s  %-*s  %s\n", "RESULT", int(wn), "CASE", int(we), "EXPECTED", "ACTUAL");
  size_t passed = 0;
  for (size_t i = 0; i < cases->size(); ++i) {
    const auto& o = outcomes[i];
    passed += o.pass ? 1 : 0;
    printf("%-6s %-*s  %-*s  %s\n", o.pass ? "PASS" : "FAIL", int(wn), (*cases)[i].name.c_str(),
           int(we), o.expected.c_str(), o.actual.c_str());
    if (!o.pass) printf("       %s\n", o.detail.c_str());
  }
  size_t failed = cases->size() - passed;
  printf("%zu passed, %zu failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int cmdPolicy(std::vector<std::string> args) {
  if (args.empty() || args[0] != "test")
    return usageError(args.empty() ? "missing subcommand" : "unknown subcommand (expected 'test')");
  args.erase(args.begin());
  std::string config_path;
  if (!takeOption(args, "--config", config_path)) return usageError("--config FILE is required");
  if (args.size() != 1)
    return usageError(args.empty() ? "no CASES.yaml given" : "more than one cases file given");
  if (args[0].rfind("--", 0) == 0) return usageError("unknown option");
  return runTests(config_path, args[0]);
}

}  // namespace warden::cli
