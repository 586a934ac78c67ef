// bench/pg_analysis_bench.cc
//! Analysis micro-bench (PERF_ANCHORS.md "Analysis micro-bench"): over the PostgreSQL corpus
//! (test/corpus/postgres), in one run, alternating the order of the measured paths each round:
//!   miss   Warden's Analyzer::analyze() called directly (the analysis cache is not involved;
//!          the analyzer itself caches nothing but the ANTLR DFA, which is warm after the
//!          warm-up pass — that is the point: a new statement shape on a running worker);
//!   hit    AnalysisCache::analyze() on texts already cached, as a worker runs it: the
//!          exact-text index answers (hash + compare);
//!   shape  the same with the exact-text index off: normalize + shape lookup, the cost of a
//!          statement whose shape is known but whose literals are new;
//!   pgq    libpg_query's parse of the same texts: pg_query_parse (JSON tree) and
//!          pg_query_parse_protobuf; the faster one is the reference for the ratio.
//! Each path is timed per statement; a round's figure is its total time / statements (mean
//! µs/statement); the reported figure is the median over rounds. The median statement (median
//! over statements of each statement's median time) is printed too.
//! SLL rate = 1 - ll_fallbacks/parsed from Analyzer::stats() over the timed miss passes.
//! Last line:
//!   RESULT pg_analysis_miss_ratio_vs_libpg_query=X pg_analysis_hit_us=Y sll_rate=Z
//! X = Warden miss mean µs / libpg_query mean µs (the faster of its two parse calls);
//! Y = cache hit mean µs/statement on the shape path (the slower hit: new literals, known
//! shape; the exact-text hit is printed above it); Z = fraction of statements parsed by SLL
//! alone (0..1).
//!
//! usage: pg_analysis_bench [--rounds=N] [--only=FILE_PREFIX] [--slowest=N] PATH...   (corpus files/dirs)
#include <pg_query.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "corpus.h"
#include "sql/analyzer.h"  // warden::pg::sql::makeAnalyzer
#include "warden/sql/analysis_cache.h"
#include "warden/sql/analyzer.h"

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Path {
  const char* name = "";
  std::vector<double> round_mean_us;               // one per round
  std::vector<std::vector<double>> per_stmt_us;    // [statement][round]
  std::map<std::string, std::vector<double>> file_round_us;  // file -> per round mean
};

template <class F>
void timePass(Path& p, const std::vector<warden::corpus::Entry>& corpus, F&& f) {
  if (p.per_stmt_us.empty()) p.per_stmt_us.resize(corpus.size());
  double total = 0;
  std::map<std::string, std::pair<double, int>> files;
  for (size_t i = 0; i < corpus.size(); ++i) {
    auto t0 = Clock::now();
    f(corpus[i].text);
    double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    total += us;
    p.per_stmt_us[i].push_back(us);
    auto& fe = files[corpus[i].file];
    fe.first += us;
    ++fe.second;
  }
  p.round_mean_us.push_back(total / static_cast<double>(corpus.size()));
  for (const auto& [f, e] : files) p.file_round_us[f].push_back(e.first / e.second);
}

double medianStatement(const Path& p) {
  std::vector<double> m;
  for (const auto& v : p.per_stmt_us) m.push_back(median(v));
  return median(m);
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  size_t slowest = 0;
  std::string only;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--rounds=", 0) == 0) rounds = std::max(1, std::atoi(a.c_str() + 9));
    else if (a.rfind("--only=", 0) == 0) only = a.substr(7);
    else if (a.rfind("--slowest=", 0) == 0) slowest = static_cast<size_t>(std::atoi(a.c_str() + 10));
    else if (a.rfind("--", 0) == 0) {
      std::fprintf(stderr, "usage: pg_analysis_bench [--rounds=N] [--only=FILE_PREFIX] [--slowest=N] PATH...\n");
      return 2;
    } else paths.push_back(a);
  }
  auto corpus = warden::corpus::load(paths);
  if (!only.empty())
    corpus.erase(std::remove_if(corpus.begin(), corpus.end(),
                                [&](const auto& e) { return e.file.rfind(only, 0) != 0; }),
                 corpus.end());
  if (corpus.empty()) {
    std::fprintf(stderr, "pg_analysis_bench: empty corpus\n");
    std::printf("RESULT pg_analysis_miss_ratio_vs_libpg_query=nan pg_analysis_hit_us=nan sll_rate=nan\n");
    return 1;
  }
  size_t bytes = 0;
  for (const auto& e : corpus) bytes += e.text.size();

  auto analyzer = warden::pg::sql::makeAnalyzer();
  analyzer->warm();
  warden::sql::AnalysisCache cache(1u << 30);  // large enough to hold the whole corpus
  warden::sql::AnalysisCache shapeCache(256u << 20, /*exact_text=*/false);
  warden::sql::Analysis analysis;

  // Warm-up: one pass of each path (ANTLR DFA, libpg_query's memory contexts, the cache filled).
  size_t unparsed = 0;
  for (const auto& e : corpus) {
    analyzer->analyze(e.text, analysis);
    for (const auto& s : analysis.statements)
      if (s.kind == warden::sql::Kind::Unparsed) ++unparsed;
    analysis = {};
    cache.analyze(*analyzer, "postgres", e.text);
    shapeCache.analyze(*analyzer, "postgres", e.text);
    pg_query_free_parse_result(pg_query_parse(e.text.c_str()));
    pg_query_free_protobuf_parse_result(pg_query_parse_protobuf(e.text.c_str()));
  }
  uint64_t parsed0 = 0, ll0 = 0;
  analyzer->stats(parsed0, ll0);

  Path miss, hit, shape, pgjson, pgpb;
  miss.name = "warden_miss";
  hit.name = "warden_hit";
  shape.name = "warden_shape_hit";
  pgjson.name = "pg_query_parse";
  pgpb.name = "pg_query_parse_protobuf";
  auto runMiss = [&] {
    timePass(miss, corpus, [&](const std::string& t) {
      analyzer->analyze(t, analysis);
      analysis.statements.clear();
    });
  };
  auto runHit = [&] {
    timePass(hit, corpus, [&](const std::string& t) {
      auto a = cache.analyze(*analyzer, "postgres", t);
      if (a->statements.empty()) std::abort();
    });
  };
  auto runShape = [&] {
    timePass(shape, corpus, [&](const std::string& t) {
      auto a = shapeCache.analyze(*analyzer, "postgres", t);
      if (a->statements.empty()) std::abort();
    });
  };
  auto runJson = [&] {
    timePass(pgjson, corpus, [](const std::string& t) {
      pg_query_free_parse_result(pg_query_parse(t.c_str()));
    });
  };
  auto runPb = [&] {
    timePass(pgpb, corpus, [](const std::string& t) {
      pg_query_free_protobuf_parse_result(pg_query_parse_protobuf(t.c_str()));
    });
  };
  std::vector<std::function<void()>> order = {runMiss, runJson, runHit, runPb, runShape};
  uint64_t parsed_timed = 0, ll_timed = 0;
  for (int r = 0; r < rounds; ++r) {
    for (size_t k = 0; k < order.size(); ++k) {
      size_t idx = (k + static_cast<size_t>(r)) % order.size();
      uint64_t p0 = 0, l0 = 0, p1 = 0, l1 = 0;
      analyzer->stats(p0, l0);
      order[idx]();
      analyzer->stats(p1, l1);
      if (idx == 0) {  // miss pass: every statement parsed once
        parsed_timed += p1 - p0;
        ll_timed += l1 - l0;
      }
    }
    std::fprintf(stderr, "round %d/%d: miss %.2f us, hit %.2f us, shape hit %.2f us, pg_query_parse %.2f us, protobuf %.2f us\n",
                 r + 1, rounds, miss.round_mean_us.back(), hit.round_mean_us.back(),
                 shape.round_mean_us.back(), pgjson.round_mean_us.back(), pgpb.round_mean_us.back());
  }

  auto cs = cache.stats();
  std::printf("corpus: %zu statements, %zu bytes (mean %.0f bytes), %d rounds; warm-up pass: %zu unparsed\n",
              corpus.size(), bytes, static_cast<double>(bytes) / static_cast<double>(corpus.size()),
              rounds, unparsed);
  std::printf("cache: hits=%llu (exact text %llu) misses=%llu literal_misses=%llu entries=%zu bytes=%zu exact_entries=%zu\n",
              static_cast<unsigned long long>(cs.hits), static_cast<unsigned long long>(cs.exact_hits),
              static_cast<unsigned long long>(cs.misses),
              static_cast<unsigned long long>(cs.literal_misses), cs.entries, cs.bytes, cs.exact_entries);
  std::printf("%-26s %14s %18s\n", "path", "mean us/stmt", "median stmt us");
  for (const Path* p : {&miss, &hit, &shape, &pgjson, &pgpb})
    std::printf("%-26s %14.2f %18.2f\n", p->name, median(p->round_mean_us), medianStatement(*p));
  std::printf("per file (mean us/stmt, median of rounds): warden_miss / warden_hit / shape_hit / pg_query_parse / protobuf\n");
  for (const auto& [f, v] : miss.file_round_us)
    std::printf("  %-22s %9.2f %9.2f %9.2f %9.2f %9.2f\n", f.c_str(), median(v),
                median(hit.file_round_us[f]), median(shape.file_round_us[f]),
                median(pgjson.file_round_us[f]),
                median(pgpb.file_round_us[f]));

  if (slowest > 0) {  // the statements that cost most on a miss, against libpg_query
    std::vector<std::pair<double, size_t>> order;
    for (size_t i = 0; i < corpus.size(); ++i) order.emplace_back(median(miss.per_stmt_us[i]), i);
    std::sort(order.rbegin(), order.rend());
    std::printf("slowest misses: us / ratio vs pg_query_parse / file / text\n");
    for (size_t k = 0; k < std::min(slowest, order.size()); ++k) {
      size_t i = order[k].second;
      std::string t = corpus[i].text.substr(0, 100);
      std::replace(t.begin(), t.end(), '\n', ' ');
      std::printf("  %9.1f %7.1f  %-14s %s\n", order[k].first,
                  order[k].first / std::max(1e-3, median(pgjson.per_stmt_us[i])),
                  corpus[i].file.c_str(), t.c_str());
    }
  }
  double missUs = median(miss.round_mean_us);
  double pgUs = std::min(median(pgjson.round_mean_us), median(pgpb.round_mean_us));
  double hitUs = median(shape.round_mean_us);
  double sll = parsed_timed ? 1.0 - static_cast<double>(ll_timed) / static_cast<double>(parsed_timed) : 0.0;
  std::printf("sll: parsed=%llu ll_fallbacks=%llu (timed miss passes)\n",
              static_cast<unsigned long long>(parsed_timed), static_cast<unsigned long long>(ll_timed));
  std::printf("median-statement ratio (warden_miss / faster libpg_query): %.2f\n",
              medianStatement(miss) / std::min(medianStatement(pgjson), medianStatement(pgpb)));
  std::printf("RESULT pg_analysis_miss_ratio_vs_libpg_query=%.2f pg_analysis_hit_us=%.2f sll_rate=%.4f\n",
              pgUs > 0 ? missUs / pgUs : 0.0, hitUs, sll);
  return 0;
}
