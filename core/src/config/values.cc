// core/src/config/values.cc
#include "values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace warden::config::detail {
namespace {

constexpr int64_t kMaxDurationMs = int64_t{10} * 366 * 24 * 3600 * 1000;  // ~10 years

bool isDigit(char c) { return c >= '0' && c <= '9'; }

//! Digits only, no sign, bounded; nullopt on overflow past `max`.
std::optional<int64_t> parseDigits(std::string_view text, int64_t max) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (!isDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > max) return std::nullopt;
  }
  return value;
}

bool isIpv4Literal(std::string_view host) {
  in_addr addr{};
  std::string h(host);
  return inet_pton(AF_INET, h.c_str(), &addr) == 1;
}

bool isHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<std::chrono::milliseconds> parseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (auto secs = parseDigits(text, kMaxDurationMs / 1000)) {
    return std::chrono::milliseconds(*secs * 1000);
  }
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && isDigit(text[i])) ++i;
    auto number = parseDigits(text.substr(start, i - start), kMaxDurationMs);
    if (!number) return std::nullopt;
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(unit_start, i - unit_start);
    int64_t scale = 0;
    if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m") {
      scale = 60 * 1000;
    } else if (unit == "h") {
      scale = 3600 * 1000;
    } else {
      return std::nullopt;
    }
    if (*number > (kMaxDurationMs - total) / scale) return std::nullopt;
    total += *number * scale;
  }
  return std::chrono::milliseconds(total);
}

std::optional<ListenAddress> parseListen(std::string_view text, std::string* why) {
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      *why = "missing ']' after the IPv6 address";
      return std::nullopt;
    }
    out.host = std::string(text.substr(1, close - 1));
    in6_addr addr{};
    if (out.host.empty() || inet_pton(AF_INET6, out.host.c_str(), &addr) != 1) {
      *why = "'" + out.host + "' is not an IPv6 address";
      return std::nullopt;
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      *why = "expected ':PORT' after ']'";
      return std::nullopt;
    }
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      *why = "expected HOST:PORT";
      return std::nullopt;
    }
    std::string_view host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) {
      *why = "IPv6 addresses must be written in brackets, e.g. [::1]:6432";
      return std::nullopt;
    }
    if (host.empty()) {
      *why = "missing host (use 0.0.0.0 for all IPv4 interfaces)";
      return std::nullopt;
    }
    if (!std::all_of(host.begin(), host.end(), isHostChar)) {
      *why = "'" + std::string(host) + "' is not a valid host name or address";
      return std::nullopt;
    }
    out.host = lower(host);
    port_text = text.substr(colon + 1);
  }
  auto port = parseDigits(port_text, 65535);
  if (!port || *port == 0) {
    *why = "port must be a number 1..65535";
    return std::nullopt;
  }
  out.port = static_cast<uint16_t>(*port);
  return out;
}

bool listenConflicts(const ListenAddress& a, const ListenAddress& b) {
  if (a.port != b.port) return false;
  if (a.host == b.host) return true;
  // "::" is dual-stack by default on Linux: it takes the port on every address.
  if (a.host == "::" || b.host == "::") return true;
  bool a_v4 = isIpv4Literal(a.host) || a.host == "localhost";
  bool b_v4 = isIpv4Literal(b.host) || b.host == "localhost";
  if (a.host == "0.0.0.0" && b_v4) return true;
  if (b.host == "0.0.0.0" && a_v4) return true;
  return false;
}

size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace warden::config::detail
