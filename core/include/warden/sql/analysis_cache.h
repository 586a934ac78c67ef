// core/include/warden/sql/analysis_cache.h
//! Per-worker analysis cache: key = (dialect, normalized text) — literals as '?', whitespace and
//! plain comments folded — value = the shared, immutable Analysis. Bounded LRU by bytes. An
//! analysis that used a literal's value (LIMIT 10, WHERE 1=1) is served again only for the same
//! literals; any other text with that shape is re-analysed (and replaces the entry). Not
//! thread-safe: one per worker loop. Ranges in cached analyses are zero (they belong to the
//! text that was parsed, not to later texts of the same shape).
//!
//! In front of the shape index sits an exact-text index (a quarter of the byte budget, its own
//! LRU): a text seen before byte for byte (drivers re-sending the same parameterised text, ORMs,
//! dashboards) is served after one hash and one compare, without running the normaliser. An
//! exact text always gets the analysis computed for a text of its shape with equal literals,
//! so it is right even for literal-dependent analyses.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "warden/sql/analyzer.h"

namespace warden::sql {

class AnalysisCache {
 public:
  //! `exact_text` false: no exact-text index (benches measure the shape path with it).
  explicit AnalysisCache(size_t max_bytes = 16u << 20, bool exact_text = true)
      : max_bytes_(max_bytes), exact_max_bytes_(exact_text ? max_bytes / 4 : 0) {}
  AnalysisCache(const AnalysisCache&) = delete;
  AnalysisCache& operator=(const AnalysisCache&) = delete;

  //! The analysis of `text` by `analyzer` (dialect named `dialect`): from the cache when the
  //! shape was seen, else parsed and remembered. Never null.
  std::shared_ptr<const Analysis> analyze(Analyzer& analyzer, std::string_view dialect,
                                          std::string_view text);

  struct Stats {
    uint64_t hits = 0, misses = 0, evictions = 0, literal_misses = 0;
    uint64_t exact_hits = 0;  // part of hits: served by the exact-text index
    size_t bytes = 0, entries = 0;
    size_t exact_bytes = 0, exact_entries = 0;
  };
  Stats stats() const;
  void clear();

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const Analysis> analysis;
    std::vector<std::string> literals;  // kept only when analysis->literal_dependent
    size_t bytes = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
  };
  using List = std::list<Entry>;
  using Index = std::unordered_map<std::string_view, List::iterator, Hash, Eq>;

  std::shared_ptr<const Analysis> byShape(Analyzer& analyzer, std::string_view dialect,
                                          std::string_view text);
  void insert(std::string key, std::shared_ptr<const Analysis> a, std::vector<std::string> lits);
  void erase(List::iterator it);
  void rememberExact(std::shared_ptr<const Analysis> a);

  size_t max_bytes_;
  size_t bytes_ = 0;
  List lru_;  // front = most recent
  Index index_;
  size_t exact_max_bytes_;
  size_t exact_bytes_ = 0;
  List exact_lru_;  // key = dialect '\x1f' text as sent
  Index exact_index_;
  Normalized scratch_;
  std::string key_, exact_key_;
  Stats stats_;
};

}  // namespace warden::sql
