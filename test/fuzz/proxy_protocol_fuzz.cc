// test/fuzz/proxy_protocol_fuzz.cc
//! Fuzzes the PROXY protocol v1/v2 decoder with the input as the first bytes of a connection,
//! and checks its contract: a Complete header lies within the input and is the same when cut
//! right after it (trailing bytes are the caller's), one byte less is NeedMore, a verdict never
//! changes when one more byte arrives, and Invalid always explains itself.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "warden/net/proxy_protocol.h"

using warden::net::ProxyHeader;
using warden::net::ProxyParse;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

ProxyParse parse(const uint8_t* data, size_t size, ProxyHeader& out, std::string& error) {
  return warden::net::parseProxyHeader(std::span<const uint8_t>(data, size), out, error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ProxyHeader header;
  std::string error;
  ProxyParse result = parse(data, size, header, error);

  switch (result) {
    case ProxyParse::Complete:
      check(error.empty());
      check(header.length > 0 && header.length <= size);
      check(header.version == 1 || header.version == 2);
      check(header.local == header.source.empty());
      check(header.local == header.destination.empty());
      break;
    case ProxyParse::NeedMore:
      check(error.empty());
      check(size < warden::net::kProxyMaxHeaderLength);
      break;
    case ProxyParse::Invalid:
      check(!error.empty());
      break;
  }

  ProxyHeader other;
  std::string other_error;
  if (result == ProxyParse::Complete) {
    ProxyParse exact = parse(data, header.length, other, other_error);
    check(exact == ProxyParse::Complete);
    check(other.length == header.length && other.version == header.version);
    check(other.local == header.local);
    check(other.source == header.source && other.destination == header.destination);
    check(parse(data, header.length - 1, other, other_error) == ProxyParse::NeedMore);
  }
  if (size > 0) {
    // One byte less: a final verdict there must be the same verdict here.
    ProxyParse shorter = parse(data, size - 1, other, other_error);
    if (shorter == ProxyParse::Invalid) check(result == ProxyParse::Invalid);
    if (shorter == ProxyParse::Complete) {
      check(result == ProxyParse::Complete && other.length == header.length);
    }
  }
  return 0;
}
