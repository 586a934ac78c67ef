// dialects/postgres/session/result_masking.h
//! Follows masked statements through the reply stream and rewrites their rows.
//!
//! Simple Query: each RowDescription belongs to the statement of the batch whose
//! CommandComplete comes next (the index advances per CommandComplete); FETCH uses the lineage
//! of the cursor's DECLARE. Extended: Parse maps a statement name to its masking, Bind a portal
//! to its statement; before each Execute of a masked portal Warden sends its own Describe of
//! that portal (whose RowDescription carries the real result formats) and keeps the reply: so
//! rows are masked right whether or not the client described, in text or binary format.
//! Replies arrive in request order; an error makes the server skip to Sync, so entries of a
//! segment are dropped at its ReadyForQuery.
//!
//! The masking catalog (pg_catalog.h) is loaded by an internal simple query sent ahead of a
//! client statement when the session is idle; its replies are consumed here.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/copy_out_rewriter.h"
#include "protocol/row_messages.h"
#include "session/pg_catalog.h"
#include "warden/base/byte_io.h"
#include "warden/base/result.h"
#include "warden/dialect/dialect.h"
#include "warden/masking/plan.h"

namespace warden::dialect::postgres {

class ResultMasking {
 public:
  explicit ResultMasking(std::string target) : target_(std::move(target)) {}

  // --- client → backend, in forwarding order
  //! True when `d` carries column rules and this worker's catalog for the target is missing
  //! or stale (and no load is under way).
  bool wantsCatalog(const policy::Decision& d) const;
  //! Appends the internal catalog query to `out`; its replies end with ReadyForQuery number
  //! `until_rfq` and are consumed here.
  void catalogQuerySent(Bytes& out, uint64_t until_rfq);
  void queryForwarded(const policy::Decision& d, uint64_t until_rfq);
  void statementParsed(std::string_view name, const policy::Decision& d);
  void statementClosed(std::string_view name);
  void portalBound(std::string_view portal, std::string_view statement);
  void portalBoundUnknown();
  void portalClosed(std::string_view portal);
  void describeForwarded(uint64_t until_rfq);
  //! Before the Execute of `portal` is forwarded: appends Warden's own Describe of the portal
  //! when its statement is masked.
  void beforeExecute(std::string_view portal, uint64_t until_rfq, Bytes& out);

  // --- backend → client
  //! The next ReadyForQuery (number rfq_seen + 1) ends the internal catalog query.
  bool internalActive(uint64_t rfq_seen) const {
    return !internal_.empty() && internal_.front().until_rfq == rfq_seen + 1;
  }
  //! A reply to the internal query (consumed, never forwarded).
  void internalMessage(uint8_t type, std::span<const uint8_t> body);
  //! Counts a DataRow of the current result: false once it is past the plan's max_rows (the
  //! row is dropped).
  bool rowAllowed() {
    ++rows_;
    return limit_ == 0 || rows_ <= limit_;
  }
  //! The current result lost rows to max_rows: the limit (0: none lost).
  //! The current result lost rows to max_rows: how many rows this execution sent (0: none
  //! lost). A portal fetched in parts counts its rows over all parts.
  uint64_t rowsCut() const {
    return limit_ != 0 && rows_ > limit_ ? limit_ - std::min(limit_, part_start_) : 0;
  }
  bool cut() const { return limit_ != 0 && rows_ > limit_; }
  uint64_t limit() const { return limit_; }
  //! ReadyForQuery with the transaction status: portals die when no transaction is open.
  void transactionStatus(uint8_t status) {
    if (status == 'I') portal_rows_.clear();
  }
  //! DataRows must arrive whole (a plan rewrites them).
  bool wholeRows() const { return plan_.active; }
  //! RowDescription: Ok(false) when it answers Warden's own Describe (drop it).
  Result<bool> rowDescription(std::span<const uint8_t> body, uint64_t rfq_next);
  //! NoData: false when it answers Warden's own Describe.
  bool noData(uint64_t rfq_next);
  //! Ok(true): `out` holds the rewritten DataRow frame; Ok(false): forward the original.
  Result<bool> dataRow(std::span<const uint8_t> body, Bytes& out);
  //! CommandComplete / EmptyQueryResponse / PortalSuspended / ErrorResponse ended a result.
  //! Returns what was masked in it (for the audit).
  std::vector<std::string> resultEnded(bool command_complete, uint64_t rfq_next);
  //! CopyOutResponse (COPY ... TO STDOUT): starts rewriting the CopyData stream when the
  //! statement is masked. An error: the COPY cannot be masked safely (the session ends).
  Result<void> copyOut(std::span<const uint8_t> body, uint64_t rfq_next);
  bool copyActive() const { return copy_ != nullptr; }
  //! A CopyData payload while copyActive(): `out` gets the rewritten CopyData frames.
  Result<void> copyData(std::span<const uint8_t> payload, Bytes& out);
  //! CopyDone while copyActive(): an incomplete row is an error.
  Result<void> copyDone();
  void readyForQuery(uint64_t rfq_seen);

 private:
  using MaskingPtr = std::shared_ptr<const masking::StatementMasking>;
  struct SimpleContext {
    uint64_t until_rfq = 0;
    MaskingPtr masking;
    size_t index = 0;  // statement of the batch whose result comes next
  };
  struct DescribeEntry {
    uint64_t until_rfq = 0;
    bool ours = false;
    MaskingPtr masking;
    std::string portal;  // ours: the portal the Execute runs
  };
  struct InternalQuery {
    uint64_t until_rfq = 0;
    uint64_t generation = 0;
    std::unique_ptr<PgCatalog> catalog;
    bool failed = false;
  };
  struct Cursor {
    MaskingPtr masking;
    const sql::Statement* query = nullptr;  // inside masking->analysis
  };

  static MaskingPtr maskingOf(const policy::Decision& d);
  void startPlan(const MaskingPtr& m, const sql::Statement* lineage,
                 const std::vector<FieldDescription>& fields);
  const sql::Statement* lineageFor(const SimpleContext& c);
  void rememberCursors(const MaskingPtr& m);

  std::string target_;
  std::deque<SimpleContext> simple_;
  std::deque<DescribeEntry> describes_;
  std::deque<InternalQuery> internal_;
  std::unordered_map<std::string, MaskingPtr> statements_;
  std::unordered_map<std::string, MaskingPtr> portals_;
  std::unordered_map<std::string, Cursor> cursors_;
  //! After a Bind too large to inspect: the session's masking, applied to unknown portals.
  MaskingPtr unknown_portals_;
  MaskingPtr last_masking_;
  static constexpr size_t kMaxNames = 4096;

  // the current result
  masking::ResultPlan plan_;
  std::shared_ptr<const masking::SessionMasking> plan_session_;
  std::optional<masking::PlanMasker> masker_;
  std::vector<std::string> masked_;
  uint64_t rows_ = 0, limit_ = 0;  // DataRows of the current result, its max_rows
  uint64_t part_start_ = 0;        // rows_ when this execution of a portal began
  std::string exec_portal_;        // the portal whose rows are counted (extended)
  //! Rows portals suspended with so far (max_rows spans Executes of one portal); bounded.
  std::unordered_map<std::string, uint64_t> portal_rows_;

  DataRowRewriter rewriter_;
  std::unique_ptr<CopyOutRewriter> copy_;
  //! The masking of the Execute whose Describe Warden sent (a COPY answers it with NoData).
  MaskingPtr exec_masking_;
  std::vector<std::string_view> scratch_fields_;
  std::vector<bool> scratch_nulls_;
};

}  // namespace warden::dialect::postgres
