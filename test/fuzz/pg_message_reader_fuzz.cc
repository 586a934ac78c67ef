// test/fuzz/pg_message_reader_fuzz.cc
//! libFuzzer target for the PostgreSQL MessageReader (and, on every whole message it frames, the
//! decoders for that type).
//!
//! Input layout: [ctrl:1][split:1][stream bytes...]
//!   ctrl bits 0-1: stream policy (0 none, 1 all, 2 'D'/'d' only, 3 odd type bytes)
//!   ctrl bits 2-3: number of startup packets read with readStartup() first (0..2; 3 → 0)
//!   ctrl bits 4-7: whole-message cap = 8 << n bytes
//!   split: seed of the chunk sizes the stream is fed in (0 → one chunk)
//! Invariants are checked on every event; a violation aborts (a crash for the fuzzer).
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "protocol/message_reader.h"
#include "protocol/messages.h"
#include "warden/base/byte_io.h"

namespace {

using namespace warden;
using namespace warden::dialect::postgres;

void check(bool ok) {
  if (!ok) std::abort();
}

bool policyFor(uint8_t type, uint32_t, void* ctx) {
  switch (*static_cast<const uint8_t*>(ctx) & 3) {
    case 1: return true;
    case 2: return type == 'D' || type == 'd';
    case 3: return (type & 1) != 0;
    default: return false;
  }
}

void decodeByType(uint8_t type, ByteView body) {
  // Types overlap between directions: try both interpretations.
  switch (type) {
    case 0:
      (void)decodeStartupMessage(body);
      (void)decodeCancelRequest(body);
      break;
    case 'Q': (void)decodeQuery(body); break;
    case 'P': (void)decodeParse(body); break;
    case 'C': (void)decodeCloseOrDescribe(body); break;
    case 'D': (void)decodeCloseOrDescribe(body); break;
    case 'B': (void)decodeBindHead(body); break;
    case 'p':
      (void)decodePasswordMessage(body);
      (void)decodeSaslInitialResponse(body);
      break;
    case 'R': (void)decodeAuthentication(body); break;
    case 'S': (void)decodeParameterStatus(body); break;
    case 'K': (void)decodeBackendKeyData(body); break;
    case 'Z': (void)decodeReadyForQuery(body); break;
    case 'E':
    case 'N': (void)decodeErrorFields(body); break;
    case 'v': (void)decodeNegotiateProtocolVersion(body); break;
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t ctrl = data[0];
  uint32_t seed = data[1];
  int startup_left = (ctrl >> 2) & 3;
  if (startup_left == 3) startup_left = 0;
  const uint32_t cap = 8u << (ctrl >> 4);
  // Exactly-sized copy so ASan sees reads past the stream.
  const std::vector<uint8_t> stream(data + 2, data + size);

  MessageReader reader(cap);
  size_t pos = 0;               // bytes of `stream` handed to the reader so far
  size_t delivered = 0;         // bytes delivered in Message / Chunk events
  bool open = false;            // inside a streamed message
  uint8_t open_type = 0;
  uint32_t open_len = 0;
  uint64_t open_got = 0;
  bool failed = false;

  while (pos < stream.size() && !failed) {
    size_t n = stream.size() - pos;
    if (seed != 0) {
      seed = seed * 1103515245u + 12345u;
      n = std::min<size_t>(n, 1 + (seed >> 16) % 23);
    }
    const std::span<const uint8_t> piece(stream.data() + pos, n);
    std::span<const uint8_t> in = piece;
    pos += n;
    for (;;) {
      const bool startup = startup_left > 0;
      const size_t before = in.size();
      ReadEvent ev = startup ? reader.readStartup(in) : reader.next(in, policyFor, (void*)&ctrl);
      check(in.size() <= before);
      if (ev.kind == ReadEvent::Kind::NeedMore) {
        check(in.empty());
        break;
      }
      if (ev.kind == ReadEvent::Kind::Error) {
        check(!ev.error.empty());
        std::span<const uint8_t> again = piece;
        check(reader.next(again, policyFor, (void*)&ctrl).kind == ReadEvent::Kind::Error);
        check(!reader.atBoundary());
        failed = true;
        break;
      }
      const bool inside = !ev.raw.empty() && ev.raw.data() >= piece.data() &&
                          ev.raw.data() + ev.raw.size() <= piece.data() + piece.size();
      if (!ev.raw.empty()) check(inside == ev.raw_in_input);
      delivered += ev.raw.size();
      if (ev.kind == ReadEvent::Kind::Message) {
        const size_t header = startup ? 4 : 5;
        check(!open);
        check(ev.raw.size() == header + ev.length);
        check(ev.body.size() == ev.length && ev.body.data() == ev.raw.data() + header);
        if (startup) {
          check(ev.type == 0 && ev.length >= 4 && ev.length + 4 <= kMaxStartupPacket);
          --startup_left;
        } else {
          check(ev.raw[0] == ev.type && ev.length <= cap);
          check(loadBe32(ev.raw.data() + 1) == ev.length + 4);
        }
        decodeByType(ev.type, ev.body);
        check(reader.atBoundary() && reader.buffered() == 0);
      } else {
        check(!startup);
        check(ev.first != open);
        if (ev.first) {
          open = true;
          open_type = ev.type;
          open_len = ev.length;
          open_got = 0;
          check(ev.raw.size() >= 5 && ev.raw[0] == ev.type);
        } else {
          check(ev.type == open_type && ev.length == open_len && !ev.raw.empty());
        }
        open_got += ev.raw.size();
        check(open_got <= 5 + uint64_t(open_len));
        check(ev.last == (open_got == 5 + uint64_t(open_len)));
        if (ev.last) open = false;
        check(reader.atBoundary() == !open);
      }
    }
  }
  if (!failed) check(delivered + reader.buffered() == stream.size());
  return 0;
}
