// core/src/runtime/session_audit.cc
//! The session's audit trail: auth, session_start/end and statement records, and the
//! write-ahead rule. Every byte a session sends to its backend after a record was submitted
//! waits (held here, client reading paused) until the writer reports that record durable; the
//! dialect never sees the wait. When the writer fails, sessions waiting on it end with the
//! dialect's "unavailable" error and their held bytes are dropped (fail closed: the statement
//! never runs); statements arriving while the writer fails are refused the same way.
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "session_runner.h"
#include "warden/audit/writer.h"
#include "warden/masking/plan.h"
#include "warden/base/log.h"
#include "worker.h"

namespace warden::runtime {

namespace {
constexpr size_t kMaxAuditedStatements = 4096;  // statement records kept for result records
constexpr size_t kMaxAuditTextBytes = 16 * 1024;

//! Cuts `s` to at most `max` bytes on a UTF-8 boundary and says so.
void capText(std::string& s, size_t max) {
  if (s.size() <= max) return;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  size_t dropped = s.size() - cut;
  s.resize(cut);
  s += fmt::format(" /* ... {} more bytes */", dropped);
}

void collectTables(const sql::Statement& st, std::vector<std::string>& out) {
  for (const auto& o : st.objects) {
    std::string q = o.qualified();
    if (std::find(out.begin(), out.end(), q) == out.end()) out.push_back(std::move(q));
  }
  for (const auto& n : st.nested) collectTables(n, out);
}
}  // namespace

audit::AuditRecord SessionRunner::auditRecord(const char* event, bool with_identity) const {
  audit::AuditRecord r;
  r.event = event;
  r.session = std::to_string(id_);
  if (with_identity)
    r.identity = audit::IdentityInfo{identity_.user, identity_.groups, identity_.kind,
                                     identity_.method};
  r.client = client_address_;
  r.target = target_.target->name;
  r.environment = target_.target->environment;
  r.dialect = target_.target->dialect;
  return r;
}

void SessionRunner::submitAudit(audit::AuditRecord r, bool write_ahead) {
  audit::Writer* w = worker_.audit();
  if (!w) return;
  uint64_t ticket = w->submit(std::move(r));
  if (write_ahead && ticket > audit_wait_) {
    audit_wait_ = ticket;
    if (!audit_waiting_) {
      worker_.addAuditWaiter(this);
      audit_waiting_ = true;
    }
    // Already failing: no health change will wake us, so look again from the loop (never
    // re-entering the dialect from inside its own call).
    if (!w->healthy())
      worker_.post([alive = alive_, this] {
        if (*alive) auditProgress();
      });
  }
}

bool SessionRunner::auditHolding() const {
  if (audit_wait_ == 0) return false;
  audit::Writer* w = worker_.audit();
  return w != nullptr && w->durableTicket() < audit_wait_;
}

void SessionRunner::releaseHeld() {
  if (audit_waiting_) {
    worker_.removeAuditWaiter(this);
    audit_waiting_ = false;
  }
  if (closing_ || aborted_) return;
  if (held_connect_) {
    held_connect_ = false;
    connectNow();
  }
  if (!held_backend_.empty()) {
    std::vector<uint8_t> bytes;
    bytes.swap(held_backend_);
    if (backend_ && backend_->usable()) backend_->write(bytes);
  }
  if (client_ && client_->usable()) client_->setPaused(Stream::kPauseAudit, false);
}

void SessionRunner::auditProgress() {
  if (closing_) {
    if (audit_waiting_) worker_.removeAuditWaiter(this);
    audit_waiting_ = false;
    return;
  }
  if (!auditHolding()) {
    releaseHeld();
    return;
  }
  audit::Writer* w = worker_.audit();
  if (w && !w->healthy())
    abort(dialect::AbortReason::AuditUnavailable,
          fmt::format("audit log unavailable ({}); the statement was not executed and the "
                      "session is closed", w->lastError()));
}

void SessionRunner::abort(dialect::AbortReason reason, std::string_view message) {
  if (closing_ || aborted_) return;
  aborted_ = true;
  held_backend_.clear();
  held_connect_ = false;
  if (audit_waiting_) {
    worker_.removeAuditWaiter(this);
    audit_waiting_ = false;
  }
  if (pending_result_ref_ != 0 && reason == dialect::AbortReason::AuditUnavailable) {
    dialect::StatementResult res;
    res.error = "not executed: audit log unavailable";
    statementResult(pending_result_ref_, res);
  }
  log::warn("session aborted", {{"session", id_}, {"reason", std::string(message)}});
  if (session_)
    session_->onAbort(reason, message);
  else
    close(message);
  if (!closing_) close(message);  // a dialect that did not close
}

void SessionRunner::auditStatement(std::string_view text, const sql::Analysis& analysis,
                                   policy::Decision& d) {
  audit::Writer* w = worker_.audit();
  if (!w) return;
  const auto& snap = worker_.snapshot();
  bool redact = (snap ? snap->config : snapshot_->config)->audit.redact_literals;
  audit::StatementInfo info;
  info.id = ++statement_seq_;
  if (redact) {
    for (const auto& st : analysis.statements) {
      if (!info.text.empty()) info.text += "; ";
      if (!st.normalized.empty())
        info.text += st.normalized;
      else
        info.text += fmt::format("/* {} statement of {} bytes, not shown */", sql::kindName(st.kind),
                                 st.range.end > st.range.begin ? st.range.end - st.range.begin
                                                               : text.size());
    }
  } else {
    info.text.assign(text);
  }
  capText(info.text, kMaxAuditTextBytes);
  if (analysis.statements.size() == 1)
    info.fingerprint = analysis.statements[0].fingerprint;
  else
    info.fingerprint = sql::fingerprintHex(info.text);
  info.kind = analysis.statements.empty() ? "unparsed"
                                          : std::string(sql::kindName(analysis.statements[0].kind));
  for (const auto& st : analysis.statements) collectTables(st, info.tables);
  audit::DecisionInfo decision;
  decision.action = std::string(d.auditAction());
  decision.rule = std::string(d.auditRule());
  if (d.verdict != policy::Verdict::Allow)
    decision.reason = d.message.empty() ? "denied by policy" : d.message;
  auto r = auditRecord("statement", true);
  r.statement = info;
  r.decision = decision;
  std::vector<std::string> masked;
  if (auto* m = d.transform ? d.transform->asMasking() : nullptr) {
    masked = masking::predictMasked(*m->session, analysis);
    if (!masked.empty()) r.masked = masked;
  }
  if (d.unavailable && w->overloaded()) return;  // refused, never ran: nothing to keep
  std::optional<audit::AuditRecord> approval;
  if (!d.hold_id.empty()) {
    // The approval request this decision opened (its later steps come from the approvals
    // service: approved / denied / expired / executed).
    approval = auditRecord("approval", true);
    approval->statement = info;
    approval->decision = decision;
    approval->approval = audit::ApprovalInfo{d.hold_id, "requested", {}};
  }
  // A refusal because the log is down runs nothing: it need not wait for its own record.
  submitAudit(std::move(r), !d.unavailable);
  if (approval) submitAudit(std::move(*approval), true);
  if (d.verdict == policy::Verdict::Allow) {
    if (audited_.size() >= kMaxAuditedStatements) audited_.erase(audited_.begin());
    audited_[*info.id] = AuditedStatement{std::move(info), std::move(decision), std::move(masked)};
    d.audit_ref = statement_seq_;
    pending_result_ref_ = statement_seq_;
  }
}

void SessionRunner::statementResult(uint64_t audit_ref, const dialect::StatementResult& result) noexcept {
  try {
    auto it = audited_.find(audit_ref);
    if (it == audited_.end()) return;
    auto r = auditRecord("statement", true);
    r.statement = it->second.info;
    r.decision = it->second.decision;
    audit::ResultInfo res;
    res.rows = result.rows;
    res.duration_us = result.duration_us;
    if (!result.error.empty()) {
      res.error = result.error;
      capText(*res.error, 2048);
    }
    r.result = std::move(res);
    std::vector<std::string> masked = it->second.masked;
    for (const auto& m : result.masked)
      if (std::find(masked.begin(), masked.end(), m) == masked.end()) masked.push_back(m);
    if (!masked.empty()) r.masked = std::move(masked);
    if (audit_ref == pending_result_ref_) pending_result_ref_ = 0;
    submitAudit(std::move(r), false);
  } catch (...) {
  }
}

void SessionRunner::auditSessionEnd(std::string_view reason) {
  if (!audit_session_started_) return;
  audit_session_started_ = false;
  auto r = auditRecord("session_end", true);
  audit::ResultInfo res;
  res.duration_us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now() - started_at_)
                                 .count());
  r.result = res;
  r.decision = audit::DecisionInfo{"close", "", std::string(reason)};
  submitAudit(std::move(r), false);
}

}  // namespace warden::runtime
