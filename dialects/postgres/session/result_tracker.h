// dialects/postgres/session/result_tracker.h
//! Follows allowed statements through the reply stream so each execution's end (rows, error,
//! duration) can be reported to the audit trail (SessionHost::statementResult).
//!
//! Simple Query: one entry per Query, ended by its ReadyForQuery; rows add up over the
//! CommandCompletes of a multi-statement query, the first ErrorResponse is its error.
//! Extended: Parse maps a statement name to the audit ref the policy gave it, Bind maps a
//! portal to its statement, each Execute adds an entry ended by the next CommandComplete /
//! EmptyQueryResponse / PortalSuspended / ErrorResponse (replies arrive in request order). An
//! entry still open at its segment's ReadyForQuery never ran (an earlier message failed).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "warden/dialect/dialect.h"

namespace warden::dialect::postgres {

class ResultTracker {
 public:
  using Report = std::function<void(uint64_t ref, const StatementResult&)>;
  explicit ResultTracker(Report report) : report_(std::move(report)) {}

  // client → backend, in forwarding order
  void queryForwarded(uint64_t ref, uint64_t until_rfq);
  void statementParsed(std::string_view name, uint64_t ref);
  void statementClosed(std::string_view name);
  void portalBound(std::string_view portal, std::string_view statement);
  //! A Bind too large to inspect: its portal is unknown, so forget every portal mapping.
  void portalBoundUnknown() { portals_.clear(); }
  void portalClosed(std::string_view portal);
  void executeForwarded(std::string_view portal, uint64_t until_rfq);

  // backend → client
  bool pending() const { return !pending_.empty(); }
  void commandComplete(std::string_view tag);
  void emptyQuery();
  void portalSuspended();
  void error(std::string_view sqlstate, std::string_view message);
  void readyForQuery(uint64_t rfq_seen);
  //! What masking changed in the current execution's result (call before its end).
  void masked(std::vector<std::string> names);

  //! Rows in a CommandComplete tag ("INSERT 0 5" → 5, "SELECT 3" → 3, "CREATE TABLE" → none).
  static std::optional<uint64_t> rowsOf(std::string_view tag);

 private:
  struct Entry {
    uint64_t ref = 0;  // 0: not audited (kept for ordering)
    bool simple = false;
    uint64_t until_rfq = 0;
    std::chrono::steady_clock::time_point start;
    std::optional<uint64_t> rows;
    std::string error;
    std::vector<std::string> masked;
  };
  void finish(Entry& e);
  void finishFront(std::optional<uint64_t> rows);

  Report report_;
  std::deque<Entry> pending_;
  std::unordered_map<std::string, uint64_t> statements_;  // name → audit ref
  std::unordered_map<std::string, uint64_t> portals_;     // portal → audit ref
  static constexpr size_t kMaxNames = 4096;
};

}  // namespace warden::dialect::postgres
