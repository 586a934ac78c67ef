// plugins/audit_syslog/syslog_message.h
//! RFC 5424 messages from audit record lines, and RFC 6587 octet-counting frames. Pure: bytes
//! in, bytes out.
//!
//!   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [warden@32473 seq="N" event="E" action="A"]
//!   BOM MSG
//!
//! TIMESTAMP is the record's ts, MSGID its event, MSG the record line itself (UTF-8 with the
//! BOM, RFC 5424 §6.4). Severity (§6.2.1): notice for a refused login (event auth, decision
//! deny), warning for any other decision deny* / require_approval*, info otherwise.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace warden::audit_syslog {

//! Our private enterprise number for SD-IDs (RFC 5424 §7.2.2 "name@<private enterprise
//! number>"): 32473 is the number IANA reserves for documentation (RFC 5612).
inline constexpr std::string_view kSdId = "warden@32473";

enum Severity : int { kWarning = 4, kNotice = 5, kInfo = 6 };

struct MessageHeader {
  int facility = 16;
  std::string_view hostname;  //!< checked PRINTUSASCII or "-"
  std::string_view app_name;
  long procid = 0;
};

//! What the message carries of one record (parsed from its line).
struct RecordFields {
  bool parsed = false;  //!< false: the line is not a JSON object (sent with NILVALUE fields)
  std::string seq;      //!< decimal; empty when absent
  std::string ts;
  std::string event;
  std::string action;  //!< decision.action; empty when absent
};

RecordFields parseRecordLine(std::string_view line);
int severityOf(const RecordFields& r);

//! Appends the RFC 5424 §6.3.3 PARAM-VALUE escaping of `v` ('"', '\' and ']' get a '\').
void appendSdValue(std::string& out, std::string_view v);

enum class BuildStatus { Ok, Truncated, TooLarge };

//! Builds the message for `line` into `out` (replacing its contents). With max_bytes > 0 and
//! the message larger: TooLarge (out unspecified) unless `truncate`, in which case MSG is cut
//! at a UTF-8 character boundary so the whole message fits, the SD element gains
//! truncated="<full record bytes>", and Truncated is returned.
BuildStatus buildMessage(const MessageHeader& h, std::string_view line, size_t max_bytes,
                         bool truncate, std::string& out);

//! RFC 6587 §3.4.1 octet counting: appends "LEN SP MSG".
void appendOctetCounted(std::string& out, std::string_view msg);

}  // namespace warden::audit_syslog
