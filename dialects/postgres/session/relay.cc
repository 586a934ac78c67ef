// dialects/postgres/session/relay.cc
//! Ready state. Client messages pass the policy seam and travel as their original bytes; backend
//! replies stream through untouched (rows and COPY data are never buffered whole). Denials are
//! injected exactly where the server would have answered: a denied simple query gets
//! ErrorResponse + ReadyForQuery after the replies to everything sent before it; a denied
//! extended-protocol message makes the session drop messages until Sync (as a server does after
//! an error) and the error goes right before the ReadyForQuery that answers that Sync.
#include <fmt/format.h>

#include "session/pg_session.h"

namespace warden::dialect::postgres {

namespace {

// Messages relayed as they arrive, without waiting for the whole frame: COPY data and Bind
// (parameters can be large) from clients; everything but ReadyForQuery and the start-up-only
// messages from backends.
bool clientStreams(uint8_t type, uint32_t, void*) {
  return type == fe::kCopyData || type == fe::kBind;
}
bool backendStreams(uint8_t type, uint32_t, void*) {
  switch (type) {
    case be::kReadyForQuery:
    case be::kAuthentication:
    case be::kBackendKeyData:
    case be::kCopyBothResponse:
    case be::kNegotiateProtocolVersion:
      return false;
    default:
      return true;
  }
}

}  // namespace

bool PgSession::busy() const { return rfq_seen_ < rfq_expected_ || segment_open_; }

void PgSession::relayFromClient(std::span<const uint8_t> data) {
  while (!data.empty() && state_ == State::Ready) {
    ReadEvent ev = client_reader_.next(data, &clientStreams, nullptr);
    if (ev.kind == ReadEvent::Kind::NeedMore) break;
    if (ev.kind == ReadEvent::Kind::Error) {
      fatal(sqlstate::kProtocolViolation, ev.error);
      return;
    }
    if (ev.kind == ReadEvent::Kind::Chunk) {
      if (skip_to_sync_) continue;  // part of a message a server would discard after an error
      if (ev.first && ev.type == fe::kBind) segment_open_ = true;
      to_backend_.add(ev.raw, ev.raw_in_input);
      continue;
    }
    if (!handleClientMessage(ev)) return;
  }
  to_backend_.flush();
  maybeFinishDrain();  // a locally answered Sync can be the idle point a drain waits for
}

bool PgSession::handleClientMessage(const ReadEvent& ev) {
  if (skip_to_sync_ && ev.type != fe::kSync && ev.type != fe::kTerminate) return true;
  switch (ev.type) {
    case fe::kQuery: {
      auto sql = decodeQuery(ev.body);
      if (!sql) {
        fatal(sqlstate::kProtocolViolation, fmt::format("invalid Query message: {}", sql.error().message));
        return false;
      }
      policy::Decision d = host_.evaluate(sql.value(), policy::StatementOrigin::SimpleQuery);
      if (d.verdict != policy::Verdict::Allow) {
        denyStatement(d, false);
        return true;
      }
      to_backend_.add(ev.raw, ev.raw_in_input);
      rfq_expected_++;
      return true;
    }
    case fe::kParse: {
      auto p = decodeParse(ev.body);
      if (!p) {
        fatal(sqlstate::kProtocolViolation, fmt::format("invalid Parse message: {}", p.error().message));
        return false;
      }
      policy::Decision d = host_.evaluate(p->query, policy::StatementOrigin::Prepare);
      if (d.verdict != policy::Verdict::Allow) {
        denyStatement(d, true);
        return true;
      }
      to_backend_.add(ev.raw, ev.raw_in_input);
      segment_open_ = true;
      return true;
    }
    case fe::kSync: {
      if (skip_to_sync_) {
        skip_to_sync_ = false;
        Bytes err;
        err.swap(pending_deny_);
        if (segment_open_) {
          // Earlier messages of this segment reached the backend: let it answer them and put
          // the error just before the ReadyForQuery that answers this Sync.
          to_backend_.add(ev.raw, ev.raw_in_input);
          rfq_expected_++;
          injections_.push_back({rfq_expected_, true, false, std::move(err)});
        } else if (rfq_seen_ == rfq_expected_) {
          to_backend_.flush();
          encodeReadyForQuery(err, tx_status_);
          sendToClient(err);
        } else {
          injections_.push_back({rfq_expected_, false, true, std::move(err)});
        }
        segment_open_ = false;
        return true;
      }
      to_backend_.add(ev.raw, ev.raw_in_input);
      rfq_expected_++;
      segment_open_ = false;
      return true;
    }
    case fe::kBind:
    case fe::kExecute:
    case fe::kDescribe:
    case fe::kClose:
      segment_open_ = true;
      to_backend_.add(ev.raw, ev.raw_in_input);
      return true;
    case fe::kFlush:
    case fe::kCopyData:
    case fe::kCopyDone:
    case fe::kCopyFail:
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
      denyStatement(d, false);
      return true;
    }
    default:
      fatal(sqlstate::kProtocolViolation,
            fmt::format("invalid frontend message type {}", int(ev.type)));
      return false;
  }
}

void PgSession::denyStatement(const policy::Decision& d, bool extended) {
  std::string message;
  if (d.verdict == policy::Verdict::Hold)
    message = d.message.empty() ? fmt::format("statement requires approval (request {})", d.hold_id)
                                : d.message;
  else
    message = d.message.empty() ? "statement denied by policy" : d.message;
  std::string detail = d.rule.empty() ? std::string() : fmt::format("rule: {}", d.rule);
  Bytes err;
  encodeErrorResponse(err, {"ERROR", sqlstate::kInsufficientPrivilege, prefixed(message), detail, {}});
  log(LogLevel::Info, fmt::format("statement denied: {}", message));
  if (extended) {
    pending_deny_ = std::move(err);
    skip_to_sync_ = true;
    return;
  }
  if (rfq_seen_ == rfq_expected_ && !segment_open_) {
    to_backend_.flush();
    encodeReadyForQuery(err, tx_status_);
    sendToClient(err);
    return;
  }
  injections_.push_back({rfq_expected_, false, true, std::move(err)});
}

void PgSession::relayFromBackend(std::span<const uint8_t> data) {
  while (!data.empty() && state_ == State::Ready) {
    ReadEvent ev = backend_reader_.next(data, &backendStreams, nullptr);
    if (ev.kind == ReadEvent::Kind::NeedMore) break;
    if (ev.kind == ReadEvent::Kind::Error) {
      fatal(sqlstate::kConnectionFailure, fmt::format("invalid message from backend: {}", ev.error));
      return;
    }
    if (ev.kind == ReadEvent::Kind::Chunk) {
      to_client_.add(ev.raw, ev.raw_in_input);
      continue;
    }
    switch (ev.type) {
      case be::kReadyForQuery: {
        auto st = decodeReadyForQuery(ev.body);
        if (!st) {
          fatal(sqlstate::kConnectionFailure, "invalid ReadyForQuery from backend");
          return;
        }
        tx_status_ = st.value();
        rfq_seen_++;
        if (rfq_seen_ > rfq_expected_) rfq_expected_ = rfq_seen_;  // never owe negative
        while (!injections_.empty() && injections_.front().at_rfq == rfq_seen_ &&
               injections_.front().before) {
          to_client_.flush();
          sendToClient(injections_.front().bytes);
          injections_.pop_front();
        }
        to_client_.add(ev.raw, ev.raw_in_input);
        while (!injections_.empty() && injections_.front().at_rfq <= rfq_seen_) {
          to_client_.flush();
          Injection inj = std::move(injections_.front());
          injections_.pop_front();
          if (inj.append_rfq) encodeReadyForQuery(inj.bytes, tx_status_);
          sendToClient(inj.bytes);
        }
        break;
      }
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
