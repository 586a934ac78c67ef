// dialects/postgres/protocol/backend_messages.cc
//! Decoders for messages a server (backend) sends that Warden must understand: authentication
//! requests, session parameters, the cancel key, ReadyForQuery, errors/notices and protocol
//! version negotiation (https://www.postgresql.org/docs/15/protocol-message-formats.html).
#include <string>

#include "protocol/body_cursor.h"
#include "protocol/messages.h"

namespace warden::dialect::postgres {

namespace {

Error bad(const char* what, const char* why) {
  return makeError(std::string("malformed ") + what + ": " + why);
}

}  // namespace

Result<AuthRequest> decodeAuthentication(std::span<const uint8_t> body) {
  BodyCursor c(body);
  uint32_t code = 0;
  if (!c.u32(code)) return bad("Authentication", "missing request code");
  AuthRequest r;
  r.code = AuthCode(code);
  switch (r.code) {
    case AuthCode::Ok:
    case AuthCode::KerberosV5:
    case AuthCode::CleartextPassword:
    case AuthCode::Gss:
    case AuthCode::Sspi:
      if (!c.atEnd()) return bad("Authentication", "unexpected data after the request code");
      return r;
    case AuthCode::Md5Password:
      if (c.remaining() != 4) return bad("Authentication", "MD5 salt must be 4 bytes");
      r.data = c.rest();
      return r;
    case AuthCode::GssContinue:
    case AuthCode::SaslContinue:
    case AuthCode::SaslFinal:
      r.data = c.rest();
      return r;
    case AuthCode::Sasl:
      for (;;) {
        std::string_view name;
        if (!c.cstring(name)) return bad("AuthenticationSASL", "mechanism list not terminated");
        if (name.empty()) break;
        r.mechanisms.push_back(name);
      }
      if (!c.atEnd()) return bad("AuthenticationSASL", "bytes after the mechanism list");
      if (r.mechanisms.empty()) return bad("AuthenticationSASL", "no mechanism offered");
      return r;
  }
  return makeError("unsupported authentication request code " + std::to_string(code));
}

Result<ParameterStatus> decodeParameterStatus(std::span<const uint8_t> body) {
  BodyCursor c(body);
  ParameterStatus m;
  if (!c.cstring(m.name)) return bad("ParameterStatus", "name not terminated");
  if (m.name.empty()) return bad("ParameterStatus", "empty name");
  if (!c.cstring(m.value)) return bad("ParameterStatus", "value not terminated");
  if (!c.atEnd()) return bad("ParameterStatus", "trailing bytes after the value");
  return m;
}

Result<BackendKeyData> decodeBackendKeyData(std::span<const uint8_t> body) {
  BodyCursor c(body);
  BackendKeyData m;
  if (!c.u32(m.pid)) return bad("BackendKeyData", "missing process id");
  if (c.remaining() < 4 || c.remaining() > kMaxCancelSecret) {
    return bad("BackendKeyData", "secret key must be 4..256 bytes");
  }
  m.secret = c.rest();
  return m;
}

Result<uint8_t> decodeReadyForQuery(std::span<const uint8_t> body) {
  if (body.size() != 1) return bad("ReadyForQuery", "body must be exactly 1 byte");
  const uint8_t s = body[0];
  if (s != kTxIdle && s != kTxInBlock && s != kTxFailed) {
    return bad("ReadyForQuery", "transaction status must be 'I', 'T' or 'E'");
  }
  return s;
}

std::string_view ErrorFields::get(uint8_t code) const {
  for (const auto& [c, v] : fields) {
    if (c == code) return v;
  }
  return {};
}

Result<ErrorFields> decodeErrorFields(std::span<const uint8_t> body) {
  BodyCursor c(body);
  ErrorFields m;
  for (;;) {
    uint8_t code = 0;
    if (!c.u8(code)) return bad("ErrorResponse", "field list not terminated");
    if (code == 0) break;
    std::string_view value;
    if (!c.cstring(value)) return bad("ErrorResponse", "field value not terminated");
    m.fields.emplace_back(code, value);
  }
  if (!c.atEnd()) return bad("ErrorResponse", "bytes after the field list terminator");
  return m;
}

Result<NegotiateProtocolVersion> decodeNegotiateProtocolVersion(std::span<const uint8_t> body) {
  BodyCursor c(body);
  NegotiateProtocolVersion m;
  uint32_t n = 0;
  uint32_t version = 0;
  if (!c.u32(version)) return bad("NegotiateProtocolVersion", "missing newest version");
  if ((version >> 16) != kProtocolMajor3 && (version >> 16) != 0) {
    return bad("NegotiateProtocolVersion", "newest version is not protocol 3.x");
  }
  m.newest_minor = version & 0xffff;
  if (!c.u32(n)) return bad("NegotiateProtocolVersion", "missing option count");
  // Each name takes at least its NUL: a count beyond the bytes left can never be satisfied
  // (and must not drive a huge reserve()).
  if (n > c.remaining()) return bad("NegotiateProtocolVersion", "option count exceeds body");
  m.unsupported.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    std::string_view name;
    if (!c.cstring(name)) return bad("NegotiateProtocolVersion", "option name not terminated");
    m.unsupported.push_back(name);
  }
  if (!c.atEnd()) return bad("NegotiateProtocolVersion", "trailing bytes after the options");
  return m;
}

}  // namespace warden::dialect::postgres
