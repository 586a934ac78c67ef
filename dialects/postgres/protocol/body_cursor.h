// dialects/postgres/protocol/body_cursor.h
//! Bounds-checked reader over one message body, shared by the decoders (internal to the codec).
//! Every accessor fails instead of reading past the end; nothing allocates.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "warden/base/byte_io.h"

namespace warden::dialect::postgres {

class BodyCursor {
 public:
  explicit BodyCursor(std::span<const uint8_t> body) : body_(body) {}

  size_t remaining() const { return body_.size() - pos_; }
  bool atEnd() const { return pos_ == body_.size(); }

  bool u8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = body_[pos_++];
    return true;
  }
  bool u16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = loadBe16(body_.data() + pos_);
    pos_ += 2;
    return true;
  }
  bool u32(uint32_t& out) {
    if (remaining() < 4) return false;
    out = loadBe32(body_.data() + pos_);
    pos_ += 4;
    return true;
  }
  //! A NUL-terminated string inside the body; the view excludes the NUL.
  bool cstring(std::string_view& out) {
    const uint8_t* start = body_.data() + pos_;
    const void* nul = remaining() == 0 ? nullptr : std::memchr(start, 0, remaining());
    if (nul == nullptr) return false;
    const size_t n = size_t(static_cast<const uint8_t*>(nul) - start);
    out = std::string_view(reinterpret_cast<const char*>(start), n);
    pos_ += n + 1;
    return true;
  }
  bool bytes(size_t n, std::span<const uint8_t>& out) {
    if (remaining() < n) return false;
    out = body_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> rest() {
    auto out = body_.subspan(pos_);
    pos_ = body_.size();
    return out;
  }

 private:
  std::span<const uint8_t> body_;
  size_t pos_ = 0;
};

}  // namespace warden::dialect::postgres
