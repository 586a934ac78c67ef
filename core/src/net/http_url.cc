// core/src/net/http_url.cc
//! URL splitting for the HTTP client (RFC 3986 section 3, restricted to what a GET needs).
//! Strict on purpose: the target goes verbatim into the request line, so anything that could
//! change the request's framing (spaces, CR/LF, controls, non-ASCII) is rejected, not escaped.
#include <arpa/inet.h>

#include <cctype>
#include <string>

#include "warden/net/http_client.h"

namespace warden::net {

namespace {

constexpr size_t kMaxUrlBytes = 8192;
constexpr size_t kMaxHostBytes = 253;

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

bool isHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

Error urlError(std::string_view url, const std::string& why) {
  std::string shown(url.substr(0, 200));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return makeError("invalid URL '" + shown + "': " + why);
}

}  // namespace

std::string Url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (https ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::toString() const {
  return (https ? "https://" : "http://") + authority() + target;
}

Result<Url> parseUrl(std::string_view url) {
  if (url.size() > kMaxUrlBytes) return urlError(url, "longer than 8192 bytes");
  Url out;
  std::string_view rest;
  if (startsWithIgnoreCase(url, "https://")) {
    out.https = true;
    rest = url.substr(8);
  } else if (startsWithIgnoreCase(url, "http://")) {
    rest = url.substr(7);
  } else {
    return urlError(url, "only http:// and https:// URLs are supported");
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return urlError(url, "contains a space, control or non-ASCII byte (percent-encode it)");
    }
  }
  if (url.find('#') != std::string_view::npos) return urlError(url, "fragments are not allowed");

  size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return urlError(url, "user information (user@host) is not allowed");
  }

  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return urlError(url, "unterminated IPv6 address");
    std::string literal(authority.substr(1, close - 1));
    if (literal.find('%') != std::string::npos) {
      return urlError(url, "IPv6 zone identifiers are not supported");
    }
    unsigned char buf[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET6, literal.c_str(), buf) != 1) {
      return urlError(url, "invalid IPv6 address");
    }
    char canonical[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, buf, canonical, sizeof canonical);
    out.host = canonical;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return urlError(url, "unexpected text after the IPv6 address");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (host.empty()) return urlError(url, "missing host");
    if (host.size() > kMaxHostBytes) return urlError(url, "host name too long");
    for (char c : host) {
      if (!isHostChar(c)) return urlError(url, "invalid character in the host name");
    }
    out.host.reserve(host.size());
    for (char c : host) out.host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }

  if (has_port) {
    if (port_text.empty() || port_text.size() > 5) return urlError(url, "invalid port");
    unsigned long port = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return urlError(url, "invalid port");
      port = port * 10 + static_cast<unsigned long>(c - '0');
    }
    if (port == 0 || port > 65535) return urlError(url, "port out of range (1-65535)");
    out.port = static_cast<uint16_t>(port);
  } else {
    out.port = out.https ? 443 : 80;
  }

  if (target.empty()) {
    out.target = "/";
  } else if (target.front() == '?') {
    out.target = "/" + std::string(target);
  } else {
    out.target = std::string(target);
  }
  return out;
}

}  // namespace warden::net
