// plugins/audit_syslog/syslog_options.cc
#include "syslog_options.h"

#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

namespace warden::audit_syslog {
namespace {

using nlohmann::json;

// RFC 5424 §6.2.1 table 1 (names as in syslog.conf; 13-15 under their RFC descriptions).
constexpr std::array<std::string_view, 24> kFacilities = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "audit",  "alert",  "clock",
    "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7"};

constexpr std::array<std::string_view, 10> kKnownKeys = {
    "type",     "required", "address", "transport",         "facility",
    "app_name", "hostname", "timeout", "max_message_bytes", "oversize"};

bool fail(std::string& error, std::string message) {
  error = "syslog sink: " + std::move(message);
  return false;
}

//! "host:port" or "[v6]:port" → destination (resolved now; numeric port only).
bool resolveAddress(const std::string& text, Transport transport, Destination& out,
                    std::string& error) {
  std::string host, port;
  if (!text.empty() && text[0] == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return fail(error, "address '" + text + "': expected host:port or [ipv6]:port");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon)
      return fail(error, "address '" + text +
                             "': expected host:port or [ipv6]:port (IPv6 literals in brackets)");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned port_num = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), port_num);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      port_num == 0 || port_num > 65535)
    return fail(error, "address '" + text + "': expected host:port with a port in 1..65535");
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = transport == Transport::Tcp ? SOCK_STREAM : SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || !res)
    return fail(error, "address '" + text + "': cannot resolve '" + host +
                           "': " + (rc ? gai_strerror(rc) : "no address"));
  std::memcpy(&out.addr, res->ai_addr, res->ai_addrlen);
  out.addr_len = static_cast<socklen_t>(res->ai_addrlen);
  out.family = res->ai_family;
  out.text = text;
  freeaddrinfo(res);
  return true;
}

//! An integer option (JSON number, or the same digits as a string) within [lo, hi].
bool readInteger(const json& v, const char* key, long long lo, long long hi, long long& out,
                 std::string& error) {
  if (v.is_number_integer()) {
    out = v.get<long long>();
  } else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || end != s.data() + s.size())
      return fail(error, std::string(key) + ": expected an integer, got '" + s + "'");
  } else {
    return fail(error, std::string(key) + ": expected an integer");
  }
  if (out < lo || out > hi)
    return fail(error, std::string(key) + ": " + std::to_string(out) + " is out of range " +
                           std::to_string(lo) + ".." + std::to_string(hi));
  return true;
}

//! Milliseconds as an integer, "250ms" or "2s".
bool readTimeout(const json& v, std::chrono::milliseconds& out, std::string& error) {
  long long ms = 0;
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    long long scale = 1;
    if (s.size() > 2 && s.compare(s.size() - 2, 2, "ms") == 0) {
      s.resize(s.size() - 2);
    } else if (s.size() > 1 && s.back() == 's') {
      s.pop_back();
      scale = 1000;
    }
    long long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
      return fail(error, "timeout: expected milliseconds (2000), '250ms' or '2s'");
    ms = n * scale;
    if (ms < 1 || ms > 600000) return fail(error, "timeout: must be 1ms..600s");
  } else if (!readInteger(v, "timeout", 1, 600000, ms, error)) {
    return false;
  }
  out = std::chrono::milliseconds(ms);
  return true;
}

std::string defaultHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "-";
  std::string h(buf);
  return isPrintUsAscii(h, 255) ? h : "-";
}

}  // namespace

bool isPrintUsAscii(std::string_view s, size_t max_len) {
  if (s.empty() || s.size() > max_len) return false;
  for (unsigned char c : s)
    if (c < 33 || c > 126) return false;
  return true;
}

int facilityByName(std::string_view name) {
  for (size_t i = 0; i < kFacilities.size(); ++i)
    if (kFacilities[i] == name) return static_cast<int>(i);
  int n = -1;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  if (ec == std::errc() && end == name.data() + name.size() && n >= 0 && n <= 23) return n;
  return -1;
}

std::optional<SyslogOptions> parseOptions(std::string_view options_json, std::string& error) {
  json j = json::parse(options_json.begin(), options_json.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    fail(error, "options are not a JSON object");
    return std::nullopt;
  }
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto k : kKnownKeys) known = known || k == key;
    if (!known) {
      std::string list;
      for (auto k : kKnownKeys)
        if (k != "type" && k != "required") list += (list.empty() ? "" : ", ") + std::string(k);
      fail(error, "unknown option '" + key + "' (known: " + list + ")");
      return std::nullopt;
    }
  }
  auto str = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end()) return true;
    if (!it->is_string()) return fail(error, std::string(key) + ": expected a string");
    out = it->get<std::string>();
    return true;
  };
  SyslogOptions o;
  std::string transport = "udp", address, facility, oversize = "error";
  if (!str("transport", transport) || !str("address", address) || !str("oversize", oversize) ||
      !str("app_name", o.app_name))
    return std::nullopt;
  if (transport == "udp")
    o.transport = Transport::Udp;
  else if (transport == "tcp")
    o.transport = Transport::Tcp;
  else {
    fail(error, "transport: expected udp or tcp, got '" + transport + "'");
    return std::nullopt;
  }
  if (oversize == "error")
    o.oversize = Oversize::Error;
  else if (oversize == "truncate")
    o.oversize = Oversize::Truncate;
  else {
    fail(error, "oversize: expected error or truncate, got '" + oversize + "'");
    return std::nullopt;
  }
  if (auto it = j.find("facility"); it != j.end()) {
    long long n = -1;
    if (it->is_number_integer()) {
      if (!readInteger(*it, "facility", 0, 23, n, error)) return std::nullopt;
    } else if (it->is_string()) {
      n = facilityByName(it->get_ref<const std::string&>());
    }
    if (n < 0) {
      fail(error,
           "facility: expected kern, user, mail, daemon, auth, syslog, lpr, news, uucp, "
           "cron, authpriv, ftp, ntp, audit, alert, clock, local0..local7 or 0..23");
      return std::nullopt;
    }
    o.facility = static_cast<int>(n);
  }
  if (!isPrintUsAscii(o.app_name, 48)) {
    fail(error, "app_name: 1..48 printable ASCII characters without spaces (RFC 5424 APP-NAME)");
    return std::nullopt;
  }
  if (j.contains("hostname")) {
    if (!str("hostname", o.hostname)) return std::nullopt;
    if (!isPrintUsAscii(o.hostname, 255)) {
      fail(error, "hostname: 1..255 printable ASCII characters without spaces (RFC 5424 HOSTNAME)");
      return std::nullopt;
    }
  } else {
    o.hostname = defaultHostname();
  }
  if (auto it = j.find("timeout"); it != j.end() && !readTimeout(*it, o.timeout, error))
    return std::nullopt;
  o.max_message_bytes = o.transport == Transport::Udp ? kDefaultUdpMaxMessage : 0;
  if (auto it = j.find("max_message_bytes"); it != j.end()) {
    long long hi =
        o.transport == Transport::Udp ? static_cast<long long>(kMaxUdpPayload) : (1ll << 30);
    long long n = 0;
    if (!readInteger(*it, "max_message_bytes", kMinMessageBytes, hi, n, error)) return std::nullopt;
    o.max_message_bytes = static_cast<size_t>(n);
  }
  if (address.empty()) {
    fail(error, "address: required (host:port or [ipv6]:port, e.g. 127.0.0.1:514)");
    return std::nullopt;
  }
  if (!resolveAddress(address, o.transport, o.destination, error)) return std::nullopt;
  return o;
}

}  // namespace warden::audit_syslog
