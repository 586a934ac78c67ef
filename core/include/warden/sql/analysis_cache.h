// core/include/warden/sql/analysis_cache.h
//! Per-worker analysis cache: key = (dialect, normalized text) — literals as '?', whitespace and
//! plain comments folded — value = the shared, immutable Analysis. Bounded LRU by bytes. An
//! analysis that used a literal's value (LIMIT 10, WHERE 1=1) is served again only for the same
//! literals; any other text with that shape is re-analysed (and replaces the entry). Not
//! thread-safe: one per worker loop. Ranges in cached analyses are zero (they belong to the
//! text that was parsed, not to later texts of the same shape).
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
  explicit AnalysisCache(size_t max_bytes = 16u << 20) : max_bytes_(max_bytes) {}
  AnalysisCache(const AnalysisCache&) = delete;
  AnalysisCache& operator=(const AnalysisCache&) = delete;

  //! The analysis of `text` by `analyzer` (dialect named `dialect`): from the cache when the
  //! shape was seen, else parsed and remembered. Never null.
  std::shared_ptr<const Analysis> analyze(Analyzer& analyzer, std::string_view dialect,
                                          std::string_view text);

  struct Stats {
    uint64_t hits = 0, misses = 0, evictions = 0, literal_misses = 0;
    size_t bytes = 0, entries = 0;
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

  void insert(std::string key, std::shared_ptr<const Analysis> a, std::vector<std::string> lits);
  void erase(List::iterator it);

  size_t max_bytes_;
  size_t bytes_ = 0;
  List lru_;  // front = most recent
  std::unordered_map<std::string_view, List::iterator, Hash, Eq> index_;
  Normalized scratch_;
  std::string key_;
  Stats stats_;
};

}  // namespace warden::sql
