// dialects/postgres/session/relay.cc
//! Ready state. Client messages pass the policy seam and travel as their original bytes; backend
//! replies stream through untouched (rows and COPY data are never buffered whole).
//!
//! A denied statement is not answered by Warden on its own: in its place the backend receives a
//! statement that fails to parse (a unique marker word), so the server itself produces the error
//! at exactly the right point of the reply stream, aborts the transaction or implicit
//! transaction as it would for any error, and skips to Sync in extended mode. Warden then swaps
//! that one ErrorResponse (recognised by its marker) for the denial message. Nothing is queued
//! on Warden's side, replies never split a backend message, and transaction semantics are the
//! server's own.
#include <fmt/format.h>

#include "session/pg_session.h"

namespace warden::dialect::postgres {

namespace {

// Messages relayed as they arrive, without waiting for the whole frame: COPY data and Bind
// (parameters can be large) from clients; everything but ReadyForQuery and the start-up-only
// messages from backends.
bool clientStreams(uint8_t type, uint32_t body_length, void* ctx) {
  // Binds up to bind_inspect_max_ arrive whole (see pg_session.h); larger ones stream.
  return type == fe::kCopyData ||
         (type == fe::kBind && body_length > *static_cast<const uint32_t*>(ctx));
}
bool backendStreams(uint8_t type, uint32_t, void* ctx) {
  const auto* whole = static_cast<const BackendWhole*>(ctx);
  if (type == be::kErrorResponse) return !whole->errors;
  if (type == be::kDataRow) return !whole->rows;
  if (type == be::kCopyData) return !whole->copy;
  switch (type) {
    case be::kRowDescription:  // masking plans start here
    case be::kNoData:
    case be::kCopyOutResponse:
    case be::kCopyDone:
    case be::kReadyForQuery:
    case be::kCommandComplete:  // small; read for the audit's result records
    case be::kEmptyQueryResponse:
    case be::kPortalSuspended:
    case be::kParameterStatus:
    case be::kAuthentication:
    case be::kBackendKeyData:
    case be::kCopyBothResponse:
    case be::kNegotiateProtocolVersion:
      return false;
    default:
      return true;
  }
}

//! Bind of the unnamed portal to `statement`, no parameters or formats.
void encodeBindOf(Bytes& out, std::string_view statement) {
  out.push_back(fe::kBind);
  appendBe32(out, uint32_t(4 + 1 + statement.size() + 1 + 2 + 2 + 2));
  out.push_back(0);
  appendBytes(out, statement);
  out.push_back(0);
  appendBe16(out, 0);
  appendBe16(out, 0);
  appendBe16(out, 0);
}

//! Describe of the prepared statement `statement`.
void encodeDescribeStatement(Bytes& out, std::string_view statement) {
  out.push_back(fe::kDescribe);
  appendBe32(out, uint32_t(4 + 1 + statement.size() + 1));
  out.push_back('S');
  appendBytes(out, statement);
  out.push_back(0);
}

//! Parse message with the given statement name and query and no parameter types.
void encodeParse(Bytes& out, std::string_view name, std::string_view query) {
  out.push_back(fe::kParse);
  appendBe32(out, uint32_t(4 + name.size() + 1 + query.size() + 1 + 2));
  appendBytes(out, name);
  out.push_back(0);
  appendBytes(out, query);
  out.push_back(0);
  appendBe16(out, 0);
}

}  // namespace

bool PgSession::busy() const { return rfq_seen_ < rfq_expected_ || segment_open_; }

void PgSession::maybeLoadCatalog(const policy::Decision& d) {
  // Only between statements, and not in a failed transaction (the query would fail there).
  if (rfq_seen_ < rfq_expected_ || tx_status_ == kTxFailed || !masking_.wantsCatalog(d)) return;
  Bytes query;
  rfq_expected_++;
  masking_.catalogQuerySent(query, rfq_expected_);
  to_backend_.flush();
  sendToBackend(query);
}

void PgSession::relayFromClient(std::span<const uint8_t> data) {
  while (!data.empty() && state_ == State::Ready) {
    ReadEvent ev = client_reader_.next(data, &clientStreams, &bind_inspect_max_);
    if (ev.kind == ReadEvent::Kind::NeedMore) break;
    if (ev.kind == ReadEvent::Kind::Error) {
      fatal(sqlstate::kProtocolViolation, ev.error);
      return;
    }
    if (ev.kind == ReadEvent::Kind::Chunk) {
      if (ev.first && ev.type == fe::kBind) {
        results_.portalBoundUnknown();
        masking_.portalBoundUnknown();
        segment_open_ = true;
        syncs_after_execute_ = 0;
        after_execute_ = false;
      }
      to_backend_.add(ev.raw, ev.raw_in_input);
      continue;
    }
    if (!handleClientMessage(ev)) return;
  }
  to_backend_.flush();
}

bool PgSession::handleClientMessage(const ReadEvent& ev) {
  if (ev.type != fe::kSync && ev.type != fe::kFlush && ev.type != fe::kCopyData &&
      ev.type != fe::kCopyDone && ev.type != fe::kCopyFail && ev.type != fe::kExecute) {
    // Any other message ends the window in which Syncs may fall into a COPY FROM STDIN.
    syncs_after_execute_ = 0;
    after_execute_ = false;
  }
  switch (ev.type) {
    case fe::kQuery: {
      auto sql = decodeQuery(ev.body);
      if (!sql) {
        fatal(sqlstate::kProtocolViolation, fmt::format("invalid Query message: {}", sql.error().message));
        return false;
      }
      policy::Decision d = host_.evaluate(sql.value(), policy::StatementOrigin::SimpleQuery);
      if (d.verdict != policy::Verdict::Allow) {
        denyStatement(d, StandIn::Query, {});
        return true;
      }
      maybeLoadCatalog(d);
      if (d.changes_schema) CatalogCache::ddlSeen();
      to_backend_.add(ev.raw, ev.raw_in_input);
      rfq_expected_++;
      if (d.audit_ref) results_.queryForwarded(d.audit_ref, rfq_expected_);
      masking_.queryForwarded(d, rfq_expected_);
      return true;
    }
    case fe::kParse: {
      auto p = decodeParse(ev.body);
      if (!p) {
        fatal(sqlstate::kProtocolViolation, fmt::format("invalid Parse message: {}", p.error().message));
        return false;
      }
      const bool was_idle = !busy();
      segment_open_ = true;
      policy::Decision d = host_.evaluate(p->query, policy::StatementOrigin::Prepare, p->name);
      if (d.verdict != policy::Verdict::Allow) {
        rememberDenied(p->name, d);
        results_.statementClosed(p->name);
        denyStatement(d, StandIn::Parse, p->name);
        return true;
      }
      denied_statements_.erase(std::string(p->name));
      results_.statementParsed(p->name, d.audit_ref);
      if (was_idle) maybeLoadCatalog(d);
      if (d.changes_schema) CatalogCache::ddlSeen();
      masking_.statementParsed(p->name, d);
      to_backend_.add(ev.raw, ev.raw_in_input);
      return true;
    }
    case fe::kSync:
      to_backend_.add(ev.raw, ev.raw_in_input);
      rfq_expected_++;
      if (after_execute_) syncs_after_execute_++;
      segment_open_ = false;
      return true;
    case fe::kExecute: {
      after_execute_ = true;
      syncs_after_execute_ = 0;
      segment_open_ = true;
      // Body: portal name, NUL, row limit. A malformed one fails on the server as well.
      std::string_view body(reinterpret_cast<const char*>(ev.body.data()), ev.body.size());
      size_t nul = body.find('\0');
      std::string_view portal = nul == std::string_view::npos ? body : body.substr(0, nul);
      results_.executeForwarded(portal, rfq_expected_ + 1);
      Bytes describe;
      masking_.beforeExecute(portal, rfq_expected_ + 1, describe);
      if (!describe.empty()) {
        to_backend_.flush();
        sendToBackend(describe);
      }
      to_backend_.add(ev.raw, ev.raw_in_input);
      return true;
    }
    case fe::kBind: {
      segment_open_ = true;
      auto b = decodeBindHead(ev.body);
      if (!b) {
        fatal(sqlstate::kProtocolViolation, fmt::format("invalid Bind message: {}", b.error().message));
        return false;
      }
      if (auto* denied = findDenied(b->statement)) {
        results_.portalClosed(b->portal);
        denyStatement(*denied, StandIn::Bind, b->statement);
        return true;
      }
      results_.portalBound(b->portal, b->statement);
      masking_.portalBound(b->portal, b->statement);
      to_backend_.add(ev.raw, ev.raw_in_input);
      return true;
    }
    case fe::kDescribe:
    case fe::kClose: {
      segment_open_ = true;
      auto m = decodeCloseOrDescribe(ev.body);
      if (!m) {
        fatal(sqlstate::kProtocolViolation,
              fmt::format("invalid {} message: {}", ev.type == fe::kClose ? "Close" : "Describe",
                          m.error().message));
        return false;
      }
      if (ev.type == fe::kClose) {
        if (m->kind == 'S') {
          results_.statementClosed(m->name);
          masking_.statementClosed(m->name);
        } else {
          results_.portalClosed(m->name);
          masking_.portalClosed(m->name);
        }
      }
      if (m->kind == 'S') {
        if (ev.type == fe::kClose) {
          denied_statements_.erase(std::string(m->name));
        } else if (auto* denied = findDenied(m->name)) {
          denyStatement(*denied, StandIn::Describe, m->name);
          return true;
        }
      }
      if (ev.type == fe::kDescribe) masking_.describeForwarded(rfq_expected_ + 1);
      to_backend_.add(ev.raw, ev.raw_in_input);
      return true;
    }
    case fe::kCopyDone:
    case fe::kCopyFail:
      // The server ignores Sync while in COPY FROM STDIN: Syncs the client sent after the
      // Execute that started the copy produce no ReadyForQuery of their own.
      if (syncs_after_execute_ > 0) {
        rfq_expected_ -= std::min<uint64_t>(syncs_after_execute_, rfq_expected_ - rfq_seen_);
        syncs_after_execute_ = 0;
      }
      after_execute_ = false;
      to_backend_.add(ev.raw, ev.raw_in_input);
      return true;
    case fe::kFlush:
    case fe::kCopyData:
      to_backend_.add(ev.raw, ev.raw_in_input);
      return true;
    case fe::kTerminate: {
      to_backend_.add(ev.raw, ev.raw_in_input);
      to_backend_.flush();
      state_ = State::Closing;
      host_.close("client terminated");
      return false;
    }
    case fe::kFunctionCall: {
      // Fastpath calls run functions by OID with no SQL text to check: refuse them.
      policy::Decision d;
      d.verdict = policy::Verdict::Deny;
      d.message = "fastpath function calls are not allowed through the gateway";
      denyStatement(d, StandIn::Query, {});
      return true;
    }
    default:
      fatal(sqlstate::kProtocolViolation,
            fmt::format("invalid frontend message type {}", int(ev.type)));
      return false;
  }
}

void PgSession::rememberDenied(std::string_view name, const policy::Decision& d) {
  try {
    // Bounded: forgetting only costs the error text (the server has no such statement).
    if (denied_statements_.size() >= kMaxDeniedStatements) denied_statements_.clear();
    policy::Decision keep;
    keep.verdict = policy::Verdict::Deny;
    keep.rule = d.rule;
    keep.message = d.message;
    keep.hold_id = d.hold_id;
    keep.unavailable = d.unavailable;
    if (d.verdict == policy::Verdict::Hold) keep.verdict = policy::Verdict::Hold;
    denied_statements_[std::string(name)] = std::move(keep);
  } catch (...) {
  }
}

const policy::Decision* PgSession::findDenied(std::string_view name) const {
  if (denied_statements_.empty()) return nullptr;
  // A stand-in already fails this segment: the server skips the rest of it up to Sync.
  if (!denials_.empty() && denials_.back().until_rfq == rfq_expected_ + 1) return nullptr;
  auto it = denied_statements_.find(std::string(name));
  return it == denied_statements_.end() ? nullptr : &it->second;
}

void PgSession::denyStatement(const policy::Decision& d, StandIn kind,
                              std::string_view statement_name) {
  if (d.close_session) {  // e.g. the session's access token expired
    fatal(sqlstate::kInvalidAuthSpec, d.message.empty() ? "session ended by policy" : d.message);
    return;
  }
  const bool extended = kind != StandIn::Query;
  std::string message;
  if (d.verdict == policy::Verdict::Hold)
    message = d.message.empty() ? fmt::format("statement requires approval (request {})", d.hold_id)
                                : d.message;
  else
    message = d.message.empty() ? "statement denied by policy" : d.message;
  std::string detail = d.rule.empty() ? std::string() : fmt::format("rule: {}", d.rule);
  log(LogLevel::Info, fmt::format("statement denied: {}", message));

  PendingDenial denial;
  uint8_t rnd[8];
  crypto::randomBytes(rnd);
  denial.marker = fmt::format("warden_denied_{:016x}_{}", loadBe32(rnd) * 0x100000000ull + loadBe32(rnd + 4),
                              ++denials_issued_);
  // Refused because the audit log cannot be written: "unavailable", not "denied".
  encodeErrorResponse(denial.error, {"ERROR",
                                     d.unavailable ? sqlstate::kConnectionFailure
                                                   : sqlstate::kInsufficientPrivilege,
                                     prefixed(message), detail, {}});
  Bytes stand_in;
  if (extended) {
    // Each stand-in fails on the server with an error whose text carries the marker: a query
    // that does not parse, or a statement name that does not exist.
    if (kind == StandIn::Parse) encodeParse(stand_in, statement_name, denial.marker);
    else if (kind == StandIn::Bind) encodeBindOf(stand_in, denial.marker);
    else encodeDescribeStatement(stand_in, denial.marker);
    denial.until_rfq = rfq_expected_ + 1;  // the Sync that ends this segment
  } else {
    encodeQuery(stand_in, denial.marker);
    rfq_expected_++;
    denial.until_rfq = rfq_expected_;
  }
  denials_.push_back(std::move(denial));
  denials_pending_ = true;
  to_backend_.flush();
  sendToBackend(stand_in);
}

bool PgSession::checkParameterStatus(std::span<const uint8_t> body) {
  auto ps = decodeParameterStatus(body);
  if (!ps) {
    fatal(sqlstate::kConnectionFailure, "invalid ParameterStatus from backend");
    return false;
  }
  // Warden reads statements as UTF-8 with standard_conforming_strings on. If the server ever
  // reads them otherwise (a function, ALTER ROLE/DATABASE ... SET, anything Warden did not
  // see), Warden's analysis no longer matches the server's: stop the session (fail closed).
  std::string_view name = ps->name, value = ps->value;
  bool bad = false;
  if (name == "standard_conforming_strings") {
    bad = value != "on";
  } else if (name == "client_encoding") {
    // The server reports canonical names; these are the client encodings whose multibyte
    // characters may end in a quote or backslash byte.
    for (std::string_view e : {"SJIS", "SHIFT_JIS_2004", "BIG5", "GBK", "UHC", "GB18030", "JOHAB"})
      bad = bad || value == e;
  }
  if (!bad) return true;
  log(LogLevel::Warn, fmt::format("backend reported {}={}: closing the session", name, value));
  fatal(sqlstate::kFeatureNotSupported,
        fmt::format("the server now reads statements with {} = {}; Warden only analyses SQL "
                    "with standard_conforming_strings = on and an ASCII-safe client_encoding, so the "
                    "session is closed", name, value));
  return false;
}

void PgSession::relayFromBackend(std::span<const uint8_t> data) {
  while (!data.empty() && state_ == State::Ready) {
    const bool internal = masking_.internalActive(rfq_seen_);
    backend_whole_.errors = denials_pending_ || results_.pending() || internal;
    backend_whole_.rows = masking_.wholeRows() || internal;
    backend_whole_.copy = masking_.copyActive();
    ReadEvent ev = backend_reader_.next(data, &backendStreams, &backend_whole_);
    if (ev.kind == ReadEvent::Kind::NeedMore) break;
    if (ev.kind == ReadEvent::Kind::Error) {
      fatal(sqlstate::kConnectionFailure, fmt::format("invalid message from backend: {}", ev.error));
      return;
    }
    if (ev.kind == ReadEvent::Kind::Chunk) {
      if (internal) continue;  // the internal query's own replies (e.g. a long notice)
      if (ev.type == be::kDataRow) {
        if (ev.first) dropping_row_ = !masking_.rowAllowed();
        if (dropping_row_) continue;  // past max_rows
      }
      to_client_.add(ev.raw, ev.raw_in_input);
      continue;
    }
    if (internal) {
      // Replies to Warden's catalog query: consumed, never relayed.
      if (ev.type == be::kReadyForQuery) {
        auto st = decodeReadyForQuery(ev.body);
        if (!st) {
          fatal(sqlstate::kConnectionFailure, "invalid ReadyForQuery from backend");
          return;
        }
        rfq_seen_++;
        if (rfq_seen_ > rfq_expected_) rfq_expected_ = rfq_seen_;
        results_.readyForQuery(rfq_seen_);
      }
      if (ev.type == be::kParameterStatus) {
        if (!checkParameterStatus(ev.body)) return;
        to_client_.add(ev.raw, ev.raw_in_input);
        continue;
      }
      masking_.internalMessage(ev.type, ev.body);
      continue;
    }
    switch (ev.type) {
      case be::kRowDescription: {
        auto forward = masking_.rowDescription(ev.body, rfq_seen_ + 1);
        if (!forward) {
          fatal(sqlstate::kConnectionFailure,
                fmt::format("invalid RowDescription from backend: {}", forward.error().message));
          return;
        }
        if (forward.value()) to_client_.add(ev.raw, ev.raw_in_input);
        break;
      }
      case be::kNoData:
        if (masking_.noData(rfq_seen_ + 1)) to_client_.add(ev.raw, ev.raw_in_input);
        break;
      case be::kCopyOutResponse: {
        auto ok = masking_.copyOut(ev.body, rfq_seen_ + 1);
        if (!ok) {
          // Masked rows cannot be rewritten safely: end the session before any row leaves.
          cancelBackendQuery();
          fatal(sqlstate::kFeatureNotSupported, fmt::format("cannot mask this COPY: {}",
                                                            ok.error().message));
          return;
        }
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      }
      case be::kCopyData: {  // whole only while a COPY is being masked
        auto ok = masking_.copyData(ev.body, masked_row_);
        if (!ok) {
          cancelBackendQuery();
          fatal(sqlstate::kConnectionFailure,
                fmt::format("invalid COPY data from backend: {}", ok.error().message));
          return;
        }
        if (!masked_row_.empty()) {
          to_client_.flush();
          sendToClient(masked_row_);
        }
        break;
      }
      case be::kCopyDone: {
        if (masking_.copyActive()) {
          auto ok = masking_.copyDone();
          if (!ok) {
            fatal(sqlstate::kConnectionFailure,
                  fmt::format("invalid COPY data from backend: {}", ok.error().message));
            return;
          }
        }
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      }
      case be::kDataRow: {
        if (!masking_.rowAllowed()) break;  // past max_rows: dropped
        // Whole only while a masking plan is active.
        auto rewritten = masking_.dataRow(ev.body, masked_row_);
        if (!rewritten) {
          fatal(sqlstate::kConnectionFailure,
                fmt::format("invalid DataRow from backend: {}", rewritten.error().message));
          return;
        }
        if (rewritten.value()) {
          to_client_.flush();
          sendToClient(masked_row_);
        } else {
          to_client_.add(ev.raw, ev.raw_in_input);
        }
        break;
      }
      case be::kReadyForQuery: {
        auto st = decodeReadyForQuery(ev.body);
        if (!st) {
          fatal(sqlstate::kConnectionFailure, "invalid ReadyForQuery from backend");
          return;
        }
        tx_status_ = st.value();
        rfq_seen_++;
        if (rfq_seen_ > rfq_expected_) rfq_expected_ = rfq_seen_;  // never owe negative
        // Stand-ins the server skipped (an earlier error in the same segment) are done.
        while (!denials_.empty() && denials_.front().until_rfq <= rfq_seen_) denials_.pop_front();
        denials_pending_ = !denials_.empty();
        results_.readyForQuery(rfq_seen_);
        masking_.readyForQuery(rfq_seen_);
        masking_.transactionStatus(tx_status_);
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      }
      case be::kCommandComplete: {
        std::string_view tag(reinterpret_cast<const char*>(ev.body.data()), ev.body.size());
        if (!tag.empty() && tag.back() == '\0') tag.remove_suffix(1);
        const bool was_cut = masking_.cut();
        const uint64_t limit = masking_.limit();
        const uint64_t cut = masking_.rowsCut();
        results_.masked(masking_.resultEnded(true, rfq_seen_ + 1));
        results_.commandComplete(tag);
        if (was_cut) {
          // max_rows: a notice, then the tag with the rows the client really got.
          Bytes reply;
          std::string text = prefixed(
              fmt::format("result cut at {} rows (max_rows)", limit));
          encodeNoticeResponse(reply, {"NOTICE", "01000", text, {}, {}});
          std::string cut_tag(tag);
          size_t sp = cut_tag.rfind(' ');
          if (sp != std::string::npos && ResultTracker::rowsOf(tag))
            cut_tag = cut_tag.substr(0, sp + 1) + std::to_string(cut);
          reply.push_back(be::kCommandComplete);
          appendBe32(reply, uint32_t(4 + cut_tag.size() + 1));
          appendBytes(reply, cut_tag);
          reply.push_back(0);
          to_client_.flush();
          sendToClient(reply);
          break;
        }
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      }
      case be::kEmptyQueryResponse:
        results_.masked(masking_.resultEnded(true, rfq_seen_ + 1));
        results_.emptyQuery();
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      case be::kPortalSuspended:
        // (max_rows counts per Execute: a portal fetched in parts gets up to max_rows per part)
        results_.masked(masking_.resultEnded(false, rfq_seen_ + 1));
        results_.portalSuspended();
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      case be::kErrorResponse: {
        // Only whole while a denial is pending: is this the stand-in's error?
        if (!denials_.empty()) {
          auto f = decodeErrorFields(ev.body);
          if (f && f->get('M').find(denials_.front().marker) != std::string_view::npos) {
            to_client_.add(denials_.front().error, false);
            denials_.pop_front();
            denials_pending_ = !denials_.empty();
            break;
          }
        }
        masking_.resultEnded(false, rfq_seen_ + 1);
        if (results_.pending()) {
          auto f = decodeErrorFields(ev.body);
          if (f) results_.error(f->get('C'), f->get('M'));
          else results_.error("XX000", "unreadable ErrorResponse");
        }
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      }
      case be::kParameterStatus:
        if (!checkParameterStatus(ev.body)) return;
        to_client_.add(ev.raw, ev.raw_in_input);
        break;
      case be::kCopyBothResponse:
        fatal(sqlstate::kFeatureNotSupported, "COPY BOTH (replication) is not supported");
        return;
      default:
        fatal(sqlstate::kConnectionFailure,
              fmt::format("unexpected message '{}' from backend", char(ev.type)));
        return;
    }
  }
  to_client_.flush();
  maybeFinishDrain();
}

}  // namespace warden::dialect::postgres
