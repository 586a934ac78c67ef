// core/src/policy/rule_engine.cc
//! The PolicyEngine over compiled rules. evaluate() walks the request's statements (and their
//! nested statements, and what EXECUTE runs) once per rule in the session's scope; it allocates
//! only when a rule matches (Decision::matches) or the verdict is not allow (message).
#include "warden/policy/rule_engine.h"

#include <fmt/format.h>

#include "compiled_rule.h"
#include "warden/base/glob.h"
#include "warden/crypto/scram.h"  // randomBytes

namespace warden::policy {
namespace {

constexpr int kMaxExecuteDepth = 4;  // EXECUTE → body → ... (bodies cannot EXECUTE in PG)

struct RuleScope final : PolicyScope {
  const void* engine = nullptr;  // the engine that built it (scopes never cross engines)
  std::vector<uint16_t> rules;   // indexes of rules whose identity/target conditions hold
};

bool anyGlob(const std::vector<std::string>& patterns, std::string_view value) {
  for (const auto& p : patterns)
    if (globMatch(p, value, false)) return true;
  return false;
}

int rank(config::Action a) {
  switch (a) {
    case config::Action::Allow: return 1;
    case config::Action::RequireApproval: return 2;
    case config::Action::Deny: return 3;
  }
  return 3;
}

bool changesParsing(const sql::Statement& s) {
  if (s.has(sql::kChangesParsing)) return true;
  for (const auto& n : s.nested)
    if (changesParsing(n)) return true;
  return false;
}

class RuleEngine final : public PolicyEngine {
 public:
  RuleEngine(std::shared_ptr<const config::Config> keep, const config::Config& cfg,
             std::vector<std::string>* errors)
      : keep_(std::move(keep)), default_action_(cfg.default_action) {
    rules_.reserve(cfg.rules.size());
    for (size_t i = 0; i < cfg.rules.size(); ++i)
      rules_.push_back(detail::compileRule(cfg.rules[i], uint16_t(i), errors));
  }

  std::shared_ptr<const PolicyScope> scopeFor(const Identity& id,
                                              const config::Target& target) const noexcept override {
    try {
      auto s = std::make_shared<RuleScope>();
      s->engine = this;
      buildScope(id, target, s->rules);
      return s;
    } catch (...) {
      return nullptr;
    }
  }

  Decision evaluate(const StatementRequest& req) noexcept override {
    try {
      return decide(req);
    } catch (...) {
      // Out of memory while deciding: fail closed.
      Decision d;
      d.verdict = Verdict::Deny;
      d.message = "statement denied: the policy engine could not decide";
      return d;
    }
  }

 private:
  void buildScope(const Identity& id, const config::Target& target,
                  std::vector<uint16_t>& out) const {
    unsigned kind_bit = id.kind == "agent"     ? 1u << unsigned(config::IdentityKind::Agent)
                        : id.kind == "service" ? 1u << unsigned(config::IdentityKind::Service)
                                               : 1u << unsigned(config::IdentityKind::Human);
    for (const auto& r : rules_) {
      if (!r.targets.empty() && !anyGlob(r.targets, target.name)) continue;
      if (!r.environments.empty() && !anyGlob(r.environments, target.environment)) continue;
      if (!r.users.empty() && !anyGlob(r.users, id.user)) continue;
      if (r.identity_kinds != 0 && (r.identity_kinds & kind_bit) == 0) continue;
      if (!r.groups.empty()) {
        bool hit = false;
        for (const auto& g : id.groups) hit = hit || anyGlob(r.groups, g);
        if (!hit) continue;
      }
      out.push_back(r.index);
    }
  }

  //! Does any statement of the request (or nested, or executed by name) satisfy `r`?
  bool walk(const detail::CompiledRule& r, const sql::Statement& s, const StatementRequest& req,
            int depth) const {
    if (s.has(sql::kNotExecuted)) return false;  // only planned, never run
    if (s.kind == sql::Kind::Execute && !s.prepared_name.empty() && req.prepared != nullptr &&
        depth < kMaxExecuteDepth) {
      bool known = false, hit = false;
      req.prepared->find(s.prepared_name, [&](const sql::Statement& body) {
        known = true;
        if (!hit) hit = walk(r, body, req, depth + 1);
      });
      if (hit) return true;
      if (known) {
        // EXECUTE of a statement Warden saw prepared runs exactly that body: the EXECUTE
        // itself is then a session statement, not dynamic SQL.
        if (detail::unitMatches(r, s, sql::Category::Session, s.flags & ~sql::kExecutesDynamicSql))
          return true;
        for (const auto& n : s.nested)
          if (walk(r, n, req, depth)) return true;
        return false;
      }
    }
    if (detail::unitMatches(r, s, s.category, s.flags)) return true;
    for (const auto& n : s.nested)
      if (walk(r, n, req, depth)) return true;
    return false;
  }

  //! Does `r` match statement `st` (null: a request without statements)?
  bool statementMatches(const detail::CompiledRule& r, const sql::Statement* st,
                        const StatementRequest& req) const {
    if (!r.hasStatementConditions()) return true;
    return st != nullptr && walk(r, *st, req, 0);
  }

  //! Each statement of a batch is decided on its own — the rules that match it, else
  //! default_action — and the batch gets the strongest of those decisions: one allowed part
  //! never carries another (`SELECT 1; DELETE ...` under default deny is denied).
  Decision decide(const StatementRequest& req) const {
    std::vector<uint16_t> local;
    const std::vector<uint16_t>* scope = nullptr;
    auto* sc = dynamic_cast<const RuleScope*>(req.scope);
    if (sc != nullptr && sc->engine == this) {
      scope = &sc->rules;
    } else {
      if (req.identity != nullptr && req.target != nullptr) buildScope(*req.identity, *req.target, local);
      scope = &local;
    }
    Decision d;
    // Built in, before any rule: a statement that changes how the server reads later SQL
    // would blind the analysis of every statement after it.
    if (req.analysis != nullptr) {
      for (const auto& st : req.analysis->statements) {
        if (changesParsing(st)) {
          d.verdict = Verdict::Deny;
          d.by_default = false;
          d.message =
              "statement denied: it changes how the server reads later statements "
              "(standard_conforming_strings off, or a client_encoding whose characters can hide "
              "quotes), which "
              "Warden's SQL analysis relies on";
          return d;
        }
      }
    }
    int best_rank = 0;
    const detail::CompiledRule* best_rule = nullptr;
    const sql::Statement* best_stmt = nullptr;
    auto consider = [&](const sql::Statement* st) {
      const detail::CompiledRule* winner = nullptr;
      for (uint16_t i : *scope) {
        const auto& r = rules_[i];
        if (!statementMatches(r, st, req)) continue;
        bool dry = r.rule->mode == config::RuleMode::DryRun;
        bool seen = false;
        for (const auto& m : d.matches) seen = seen || m.name == r.rule->name;
        if (!seen) d.matches.push_back(RuleMatch{r.rule->name, r.rule->action, dry});
        if (!dry && (winner == nullptr || rank(r.rule->action) > rank(winner->rule->action)))
          winner = &r;
      }
      int k = rank(winner ? winner->rule->action : default_action_);
      if (k > best_rank || (k == best_rank && best_rule == nullptr && winner != nullptr)) {
        best_rank = k;
        best_rule = winner;
        best_stmt = st;
      }
    };
    if (req.analysis == nullptr || req.analysis->statements.empty()) {
      consider(nullptr);
    } else {
      for (const auto& st : req.analysis->statements) consider(&st);
    }
    config::Action action = best_rank == 3   ? config::Action::Deny
                            : best_rank == 2 ? config::Action::RequireApproval
                                             : config::Action::Allow;
    d.by_default = best_rule == nullptr;
    if (best_rule) d.rule = best_rule->rule->name;
    switch (action) {
      case config::Action::Allow:
        d.verdict = Verdict::Allow;
        return d;
      case config::Action::Deny:
        d.verdict = Verdict::Deny;
        break;
      case config::Action::RequireApproval: {
        d.verdict = Verdict::Hold;
        uint8_t rnd[8];
        crypto::randomBytes(rnd);
        d.hold_id = fmt::format("apr-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", rnd[0],
                                rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
        break;
      }
    }
    d.message = message(best_rule, action, d.hold_id, best_stmt);
    return d;
  }

  static std::string message(const detail::CompiledRule* winner, config::Action action,
                             const std::string& hold_id, const sql::Statement* st) {
    std::string base;
    if (winner && !winner->rule->message.empty()) base = winner->rule->message;
    if (action == config::Action::RequireApproval) {
      std::string why = base.empty() ? (winner ? fmt::format("rule '{}'", winner->rule->name)
                                               : std::string("the default action"))
                                     : base;
      return fmt::format("statement requires approval (request {}): {}", hold_id, why);
    }
    if (!base.empty()) return base;
    std::string unparsed_note;
    if (st != nullptr && st->kind == sql::Kind::Unparsed)
      unparsed_note = st->error.empty() ? " (the statement could not be parsed)"
                                        : fmt::format(" (the statement could not be parsed: {})", st->error);
    if (winner) return fmt::format("statement denied by rule '{}'{}", winner->rule->name, unparsed_note);
    return fmt::format("statement denied by the default action{}", unparsed_note);
  }

  std::shared_ptr<const config::Config> keep_;
  config::Action default_action_;
  std::vector<detail::CompiledRule> rules_;
};

}  // namespace

Result<std::shared_ptr<PolicyEngine>> makeRuleEngine(config::ConfigPtr config,
                                                     std::vector<std::string>* errors) {
  if (!config) return Error{"no configuration"};
  std::vector<std::string> local;
  auto* errs = errors ? errors : &local;
  size_t before = errs->size();
  std::shared_ptr<PolicyEngine> e;
  try {
    const config::Config& cfg = *config;
    e = std::make_shared<RuleEngine>(std::move(config), cfg, errs);
  } catch (const std::exception& ex) {
    return Error{fmt::format("cannot compile rules: {}", ex.what())};
  }
  if (errs->size() != before) return Error{"invalid rules"};
  return e;
}

std::string_view Decision::auditAction() const noexcept {
  if (verdict == Verdict::Deny) return "deny";
  if (verdict == Verdict::Hold) return "require_approval";
  int best = 1;
  for (const auto& m : matches)
    if (m.dry_run) best = std::max(best, rank(m.action));
  if (best == 3) return "dry_run_deny";
  if (best == 2) return "dry_run_require_approval";
  return "allow";
}

std::string_view Decision::auditRule() const noexcept {
  std::string_view a = auditAction();
  if (a.substr(0, 8) != "dry_run_") return rule;
  config::Action want = a == "dry_run_deny" ? config::Action::Deny : config::Action::RequireApproval;
  for (const auto& m : matches)
    if (m.dry_run && m.action == want) return m.name;
  return rule;
}

}  // namespace warden::policy
