// dialects/postgres/protocol/encoders.cc
//! Encoders: each appends one complete frame (type byte where the format has one + length word
//! + body) to `out`. https://www.postgresql.org/docs/15/protocol-message-formats.html
//!
//! String fields the protocol NUL-terminates are cut at their first NUL byte: a value can never
//! smuggle extra fields or parameters into the frame. Callers that must not lose bytes (SQL text,
//! passwords) validate for embedded NULs before encoding.
#include <cstring>

#include "protocol/messages.h"

namespace warden::dialect::postgres {

namespace {

//! Starts a typed frame; returns the offset of the length word for endFrame().
size_t beginFrame(Bytes& out, uint8_t type) {
  out.push_back(type);
  const size_t at = out.size();
  appendBe32(out, 0);
  return at;
}

//! Starts an untyped (startup-phase) frame.
size_t beginUntyped(Bytes& out) {
  const size_t at = out.size();
  appendBe32(out, 0);
  return at;
}

void endFrame(Bytes& out, size_t at) { storeBe32(out.data() + at, uint32_t(out.size() - at)); }

void appendCString(Bytes& out, std::string_view s) {
  const void* nul = s.empty() ? nullptr : std::memchr(s.data(), 0, s.size());
  if (nul != nullptr) s = s.substr(0, size_t(static_cast<const char*>(nul) - s.data()));
  appendBytes(out, s);
  out.push_back(0);
}

void encodeAuthCode(Bytes& out, AuthCode code, std::string_view data) {
  const size_t at = beginFrame(out, be::kAuthentication);
  appendBe32(out, uint32_t(code));
  appendBytes(out, data);
  endFrame(out, at);
}

void encodeErrorOrNotice(Bytes& out, uint8_t type, const ErrorSpec& e) {
  const size_t at = beginFrame(out, type);
  out.push_back('S');
  appendCString(out, e.severity);
  out.push_back('V');  // non-localized severity (protocol 3.0, PostgreSQL 9.6+)
  appendCString(out, e.severity);
  out.push_back('C');
  appendCString(out, e.sqlstate);
  out.push_back('M');
  appendCString(out, e.message);
  if (!e.detail.empty()) {
    out.push_back('D');
    appendCString(out, e.detail);
  }
  if (!e.hint.empty()) {
    out.push_back('H');
    appendCString(out, e.hint);
  }
  out.push_back(0);
  endFrame(out, at);
}

}  // namespace

// ------------------------------------------------------------------------------ frontend side

void encodeStartupMessage(Bytes& out, const StartupMessage& m) {
  const size_t at = beginUntyped(out);
  appendBe32(out, uint32_t(m.major) << 16 | m.minor);
  for (const auto& [key, value] : m.params) {
    if (key.empty() || key.front() == '\0') continue;  // an empty key would end the list early
    appendCString(out, key);
    appendCString(out, value);
  }
  out.push_back(0);
  endFrame(out, at);
}

void encodeSslRequest(Bytes& out) {
  appendBe32(out, 8);
  appendBe32(out, kSslRequestCode);
}

void encodeCancelRequest(Bytes& out, uint32_t pid, std::span<const uint8_t> secret) {
  const size_t at = beginUntyped(out);
  appendBe32(out, kCancelRequestCode);
  appendBe32(out, pid);
  appendBytes(out, secret);
  endFrame(out, at);
}

void encodePasswordMessage(Bytes& out, std::string_view password) {
  const size_t at = beginFrame(out, fe::kPassword);
  appendCString(out, password);
  endFrame(out, at);
}

void encodeSaslInitialResponse(Bytes& out, std::string_view mechanism, std::string_view data) {
  const size_t at = beginFrame(out, fe::kPassword);
  appendCString(out, mechanism);
  appendBe32(out, uint32_t(data.size()));
  appendBytes(out, data);
  endFrame(out, at);
}

void encodeSaslResponse(Bytes& out, std::string_view data) {
  const size_t at = beginFrame(out, fe::kPassword);
  appendBytes(out, data);
  endFrame(out, at);
}

void encodeQuery(Bytes& out, std::string_view sql) {
  const size_t at = beginFrame(out, fe::kQuery);
  appendCString(out, sql);
  endFrame(out, at);
}

void encodeSync(Bytes& out) { endFrame(out, beginFrame(out, fe::kSync)); }

void encodeTerminate(Bytes& out) { endFrame(out, beginFrame(out, fe::kTerminate)); }

// ------------------------------------------------------------------------------- backend side

void encodeAuthOk(Bytes& out) { encodeAuthCode(out, AuthCode::Ok, {}); }

void encodeAuthCleartext(Bytes& out) { encodeAuthCode(out, AuthCode::CleartextPassword, {}); }

void encodeAuthSasl(Bytes& out, std::span<const std::string_view> mechanisms) {
  const size_t at = beginFrame(out, be::kAuthentication);
  appendBe32(out, uint32_t(AuthCode::Sasl));
  for (std::string_view m : mechanisms) {
    if (m.empty() || m.front() == '\0') continue;  // an empty name would end the list early
    appendCString(out, m);
  }
  out.push_back(0);
  endFrame(out, at);
}

void encodeAuthSaslContinue(Bytes& out, std::string_view data) {
  encodeAuthCode(out, AuthCode::SaslContinue, data);
}

void encodeAuthSaslFinal(Bytes& out, std::string_view data) {
  encodeAuthCode(out, AuthCode::SaslFinal, data);
}

void encodeParameterStatus(Bytes& out, std::string_view name, std::string_view value) {
  const size_t at = beginFrame(out, be::kParameterStatus);
  appendCString(out, name);
  appendCString(out, value);
  endFrame(out, at);
}

void encodeBackendKeyData(Bytes& out, uint32_t pid, std::span<const uint8_t> secret) {
  const size_t at = beginFrame(out, be::kBackendKeyData);
  appendBe32(out, pid);
  appendBytes(out, secret);
  endFrame(out, at);
}

void encodeReadyForQuery(Bytes& out, uint8_t tx_status) {
  const size_t at = beginFrame(out, be::kReadyForQuery);
  out.push_back(tx_status);
  endFrame(out, at);
}

void encodeNegotiateProtocolVersion(Bytes& out, uint32_t newest_minor,
                                    std::span<const std::string> unsupported) {
  const size_t at = beginFrame(out, be::kNegotiateProtocolVersion);
  appendBe32(out, kProtocolMajor3 << 16 | (newest_minor & 0xffff));
  appendBe32(out, uint32_t(unsupported.size()));
  for (const auto& name : unsupported) appendCString(out, name);
  endFrame(out, at);
}

void encodeErrorResponse(Bytes& out, const ErrorSpec& e) {
  encodeErrorOrNotice(out, be::kErrorResponse, e);
}

void encodeNoticeResponse(Bytes& out, const ErrorSpec& e) {
  encodeErrorOrNotice(out, be::kNoticeResponse, e);
}

}  // namespace warden::dialect::postgres
