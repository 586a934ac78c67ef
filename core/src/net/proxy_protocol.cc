// core/src/net/proxy_protocol.cc
//! PROXY protocol v1/v2 decoder. Every check looks only at bytes already present, so a verdict
//! (Complete or Invalid) never changes when more bytes arrive; NeedMore means "every byte so far
//! is consistent with a valid header". Spec section numbers refer to HAProxy's
//! doc/proxy-protocol.txt.
#include "warden/net/proxy_protocol.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "warden/base/byte_io.h"

namespace warden::net {

namespace {

constexpr std::string_view kV1Signature = "PROXY ";
// Section 2.2: "\r\n\r\n\0\r\nQUIT\n".
constexpr std::array<uint8_t, 12> kV2Signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                   0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
constexpr uint8_t kV2CommandLocal = 0x0;
constexpr uint8_t kV2CommandProxy = 0x1;
constexpr uint8_t kV2FamilyUnspec = 0x00;
constexpr uint8_t kV2FamilyTcp4 = 0x11;
constexpr uint8_t kV2FamilyUdp4 = 0x12;
constexpr uint8_t kV2FamilyTcp6 = 0x21;
constexpr uint8_t kV2FamilyUdp6 = 0x22;
constexpr uint8_t kV2FamilyUnixStream = 0x31;
constexpr uint8_t kV2FamilyUnixDgram = 0x32;
// Address block sizes (section 2.2): two addresses then two 16-bit ports; UNIX: two 108-byte
// paths.
constexpr size_t kV2Inet4Block = 4 + 4 + 2 + 2;
constexpr size_t kV2Inet6Block = 16 + 16 + 2 + 2;
constexpr size_t kV2UnixBlock = 108 + 108;
constexpr size_t kV2TlvHeader = 3;  // type (1) + length (2)

ProxyParse fail(std::string& error, const char* message) {
  error = message;
  return ProxyParse::Invalid;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

//! Strict unsigned decimal: 1..max_digits digits, no sign, no leading zero unless the number is
//! "0" itself, value <= max.
bool parseDecimal(std::string_view s, size_t max_digits, uint32_t max, uint32_t& out) {
  if (s.empty() || s.size() > max_digits) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  uint32_t value = 0;
  for (char c : s) {
    if (!isDigit(c)) return false;
    value = value * 10 + uint32_t(c - '0');  // max_digits <= 5: no overflow
  }
  if (value > max) return false;
  out = value;
  return true;
}

//! Exactly four dot-separated decimal octets (section 2.1).
bool parseIpv4(std::string_view s, std::array<uint8_t, 4>& out) {
  for (size_t i = 0; i < 4; ++i) {
    size_t dot = s.find('.');
    if (i < 3 && dot == std::string_view::npos) return false;
    if (i == 3 && dot != std::string_view::npos) return false;
    uint32_t octet = 0;
    if (!parseDecimal(s.substr(0, dot), 3, 255, octet)) return false;
    out[i] = uint8_t(octet);
    if (i < 3) s.remove_prefix(dot + 1);
  }
  return true;
}

bool parseIpv6(std::string_view s, std::array<uint8_t, 16>& out) {
  char text[INET6_ADDRSTRLEN];
  if (s.empty() || s.size() >= sizeof(text)) return false;
  std::memcpy(text, s.data(), s.size());
  text[s.size()] = '\0';
  return inet_pton(AF_INET6, text, out.data()) == 1;
}

void formatIpv4(const uint8_t* addr, uint16_t port, std::string& out) {
  char text[32];
  int n = std::snprintf(text, sizeof(text), "%u.%u.%u.%u:%u", addr[0], addr[1], addr[2], addr[3],
                        unsigned(port));
  out.assign(text, size_t(n));
}

void formatIpv6(const uint8_t* addr, uint16_t port, std::string& out) {
  char ip[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, addr, ip, sizeof(ip)) == nullptr) ip[0] = '\0';  // cannot happen
  char text[INET6_ADDRSTRLEN + 16];
  int n = std::snprintf(text, sizeof(text), "[%s]:%u", ip, unsigned(port));
  out.assign(text, size_t(n));
}

//! Section 2.1 after the CRLF was found: `line` is the whole line without CRLF.
ProxyParse parseV1Line(std::string_view line, ProxyHeader& out, std::string& error) {
  line.remove_prefix(kV1Signature.size());
  size_t space = line.find(' ');
  std::string_view proto = line.substr(0, space);
  if (proto == "UNKNOWN") {
    // "the receiver must ignore anything presented before the CRLF is found".
    out.local = true;
    return ProxyParse::Complete;
  }
  bool v4 = proto == "TCP4";
  if (!v4 && proto != "TCP6") return fail(error, "PROXY v1: protocol is not TCP4, TCP6 or UNKNOWN");
  if (space == std::string_view::npos) return fail(error, "PROXY v1: missing addresses");
  line.remove_prefix(space + 1);

  // src dst sport dport, exactly one space between them, nothing after.
  std::array<std::string_view, 4> fields;
  for (size_t i = 0; i < fields.size(); ++i) {
    space = line.find(' ');
    if (i + 1 < fields.size() && space == std::string_view::npos) {
      return fail(error, "PROXY v1: missing fields");
    }
    if (i + 1 == fields.size() && space != std::string_view::npos) {
      return fail(error, "PROXY v1: extra fields after the destination port");
    }
    fields[i] = line.substr(0, space);
    if (fields[i].empty()) return fail(error, "PROXY v1: empty field (one space between fields)");
    if (space != std::string_view::npos) line.remove_prefix(space + 1);
  }

  uint32_t src_port = 0;
  uint32_t dst_port = 0;
  if (!parseDecimal(fields[2], 5, 65535, src_port)) {
    return fail(error, "PROXY v1: source port is not a decimal 0..65535 without leading zeros");
  }
  if (!parseDecimal(fields[3], 5, 65535, dst_port)) {
    return fail(error,
                "PROXY v1: destination port is not a decimal 0..65535 without leading zeros");
  }
  if (v4) {
    std::array<uint8_t, 4> src{};
    std::array<uint8_t, 4> dst{};
    if (!parseIpv4(fields[0], src)) return fail(error, "PROXY v1: invalid TCP4 source address");
    if (!parseIpv4(fields[1], dst)) {
      return fail(error, "PROXY v1: invalid TCP4 destination address");
    }
    formatIpv4(src.data(), uint16_t(src_port), out.source);
    formatIpv4(dst.data(), uint16_t(dst_port), out.destination);
  } else {
    std::array<uint8_t, 16> src{};
    std::array<uint8_t, 16> dst{};
    if (!parseIpv6(fields[0], src)) return fail(error, "PROXY v1: invalid TCP6 source address");
    if (!parseIpv6(fields[1], dst)) {
      return fail(error, "PROXY v1: invalid TCP6 destination address");
    }
    formatIpv6(src.data(), uint16_t(src_port), out.source);
    formatIpv6(dst.data(), uint16_t(dst_port), out.destination);
  }
  return ProxyParse::Complete;
}

ProxyParse parseV1(std::span<const uint8_t> data, ProxyHeader& out, std::string& error) {
  out.version = 1;
  // The signature prefix was checked by the caller; find CRLF within the first 107 bytes.
  size_t limit = std::min(data.size(), kProxyV1MaxLength);
  for (size_t i = kV1Signature.size(); i < limit; ++i) {
    uint8_t c = data[i];
    if (c == '\r') {
      if (i + 1 >= kProxyV1MaxLength) return fail(error, "PROXY v1: line longer than 107 bytes");
      if (i + 1 == data.size()) return ProxyParse::NeedMore;
      if (data[i + 1] != '\n') return fail(error, "PROXY v1: CR not followed by LF");
      out.length = i + 2;
      return parseV1Line(asStringView(data.first(i)), out, error);
    }
    if (c < 0x20 || c > 0x7E) return fail(error, "PROXY v1: non-printable byte in the line");
  }
  if (data.size() >= kProxyV1MaxLength) {
    return fail(error, "PROXY v1: no CRLF within the first 107 bytes");
  }
  return ProxyParse::NeedMore;
}

//! TLVs (section 2.2, "TLV vectors") follow the address block; skip them, but their framing must fill
//! [offset, end) exactly.
ProxyParse checkTlvs(std::span<const uint8_t> data, size_t offset, size_t end,
                     std::string& error) {
  while (offset < end) {
    if (end - offset < kV2TlvHeader) return fail(error, "PROXY v2: truncated TLV header");
    size_t value_length = loadBe16(&data[offset + 1]);
    if (value_length > end - offset - kV2TlvHeader) {
      return fail(error, "PROXY v2: TLV longer than the header");
    }
    offset += kV2TlvHeader + value_length;
  }
  return ProxyParse::Complete;
}

ProxyParse parseV2(std::span<const uint8_t> data, ProxyHeader& out, std::string& error) {
  out.version = 2;
  // The signature was checked by the caller; validate each fixed byte as soon as it arrives.
  if (data.size() <= 12) return ProxyParse::NeedMore;
  uint8_t version = data[12] >> 4;
  uint8_t command = data[12] & 0x0F;
  if (version != 2) return fail(error, "PROXY v2: unsupported version (expected 2)");
  if (command != kV2CommandLocal && command != kV2CommandProxy) {
    return fail(error, "PROXY v2: command is neither LOCAL nor PROXY");
  }
  if (data.size() <= 13) return ProxyParse::NeedMore;
  uint8_t family = data[13];
  size_t address_block = 0;
  if (command == kV2CommandProxy) {
    switch (family) {
      case kV2FamilyUnspec: address_block = 0; break;
      case kV2FamilyTcp4: address_block = kV2Inet4Block; break;
      case kV2FamilyTcp6: address_block = kV2Inet6Block; break;
      case kV2FamilyUnixStream: address_block = kV2UnixBlock; break;
      case kV2FamilyUdp4:
      case kV2FamilyUdp6:
      case kV2FamilyUnixDgram:
        return fail(error, "PROXY v2: datagram transport is not supported (TCP only)");
      default: return fail(error, "PROXY v2: undefined address family/transport byte");
    }
  }
  if (data.size() < kProxyV2FixedLength) return ProxyParse::NeedMore;
  size_t body = loadBe16(&data[14]);
  if (body < address_block) return fail(error, "PROXY v2: length shorter than the address block");
  size_t total = kProxyV2FixedLength + body;
  if (data.size() < total) return ProxyParse::NeedMore;

  out.length = total;
  // LOCAL: "use the real connection endpoints and discard the protocol block including the
  // family which is ignored". UNSPEC carries no address to use either.
  if (command == kV2CommandLocal || family == kV2FamilyUnspec) {
    out.local = true;
    return ProxyParse::Complete;
  }
  const uint8_t* a = &data[kProxyV2FixedLength];
  if (family == kV2FamilyTcp4) {
    formatIpv4(a, loadBe16(a + 8), out.source);
    formatIpv4(a + 4, loadBe16(a + 10), out.destination);
  } else if (family == kV2FamilyTcp6) {
    formatIpv6(a, loadBe16(a + 32), out.source);
    formatIpv6(a + 16, loadBe16(a + 34), out.destination);
  } else {
    out.local = true;  // UNIX stream: no TCP peer to report, keep the socket's addresses.
  }
  return checkTlvs(data, kProxyV2FixedLength + address_block, total, error);
}

ProxyParse decode(std::span<const uint8_t> data, ProxyHeader& out, std::string& error) {
  if (data.empty()) return ProxyParse::NeedMore;
  if (data[0] == uint8_t(kV1Signature[0])) {
    size_t n = std::min(data.size(), kV1Signature.size());
    if (asStringView(data.first(n)) != kV1Signature.substr(0, n)) {
      return fail(error, "not a PROXY protocol header (bad v1 signature)");
    }
    return parseV1(data, out, error);
  }
  if (data[0] == kV2Signature[0]) {
    size_t n = std::min(data.size(), kV2Signature.size());
    if (!std::equal(data.begin(), data.begin() + std::ptrdiff_t(n), kV2Signature.begin())) {
      return fail(error, "not a PROXY protocol header (bad v2 signature)");
    }
    return parseV2(data, out, error);
  }
  return fail(error, "not a PROXY protocol header");
}

void reset(ProxyHeader& out) {
  out.local = false;
  out.source.clear();  // clear(), not assignment: keeps capacity across calls
  out.destination.clear();
  out.version = 0;
  out.length = 0;
}

}  // namespace

const char* toString(ProxyParse result) {
  switch (result) {
    case ProxyParse::Complete: return "Complete";
    case ProxyParse::NeedMore: return "NeedMore";
    case ProxyParse::Invalid: return "Invalid";
  }
  return "?";
}

ProxyParse parseProxyHeader(std::span<const uint8_t> data, ProxyHeader& out, std::string& error) {
  reset(out);
  error.clear();
  ProxyParse result = decode(data, out, error);
  if (result != ProxyParse::Complete) reset(out);
  return result;
}

}  // namespace warden::net
