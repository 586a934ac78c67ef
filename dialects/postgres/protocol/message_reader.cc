// dialects/postgres/protocol/message_reader.cc
//! Streaming framer for PostgreSQL protocol 3.x. See message_reader.h for the contract.
//!
//! Internal states (at most one of them is active between calls):
//!  - boundary: buf_ empty (or stale: handed out in the previous event);
//!  - partial header: buf_ holds 1..4 (typed) or 1..3 (startup, `startup_`) header bytes;
//!  - assembling_: buf_ holds header + part of a whole message of `body_len_` body bytes;
//!  - streaming_: the header chunk was emitted, `remaining_` body bytes still to relay.
//! Every event does O(1) work plus at most one copy of the bytes it consumes (only on the
//! assembly path); the zero-copy paths never allocate.
#include "protocol/message_reader.h"

#include <algorithm>

#include "protocol/constants.h"
#include "warden/base/byte_io.h"

namespace warden::dialect::postgres {

namespace {
constexpr size_t kInitialReserve = 64 * 1024;
}  // namespace

namespace {

constexpr size_t kTypedHeader = 5;    // type:1 + len:4
constexpr size_t kStartupHeader = 4;  // len:4
//! Largest length word accepted for a typed message (PostgreSQL's own limit is 1 GiB of body).
constexpr uint32_t kMaxTypedLength = (1u << 30) + 4;
//! Assembly buffers larger than this are released once handed out, so one huge message does not
//! pin its memory for the rest of the connection.
constexpr size_t kKeepCapacity = 64 * 1024;

std::string typeName(uint8_t type) {
  if (type >= 0x20 && type < 0x7f) return std::string("'") + char(type) + "'";
  static const char* kHex = "0123456789abcdef";
  return std::string("0x") + kHex[type >> 4] + kHex[type & 15];
}

}  // namespace

MessageReader::MessageReader(uint32_t max_message_bytes) : max_(max_message_bytes) {}

ReadEvent MessageReader::fail(std::string message) {
  if (!dead_) {
    dead_ = true;
    error_ = std::move(message);
    streaming_ = assembling_ = startup_ = stale_ = false;
    remaining_ = 0;
    buf_.clear();
    buf_.shrink_to_fit();
  }
  ReadEvent ev;
  ev.kind = ReadEvent::Kind::Error;
  ev.error = error_;
  return ev;
}

void MessageReader::releaseStale() {
  if (!stale_) return;
  stale_ = false;
  if (buf_.capacity() > kKeepCapacity) {
    std::vector<uint8_t>().swap(buf_);
  } else {
    buf_.clear();
  }
}

bool MessageReader::atBoundary() const {
  return !dead_ && !streaming_ && !assembling_ && (stale_ || buf_.empty());
}

size_t MessageReader::buffered() const { return stale_ ? 0 : buf_.size(); }

ReadEvent MessageReader::continueAssembly(std::span<const uint8_t>& input) {
  const size_t header = startup_ ? kStartupHeader : kTypedHeader;
  const size_t total = header + size_t(body_len_);
  const size_t take = std::min(total - buf_.size(), input.size());
  buf_.insert(buf_.end(), input.begin(), input.begin() + take);
  input = input.subspan(take);
  ReadEvent ev;
  if (buf_.size() < total) return ev;  // NeedMore: all of `input` went into buf_
  ev.kind = ReadEvent::Kind::Message;
  ev.type = type_;
  ev.length = body_len_;
  ev.raw = std::span<const uint8_t>(buf_.data(), buf_.size());
  ev.body = ev.raw.subspan(header);
  ev.raw_in_input = false;
  assembling_ = false;
  startup_ = false;
  stale_ = true;
  return ev;
}

ReadEvent MessageReader::continueStream(std::span<const uint8_t>& input) {
  ReadEvent ev;
  if (input.empty()) return ev;
  const size_t take = size_t(std::min<uint64_t>(remaining_, input.size()));
  ev.kind = ReadEvent::Kind::Chunk;
  ev.type = type_;
  ev.length = body_len_;
  ev.raw = input.first(take);
  ev.raw_in_input = true;
  input = input.subspan(take);
  remaining_ -= take;
  ev.first = false;
  ev.last = remaining_ == 0;
  if (ev.last) streaming_ = false;
  return ev;
}

ReadEvent MessageReader::next(std::span<const uint8_t>& input, StreamPolicy policy, void* ctx) {
  if (dead_) return fail({});
  releaseStale();
  if (startup_) return fail("typed message read while a startup packet is incomplete");
  if (streaming_) return continueStream(input);
  if (assembling_) return continueAssembly(input);

  // Header: straight from the input when it is all there, else via buf_.
  const uint8_t* header = nullptr;
  bool header_in_input = false;
  if (buf_.empty() && input.size() >= kTypedHeader) {
    header = input.data();
    header_in_input = true;
  } else {
    const size_t take = std::min(kTypedHeader - buf_.size(), input.size());
    if (buf_.capacity() < kTypedHeader) buf_.reserve(kTypedHeader);
    buf_.insert(buf_.end(), input.begin(), input.begin() + take);
    input = input.subspan(take);
    if (buf_.size() < kTypedHeader) return ReadEvent{};  // NeedMore
    header = buf_.data();
  }

  const uint8_t type = header[0];
  const uint32_t len = loadBe32(header + 1);
  if (len < 4) {
    return fail("message " + typeName(type) + " has invalid length " + std::to_string(len));
  }
  if (len > kMaxTypedLength) {
    return fail("message " + typeName(type) + " of " + std::to_string(uint64_t(len) - 4) +
                " bytes exceeds the protocol limit of " + std::to_string(kMaxTypedLength - 4));
  }
  const uint32_t body_len = len - 4;
  type_ = type;
  body_len_ = body_len;

  if (policy != nullptr && policy(type, body_len, ctx)) {
    ReadEvent ev;
    ev.kind = ReadEvent::Kind::Chunk;
    ev.type = type;
    ev.length = body_len;
    ev.first = true;
    if (header_in_input) {
      const size_t take = std::min<size_t>(input.size() - kTypedHeader, body_len);
      ev.raw = input.first(kTypedHeader + take);
      ev.raw_in_input = true;
      input = input.subspan(kTypedHeader + take);
      remaining_ = body_len - take;
    } else {
      ev.raw = std::span<const uint8_t>(buf_.data(), kTypedHeader);
      ev.raw_in_input = false;
      stale_ = true;
      remaining_ = body_len;
    }
    ev.last = remaining_ == 0;
    streaming_ = !ev.last;
    return ev;
  }

  if (body_len > max_) {
    return fail("message " + typeName(type) + " of " + std::to_string(body_len) +
                " bytes exceeds the limit of " + std::to_string(max_));
  }
  if (header_in_input && input.size() - kTypedHeader >= body_len) {
    ReadEvent ev;
    ev.kind = ReadEvent::Kind::Message;
    ev.type = type;
    ev.length = body_len;
    ev.raw = input.first(kTypedHeader + body_len);
    ev.body = ev.raw.subspan(kTypedHeader);
    ev.raw_in_input = true;
    input = input.subspan(kTypedHeader + body_len);
    return ev;
  }
  // Grow with the bytes that actually arrive: a declared length alone reserves at most 64 KiB
  // (a peer announcing 64 MiB and sending nothing must not pin 64 MiB).
  const size_t initial = kTypedHeader + std::min<size_t>(body_len, kInitialReserve);
  if (header_in_input) {
    buf_.reserve(initial);
    buf_.assign(input.begin(), input.begin() + kTypedHeader);
    input = input.subspan(kTypedHeader);
  } else {
    buf_.reserve(initial);
  }
  assembling_ = true;
  return continueAssembly(input);
}

ReadEvent MessageReader::readStartup(std::span<const uint8_t>& input) {
  if (dead_) return fail({});
  releaseStale();
  if (streaming_ || (!startup_ && (assembling_ || !buf_.empty()))) {
    return fail("startup packet read while a typed message is incomplete");
  }
  if (assembling_) return continueAssembly(input);

  const uint8_t* header = nullptr;
  bool header_in_input = false;
  if (buf_.empty() && input.size() >= kStartupHeader) {
    header = input.data();
    header_in_input = true;
  } else {
    const size_t take = std::min(kStartupHeader - buf_.size(), input.size());
    if (buf_.capacity() < kStartupHeader) buf_.reserve(kStartupHeader);
    buf_.insert(buf_.end(), input.begin(), input.begin() + take);
    input = input.subspan(take);
    startup_ = !buf_.empty();
    if (buf_.size() < kStartupHeader) return ReadEvent{};  // NeedMore
    header = buf_.data();
  }

  const uint32_t len = loadBe32(header);
  if (len < 8 || len > kMaxStartupPacket) {
    return fail("invalid startup packet length " + std::to_string(len));
  }
  type_ = 0;
  body_len_ = len - 4;
  if (header_in_input && input.size() >= len) {
    ReadEvent ev;
    ev.kind = ReadEvent::Kind::Message;
    ev.type = 0;
    ev.length = body_len_;
    ev.raw = input.first(len);
    ev.body = ev.raw.subspan(kStartupHeader);
    ev.raw_in_input = true;
    input = input.subspan(len);
    startup_ = false;
    return ev;
  }
  buf_.reserve(len);
  if (header_in_input) {
    buf_.assign(input.begin(), input.begin() + kStartupHeader);
    input = input.subspan(kStartupHeader);
  }
  startup_ = true;
  assembling_ = true;
  return continueAssembly(input);
}

}  // namespace warden::dialect::postgres
