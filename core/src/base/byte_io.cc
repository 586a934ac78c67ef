// core/src/base/byte_io.cc
#include "warden/base/byte_io.h"

namespace warden {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

Bytes fromHex(std::string_view hex) {
  Bytes out;
  out.reserve(hex.size() / 2);
  int high = -1;  // pending high nibble
  for (char c : hex) {
    if (isSpace(c)) continue;
    int v = hexValue(c);
    if (v < 0) return {};
    if (high < 0) {
      high = v;
    } else {
      out.push_back(uint8_t(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) return {};  // odd number of digits
  return out;
}

std::string toHex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

}  // namespace warden
