// bench/policy_eval_bench.cc
//! Policy evaluation micro-bench: what the guardrail engine costs per statement once the
//! statement's analysis is cached (the analysis cache answers before the policy seam, so a
//! running worker pays exactly `PolicyEngine::evaluate()` per statement on a hit).
//!
//! Loads a config (default conf/policy-prod.yaml), compiles its rules with makeRuleEngine(),
//! takes the dialect's analyzer from the plugin (as `warden explain` does), analyses a fixed set
//! of realistic statements once, then times `engine->evaluate(req)` per statement class:
//!   scope    with the scope from engine->scopeFor(identity, target), as sessions run it;
//!   noscope  without (the engine filters rules by identity/target on every call).
//! Each (class, variant) runs ITERATIONS evaluations per round; a round's figure is its time /
//! ITERATIONS (ns/evaluation); per class the mean and median over rounds are printed. The order
//! of classes and variants rotates every round so drift hits all alike.
//! Allocations per evaluation are counted with a replaced global operator new (this binary only).
//! Last line:
//!   RESULT policy_eval_ns=X policy_eval_ns_noscope=Y policy_eval_allocs=Z
//! X, Y = median over statement classes of each class's median ns/evaluation; Z = the largest
//! allocations/evaluation over the allowed classes with a scope (target: 0).
//!
//! usage: policy_eval_bench [--config=FILE] [--target=NAME] [--user=U] [--groups=a,b]
//!                          [--kind=K] [--plugin-dir=DIR] [--rounds=N] [--iterations=N]
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "warden/config/config.h"
#include "warden/dialect/dialect.h"
#include "warden/plugin/loader.h"
#include "warden/policy/decision.h"
#include "warden/policy/rule_engine.h"
#include "warden/sql/analyzer.h"

// ---- allocation counter (replaces the global allocation functions of this process)

namespace {
std::atomic<uint64_t> g_allocs{0};

void* countedAlloc(std::size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return countedAlloc(n); }
void* operator new[](std::size_t n) { return countedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using Clock = std::chrono::steady_clock;
using namespace warden;

struct StatementClass {
  const char* name;
  const char* sql;
};

// Realistic traffic: pgbench's TPC-B statements, ORM-style reads and writes, a batch, CTEs,
// and statements the example production policy denies.
const StatementClass kClasses[] = {
    {"pgbench_select", "SELECT abalance FROM pgbench_accounts WHERE aid = 48213"},
    {"pgbench_update", "UPDATE pgbench_accounts SET abalance = abalance + -3121 WHERE aid = 48213"},
    {"pgbench_insert",
     "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) "
     "VALUES (7, 1, 48213, -3121, CURRENT_TIMESTAMP)"},
    {"orm_select_join",
     "SELECT o.id, o.total, c.email FROM public.orders o JOIN public.customers c "
     "ON c.id = o.customer_id WHERE o.status = 'open' ORDER BY o.created_at DESC LIMIT 50"},
    {"delete_where", "DELETE FROM public.sessions WHERE expires_at < now() AND user_id = 42"},
    {"batch_tpcb",
     "BEGIN; UPDATE pgbench_accounts SET abalance = abalance + 5 WHERE aid = 1; "
     "SELECT abalance FROM pgbench_accounts WHERE aid = 1; "
     "UPDATE pgbench_tellers SET tbalance = tbalance + 5 WHERE tid = 1; "
     "UPDATE pgbench_branches SET bbalance = bbalance + 5 WHERE bid = 1; "
     "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 1, 5, now()); END"},
    {"cte_archive",
     "WITH moved AS (DELETE FROM orders WHERE created_at < now() - interval '1 year' "
     "RETURNING *) INSERT INTO orders_archive SELECT * FROM moved"},
    {"denied_drop", "DROP TABLE public.orders"},
    {"denied_unbounded_delete", "WITH d AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM d"},
};

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / double(v.size());
}

bool takeArg(const char* arg, const char* name, std::string& out) {
  size_t n = std::strlen(name);
  if (std::strncmp(arg, name, n) != 0 || arg[n] != '=') return false;
  out = arg + n + 1;
  return true;
}

std::string exeDir() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = 0;
  std::string p(buf);
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "." : p.substr(0, slash);
}

std::string_view verdictName(policy::Verdict v) {
  switch (v) {
    case policy::Verdict::Allow: return "allow";
    case policy::Verdict::Deny: return "deny";
    case policy::Verdict::Hold: return "require_approval";
  }
  return "?";
}

volatile unsigned g_sink = 0;

//! ns per evaluation over `iterations` calls.
double timeEvaluations(policy::PolicyEngine& engine, const policy::StatementRequest& req,
                       long iterations) {
  unsigned acc = 0;
  auto t0 = Clock::now();
  for (long i = 0; i < iterations; ++i) {
    policy::Decision d = engine.evaluate(req);
    acc += unsigned(d.verdict) + unsigned(d.matches.size());
  }
  double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
  g_sink = g_sink + acc;
  return ns / double(iterations);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path = "conf/policy-prod.yaml", target_name = "prod-pg", user = "alice";
  std::string groups = "dba", kind = "human", plugin_dir, rounds_s = "7", iter_s = "200000";
  for (int i = 1; i < argc; ++i) {
    if (takeArg(argv[i], "--config", config_path) || takeArg(argv[i], "--target", target_name) ||
        takeArg(argv[i], "--user", user) || takeArg(argv[i], "--groups", groups) ||
        takeArg(argv[i], "--kind", kind) || takeArg(argv[i], "--plugin-dir", plugin_dir) ||
        takeArg(argv[i], "--rounds", rounds_s) || takeArg(argv[i], "--iterations", iter_s))
      continue;
    fprintf(stderr, "policy_eval_bench: unknown argument %s\n", argv[i]);
    return 2;
  }
  int rounds = std::max(1, std::atoi(rounds_s.c_str()));
  long iterations = std::clamp(std::atol(iter_s.c_str()), 1L, 100000000L);

  std::vector<config::ConfigError> cerrors;
  auto cfg = config::loadConfig(config_path, &cerrors);
  if (!cfg) {
    for (const auto& e : cerrors) fprintf(stderr, "%s\n", e.format().c_str());
    return 1;
  }
  std::vector<std::string> errors;
  auto engine_r = policy::makeRuleEngine(cfg.value(), &errors);
  if (!engine_r) {
    for (const auto& e : errors) fprintf(stderr, "%s\n", e.c_str());
    fprintf(stderr, "policy_eval_bench: %s\n", engine_r.error().message.c_str());
    return 1;
  }
  std::shared_ptr<policy::PolicyEngine> engine = engine_r.value();
  const config::Target* target = cfg.value()->findTarget(target_name);
  if (target == nullptr) {
    fprintf(stderr, "policy_eval_bench: no target '%s' in %s\n", target_name.c_str(),
            config_path.c_str());
    return 1;
  }
  if (plugin_dir.empty()) plugin_dir = exeDir();
  plugin::PluginSet plugins;
  plugins.loadDir(plugin_dir, errors);
  dialect::Dialect* dialect = plugins.findDialect(target->dialect);
  std::unique_ptr<sql::Analyzer> analyzer(dialect ? dialect->newAnalyzer() : nullptr);
  if (!analyzer) {
    for (const auto& e : errors) fprintf(stderr, "%s\n", e.c_str());
    fprintf(stderr, "policy_eval_bench: no '%s' analyzer from plugins in %s\n",
            target->dialect.c_str(), plugin_dir.c_str());
    return 1;
  }

  policy::Identity identity;
  identity.user = user;
  std::stringstream gs(groups);
  for (std::string g; std::getline(gs, g, ',');)
    if (!g.empty()) identity.groups.push_back(g);
  identity.kind = kind;
  identity.method = "scram";
  std::shared_ptr<const policy::PolicyScope> scope = engine->scopeFor(identity, *target);

  // Analyse once: the analysis cache's job on a running worker.
  constexpr size_t kN = sizeof kClasses / sizeof kClasses[0];
  std::vector<sql::Analysis> analyses(kN);
  std::vector<policy::StatementRequest> with_scope(kN), without_scope(kN);
  std::vector<bool> allowed(kN);
  printf("config %s, target %s (environment %s), identity %s [%s] kind %s, %zu rules\n",
         config_path.c_str(), target->name.c_str(), target->environment.c_str(), user.c_str(),
         groups.c_str(), kind.c_str(), cfg.value()->rules.size());
  printf("%d rounds x %ld evaluations per statement class and variant\n\n", rounds, iterations);
  for (size_t i = 0; i < kN; ++i) {
    analyzer->analyze(kClasses[i].sql, analyses[i]);
    policy::StatementRequest req;
    req.identity = &identity;
    req.target = target;
    req.dialect = target->dialect;
    req.text = kClasses[i].sql;
    req.analysis = &analyses[i];
    req.session_id = 1;
    without_scope[i] = req;
    req.scope = scope.get();
    with_scope[i] = req;
    policy::Decision d = engine->evaluate(with_scope[i]);
    allowed[i] = d.verdict == policy::Verdict::Allow;
    std::string kinds;
    for (const auto& s : analyses[i].statements)
      kinds += (kinds.empty() ? "" : ",") + std::string(sql::kindName(s.kind));
    printf("  %-24s %-8s %-30s %s\n", kClasses[i].name, std::string(verdictName(d.verdict)).c_str(),
           d.rule.empty() ? "(default)" : d.rule.c_str(), kinds.c_str());
  }

  // Warm-up, then rounds with a rotating order.
  for (size_t i = 0; i < kN; ++i) {
    timeEvaluations(*engine, with_scope[i], std::min(iterations, 20000L));
    timeEvaluations(*engine, without_scope[i], std::min(iterations, 20000L));
  }
  std::vector<std::vector<double>> ns_scope(kN), ns_noscope(kN);
  for (int r = 0; r < rounds; ++r) {
    for (size_t k = 0; k < kN; ++k) {
      size_t i = (k + size_t(r)) % kN;
      if (r % 2 == 0) {
        ns_scope[i].push_back(timeEvaluations(*engine, with_scope[i], iterations));
        ns_noscope[i].push_back(timeEvaluations(*engine, without_scope[i], iterations));
      } else {
        ns_noscope[i].push_back(timeEvaluations(*engine, without_scope[i], iterations));
        ns_scope[i].push_back(timeEvaluations(*engine, with_scope[i], iterations));
      }
    }
  }

  // Allocations per evaluation (untimed pass).
  constexpr long kAllocIterations = 1000;
  std::vector<double> allocs_scope(kN), allocs_noscope(kN);
  for (size_t i = 0; i < kN; ++i) {
    uint64_t a0 = g_allocs.load();
    timeEvaluations(*engine, with_scope[i], kAllocIterations);
    uint64_t a1 = g_allocs.load();
    timeEvaluations(*engine, without_scope[i], kAllocIterations);
    uint64_t a2 = g_allocs.load();
    allocs_scope[i] = double(a1 - a0) / kAllocIterations;
    allocs_noscope[i] = double(a2 - a1) / kAllocIterations;
  }

  printf("\n%-24s %12s %12s %12s %12s %8s %8s\n", "statement", "scope_mean", "scope_med",
         "noscope_mean", "noscope_med", "allocs", "allocs_ns");
  std::vector<double> med_scope, med_noscope;
  double max_allowed_allocs = 0;
  for (size_t i = 0; i < kN; ++i) {
    double ms = median(ns_scope[i]), mn = median(ns_noscope[i]);
    med_scope.push_back(ms);
    med_noscope.push_back(mn);
    if (allowed[i]) max_allowed_allocs = std::max(max_allowed_allocs, allocs_scope[i]);
    printf("%-24s %10.1fns %10.1fns %10.1fns %10.1fns %8.2f %8.2f\n", kClasses[i].name,
           mean(ns_scope[i]), ms, mean(ns_noscope[i]), mn, allocs_scope[i], allocs_noscope[i]);
  }
  std::vector<double> all_scope, all_noscope;
  for (size_t i = 0; i < kN; ++i) {
    all_scope.insert(all_scope.end(), ns_scope[i].begin(), ns_scope[i].end());
    all_noscope.insert(all_noscope.end(), ns_noscope[i].begin(), ns_noscope[i].end());
  }
  printf("%-24s %10.1fns %10.1fns %10.1fns %10.1fns\n", "overall (all classes)", mean(all_scope),
         median(med_scope), mean(all_noscope), median(med_noscope));
  printf("\nRESULT policy_eval_ns=%.1f policy_eval_ns_noscope=%.1f policy_eval_allocs=%g\n",
         median(med_scope), median(med_noscope), max_allowed_allocs);
  return 0;
}
