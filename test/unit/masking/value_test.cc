// test/unit/masking/value_test.cc
//! Value masking (warden/masking/value.h): every method × every ValueType × both wire formats,
//! with golden outputs. The hash goldens were computed outside Warden (openssl dgst -sha256 -mac
//! HMAC -macopt hexkey:000102…1f over the canonical input) and derived by hand: int types take
//! the first 2/4/8 HMAC bytes with the sign bit cleared, numeric the first 8 bytes mod 10^15,
//! uuid the first 16 bytes with version 4 / RFC 4122 variant bits, bytea all 32 bytes.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "warden/masking/value.h"

using namespace warden::masking;

namespace {

HashKey key1() {
  HashKey k;
  for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(i);
  return k;
}

HashKey key2() {
  HashKey k;
  k.bytes.fill(0xAA);
  return k;
}

std::string unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    out.push_back(kHex[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kHex[static_cast<uint8_t>(c) & 0x0F]);
  }
  return out;
}

//! Strict UTF-8 check (RFC 3629: no overlongs, surrogates or code points above U+10FFFF),
//! written independently of the implementation's decoder.
bool validUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    uint32_t cp = 0;
    size_t n = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

//! An integer from numeric's send format with dscale 0 (the shape hash produces).
uint64_t decodeNumericInt(std::string_view b) {
  auto u16 = [&](size_t at) {
    return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) << 8 |
                                 static_cast<uint8_t>(b[at + 1]));
  };
  REQUIRE(b.size() >= 8);
  const size_t ndigits = u16(0);
  const auto weight = static_cast<int16_t>(u16(2));
  REQUIRE(b.size() == 8 + 2 * ndigits);
  REQUIRE(u16(4) == 0x0000);  // positive
  REQUIRE(u16(6) == 0);       // dscale 0: an integer
  uint64_t v = 0;
  for (int d = 0; d <= weight; ++d) {
    const uint16_t g = static_cast<size_t>(d) < ndigits ? u16(8 + 2 * d) : 0;
    REQUIRE(g <= 9999);
    v = v * 10000 + g;
  }
  return v;
}

uint64_t decodeBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (char c : b) v = v << 8 | static_cast<uint8_t>(c);
  return v;
}

const char* const kTypeNames[] = {"Text",        "Json",   "Bool",    "Int2", "Int4", "Int8",
                                  "Float4",      "Float8", "Numeric", "Date", "Time", "Timestamp",
                                  "TimestampTz", "Uuid",   "Bytea",   "Other"};
constexpr int kTypeCount = 16;

//! One sample value per type, in text and binary format.
struct Sample {
  ValueType type;
  std::string text;
  std::string binary;
};

std::vector<Sample> samples() {
  return {
      {ValueType::Text, "john@example.com", "john@example.com"},
      {ValueType::Json, "{\"a\":1}", std::string("\x01{\"a\":1}")},
      {ValueType::Bool, "t", std::string("\x01", 1)},
      {ValueType::Int2, "42", unhex("002a")},
      {ValueType::Int4, "42", unhex("0000002a")},
      {ValueType::Int8, "42", unhex("000000000000002a")},
      {ValueType::Float4, "1.5", unhex("3fc00000")},
      {ValueType::Float8, "1.5", unhex("3ff8000000000000")},
      {ValueType::Numeric, "12.50", unhex("0002000000000002000c1388")},
      {ValueType::Date, "2024-01-15", unhex("00002318")},
      {ValueType::Time, "12:00:00", unhex("0000000a0fd2e000")},
      {ValueType::Timestamp, "2024-01-15 12:00:00", unhex("0002b9b1a2ba1000")},
      {ValueType::TimestampTz, "2024-01-15 12:00:00+00", unhex("0002b9b1a2ba1000")},
      {ValueType::Uuid, "550e8400-e29b-41d4-a716-446655440000",
       unhex("550e8400e29b41d4a716446655440000")},
      {ValueType::Bytea, "\\xdeadbeef", unhex("deadbeef")},
      {ValueType::Other, "{1,2,3}", unhex("0000000100000000000000170000000300000001")},
  };
}

//! The expected result of maskValue(method, sample) under key1: nullopt = SQL NULL.
std::optional<std::string> expected(Method m, ValueType t, Format f) {
  const bool bin = f == Format::Binary;
  if (m == Method::Null) return std::nullopt;
  switch (t) {
    case ValueType::Text:
      if (m == Method::Redact) return "****";
      if (m == Method::Partial) return "j***@example.com";
      return "c03cc5fe4abed117";  // HMAC("john@example.com")[0..8]
    case ValueType::Json: {
      std::string v = m == Method::Redact    ? "\"****\""
                      : m == Method::Partial ? "\"{***}\""
                                             : "\"b4cebde30982443e\"";  // HMAC("{\"a\":1}")
      return bin ? "\x01" + v : v;
    }
    default: break;
  }
  if (m != Method::Hash) return std::nullopt;
  // HMAC("42") = 7df989924b2ebf88…
  switch (t) {
    case ValueType::Int2: return bin ? unhex("7df9") : "32249";
    case ValueType::Int4: return bin ? unhex("7df98992") : "2113505682";
    case ValueType::Int8: return bin ? unhex("7df989924b2ebf88") : "9077437785361530760";
    // HMAC("12.50") = 4ae553a6729abb6b… → 0x4ae553a6729abb6b mod 10^15 = 811702825827179
    case ValueType::Numeric:
      return bin ? unhex("0004000300000000032b1b740a161c0b") : "811702825827179";
    // HMAC("550e8400-e29b-41d4-a716-446655440000") = 10f4d6ad4047c6c5cca4ea64d245979f…
    case ValueType::Uuid:
      return bin ? unhex("10f4d6ad404746c58ca4ea64d245979f")
                 : "10f4d6ad-4047-46c5-8ca4-ea64d245979f";
    // HMAC(de ad be ef)
    case ValueType::Bytea: {
      const std::string h = "500ba375910310f6eff7de3d6a42df5d1ce83ab765bd174c5d65ca147bbeaaf5";
      return bin ? unhex(h) : "\\x" + h;
    }
    default: return std::nullopt;
  }
}

const char* methodName(Method m) {
  switch (m) {
    case Method::Redact: return "redact";
    case Method::Partial: return "partial";
    case Method::Hash: return "hash";
    case Method::Null: return "null";
  }
  return "?";
}

std::string partial(std::string_view in) {
  std::string out;
  partialText(in, out);
  return out;
}

Outcome mask(Method m, ValueType t, Format f, std::string_view in, std::string& out,
             const HashKey& k = key1()) {
  return maskValue(m, t, f, in, k, out);
}

}  // namespace

TEST_CASE("maskValue: every method x type x format gives the golden output", "[masking]") {
  const HashKey k = key1();
  for (const Sample& s : samples()) {
    for (Method m : {Method::Redact, Method::Partial, Method::Hash, Method::Null}) {
      for (Format f : {Format::Text, Format::Binary}) {
        const std::string& in = f == Format::Binary ? s.binary : s.text;
        INFO(methodName(m) << " " << kTypeNames[static_cast<int>(s.type)] << " "
                           << (f == Format::Binary ? "binary" : "text"));
        std::string out = "previous value";
        const Outcome o = maskValue(m, s.type, f, in, k, out);
        const auto want = expected(m, s.type, f);
        if (!want) {
          CHECK(o == Outcome::Null);
        } else {
          REQUIRE(o == Outcome::Replace);
          CHECK(hex(out) == hex(*want));  // hex: binary outputs compare readably
        }
      }
    }
  }
  static_assert(static_cast<int>(ValueType::Other) + 1 == kTypeCount);
}

TEST_CASE("maskValue: binary integer hashes have exactly the type's width", "[masking]") {
  std::string out;
  const struct {
    ValueType t;
    size_t width;
  } cases[] = {{ValueType::Int2, 2}, {ValueType::Int4, 4}, {ValueType::Int8, 8}};
  for (const auto& c : cases) {
    for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1234}, int64_t{-32768}}) {
      std::string in;
      for (size_t i = c.width; i-- > 0;)
        in.push_back(static_cast<char>((uint64_t(v) >> (8 * i)) & 0xFF));
      INFO("width " << c.width << " value " << v);
      REQUIRE(mask(Method::Hash, c.t, Format::Binary, in, out) == Outcome::Replace);
      CHECK(out.size() == c.width);
      CHECK((static_cast<uint8_t>(out[0]) & 0x80) == 0);  // non-negative
      // The text format of the same value hashes to the same integer.
      std::string text_out;
      REQUIRE(mask(Method::Hash, c.t, Format::Text, std::to_string(v), text_out) ==
              Outcome::Replace);
      CHECK(std::to_string(decodeBigEndian(out)) == text_out);
    }
    // A binary value of the wrong width is not an integer of this type: fail closed.
    CHECK(mask(Method::Hash, c.t, Format::Binary, std::string(c.width + 1, '\0'), out) ==
          Outcome::Null);
    CHECK(mask(Method::Hash, c.t, Format::Binary, std::string(c.width - 1, '\0'), out) ==
          Outcome::Null);
    CHECK(mask(Method::Hash, c.t, Format::Text, "4x", out) == Outcome::Null);
    CHECK(mask(Method::Hash, c.t, Format::Text, "", out) == Outcome::Null);
    CHECK(mask(Method::Hash, c.t, Format::Text, " 42", out) == Outcome::Null);
  }
  // Range: the text form must fit the type.
  CHECK(mask(Method::Hash, ValueType::Int2, Format::Text, "32767", out) == Outcome::Replace);
  CHECK(mask(Method::Hash, ValueType::Int2, Format::Text, "32768", out) == Outcome::Null);
  CHECK(mask(Method::Hash, ValueType::Int4, Format::Text, "-2147483649", out) == Outcome::Null);
  CHECK(mask(Method::Hash, ValueType::Int8, Format::Text, "9223372036854775808", out) ==
        Outcome::Null);
}

TEST_CASE("maskValue: numeric hash is an integer in text and send format", "[masking]") {
  std::string text_out, bin_out;
  // Each value in text form and in numeric_send form: both hash alike (canonical text).
  const struct {
    const char* text;
    const char* send_hex;
  } cases[] = {
      {"12.50", "0002000000000002000c1388"},
      {"-0.0012", "0001ffff40000004000c"},  // weight -1, dscale 4
      {"0.00001", "0001fffe0000000503e8"},  // weight -2, digit 1000, dscale 5
      {"10000", "00010001000000000001"},    // trailing zero digit stripped
      {"0", "0000000000000000"},
      {"0.00", "0000000000000002"},
      {"123456.789", "0003000100000003000c0d801ed2"},  // 12 3456 . 7890
      {"NaN", "00000000c0000000"},
      {"Infinity", "00000000d0000000"},
  };
  for (const auto& c : cases) {
    const std::string send_hex = c.send_hex;
    INFO(c.text);
    REQUIRE(mask(Method::Hash, ValueType::Numeric, Format::Text, c.text, text_out) ==
            Outcome::Replace);
    REQUIRE(mask(Method::Hash, ValueType::Numeric, Format::Binary, unhex(send_hex), bin_out) ==
            Outcome::Replace);
    CHECK(std::to_string(decodeNumericInt(bin_out)) == text_out);
    CHECK(std::stoull(text_out) < 1'000'000'000'000'000ULL);
    CHECK(text_out.find_first_not_of("0123456789") == std::string::npos);
  }
  // Malformed send encodings are not hashed (numeric_recv would reject them).
  for (const char* bad : {"", "000100000000", "0001000000000000",  // missing digit
                          "00010000000000002710",                  // digit 10000
                          "00010000123400000001",                  // sign 0x1234
                          "000100000000c0000001"}) {               // dscale above 0x3FFF
    INFO(bad);
    CHECK(mask(Method::Hash, ValueType::Numeric, Format::Binary, unhex(bad), bin_out) ==
          Outcome::Null);
  }
  CHECK(mask(Method::Hash, ValueType::Numeric, Format::Text, "", text_out) == Outcome::Null);
}

TEST_CASE("maskValue: uuid hash is a version-4 UUID in both formats", "[masking]") {
  const std::regex pattern("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::string canon, out, bin;
  REQUIRE(mask(Method::Hash, ValueType::Uuid, Format::Text, "550e8400-e29b-41d4-a716-446655440000",
               canon) == Outcome::Replace);
  CHECK(std::regex_match(canon, pattern));
  // uuid_in's other spellings and the binary form hash alike.
  for (const char* in :
       {"550E8400-E29B-41D4-A716-446655440000", "{550e8400-e29b-41d4-a716-446655440000}",
        "550e8400e29b41d4a716446655440000"}) {
    INFO(in);
    REQUIRE(mask(Method::Hash, ValueType::Uuid, Format::Text, in, out) == Outcome::Replace);
    CHECK(out == canon);
  }
  REQUIRE(mask(Method::Hash, ValueType::Uuid, Format::Binary,
               unhex("550e8400e29b41d4a716446655440000"), bin) == Outcome::Replace);
  REQUIRE(bin.size() == 16);
  std::string bin_as_text = hex(bin);
  for (size_t at : {20u, 16u, 12u, 8u}) bin_as_text.insert(at, "-");
  CHECK(bin_as_text == canon);
  // Different values, different UUIDs.
  REQUIRE(mask(Method::Hash, ValueType::Uuid, Format::Text, "550e8400-e29b-41d4-a716-446655440001",
               out) == Outcome::Replace);
  CHECK(std::regex_match(out, pattern));
  CHECK(out != canon);
  for (const char* bad :
       {"", "xyz", "550e8400-e29b-41d4-a716-44665544000", "550e8400-e29b-41d4-a716-4466554400000",
        "550e8400-e29b-41d4-a716-44665544000g"}) {
    INFO(bad);
    CHECK(mask(Method::Hash, ValueType::Uuid, Format::Text, bad, out) == Outcome::Null);
  }
  CHECK(mask(Method::Hash, ValueType::Uuid, Format::Binary, std::string(15, 'x'), out) ==
        Outcome::Null);
}

TEST_CASE("maskValue: bytea hash is the 32 HMAC bytes, hex text in text format", "[masking]") {
  std::string bin, out;
  REQUIRE(mask(Method::Hash, ValueType::Bytea, Format::Binary, unhex("deadbeef"), bin) ==
          Outcome::Replace);
  REQUIRE(bin.size() == 32);
  // byteaout's spellings of the same bytes (hex, either case, spaces; escape format).
  for (const char* in : {"\\xdeadbeef", "\\xDEADBEEF", "\\xde ad be ef", "\\336\\255\\276\\357"}) {
    INFO(in);
    REQUIRE(mask(Method::Hash, ValueType::Bytea, Format::Text, in, out) == Outcome::Replace);
    CHECK(out == "\\x" + hex(bin));
  }
  // Escape format with printable bytes and an escaped backslash.
  std::string a, b;
  REQUIRE(mask(Method::Hash, ValueType::Bytea, Format::Text, "ab\\\\c", a) == Outcome::Replace);
  REQUIRE(mask(Method::Hash, ValueType::Bytea, Format::Binary, "ab\\c", b) == Outcome::Replace);
  CHECK(a == "\\x" + hex(b));
  for (const char* bad : {"\\x4", "\\xzz", "\\9", "\\", "a\\12"}) {
    INFO(bad);
    CHECK(mask(Method::Hash, ValueType::Bytea, Format::Text, bad, out) == Outcome::Null);
  }
  REQUIRE(mask(Method::Hash, ValueType::Bytea, Format::Binary, "", out) == Outcome::Replace);
  CHECK(out.size() == 32);
}

TEST_CASE("maskValue: hash is deterministic and depends on the key", "[masking]") {
  const HashKey k1 = key1(), k2 = key2();
  for (const Sample& s : samples()) {
    for (Format f : {Format::Text, Format::Binary}) {
      const std::string& in = f == Format::Binary ? s.binary : s.text;
      std::string a, b, c;
      if (mask(Method::Hash, s.type, f, in, a, k1) != Outcome::Replace) continue;
      INFO(kTypeNames[static_cast<int>(s.type)] << (f == Format::Binary ? " binary" : " text"));
      REQUIRE(mask(Method::Hash, s.type, f, in, b, k1) == Outcome::Replace);
      REQUIRE(mask(Method::Hash, s.type, f, in, c, k2) == Outcome::Replace);
      CHECK(a == b);
      CHECK(a != c);
      CHECK(a.size() == c.size());
    }
  }
  std::string x, y, z;
  hashText("alice", k1, x);
  hashText("alice", k1, y);
  hashText("alice", k2, z);
  CHECK(x == "6eefad2bed97b6d9");  // HMAC-SHA-256(000102…1f, "alice") = 6eefad2bed97b6d9…
  CHECK(x == y);
  CHECK(x != z);
  CHECK(z.size() == 16);
  CHECK(z.find_first_not_of("0123456789abcdef") == std::string::npos);
  std::string other;
  hashText("alicf", k1, other);
  CHECK(other != x);
}

TEST_CASE("maskValue: json and jsonb stay valid JSON, jsonb keeps its version byte", "[masking]") {
  std::string out;
  REQUIRE(mask(Method::Partial, ValueType::Json, Format::Text, "\"john@example.com\"", out) ==
          Outcome::Replace);
  CHECK(out == "\"j***@example.com\"");
  REQUIRE(mask(Method::Partial, ValueType::Json, Format::Binary,
               std::string("\x01 \"4242 4242 4242 4242\" "), out) == Outcome::Replace);
  CHECK(out == "\x01\"**** **** **** 4242\"");
  // Escapes in the source string are decoded before the shape is taken, and the output escaped.
  REQUIRE(mask(Method::Partial, ValueType::Json, Format::Text, R"("\"quoted\" value")", out) ==
          Outcome::Replace);
  CHECK(out == R"("\"***e")");
  REQUIRE(mask(Method::Partial, ValueType::Json, Format::Text, "4242424242424242", out) ==
          Outcome::Replace);
  CHECK(out == "\"************4242\"");
  // jsonb hashes its text (the version byte is not part of the value).
  std::string t, b;
  REQUIRE(mask(Method::Hash, ValueType::Json, Format::Text, "[1,2]", t) == Outcome::Replace);
  REQUIRE(mask(Method::Hash, ValueType::Json, Format::Binary, std::string("\x01[1,2]"), b) ==
          Outcome::Replace);
  CHECK(b == "\x01" + t);
  // An unknown jsonb version cannot be rewritten safely.
  CHECK(mask(Method::Redact, ValueType::Json, Format::Binary, std::string("\x02{}"), out) ==
        Outcome::Null);
  CHECK(mask(Method::Redact, ValueType::Json, Format::Binary, "", out) == Outcome::Null);
  CHECK(mask(Method::Hash, ValueType::Json, Format::Binary, "{}", out) == Outcome::Null);
  CHECK(mask(Method::Null, ValueType::Json, Format::Text, "{}", out) == Outcome::Null);
}

TEST_CASE("maskValue: out is replaced, not appended to", "[masking]") {
  std::string out = "stale bytes";
  REQUIRE(mask(Method::Redact, ValueType::Text, Format::Text, "x", out) == Outcome::Replace);
  CHECK(out == "****");
  out = "stale";
  REQUIRE(mask(Method::Hash, ValueType::Int4, Format::Binary, unhex("0000002a"), out) ==
          Outcome::Replace);
  CHECK(out.size() == 4);
  out = "stale";
  REQUIRE(mask(Method::Hash, ValueType::Numeric, Format::Binary, unhex("0000000000000000"), out) ==
          Outcome::Replace);
  CHECK(out.size() == 8 + 2 * decodeBigEndian(out.substr(0, 2)));
}

TEST_CASE("isTextLike: only text types", "[masking]") {
  CHECK(isTextLike(ValueType::Text));
  for (int t = 1; t < kTypeCount; ++t) {
    INFO(kTypeNames[t]);
    CHECK_FALSE(isTextLike(static_cast<ValueType>(t)));
  }
}

TEST_CASE("maskText: redact/partial/hash append, null declines", "[masking]") {
  const HashKey k = key1();
  std::string out = "prefix:";
  CHECK(maskText(Method::Redact, "secret", k, out));
  CHECK(out == "prefix:****");
  out = "p:";
  CHECK(maskText(Method::Partial, "Alice", k, out));
  CHECK(out == "p:A***e");
  out = "h:";
  CHECK(maskText(Method::Hash, "alice", k, out));
  CHECK(out == "h:6eefad2bed97b6d9");
  out = "untouched";
  CHECK_FALSE(maskText(Method::Null, "alice", k, out));
  CHECK(out == "untouched");
  out.clear();
  redactText("", out);
  CHECK(out == "****");
}

TEST_CASE("partialText: shapes", "[masking]") {
  const struct {
    const char* in;
    const char* want;
  } cases[] = {
      // e-mail: first character of the local part, the domain kept
      {"john@example.com", "j***@example.com"},
      {"j@example.com", "***@example.com"},  // a 1-character local part is not revealed
      {"first.last+tag@mail.example.co.uk", "f***@mail.example.co.uk"},
      {"\xc3\xa9mile@exemple.fr", "\xc3\xa9***@exemple.fr"},  // émile: é kept whole
      // digits with separators: separators and the last 4 digits kept
      {"4242 4242 4242 4242", "**** **** **** 4242"},
      {"4242424242424242", "************4242"},
      {"4242-4242-4242-4242", "****-****-****-4242"},
      {"123-45-6789", "***-**-6789"},
      {"123456789", "*****6789"},
      {"+1 (555) 123-4567", "+* (***) ***-4567"},
      {"DE89 3704 0044 0532 0130 00", "**** **** **** **** **30 00"},
      // other text: first and last code point of 5+
      {"Alice", "A***e"},
      {"Alexander the Great", "A***t"},
      {"123456", "1***6"},              // too few digits for the digit shape
      {"a@b", "****"},                  // no dotted domain: not an e-mail; 3 code points
      {"mail me @ home.org", "m***g"},  // space in the local part: not an e-mail
      {"x@y.z\"}", "x***}"},            // quote in the domain: not an e-mail
      {"Bob", "****"},
      {"Anna", "****"},
      {"", "****"},
      {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88",
       "\xe6\x97\xa5***\xe3\x83\x88"},  // 日本語テキスト → 日***ト
      {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86", "****"},  // 4 code points
      {"Zo\xc3\xab", "****"},                                        // Zoë: 3 code points
      {"\xc3\x85ngstr\xc3\xb6m", "\xc3\x85***m"},                    // Ångström
      {"\xf0\x9f\x98\x80 smile \xf0\x9f\x98\x80", "\xf0\x9f\x98\x80***\xf0\x9f\x98\x80"},  // 😀
      // bytes that are not UTF-8 are never copied: the output stays valid UTF-8
      {"\xff\xfe\x61\x62\x63\xff", "*****"},  // ff fe "abc" ff
      {"abcde\xe6\x97", "a****"},             // truncated sequence at the end
      {"\xed\xa0\x80xyzw", "****w"},          // encoded surrogate: 3 invalid bytes + 4 ASCII
  };
  for (const auto& c : cases) {
    INFO(c.in);
    const std::string out = partial(c.in);
    CHECK(out == c.want);
    CHECK(validUtf8(out));
  }
}

TEST_CASE("partialText: never splits a UTF-8 sequence", "[masking]") {
  // Every combination of 1- to 4-byte code points at the ends and around the separators.
  const std::vector<std::string> pieces = {
      "a", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "@", ".", "-", " ", "4"};
  size_t checked = 0;
  for (const auto& a : pieces)
    for (const auto& b : pieces)
      for (const auto& c : pieces)
        for (const auto& d : pieces)
          for (const auto& e : pieces) {
            const std::string in = a + b + c + d + e + "x.y";
            REQUIRE(validUtf8(in));
            const std::string out = partial(in);
            INFO(hex(in) << " -> " << hex(out));
            REQUIRE(validUtf8(out));
            REQUIRE(out != in);  // something is always hidden
            ++checked;
          }
  CHECK(checked == 9 * 9 * 9 * 9 * 9);
  // And through maskValue for text in both formats.
  std::string out;
  const std::string in = "\xc3\xa9l\xc3\xa9phant \xe2\x82\xac";
  for (Format f : {Format::Text, Format::Binary}) {
    REQUIRE(mask(Method::Partial, ValueType::Text, f, in, out) == Outcome::Replace);
    CHECK(out == "\xc3\xa9***\xe2\x82\xac");
  }
}
