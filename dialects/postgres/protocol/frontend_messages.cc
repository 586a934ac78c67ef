// dialects/postgres/protocol/frontend_messages.cc
//! Decoders for messages a client (frontend) sends: the startup-phase packets and the typed
//! messages the session inspects. Strict: every string must be NUL-terminated inside the body and
//! exact formats reject trailing bytes, matching what the server itself accepts
//! (https://www.postgresql.org/docs/15/protocol-message-formats.html).
#include <string>

#include "protocol/body_cursor.h"
#include "protocol/messages.h"

namespace warden::dialect::postgres {

namespace {

Error bad(const char* what, const char* why) {
  return makeError(std::string("malformed ") + what + ": " + why);
}

//! A body that is exactly one C string (Query, cleartext PasswordMessage).
Result<std::string_view> singleCString(std::span<const uint8_t> body, const char* what) {
  BodyCursor c(body);
  std::string_view s;
  if (!c.cstring(s)) return bad(what, "missing string terminator");
  if (!c.atEnd()) return bad(what, "trailing bytes after the string");
  return s;
}

}  // namespace

const std::string* StartupMessage::find(std::string_view key) const {
  for (const auto& [k, v] : params) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<StartupMessage> decodeStartupMessage(std::span<const uint8_t> payload) {
  BodyCursor c(payload);
  uint32_t code = 0;
  if (!c.u32(code)) return bad("StartupMessage", "too short for a protocol version");
  StartupMessage m;
  m.major = uint16_t(code >> 16);
  m.minor = uint16_t(code & 0xffff);
  if (m.major != kProtocolMajor3) {
    return makeError("unsupported frontend protocol " + std::to_string(m.major) + "." +
                     std::to_string(m.minor));
  }
  for (;;) {
    std::string_view key, value;
    if (!c.cstring(key)) return bad("StartupMessage", "missing parameter list terminator");
    if (key.empty()) break;  // the final NUL
    if (!c.cstring(value)) return bad("StartupMessage", "parameter value not terminated");
    for (const auto& p : m.params) {
      if (p.first == key) return bad("StartupMessage", "duplicate parameter");
    }
    m.params.emplace_back(std::string(key), std::string(value));
  }
  if (!c.atEnd()) return bad("StartupMessage", "bytes after the parameter list terminator");
  return m;
}

Result<CancelRequest> decodeCancelRequest(std::span<const uint8_t> payload) {
  BodyCursor c(payload);
  uint32_t code = 0;
  CancelRequest r;
  if (!c.u32(code) || code != kCancelRequestCode) return bad("CancelRequest", "wrong code");
  if (!c.u32(r.pid)) return bad("CancelRequest", "missing process id");
  const size_t n = c.remaining();
  if (n < 4 || n > kMaxCancelSecret) return bad("CancelRequest", "secret key must be 4..256 bytes");
  auto secret = c.rest();
  r.secret.assign(secret.begin(), secret.end());
  return r;
}

Result<std::string_view> decodeQuery(std::span<const uint8_t> body) {
  return singleCString(body, "Query");
}

Result<ParseMessage> decodeParse(std::span<const uint8_t> body) {
  BodyCursor c(body);
  ParseMessage m;
  uint16_t n = 0;
  if (!c.cstring(m.name)) return bad("Parse", "statement name not terminated");
  if (!c.cstring(m.query)) return bad("Parse", "query not terminated");
  if (!c.u16(n)) return bad("Parse", "missing parameter type count");
  if (c.remaining() != size_t(n) * 4) return bad("Parse", "parameter type count mismatch");
  m.param_types.resize(n);
  for (auto& oid : m.param_types) (void)c.u32(oid);
  return m;
}

Result<CloseOrDescribe> decodeCloseOrDescribe(std::span<const uint8_t> body) {
  BodyCursor c(body);
  CloseOrDescribe m;
  if (!c.u8(m.kind) || (m.kind != 'S' && m.kind != 'P')) {
    return bad("Close/Describe", "target must be 'S' or 'P'");
  }
  if (!c.cstring(m.name)) return bad("Close/Describe", "name not terminated");
  if (!c.atEnd()) return bad("Close/Describe", "trailing bytes after the name");
  return m;
}

Result<BindHead> decodeBindHead(std::span<const uint8_t> body) {
  BodyCursor c(body);
  BindHead m;
  if (!c.cstring(m.portal)) return bad("Bind", "portal name not terminated");
  if (!c.cstring(m.statement)) return bad("Bind", "statement name not terminated");
  return m;  // formats, parameters and result formats are relayed untouched
}

Result<std::string_view> decodePasswordMessage(std::span<const uint8_t> body) {
  return singleCString(body, "PasswordMessage");
}

Result<SaslInitialResponse> decodeSaslInitialResponse(std::span<const uint8_t> body) {
  BodyCursor c(body);
  SaslInitialResponse m;
  uint32_t len = 0;
  if (!c.cstring(m.mechanism)) return bad("SASLInitialResponse", "mechanism not terminated");
  if (m.mechanism.empty()) return bad("SASLInitialResponse", "empty mechanism name");
  if (!c.u32(len)) return bad("SASLInitialResponse", "missing data length");
  if (len == 0xffffffffu) {
    if (!c.atEnd()) return bad("SASLInitialResponse", "bytes after absent data");
    return m;
  }
  if (c.remaining() != len) return bad("SASLInitialResponse", "data length mismatch");
  m.data = asStringView(c.rest());
  return m;
}

}  // namespace warden::dialect::postgres
