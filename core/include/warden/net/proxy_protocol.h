// core/include/warden/net/proxy_protocol.h
//! PROXY protocol header decoder (v1 text and v2 binary), as prepended by HAProxy, AWS NLB and
//! other load balancers to carry the original client address. Spec: HAProxy's "The PROXY
//! protocol" (doc/proxy-protocol.txt), section 2.1 (v1, human-readable) and 2.2 (v2, binary).
//!
//! Pure decoder (STYLE.md rule 1): bytes in, a header or NeedMore or Invalid out. No sockets, no
//! logging, no allocation beyond the output strings. Stateless: call it again with the longer
//! buffer when more bytes arrive. Safe to call from any thread.
//!
//! Strictness decisions (fail closed, STYLE.md rule 2):
//! - No fallback: bytes that cannot start a PROXY header are Invalid as soon as the first
//!   mismatching byte is seen (a listener that expects the header refuses connections without it).
//! - v1: exactly one space between fields, upper-case keywords, printable ASCII only, CRLF within
//!   107 bytes. IPv4 is a strict dotted quad of 0..255 without leading zeros ("01.2.3.4" is
//!   Invalid, as the spec forbids heading zeroes to avoid octal confusion). IPv6 is whatever
//!   inet_pton(AF_INET6) accepts (no zone ids). Ports are 0..65535, digits only, no sign, no
//!   leading zeros. TCP4 must carry IPv4 and TCP6 IPv6. "UNKNOWN" ignores the rest of the line.
//! - v2: version nibble 2, command LOCAL (0x0) or PROXY (0x1). LOCAL ignores the family and skips
//!   the whole block, as the spec says. PROXY accepts only the families the spec defines: TCP4
//!   (0x11), TCP6 (0x21), UNSPEC (0x00) and UNIX stream (0x31); the last two are reported as
//!   `local` (keep the socket's addresses). DGRAM (0x12/0x22/0x32) is Invalid: Warden proxies
//!   TCP only, so a datagram header means a misconfigured balancer. The length must cover the
//!   address block; TLVs after it are skipped but their framing (type, 16-bit length) must fit
//!   the header exactly. TLV contents (including CRC32C) are not checked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace warden::net {

//! Longest v1 line including CRLF ("PROXY UNKNOWN <v6> <v6> 65535 65535\r\n").
inline constexpr size_t kProxyV1MaxLength = 107;
//! Fixed part of a v2 header: 12-byte signature, version/command, family/transport, length.
inline constexpr size_t kProxyV2FixedLength = 16;
//! Longest v2 header (the length field is 16 bits).
inline constexpr size_t kProxyV2MaxLength = kProxyV2FixedLength + 65535;
//! A buffer this long always yields Complete or Invalid.
inline constexpr size_t kProxyMaxHeaderLength = kProxyV2MaxLength;

struct ProxyHeader {
  bool local = false;       //!< v2 LOCAL/UNSPEC/UNIX or v1 UNKNOWN: keep the socket's addresses.
  std::string source;       //!< "ip:port" or "[v6]:port" of the original client; empty if local.
  std::string destination;  //!< Address the client connected to, same format; empty if local.
  int version = 0;          //!< 1 or 2.
  size_t length = 0;        //!< Bytes consumed; application bytes start at data[length].
};

enum class ProxyParse { Complete, NeedMore, Invalid };

const char* toString(ProxyParse result);

//! Looks at the first bytes of a connection. NeedMore until the header is complete (never needs
//! more than kProxyV2MaxLength bytes for v2, kProxyV1MaxLength for v1); Invalid with `error` set
//! when the bytes are not a valid PROXY header. `out` is reset on every call and meaningful only
//! on Complete; `error` is cleared on every call and set only on Invalid. Bytes after
//! `out.length` are never read into the result: they belong to the caller. IPv6 addresses are
//! printed in canonical (inet_ntop) form for both versions.
ProxyParse parseProxyHeader(std::span<const uint8_t> data, ProxyHeader& out, std::string& error);

}  // namespace warden::net
