// core/src/masking/value.cc
//! The masking methods for single values (warden/masking/value.h). Every output keeps the wire
//! encoding valid for the column's type and format, or is SQL NULL: a type this file does not
//! know how to re-encode, or an input it cannot decode, becomes NULL (fail closed).
//!
//! hash: the HMAC input is the value's canonical form, so the text and the binary format of one
//! value hash alike: the decimal text for int2/int4/int8, PostgreSQL's numeric_out text for
//! numeric (the binary form is converted), the lowercase 8-4-4-4-12 text for uuid, the raw bytes
//! for bytea (the text form is decoded), the bytes as sent for text and json (jsonb without its
//! version byte).
#include "utf8.h"
#include "warden/masking/value.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <vector>

#include "warden/crypto/scram.h"

namespace warden::masking {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kMask = "****";
//! numeric hashes stay below 10^15: exact in a float64, which many drivers map numeric onto.
constexpr uint64_t kNumericHashLimit = 1'000'000'000'000'000ULL;

using detail::utf8SequenceLength;

//! One code point of a text: [begin, begin+len); len 0 marks a byte that is not valid UTF-8.
struct Unit {
  size_t begin = 0;
  size_t len = 0;
};

//! Copies a unit; an invalid byte is written as '*', so the output is always valid UTF-8.
void appendUnit(std::string_view s, Unit u, std::string& out) {
  if (u.len == 0)
    out.push_back('*');
  else
    out.append(s.substr(u.begin, u.len));
}

//! Splits `s` into units: the first, the last and how many.
struct UnitScan {
  Unit first, last;
  size_t count = 0;
};
UnitScan scanUnits(std::string_view s) {
  UnitScan r;
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8SequenceLength(s, i);
    Unit u{i, n};
    if (r.count == 0) r.first = u;
    r.last = u;
    ++r.count;
    i += n == 0 ? 1 : n;
  }
  return r;
}

bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }
bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

//! "local@domain.tld" with a plausible local part and a dotted host name.
bool emailShape(std::string_view s, size_t& at) {
  at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : s.substr(0, at)) {
    auto b = static_cast<uint8_t>(c);
    if (b <= 0x20 || b == 0x7F ||
        std::string_view("\"(),:;<>[\\]{}").find(c) != std::string_view::npos)
      return false;
  }
  std::string_view domain = s.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' ||
      domain.find('.') == std::string_view::npos || domain.find("..") != std::string_view::npos)
    return false;
  for (size_t i = 0; i < domain.size();) {
    char c = domain[i];
    if (static_cast<uint8_t>(c) >= 0x80) {  // internationalised host names, kept verbatim
      size_t n = utf8SequenceLength(domain, i);
      if (n == 0) return false;
      i += n;
      continue;
    }
    if (!isAsciiDigit(c) && !isAsciiAlpha(c) && c != '-' && c != '.') return false;
    ++i;
  }
  return true;
}

//! Mostly digits with separators: card numbers, SSNs, phone numbers, IBAN-like account numbers.
bool digitShape(std::string_view s) {
  size_t digits = 0, letters = 0;
  for (char c : s) {
    if (isAsciiDigit(c))
      ++digits;
    else if (isAsciiAlpha(c))
      ++letters;
    else if (std::string_view(" -./()+").find(c) == std::string_view::npos)
      return false;
  }
  return digits >= 7 && digits >= 2 * letters;
}

void appendHex(std::span<const uint8_t> bytes, std::string& out) {
  for (uint8_t b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0x0F]);
  }
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

crypto::Sha256Digest hmac(const HashKey& key, std::string_view data) {
  return crypto::hmacSha256(std::span<const uint8_t>(key.bytes), data);
}

uint64_t readBigEndian(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

void appendBigEndian(uint64_t v, size_t width, std::string& out) {
  for (size_t i = width; i-- > 0;) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t digestPrefix(const crypto::Sha256Digest& d) {
  return readBigEndian(std::string_view(reinterpret_cast<const char*>(d.data()), 8));
}

// ---- int2 / int4 / int8 ----------------------------------------------------------------------

size_t intWidth(ValueType t) { return t == ValueType::Int2 ? 2 : t == ValueType::Int4 ? 4 : 8; }

//! The value as a decimal string (the canonical text form), or nullopt when `in` is not a value
//! of the type in that format.
std::optional<std::string> canonicalInt(size_t width, Format format, std::string_view in) {
  const int64_t max = width == 8 ? INT64_MAX : (int64_t{1} << (8 * width - 1)) - 1;
  const int64_t min = -max - 1;
  int64_t v = 0;
  if (format == Format::Binary) {
    if (in.size() != width) return std::nullopt;
    uint64_t u = readBigEndian(in);
    if (width < 8 && (u >> (8 * width - 1)) != 0) u |= ~uint64_t{0} << (8 * width);  // sign
    v = static_cast<int64_t>(u);
  } else {
    auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), v);
    if (ec != std::errc() || end != in.data() + in.size() || in.empty() || v < min || v > max)
      return std::nullopt;
  }
  return std::to_string(v);
}

Outcome hashInt(ValueType type, Format format, std::string_view in, const HashKey& key,
                std::string& out) {
  const size_t width = intWidth(type);
  auto canonical = canonicalInt(width, format, in);
  if (!canonical) return Outcome::Null;
  // The top `width` bytes of the HMAC, sign bit cleared: a non-negative value of the type.
  uint64_t v = digestPrefix(hmac(key, *canonical)) >> (64 - 8 * width);
  v &= (uint64_t{1} << (8 * width - 1)) - 1;
  out.clear();
  if (format == Format::Binary)
    appendBigEndian(v, width, out);
  else
    out = std::to_string(v);
  return Outcome::Replace;
}

// ---- numeric ---------------------------------------------------------------------------------

//! numeric_send → the text numeric_out would print (PostgreSQL get_str_from_var), or nullopt
//! when the bytes are not a valid send encoding (as numeric_recv would reject them).
std::optional<std::string> numericBinaryToText(std::string_view in) {
  if (in.size() < 8) return std::nullopt;
  auto u16 = [&](size_t at) { return static_cast<uint16_t>(readBigEndian(in.substr(at, 2))); };
  const size_t ndigits = u16(0);
  const int weight = static_cast<int16_t>(u16(2));
  const uint16_t sign = u16(4);
  const uint16_t dscale = u16(6);
  if (in.size() != 8 + 2 * ndigits || (dscale & 0xC000) != 0) return std::nullopt;
  if (sign == 0xC000) return "NaN";
  if (sign == 0xD000) return "Infinity";
  if (sign == 0xF000) return "-Infinity";
  if (sign != 0x0000 && sign != 0x4000) return std::nullopt;
  std::vector<uint16_t> digits(ndigits);
  for (size_t i = 0; i < ndigits; ++i) {
    digits[i] = u16(8 + 2 * i);
    if (digits[i] > 9999) return std::nullopt;
  }
  auto digitAt = [&](int d) -> unsigned { return d >= 0 && size_t(d) < ndigits ? digits[d] : 0; };
  auto appendGroup = [](unsigned g, std::string& s) {
    char buf[4] = {char('0' + g / 1000), char('0' + g / 100 % 10), char('0' + g / 10 % 10),
                   char('0' + g % 10)};
    s.append(buf, 4);
  };
  std::string s;
  if (sign == 0x4000) s.push_back('-');
  int d = 0;
  if (weight < 0) {
    d = weight + 1;
    s.push_back('0');
  } else {
    for (d = 0; d <= weight; ++d) {
      if (d == 0)
        s += std::to_string(digitAt(d));  // no leading zeros in the first group
      else
        appendGroup(digitAt(d), s);
    }
  }
  if (dscale > 0) {
    s.push_back('.');
    const size_t end = s.size() + dscale;
    for (int i = 0; i < dscale; ++d, i += 4) appendGroup(digitAt(d), s);
    s.resize(end);
  }
  return s;
}

//! numeric_send of a non-negative integer: base-10000 digits, no trailing zero digits, dscale 0.
void appendNumericBinary(uint64_t v, std::string& out) {
  std::vector<uint16_t> groups;
  for (; v > 0; v /= 10000) groups.insert(groups.begin(), static_cast<uint16_t>(v % 10000));
  const int weight = groups.empty() ? 0 : static_cast<int>(groups.size()) - 1;
  while (!groups.empty() && groups.back() == 0) groups.pop_back();
  appendBigEndian(groups.size(), 2, out);
  appendBigEndian(static_cast<uint16_t>(weight), 2, out);
  appendBigEndian(0x0000, 2, out);  // sign: positive
  appendBigEndian(0, 2, out);       // dscale
  for (uint16_t g : groups) appendBigEndian(g, 2, out);
}

Outcome hashNumeric(Format format, std::string_view in, const HashKey& key, std::string& out) {
  std::optional<std::string> converted;
  std::string_view canonical = in;
  if (format == Format::Binary) {
    converted = numericBinaryToText(in);
    if (!converted) return Outcome::Null;
    canonical = *converted;
  } else if (in.empty()) {
    return Outcome::Null;
  }
  const uint64_t v = digestPrefix(hmac(key, canonical)) % kNumericHashLimit;
  out.clear();
  if (format == Format::Binary)
    appendNumericBinary(v, out);
  else
    out = std::to_string(v);
  return Outcome::Replace;
}

// ---- uuid ------------------------------------------------------------------------------------

void appendUuidText(std::span<const uint8_t> b, std::string& out) {
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    appendHex(b.subspan(i, 1), out);
  }
}

//! 16 bytes from uuid_send, or from text as uuid_in accepts it (hex digits, optionally in
//! hyphenated groups, optionally in braces, either case).
std::optional<std::array<uint8_t, 16>> parseUuid(Format format, std::string_view in) {
  std::array<uint8_t, 16> b{};
  if (format == Format::Binary) {
    if (in.size() != 16) return std::nullopt;
    for (size_t i = 0; i < 16; ++i) b[i] = static_cast<uint8_t>(in[i]);
    return b;
  }
  if (in.size() >= 2 && in.front() == '{' && in.back() == '}') in = in.substr(1, in.size() - 2);
  size_t n = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '-' && i > 0 && i + 1 < in.size() && in[i - 1] != '-') continue;
    int h = hexValue(in[i]);
    if (h < 0 || n >= 32) return std::nullopt;
    b[n / 2] = static_cast<uint8_t>(b[n / 2] | (n % 2 == 0 ? h << 4 : h));
    ++n;
  }
  if (n != 32) return std::nullopt;
  return b;
}

Outcome hashUuid(Format format, std::string_view in, const HashKey& key, std::string& out) {
  auto parsed = parseUuid(format, in);
  if (!parsed) return Outcome::Null;
  std::string canonical;
  appendUuidText(*parsed, canonical);
  auto d = hmac(key, canonical);
  // Version 4 and the RFC 4122 variant, so clients that validate UUIDs accept the value.
  d[6] = static_cast<uint8_t>((d[6] & 0x0F) | 0x40);
  d[8] = static_cast<uint8_t>((d[8] & 0x3F) | 0x80);
  out.clear();
  if (format == Format::Binary)
    out.assign(reinterpret_cast<const char*>(d.data()), 16);
  else
    appendUuidText(std::span<const uint8_t>(d.data(), 16), out);
  return Outcome::Replace;
}

// ---- bytea -----------------------------------------------------------------------------------

//! byteaout text (hex "\x..." or the escape format) → raw bytes, as byteain decodes it.
std::optional<std::string> decodeByteaText(std::string_view in) {
  std::string raw;
  if (in.size() >= 2 && in[0] == '\\' && in[1] == 'x') {
    for (size_t i = 2; i < in.size();) {
      char c = in[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
        continue;
      }
      if (i + 1 >= in.size()) return std::nullopt;
      int hi = hexValue(c), lo = hexValue(in[i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      raw.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    }
    return raw;
  }
  for (size_t i = 0; i < in.size();) {
    if (in[i] != '\\') {
      raw.push_back(in[i++]);
    } else if (i + 1 < in.size() && in[i + 1] == '\\') {
      raw.push_back('\\');
      i += 2;
    } else if (i + 3 < in.size() && in[i + 1] >= '0' && in[i + 1] <= '3' && in[i + 2] >= '0' &&
               in[i + 2] <= '7' && in[i + 3] >= '0' && in[i + 3] <= '7') {
      raw.push_back(
          static_cast<char>((in[i + 1] - '0') << 6 | (in[i + 2] - '0') << 3 | (in[i + 3] - '0')));
      i += 4;
    } else {
      return std::nullopt;
    }
  }
  return raw;
}

Outcome hashBytea(Format format, std::string_view in, const HashKey& key, std::string& out) {
  std::optional<std::string> decoded;
  std::string_view raw = in;
  if (format == Format::Text) {
    decoded = decodeByteaText(in);
    if (!decoded) return Outcome::Null;
    raw = *decoded;
  }
  const auto d = hmac(key, raw);
  out.clear();
  if (format == Format::Binary) {
    out.assign(reinterpret_cast<const char*>(d.data()), d.size());
  } else {
    out = "\\x";
    appendHex(d, out);
  }
  return Outcome::Replace;
}

// ---- json / jsonb ----------------------------------------------------------------------------

std::string_view trimJsonSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\n\r";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

//! The whole document becomes a JSON string: "****", the hash, or the partial shape of the
//! document's string value (of its text when it is not a string).
Outcome maskJsonValue(Method method, Format format, std::string_view in, const HashKey& key,
                      std::string& out) {
  std::string_view doc = in;
  const bool jsonb = format == Format::Binary;  // jsonb_send: version byte 1 + text
  if (jsonb) {
    if (doc.empty() || doc[0] != '\x01') return Outcome::Null;
    doc.remove_prefix(1);
  }
  std::string body;
  if (method == Method::Partial) {
    std::string_view t = trimJsonSpace(doc);
    if (!t.empty() && t.front() == '"') {
      auto j = nlohmann::json::parse(t, nullptr, false);
      if (j.is_string())
        partialText(j.get_ref<const std::string&>(), body);
      else
        partialText(t, body);
    } else {
      partialText(t, body);
    }
  } else if (!maskText(method, doc, key, body)) {
    return Outcome::Null;
  }
  out.clear();
  if (jsonb) out.push_back('\x01');
  out += nlohmann::json(body).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return Outcome::Replace;
}

}  // namespace

bool isTextLike(ValueType t) { return t == ValueType::Text; }

void redactText(std::string_view, std::string& out) { out.append(kMask); }

void partialText(std::string_view in, std::string& out) {
  size_t at = 0;
  if (emailShape(in, at)) {
    std::string_view local = in.substr(0, at);
    UnitScan u = scanUnits(local);
    if (u.count >= 2) appendUnit(local, u.first, out);  // a 1-character local part stays hidden
    out.append("***");
    out.append(in.substr(at));
    return;
  }
  if (digitShape(in)) {
    size_t digits = 0;
    for (char c : in) digits += isAsciiDigit(c);
    size_t seen = 0;
    for (char c : in) {
      if (isAsciiDigit(c))
        out.push_back(++seen > digits - 4 ? c : '*');
      else
        out.push_back(isAsciiAlpha(c) ? '*' : c);
    }
    return;
  }
  UnitScan u = scanUnits(in);
  if (u.count < 5) {
    out.append(kMask);
    return;
  }
  appendUnit(in, u.first, out);
  out.append("***");
  appendUnit(in, u.last, out);
}

void hashText(std::string_view in, const HashKey& key, std::string& out) {
  const auto d = hmac(key, in);
  appendHex(std::span<const uint8_t>(d.data(), 8), out);
}

bool maskText(Method method, std::string_view in, const HashKey& key, std::string& out) {
  switch (method) {
    case Method::Redact: redactText(in, out); return true;
    case Method::Partial: partialText(in, out); return true;
    case Method::Hash: hashText(in, key, out); return true;
    case Method::Null: return false;
  }
  return false;
}

Outcome maskValue(Method method, ValueType type, Format format, std::string_view in,
                  const HashKey& key, std::string& out) {
  if (method == Method::Null) return Outcome::Null;
  switch (type) {
    case ValueType::Text:
      out.clear();
      return maskText(method, in, key, out) ? Outcome::Replace : Outcome::Null;
    case ValueType::Json: return maskJsonValue(method, format, in, key, out);
    default: break;
  }
  if (method != Method::Hash) return Outcome::Null;  // redact/partial have no non-text form
  switch (type) {
    case ValueType::Int2:
    case ValueType::Int4:
    case ValueType::Int8: return hashInt(type, format, in, key, out);
    case ValueType::Numeric: return hashNumeric(format, in, key, out);
    case ValueType::Uuid: return hashUuid(format, in, key, out);
    case ValueType::Bytea: return hashBytea(format, in, key, out);
    default: return Outcome::Null;
  }
}

}  // namespace warden::masking
