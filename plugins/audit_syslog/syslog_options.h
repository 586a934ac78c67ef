// plugins/audit_syslog/syslog_options.h
//! The syslog sink's options: one audit.sinks entry as JSON (plugins/README.md "Audit sink
//! plugins" documents each key). Parsing is pure apart from the address lookup, which happens
//! once here, at creation (start-up), so the writer thread never waits on DNS.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace warden::audit_syslog {

enum class Transport { Udp, Tcp };
//! What to do with a record whose message exceeds max_message_bytes.
enum class Oversize { Error, Truncate };

struct Destination {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  int family = 0;
  std::string text;  //!< the `address` option as written, for messages
};

struct SyslogOptions {
  Destination destination;
  Transport transport = Transport::Udp;
  int facility = 16;  //!< local0
  std::string app_name = "warden";
  std::string hostname;  //!< already checked (PRINTUSASCII, <= 255) or "-"
  std::chrono::milliseconds timeout{2000};
  size_t max_message_bytes = 0;  //!< 0: no limit (TCP default); UDP default 8192
  Oversize oversize = Oversize::Error;
};

//! Largest UDP payload over IPv4 (65535 - 8 UDP - 20 IP header bytes).
constexpr size_t kMaxUdpPayload = 65507;
constexpr size_t kDefaultUdpMaxMessage = 8192;
//! RFC 5424 §6.1: every receiver accepts 480 octets; a smaller limit could not carry a header.
constexpr size_t kMinMessageBytes = 480;

//! Parses `options_json` (the whole audit.sinks entry, "type" and "required" included). On
//! failure returns nullopt with `error` naming the key and what is expected.
std::optional<SyslogOptions> parseOptions(std::string_view options_json, std::string& error);

//! "kern".."local7" or a number 0..23 as text; -1 when unknown.
int facilityByName(std::string_view name);

//! True for RFC 5424 PRINTUSASCII (%d33-126) text of 1..max_len bytes.
bool isPrintUsAscii(std::string_view s, size_t max_len);

}  // namespace warden::audit_syslog
