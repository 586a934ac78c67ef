// core/include/warden/base/byte_io.h
//! Big/little-endian helpers for pure protocol codecs. No allocation, no bounds surprises:
//! callers check sizes first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace warden {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline uint16_t loadBe16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t loadBe32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}
inline void storeBe16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8); p[1] = uint8_t(v); }
inline void storeBe32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24); p[1] = uint8_t(v >> 16); p[2] = uint8_t(v >> 8); p[3] = uint8_t(v);
}
inline void appendBe16(Bytes& b, uint16_t v) { b.push_back(uint8_t(v >> 8)); b.push_back(uint8_t(v)); }
inline void appendBe32(Bytes& b, uint32_t v) {
  b.push_back(uint8_t(v >> 24)); b.push_back(uint8_t(v >> 16));
  b.push_back(uint8_t(v >> 8)); b.push_back(uint8_t(v));
}
inline void appendBytes(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
inline void appendBytes(Bytes& b, ByteView s) { b.insert(b.end(), s.begin(), s.end()); }
inline std::string_view asStringView(ByteView v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}
inline ByteView asBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

//! Parses hex like "51 00 00 00 0d" (whitespace ignored) — for test fixtures. Empty on bad input.
Bytes fromHex(std::string_view hex);
std::string toHex(ByteView bytes);

}  // namespace warden
