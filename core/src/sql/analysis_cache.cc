// core/src/sql/analysis_cache.cc
#include "warden/sql/analysis_cache.h"

namespace warden::sql {
namespace {

void zeroRanges(Statement& s) {
  s.range = {};
  for (auto& n : s.nested) zeroRanges(n);
}

}  // namespace

std::shared_ptr<const Analysis> AnalysisCache::analyze(Analyzer& analyzer,
                                                       std::string_view dialect,
                                                       std::string_view text) {
  if (exact_max_bytes_ == 0) return byShape(analyzer, dialect, text);
  exact_key_.assign(dialect).push_back('\x1f');
  exact_key_.append(text);
  if (auto it = exact_index_.find(std::string_view(exact_key_)); it != exact_index_.end()) {
    exact_lru_.splice(exact_lru_.begin(), exact_lru_, it->second);
    ++stats_.hits;
    ++stats_.exact_hits;
    return it->second->analysis;
  }
  auto a = byShape(analyzer, dialect, text);
  if (scratch_.ok) rememberExact(a);  // unlexable texts are never cached
  return a;
}

void AnalysisCache::rememberExact(std::shared_ptr<const Analysis> a) {
  // The analysis is usually shared with a shape entry; counted here too, because it outlives
  // that entry's eviction.
  size_t bytes = exact_key_.size() * 2 + a->approxBytes() + sizeof(Entry) + 64;
  if (bytes > exact_max_bytes_ / 8) return;  // huge texts go through the shape index only
  exact_lru_.push_front(Entry{exact_key_, std::move(a), {}, bytes});
  exact_index_.emplace(std::string_view(exact_lru_.front().key), exact_lru_.begin());
  exact_bytes_ += bytes;
  while (exact_bytes_ > exact_max_bytes_ && !exact_lru_.empty()) {
    auto last = std::prev(exact_lru_.end());
    exact_bytes_ -= last->bytes;
    exact_index_.erase(std::string_view(last->key));
    exact_lru_.erase(last);
  }
}

std::shared_ptr<const Analysis> AnalysisCache::byShape(Analyzer& analyzer,
                                                       std::string_view dialect,
                                                       std::string_view text) {
  analyzer.normalize(text, scratch_);
  if (!scratch_.ok) {  // not lexable: parse (it becomes unparsed), never cache
    auto a = std::make_shared<Analysis>();
    analyzer.analyze(text, *a);
    ++stats_.misses;
    return a;
  }
  key_.assign(dialect).push_back('\x1f');
  key_.append(scratch_.text);
  if (auto it = index_.find(std::string_view(key_)); it != index_.end()) {
    Entry& e = *it->second;
    if (!e.analysis->literal_dependent || e.literals == scratch_.literals) {
      lru_.splice(lru_.begin(), lru_, it->second);
      ++stats_.hits;
      return e.analysis;
    }
    ++stats_.literal_misses;
  }
  ++stats_.misses;
  auto a = std::make_shared<Analysis>();
  analyzer.analyze(text, *a);
  for (auto& s : a->statements) zeroRanges(s);
  std::vector<std::string> lits;
  if (a->literal_dependent) lits = scratch_.literals;
  insert(key_, a, std::move(lits));
  return a;
}

void AnalysisCache::insert(std::string key, std::shared_ptr<const Analysis> a,
                           std::vector<std::string> lits) {
  if (auto it = index_.find(std::string_view(key)); it != index_.end()) erase(it->second);
  size_t bytes = key.size() * 2 + a->approxBytes() + sizeof(Entry) + 64;
  for (const auto& l : lits) bytes += l.size() + sizeof(std::string);
  if (bytes > max_bytes_ / 8) return;  // one huge shape must not flush the cache
  lru_.push_front(Entry{std::move(key), std::move(a), std::move(lits), bytes});
  index_.emplace(std::string_view(lru_.front().key), lru_.begin());
  bytes_ += bytes;
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    erase(std::prev(lru_.end()));
    ++stats_.evictions;
  }
}

void AnalysisCache::erase(List::iterator it) {
  bytes_ -= it->bytes;
  index_.erase(std::string_view(it->key));
  lru_.erase(it);
}

AnalysisCache::Stats AnalysisCache::stats() const {
  Stats s = stats_;
  s.bytes = bytes_;
  s.entries = lru_.size();
  s.exact_bytes = exact_bytes_;
  s.exact_entries = exact_lru_.size();
  return s;
}

void AnalysisCache::clear() {
  index_.clear();
  lru_.clear();
  bytes_ = 0;
  exact_index_.clear();
  exact_lru_.clear();
  exact_bytes_ = 0;
}

}  // namespace warden::sql
