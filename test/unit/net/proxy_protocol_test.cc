// test/unit/net/proxy_protocol_test.cc
//! PROXY protocol v1/v2 decoder: golden hex fixtures, split at every offset (NeedMore until the
//! last header byte, then Complete with the header length whatever follows), invalid inputs
//! (rejected as early as possible and never accepted later), random and mutated buffers.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "warden/base/byte_io.h"
#include "warden/net/proxy_protocol.h"

using warden::Bytes;
using warden::ByteView;
using warden::fromHex;
using warden::net::kProxyMaxHeaderLength;
using warden::net::kProxyV1MaxLength;
using warden::net::kProxyV2MaxLength;
using warden::net::parseProxyHeader;
using warden::net::ProxyHeader;
using warden::net::ProxyParse;

namespace {

const std::string kSig = "0d0a0d0a000d0a515549540a";
// 192.168.1.10:54321 -> 10.0.0.5:5432
const std::string kInet4Block = "c0a8010a 0a000005 d431 1538";
// PostgreSQL SSLRequest: the application bytes a client sends right after the header.
const Bytes kTrailer = fromHex("00000008 04d2162f");

struct Parsed {
  ProxyParse result;
  ProxyHeader header;
  std::string error;
};

Parsed parse(ByteView data) {
  Parsed p;
  p.result = parseProxyHeader(data, p.header, p.error);
  return p;
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

//! Checks the invariants every answer must satisfy, whatever the input.
void checkInvariants(ByteView data, const Parsed& p) {
  switch (p.result) {
    case ProxyParse::Complete:
      REQUIRE(p.header.length > 0);
      REQUIRE(p.header.length <= data.size());
      REQUIRE((p.header.version == 1 || p.header.version == 2));
      REQUIRE(p.header.length <= (p.header.version == 1 ? kProxyV1MaxLength : kProxyV2MaxLength));
      REQUIRE(p.header.local == p.header.source.empty());
      REQUIRE(p.header.local == p.header.destination.empty());
      REQUIRE(p.error.empty());
      break;
    case ProxyParse::NeedMore:
      REQUIRE(data.size() < kProxyMaxHeaderLength);
      REQUIRE(p.error.empty());
      REQUIRE(p.header.length == 0);
      break;
    case ProxyParse::Invalid:
      REQUIRE_FALSE(p.error.empty());
      REQUIRE(p.header.length == 0);
      REQUIRE(p.header.source.empty());
      break;
  }
}

//! Feeds every prefix of `data` (0..size bytes) and checks that once the verdict is Complete or
//! Invalid it never changes (Complete keeps the same length and addresses). Returns the verdict
//! for the whole buffer.
Parsed feedGrowing(const Bytes& data) {
  Parsed first_final;
  bool final_seen = false;
  Parsed p;
  for (size_t k = 0; k <= data.size(); ++k) {
    ByteView prefix(data.data(), k);
    p = parse(prefix);
    INFO("prefix of " << k << " bytes: " << toString(p.result) << " " << p.error);
    checkInvariants(prefix, p);
    if (final_seen) {
      REQUIRE(p.result == first_final.result);
      REQUIRE(p.header.length == first_final.header.length);
      REQUIRE(p.header.source == first_final.header.source);
      REQUIRE(p.header.destination == first_final.header.destination);
    } else if (p.result != ProxyParse::NeedMore) {
      first_final = p;
      final_seen = true;
    }
  }
  return p;
}

//! A valid header: NeedMore for every strict prefix, Complete with length == header size from
//! the last header byte on, with and without application bytes behind it.
Parsed checkSplits(const Bytes& header) {
  Bytes all = concat(header, kTrailer);
  for (size_t k = 0; k < header.size(); ++k) {
    Parsed p = parse(ByteView(all.data(), k));
    INFO("prefix of " << k << " bytes: " << p.error);
    REQUIRE(p.result == ProxyParse::NeedMore);
  }
  Parsed whole = feedGrowing(all);
  REQUIRE(whole.result == ProxyParse::Complete);
  REQUIRE(whole.header.length == header.size());
  Parsed exact = parse(header);
  REQUIRE(exact.result == ProxyParse::Complete);
  REQUIRE(exact.header.length == header.size());
  REQUIRE(exact.header.source == whole.header.source);
  return whole;
}

void requireInvalid(const Bytes& data) {
  Parsed p = feedGrowing(data);
  INFO("error: " << p.error);
  REQUIRE(p.result == ProxyParse::Invalid);
}

Bytes unixHeader() {
  Bytes b = fromHex(kSig + "21 31 00d8");
  Bytes paths(216, 0);
  std::string src = "/run/haproxy/client.sock";
  std::string dst = "/run/warden/pg.sock";
  std::copy(src.begin(), src.end(), paths.begin());
  std::copy(dst.begin(), dst.end(), paths.begin() + 108);
  return concat(b, paths);
}

}  // namespace

TEST_CASE("PROXY v2 TCP4", "[proxy]") {
  Parsed p = checkSplits(fromHex(kSig + "21 11 000c" + kInet4Block));
  CHECK(p.header.version == 2);
  CHECK_FALSE(p.header.local);
  CHECK(p.header.length == 28);
  CHECK(p.header.source == "192.168.1.10:54321");
  CHECK(p.header.destination == "10.0.0.5:5432");
}

TEST_CASE("PROXY v2 TCP6", "[proxy]") {
  Parsed p = checkSplits(fromHex(kSig + "21 21 0024"
                                        "20010db8000000000000000000000001"
                                        "20010db8000000000000000000000002"
                                        "c350 1538"));
  CHECK(p.header.version == 2);
  CHECK(p.header.length == 52);
  CHECK(p.header.source == "[2001:db8::1]:50000");
  CHECK(p.header.destination == "[2001:db8::2]:5432");

  Parsed mapped = checkSplits(fromHex(kSig + "21 21 0024"
                                             "00000000000000000000ffff01020304"
                                             "00000000000000000000000000000001"
                                             "0000 ffff"));
  CHECK(mapped.header.source == "[::ffff:1.2.3.4]:0");
  CHECK(mapped.header.destination == "[::1]:65535");
}

TEST_CASE("PROXY v2 LOCAL keeps the socket addresses", "[proxy]") {
  Parsed p = checkSplits(fromHex(kSig + "20 00 0000"));
  CHECK(p.header.version == 2);
  CHECK(p.header.local);
  CHECK(p.header.length == 16);
  CHECK(p.header.source.empty());

  // The length is always honoured, even for LOCAL; the family is ignored (section 2.2).
  Parsed body = checkSplits(fromHex(kSig + "20 11 000c" + kInet4Block));
  CHECK(body.header.local);
  CHECK(body.header.length == 28);
  CHECK(checkSplits(fromHex(kSig + "20 ff 0003 010203")).header.length == 19);
}

TEST_CASE("PROXY v2 PROXY with UNSPEC or UNIX family is treated as local", "[proxy]") {
  Parsed unspec = checkSplits(fromHex(kSig + "21 00 0000"));
  CHECK(unspec.header.local);
  CHECK(checkSplits(fromHex(kSig + "21 00 0002 abcd")).header.length == 18);

  Parsed unix_stream = checkSplits(unixHeader());
  CHECK(unix_stream.header.local);
  CHECK(unix_stream.header.version == 2);
  CHECK(unix_stream.header.length == 16 + 216);
}

TEST_CASE("PROXY v2 TLVs are skipped within the length", "[proxy]") {
  // AWS NLB: PP2_TYPE_AWS (0xEA) subtype 0x01 VPC endpoint id, then a PP2_TYPE_NOOP (0x04).
  Bytes header = fromHex(kSig + "21 11 002b" + kInet4Block + "ea 0017 01");
  warden::appendBytes(header, std::string_view("vpce-08d2bf15fac5001c9"));
  header = concat(header, fromHex("04 0002 0000"));
  REQUIRE(header.size() == 16 + 43);
  Parsed p = checkSplits(header);
  CHECK(p.header.length == 59);
  CHECK(p.header.source == "192.168.1.10:54321");

  // Empty TLV value, and a TLV after a UNIX block.
  CHECK(checkSplits(fromHex(kSig + "21 11 000f" + kInet4Block + "05 0000")).header.length == 31);
  Bytes unix_tlv = unixHeader();
  unix_tlv[15] = 0xd8 + 4;
  unix_tlv = concat(unix_tlv, fromHex("01 0001 68"));  // PP2_TYPE_ALPN "h"
  CHECK(checkSplits(unix_tlv).header.local);
}

TEST_CASE("PROXY v2 at the maximum length", "[proxy]") {
  // 12-byte address block + one TLV filling the remaining 65523 bytes (3 header + 65520 value).
  Bytes header = fromHex(kSig + "21 11 ffff" + kInet4Block + "04 fff0");
  header.resize(kProxyV2MaxLength, 0x5a);
  Bytes all = concat(header, kTrailer);
  CHECK(parse(ByteView(all.data(), header.size() - 1)).result == ProxyParse::NeedMore);
  Parsed p = parse(all);
  REQUIRE(p.result == ProxyParse::Complete);
  CHECK(p.header.length == kProxyV2MaxLength);
  CHECK(p.header.source == "192.168.1.10:54321");

  Bytes local = fromHex(kSig + "20 00 ffff");
  local.resize(kProxyV2MaxLength, 0xff);
  CHECK(parse(ByteView(local.data(), local.size() - 1)).result == ProxyParse::NeedMore);
  CHECK(parse(local).result == ProxyParse::Complete);
}

TEST_CASE("PROXY v1 TCP4", "[proxy]") {
  Parsed p = checkSplits(text("PROXY TCP4 192.168.1.10 10.0.0.5 54321 5432\r\n"));
  CHECK(p.header.version == 1);
  CHECK_FALSE(p.header.local);
  CHECK(p.header.length == 45);
  CHECK(p.header.source == "192.168.1.10:54321");
  CHECK(p.header.destination == "10.0.0.5:5432");

  Parsed edges = checkSplits(text("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n"));
  CHECK(edges.header.source == "0.0.0.0:0");
  CHECK(edges.header.destination == "255.255.255.255:65535");
  CHECK(checkSplits(text("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n")).header.source ==
        "1.2.3.4:1111");
}

TEST_CASE("PROXY v1 TCP6 (printed canonically)", "[proxy]") {
  Parsed p = checkSplits(text("PROXY TCP6 2001:db8::1 2001:db8::2 50000 5432\r\n"));
  CHECK(p.header.version == 1);
  CHECK(p.header.source == "[2001:db8::1]:50000");
  CHECK(p.header.destination == "[2001:db8::2]:5432");

  Parsed long_form = checkSplits(text("PROXY TCP6 2001:0DB8:0:0:0:0:0:1 ::ffff:1.2.3.4 1 2\r\n"));
  CHECK(long_form.header.source == "[2001:db8::1]:1");
  CHECK(long_form.header.destination == "[::ffff:1.2.3.4]:2");

  // The spec's longest TCP6 line (104 bytes).
  std::string ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  Bytes longest = text("PROXY TCP6 " + ffff + " " + ffff + " 65535 65535\r\n");
  REQUIRE(longest.size() == 104);
  CHECK(checkSplits(longest).header.destination == "[" + ffff + "]:65535");
}

TEST_CASE("PROXY v1 UNKNOWN", "[proxy]") {
  Parsed p = checkSplits(text("PROXY UNKNOWN\r\n"));
  CHECK(p.header.version == 1);
  CHECK(p.header.local);
  CHECK(p.header.length == 15);

  // "the receiver must ignore anything presented before the CRLF"; the spec's worst case is
  // exactly 107 bytes.
  std::string ffff = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
  Bytes worst = text("PROXY UNKNOWN " + ffff + " " + ffff + " 65535 65535\r\n");
  REQUIRE(worst.size() == kProxyV1MaxLength);
  CHECK(checkSplits(worst).header.local);
  CHECK(checkSplits(text("PROXY UNKNOWN whatever 1.2.3.4 x\r\n")).header.local);
}

TEST_CASE("PROXY v1 line length is capped at 107 bytes", "[proxy]") {
  auto line = [](size_t total) {  // "PROXY UNKNOWN " + padding + "\r\n", `total` bytes
    return text("PROXY UNKNOWN " + std::string(total - 16, 'x') + "\r\n");
  };
  CHECK(checkSplits(line(107)).header.length == 107);
  requireInvalid(line(108));
  // Without any CR: NeedMore up to 106 bytes, Invalid from 107 on.
  Bytes no_crlf = text("PROXY UNKNOWN " + std::string(200, 'x'));
  CHECK(parse(ByteView(no_crlf.data(), 106)).result == ProxyParse::NeedMore);
  CHECK(parse(ByteView(no_crlf.data(), 107)).result == ProxyParse::Invalid);
  requireInvalid(no_crlf);
  // A CR as the 107th byte cannot be followed by LF within the limit.
  Bytes cr_last = text("PROXY UNKNOWN " + std::string(92, 'x') + "\r");
  REQUIRE(cr_last.size() == 107);
  CHECK(parse(cr_last).result == ProxyParse::Invalid);
}

TEST_CASE("Trailing application bytes are left to the caller", "[proxy]") {
  Bytes v1 = concat(text("PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n"), text("PROXY UNKNOWN\r\n"));
  Parsed p = parse(v1);
  REQUIRE(p.result == ProxyParse::Complete);
  CHECK(p.header.length == 38);
  Bytes v2 = concat(fromHex(kSig + "20 00 0000"), fromHex(kSig + "21 11 000c" + kInet4Block));
  Parsed q = parse(v2);
  REQUIRE(q.result == ProxyParse::Complete);
  CHECK(q.header.length == 16);
  CHECK(q.header.local);
}

TEST_CASE("Bytes that are not a PROXY header are refused at once (no fallback)", "[proxy]") {
  for (int value : {int('G'), 0x16, 0x00, int('p'), int('Q'), int('\n'), 0xff}) {
    uint8_t first = uint8_t(value);
    Parsed p = parse(ByteView(&first, 1));  // e.g. TLS ClientHello, PostgreSQL startup length
    INFO("first byte " << int(first));
    CHECK(p.result == ProxyParse::Invalid);
    CHECK_FALSE(p.error.empty());
  }
  requireInvalid(kTrailer);  // a PostgreSQL client that does not speak PROXY
  requireInvalid(text("GET / HTTP/1.1\r\n\r\n"));
  requireInvalid(text("proxy TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n"));
  requireInvalid(text("PROXZ TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n"));
  requireInvalid(text("PROXYTCP4 1.2.3.4 5.6.7.8 1111 2222\r\n"));
  CHECK(parse(text("PROXZ")).result == ProxyParse::Invalid);
  CHECK(parse(text("PROX")).result == ProxyParse::NeedMore);
  CHECK(parse(ByteView()).result == ProxyParse::NeedMore);

  // Any single corrupted signature byte is caught as soon as it arrives.
  Bytes good = fromHex(kSig + "21 11 000c" + kInet4Block);
  for (size_t i = 0; i < 12; ++i) {
    Bytes bad = good;
    bad[i] ^= 0x20;
    INFO("signature byte " << i);
    CHECK(parse(ByteView(bad.data(), i + 1)).result == ProxyParse::Invalid);
    requireInvalid(bad);
  }
}

TEST_CASE("PROXY v1 invalid lines", "[proxy]") {
  // Decision: leading zeros are refused in addresses and ports (the spec forbids them to avoid
  // octal confusion), so 01.2.3.4 and port 080 are Invalid, as is anything inet_pton refuses.
  const char* lines[] = {
      "PROXY TCP4 1.2.3.256 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 01.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.00 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.4.5 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1..3.4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.4. 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 .1.2.3 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.-4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.+4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.1000 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.256 1111 2222\r\n",
      "PROXY TCP4 0x1.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111 65536\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 99999 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 123456 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 +1111 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 01111 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 00 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111 0x10\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222 3333\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222 \r\n",
      "PROXY TCP4  1.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.4  5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.4\t5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 ::1 ::1 1111 2222\r\n",
      "PROXY TCP6 1.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP6 fe80::1%eth0 ::1 1111 2222\r\n",
      "PROXY TCP6 2001:db8::1::2 ::1 1111 2222\r\n",
      "PROXY TCP6 2001:db8:0:0:0:0:0:0:1 ::1 1 2\r\n",
      "PROXY TCP6 [::1] ::1 1 2\r\n",
      "PROXY TCP6 ::1 ::g 1 2\r\n",
      "PROXY tcp4 1.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP5 1.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY UDP4 1.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY UNKNOWNX\r\n",
      "PROXY unknown\r\n",
      "PROXY TCP4\r\n",
      "PROXY TCP4 \r\n",
      "PROXY \r\n",
      "PROXY  TCP4 1.2.3.4 5.6.7.8 1111 2222\r\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\rX\n",
      "PROXY TCP4 1.2.3.4 5.6.7.8 1111 2222\r\r\n",
      "PROXY UNKNOWN \x7f\r\n",
      "PROXY UNKNOWN \xc3\xa9\r\n",
  };
  for (const char* line : lines) {
    INFO("line: " << line);
    requireInvalid(text(line));
  }
  requireInvalid(text(std::string_view("PROXY UNKNOWN \0\r\n", 18)));
}

TEST_CASE("PROXY v2 invalid headers", "[proxy]") {
  // Wrong version nibble or command: refused as soon as byte 13 arrives.
  for (const char* ver_cmd : {"11", "31", "01", "f1", "22", "2f", "23"}) {
    Bytes bad = fromHex(kSig + ver_cmd + "11 000c" + kInet4Block);
    INFO("version/command " << ver_cmd);
    CHECK(parse(ByteView(bad.data(), 13)).result == ProxyParse::Invalid);
    requireInvalid(bad);
  }
  // Families the spec does not define, and datagram transports: refused at byte 14.
  for (const char* family : {"41", "13", "01", "02", "10", "20", "30", "ff", "12", "22", "32"}) {
    Bytes bad = fromHex(kSig + "21" + family + "000c" + kInet4Block);
    INFO("family " << family);
    CHECK(parse(ByteView(bad.data(), 14)).result == ProxyParse::Invalid);
    requireInvalid(bad);
  }
  // Length shorter than the address block: refused at byte 16, without waiting for the body.
  for (const char* fam_len : {"11 000b", "11 0000", "21 0023", "21 000c", "31 00d7"}) {
    Bytes bad = fromHex(kSig + "21" + fam_len);
    bad.resize(16 + 300, 0);
    INFO("family/length " << fam_len);
    CHECK(parse(ByteView(bad.data(), 16)).result == ProxyParse::Invalid);
    requireInvalid(bad);
  }
  // TLV framing must fill the header exactly.
  requireInvalid(fromHex(kSig + "21 11 0011" + kInet4Block + "04 0005 0000"));  // value overrun
  requireInvalid(fromHex(kSig + "21 11 000e" + kInet4Block + "04 00"));         // 2 stray bytes
  requireInvalid(fromHex(kSig + "21 11 000d" + kInet4Block + "04"));            // 1 stray byte
  requireInvalid(fromHex(kSig + "21 11 0012" + kInet4Block + "04 0000 04 0001"));
}

TEST_CASE("Random and mutated buffers never crash and keep verdicts stable", "[proxy]") {
  std::mt19937 rng(20240601);
  auto byte = [&] { return uint8_t(rng() & 0xff); };
  const std::vector<Bytes> seeds = {
      fromHex(kSig + "21 11 000c" + kInet4Block),
      fromHex(kSig + "21 11 000f" + kInet4Block + "05 0000"),
      fromHex(kSig + "20 00 0000"),
      unixHeader(),
      text("PROXY TCP4 192.168.1.10 10.0.0.5 54321 5432\r\n"),
      text("PROXY TCP6 2001:db8::1 2001:db8::2 50000 5432\r\n"),
      text("PROXY UNKNOWN\r\n"),
  };
  const Bytes v2_sig = fromHex(kSig);
  const Bytes v1_sig = text("PROXY ");

  for (int i = 0; i < 10000; ++i) {
    Bytes b;
    switch (i % 3) {
      case 0: break;
      case 1: b = v2_sig; break;
      default: b = v1_sig;
    }
    size_t extra = rng() % 200;
    for (size_t j = 0; j < extra; ++j) b.push_back(byte());
    Parsed p = parse(b);
    checkInvariants(b, p);
  }
  for (const Bytes& seed : seeds) {
    for (int i = 0; i < 300; ++i) {
      Bytes b = concat(seed, kTrailer);
      int edits = 1 + int(rng() % 3);
      for (int e = 0; e < edits; ++e) b[rng() % b.size()] = byte();
      feedGrowing(b);
    }
  }
}
