// dialects/postgres/protocol/constants.h
//! PostgreSQL frontend/backend protocol 3.x constants.
//! https://www.postgresql.org/docs/15/protocol-message-formats.html
#pragma once

#include <cstdint>

namespace warden::dialect::postgres {

constexpr uint32_t kProtocolMajor3 = 3;
constexpr uint32_t kProtocolV30 = 196608;            // 3 << 16
constexpr uint32_t kCancelRequestCode = 80877102;    // 1234 << 16 | 5678
constexpr uint32_t kSslRequestCode = 80877103;       // 1234 << 16 | 5679
constexpr uint32_t kGssEncRequestCode = 80877104;    // 1234 << 16 | 5680
constexpr uint32_t kMaxStartupPacket = 10000;        // same limit as the server (MAX_STARTUP_PACKET_LENGTH)
constexpr uint32_t kMaxCancelSecret = 256;
constexpr uint32_t kMaxAuthMessage = 65535;          // as the server's PG_MAX_AUTH_TOKEN_LENGTH           // protocol 3.2 allows up to 256 bytes

// Frontend (client → server) message types.
namespace fe {
constexpr uint8_t kBind = 'B', kClose = 'C', kCopyData = 'd', kCopyDone = 'c', kCopyFail = 'f',
                  kDescribe = 'D', kExecute = 'E', kFlush = 'H', kFunctionCall = 'F',
                  kParse = 'P', kPassword = 'p',  // also SASLInitialResponse / SASLResponse / GSS
                  kQuery = 'Q', kSync = 'S', kTerminate = 'X';
}  // namespace fe

// Backend (server → client) message types.
namespace be {
constexpr uint8_t kAuthentication = 'R', kBackendKeyData = 'K', kBindComplete = '2',
                  kCloseComplete = '3', kCommandComplete = 'C', kCopyData = 'd', kCopyDone = 'c',
                  kCopyInResponse = 'G', kCopyOutResponse = 'H', kCopyBothResponse = 'W',
                  kDataRow = 'D', kEmptyQueryResponse = 'I', kErrorResponse = 'E',
                  kFunctionCallResponse = 'V', kNegotiateProtocolVersion = 'v', kNoData = 'n',
                  kNoticeResponse = 'N', kNotificationResponse = 'A',
                  kParameterDescription = 't', kParameterStatus = 'S', kParseComplete = '1',
                  kPortalSuspended = 's', kReadyForQuery = 'Z', kRowDescription = 'T';
}  // namespace be

// Authentication request codes ('R' message, first int32).
enum class AuthCode : uint32_t {
  Ok = 0, KerberosV5 = 2, CleartextPassword = 3, Md5Password = 5, Gss = 7, GssContinue = 8,
  Sspi = 9, Sasl = 10, SaslContinue = 11, SaslFinal = 12,
};

// Transaction status in ReadyForQuery.
constexpr uint8_t kTxIdle = 'I', kTxInBlock = 'T', kTxFailed = 'E';

// SQLSTATEs Warden uses (SPEC.md "Errors returned to clients").
namespace sqlstate {
constexpr const char* kInsufficientPrivilege = "42501";   // denied by rule / approval / unparsed
constexpr const char* kInvalidPassword = "28P01";         // login failed
constexpr const char* kInvalidAuthSpec = "28000";         // e.g. TLS required, unknown method
constexpr const char* kConnectionFailure = "08006";       // backend unavailable
constexpr const char* kProtocolViolation = "08P01";
constexpr const char* kFeatureNotSupported = "0A000";
constexpr const char* kInvalidCatalogName = "3D000";
constexpr const char* kAdminShutdown = "57P01";
constexpr const char* kTooManyConnections = "53300";
}  // namespace sqlstate

}  // namespace warden::dialect::postgres
