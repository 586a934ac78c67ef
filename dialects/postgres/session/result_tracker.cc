// dialects/postgres/session/result_tracker.cc
#include "session/result_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace warden::dialect::postgres {

namespace {
template <typename Map>
void putBounded(Map& m, std::string_view key, uint64_t value, size_t max) {
  if (m.size() >= max && m.find(std::string(key)) == m.end()) m.clear();
  m[std::string(key)] = value;
}
}  // namespace

std::optional<uint64_t> ResultTracker::rowsOf(std::string_view tag) {
  size_t sp = tag.rfind(' ');
  if (sp == std::string_view::npos || sp + 1 >= tag.size()) return std::nullopt;
  uint64_t n = 0;
  for (char c : tag.substr(sp + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    if (n > (UINT64_MAX - 9) / 10) return std::nullopt;
    n = n * 10 + uint64_t(c - '0');
  }
  return n;
}

void ResultTracker::queryForwarded(uint64_t ref, uint64_t until_rfq) {
  Entry e;
  e.ref = ref;
  e.simple = true;
  e.until_rfq = until_rfq;
  e.start = std::chrono::steady_clock::now();
  pending_.push_back(std::move(e));
}

void ResultTracker::statementParsed(std::string_view name, uint64_t ref) {
  putBounded(statements_, name, ref, kMaxNames);
}

void ResultTracker::statementClosed(std::string_view name) { statements_.erase(std::string(name)); }

void ResultTracker::portalBound(std::string_view portal, std::string_view statement) {
  auto it = statements_.find(std::string(statement));
  putBounded(portals_, portal, it == statements_.end() ? 0 : it->second, kMaxNames);
}

void ResultTracker::portalClosed(std::string_view portal) { portals_.erase(std::string(portal)); }

void ResultTracker::executeForwarded(std::string_view portal, uint64_t until_rfq) {
  Entry e;
  auto it = portals_.find(std::string(portal));
  e.ref = it == portals_.end() ? 0 : it->second;
  e.until_rfq = until_rfq;
  e.start = std::chrono::steady_clock::now();
  pending_.push_back(std::move(e));
}

void ResultTracker::finish(Entry& e) {
  if (e.ref == 0 || !report_) return;
  StatementResult r;
  r.rows = e.rows;
  r.error = std::move(e.error);
  r.masked = std::move(e.masked);
  r.duration_us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::steady_clock::now() - e.start)
                               .count());
  report_(e.ref, r);
}

void ResultTracker::finishFront(std::optional<uint64_t> rows) {
  if (pending_.empty()) return;
  Entry& e = pending_.front();
  if (e.simple) {  // ends at ReadyForQuery; add up the statements of the query
    if (rows) e.rows = e.rows.value_or(0) + *rows;
    return;
  }
  e.rows = rows;
  finish(e);
  pending_.pop_front();
}

void ResultTracker::commandComplete(std::string_view tag) { finishFront(rowsOf(tag)); }

void ResultTracker::emptyQuery() { finishFront(std::nullopt); }

void ResultTracker::portalSuspended() { finishFront(std::nullopt); }

void ResultTracker::error(std::string_view sqlstate, std::string_view message) {
  if (pending_.empty()) return;
  Entry& e = pending_.front();
  if (e.error.empty()) e.error = fmt::format("{}: {}", sqlstate, message);
  if (!e.simple) {
    finish(e);
    pending_.pop_front();
  }
}

void ResultTracker::masked(std::vector<std::string> names) {
  if (pending_.empty() || names.empty()) return;
  auto& m = pending_.front().masked;
  for (auto& n : names)
    if (std::find(m.begin(), m.end(), n) == m.end()) m.push_back(std::move(n));
}

void ResultTracker::readyForQuery(uint64_t rfq_seen) {
  while (!pending_.empty() && pending_.front().until_rfq <= rfq_seen) {
    Entry& e = pending_.front();
    if (!e.simple && e.error.empty()) e.error = "not executed: an earlier message in the same pipeline failed";
    finish(e);
    pending_.pop_front();
  }
}

}  // namespace warden::dialect::postgres
