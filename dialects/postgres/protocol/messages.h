// dialects/postgres/protocol/messages.h
//! Pure decoders (body bytes → struct) and encoders (struct → appended frame bytes) for the
//! messages Warden reads or writes. Decoders validate every length and terminator and return an
//! error instead of reading past the body. No allocation beyond the returned values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "constants.h"
#include "warden/base/byte_io.h"
#include "warden/base/result.h"

namespace warden::dialect::postgres {

// ---------------------------------------------------------------- startup phase (frontend)
struct StartupMessage {
  uint16_t major = 3, minor = 0;
  std::vector<std::pair<std::string, std::string>> params;  // in order; "user", "database", ...
  const std::string* find(std::string_view key) const;
};
//! `payload` = bytes after the length word (starting with the protocol version code).
Result<StartupMessage> decodeStartupMessage(std::span<const uint8_t> payload);

struct CancelRequest {
  uint32_t pid = 0;
  std::vector<uint8_t> secret;  // 4 bytes in 3.0; up to 256 in 3.2
};
Result<CancelRequest> decodeCancelRequest(std::span<const uint8_t> payload);

// ---------------------------------------------------------------- frontend typed messages (bodies)
Result<std::string_view> decodeQuery(std::span<const uint8_t> body);            // 'Q'
struct ParseMessage { std::string_view name, query; std::vector<uint32_t> param_types; };
Result<ParseMessage> decodeParse(std::span<const uint8_t> body);                // 'P'
struct CloseOrDescribe { uint8_t kind = 'S'; std::string_view name; };          // 'C' / 'D'
Result<CloseOrDescribe> decodeCloseOrDescribe(std::span<const uint8_t> body);
struct BindHead { std::string_view portal, statement; };                        // 'B' (names only)
Result<BindHead> decodeBindHead(std::span<const uint8_t> body);
Result<std::string_view> decodePasswordMessage(std::span<const uint8_t> body);  // 'p' cleartext
struct SaslInitialResponse { std::string_view mechanism; std::optional<std::string_view> data; };
Result<SaslInitialResponse> decodeSaslInitialResponse(std::span<const uint8_t> body);  // 'p'
//! SASLResponse body is the raw SASL data.

// ---------------------------------------------------------------- backend typed messages (bodies)
struct AuthRequest {
  AuthCode code = AuthCode::Ok;
  std::span<const uint8_t> data;            // MD5: 4-byte salt; SASLContinue/Final: SASL data
  std::vector<std::string_view> mechanisms; // SASL: offered mechanisms
};
Result<AuthRequest> decodeAuthentication(std::span<const uint8_t> body);       // 'R'
struct ParameterStatus { std::string_view name, value; };
Result<ParameterStatus> decodeParameterStatus(std::span<const uint8_t> body);  // 'S'
struct BackendKeyData { uint32_t pid = 0; std::span<const uint8_t> secret; };
Result<BackendKeyData> decodeBackendKeyData(std::span<const uint8_t> body);    // 'K'
Result<uint8_t> decodeReadyForQuery(std::span<const uint8_t> body);            // 'Z' → 'I'/'T'/'E'
struct ErrorFields {                                                           // 'E' / 'N'
  std::vector<std::pair<uint8_t, std::string_view>> fields;
  std::string_view get(uint8_t code) const;  // 'S','V','C','M','D','H',...
};
Result<ErrorFields> decodeErrorFields(std::span<const uint8_t> body);
//! On the wire the "newest minor" word is the full version code (3 << 16 | minor): PostgreSQL
//! sends PG_PROTOCOL_LATEST and libpq reads it as a version. The codec converts: `newest_minor`
//! is the minor number alone; the decoder also accepts a bare minor (< 65536) from servers that
//! follow the docs literally, and rejects any other major.
struct NegotiateProtocolVersion { uint32_t newest_minor = 0; std::vector<std::string_view> unsupported; };
Result<NegotiateProtocolVersion> decodeNegotiateProtocolVersion(std::span<const uint8_t> body);  // 'v'

// ---------------------------------------------------------------- encoders (append whole frames)
// Frontend side (Warden as a client of the backend).
void encodeStartupMessage(Bytes& out, const StartupMessage& m);
void encodeSslRequest(Bytes& out);
void encodeCancelRequest(Bytes& out, uint32_t pid, std::span<const uint8_t> secret);
void encodePasswordMessage(Bytes& out, std::string_view password);   // cleartext or "md5..."
void encodeSaslInitialResponse(Bytes& out, std::string_view mechanism, std::string_view data);
void encodeSaslResponse(Bytes& out, std::string_view data);
void encodeQuery(Bytes& out, std::string_view sql);
void encodeSync(Bytes& out);
void encodeTerminate(Bytes& out);

// Backend side (Warden as the server its clients see).
void encodeAuthOk(Bytes& out);
void encodeAuthCleartext(Bytes& out);
void encodeAuthSasl(Bytes& out, std::span<const std::string_view> mechanisms);
void encodeAuthSaslContinue(Bytes& out, std::string_view data);
void encodeAuthSaslFinal(Bytes& out, std::string_view data);
void encodeParameterStatus(Bytes& out, std::string_view name, std::string_view value);
void encodeBackendKeyData(Bytes& out, uint32_t pid, std::span<const uint8_t> secret);
void encodeReadyForQuery(Bytes& out, uint8_t tx_status);
//! Writes 3 << 16 | newest_minor (see NegotiateProtocolVersion).
void encodeNegotiateProtocolVersion(Bytes& out, uint32_t newest_minor,
                                    std::span<const std::string> unsupported);
//! ErrorResponse (or NoticeResponse when `notice`) with S, V (severity), C, M and optional
//! D (detail) / H (hint) fields. `message` is sent as is (callers add the "warden: " prefix).
struct ErrorSpec {
  std::string_view severity = "ERROR";  // ERROR | FATAL | NOTICE | WARNING ...
  std::string_view sqlstate;
  std::string_view message;
  std::string_view detail;
  std::string_view hint;
};
void encodeErrorResponse(Bytes& out, const ErrorSpec& e);
void encodeNoticeResponse(Bytes& out, const ErrorSpec& e);

}  // namespace warden::dialect::postgres
