// test/unit/postgres/pg_test_util.h
//! Helpers shared by the PostgreSQL codec tests: hex fixtures, a MessageReader driver that
//! normalizes events into frames (so chunked and unchunked runs can be compared), and canonical
//! descriptions of decoded values (so "decoded identically" is a string comparison).
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <deque>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "protocol/message_reader.h"
#include "protocol/messages.h"
#include "warden/base/byte_io.h"

namespace warden::dialect::postgres::testing {

//! Fixture bytes; a malformed hex literal fails the test instead of silently giving "".
inline Bytes hex(std::string_view h) {
  Bytes b = fromHex(h);
  REQUIRE(!b.empty());
  return b;
}

//! Keeps `b` alive for the whole test run and returns a view of it, so decoded values (which
//! are views into their input) can outlive the expression that produced the bytes.
inline ByteView keep(Bytes b) {
  static std::deque<Bytes> arena;
  arena.push_back(std::move(b));
  return arena.back();
}

//! A kept hex fixture.
inline ByteView view(std::string_view h) { return keep(hex(h)); }

//! The body of a typed frame fixture (checks the length word on the way); kept.
inline ByteView typedBody(std::string_view h) {
  Bytes f = hex(h);
  REQUIRE(f.size() >= 5);
  REQUIRE(loadBe32(f.data() + 1) == f.size() - 1);
  return keep(Bytes(f.begin() + 5, f.end()));
}

//! The payload of a startup-phase packet fixture (after the length word); kept.
inline ByteView startupPayload(std::string_view h) {
  Bytes f = hex(h);
  REQUIRE(f.size() >= 4);
  REQUIRE(loadBe32(f.data()) == f.size());
  return keep(Bytes(f.begin() + 4, f.end()));
}

inline Bytes toBytes(ByteView v) { return Bytes(v.begin(), v.end()); }

inline std::string str(ByteView v) { return std::string(asStringView(v)); }

//! One message as the reader delivered it: a whole Message, or all Chunks of a streamed one.
struct Frame {
  ReadEvent::Kind kind = ReadEvent::Kind::Message;
  uint8_t type = 0;
  uint32_t length = 0;
  Bytes raw;
  bool operator==(const Frame&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Frame& f) {
  return os << (f.kind == ReadEvent::Kind::Message ? "Message " : "Streamed ") << int(f.type)
            << " len=" << f.length << " raw=" << toHex(f.raw);
}

struct Collected {
  std::vector<Frame> frames;
  std::optional<std::string> error;
  bool complete = true;      // no streamed message left open at the end
  bool consistent = true;    // every per-event invariant held
  std::string why;           // first violated invariant
  size_t events = 0;
};

//! Policy: stream the types listed in a std::set<uint8_t>* ctx.
inline bool streamListed(uint8_t type, uint32_t, void* ctx) {
  return static_cast<const std::set<uint8_t>*>(ctx)->count(type) != 0;
}
inline bool streamAll(uint8_t, uint32_t, void*) { return true; }

//! Feeds `pieces` in order; the first `startup_packets` messages are read with readStartup().
//! Invariant violations are recorded (not REQUIREd) so fuzz-style loops stay cheap.
inline Collected drive(MessageReader& r, const std::vector<ByteView>& pieces, StreamPolicy policy,
                       void* ctx, int startup_packets = 0) {
  Collected out;
  auto violate = [&](const char* why) {
    if (out.consistent) out.why = why;
    out.consistent = false;
  };
  bool open = false;
  for (ByteView piece : pieces) {
    std::span<const uint8_t> in = piece;
    for (;;) {
      const size_t before = in.size();
      const bool startup = startup_packets > 0;
      ReadEvent ev = startup ? r.readStartup(in) : r.next(in, policy, ctx);
      ++out.events;
      if (in.size() > before) violate("input grew");
      if (ev.kind == ReadEvent::Kind::NeedMore) {
        if (!in.empty()) violate("NeedMore with input left");
        break;
      }
      if (ev.kind == ReadEvent::Kind::Error) {
        if (ev.error.empty()) violate("Error without a message");
        out.error = ev.error;
        out.complete = !open;
        return out;
      }
      const bool inside = !ev.raw.empty() && ev.raw.data() >= piece.data() &&
                          ev.raw.data() + ev.raw.size() <= piece.data() + piece.size();
      if (!ev.raw.empty() && inside != ev.raw_in_input) violate("raw_in_input is wrong");
      if (ev.raw_in_input && ev.raw.data() + ev.raw.size() != in.data()) {
        violate("raw in input does not end where the input resumes");
      }
      if (ev.kind == ReadEvent::Kind::Message) {
        const size_t header = startup ? 4 : 5;
        if (open) violate("Message inside a streamed message");
        if (ev.raw.size() != header + ev.length || ev.body.size() != ev.length ||
            ev.body.data() != ev.raw.data() + header) {
          violate("Message raw/body/length mismatch");
        }
        if (startup && ev.type != 0) violate("startup packet with a type");
        if (!startup && ev.raw.size() >= 1 && ev.raw[0] != ev.type) violate("type mismatch");
        out.frames.push_back({ev.kind, ev.type, ev.length, Bytes(ev.raw.begin(), ev.raw.end())});
        if (startup) --startup_packets;
      } else {
        if (ev.first == open) violate("first flag disagrees with the open message");
        if (ev.first) {
          out.frames.push_back({ev.kind, ev.type, ev.length, {}});
          open = true;
        } else if (out.frames.empty() || out.frames.back().type != ev.type ||
                   out.frames.back().length != ev.length) {
          violate("chunk does not continue its message");
        }
        if (out.frames.empty()) return out;
        Frame& f = out.frames.back();
        f.raw.insert(f.raw.end(), ev.raw.begin(), ev.raw.end());
        if (f.raw.size() > 5 + size_t(f.length)) violate("streamed message overran its length");
        if (ev.last) {
          if (f.raw.size() != 5 + size_t(f.length)) violate("last chunk before the end");
          open = false;
        } else if (ev.raw.empty()) {
          violate("empty non-final chunk");
        }
      }
    }
  }
  out.complete = !open;
  return out;
}

//! Splits `all` at the given ascending offsets.
inline std::vector<ByteView> splitAt(ByteView all, const std::vector<size_t>& cuts) {
  std::vector<ByteView> pieces;
  size_t from = 0;
  for (size_t c : cuts) {
    pieces.push_back(all.subspan(from, c - from));
    from = c;
  }
  pieces.push_back(all.subspan(from));
  return pieces;
}

// ----------------------------------------------------------- canonical forms of decoded values

inline std::string describe(const StartupMessage& m) {
  std::string s = std::to_string(m.major) + "." + std::to_string(m.minor);
  for (const auto& [k, v] : m.params) s += "|" + k + "=" + v;
  return s;
}
inline std::string describe(const CancelRequest& m) {
  return std::to_string(m.pid) + ":" + toHex(m.secret);
}
inline std::string describe(std::string_view s) { return std::string(s); }
inline std::string describe(const ParseMessage& m) {
  std::string s = std::string(m.name) + "|" + std::string(m.query);
  for (uint32_t t : m.param_types) s += "|" + std::to_string(t);
  return s;
}
inline std::string describe(const CloseOrDescribe& m) {
  return std::string(1, char(m.kind)) + "|" + std::string(m.name);
}
inline std::string describe(const BindHead& m) {
  return std::string(m.portal) + "|" + std::string(m.statement);
}
inline std::string describe(const SaslInitialResponse& m) {
  return std::string(m.mechanism) + "|" + (m.data ? "=" + std::string(*m.data) : "none");
}
inline std::string describe(const AuthRequest& m) {
  std::string s = std::to_string(uint32_t(m.code)) + "|" + toHex(m.data);
  for (auto mech : m.mechanisms) s += "|" + std::string(mech);
  return s;
}
inline std::string describe(const ParameterStatus& m) {
  return std::string(m.name) + "=" + std::string(m.value);
}
inline std::string describe(const BackendKeyData& m) {
  return std::to_string(m.pid) + ":" + toHex(m.secret);
}
inline std::string describe(uint8_t status) { return std::string(1, char(status)); }
inline std::string describe(const ErrorFields& m) {
  std::string s;
  for (const auto& [c, v] : m.fields) s += std::string(1, char(c)) + "=" + std::string(v) + "|";
  return s;
}
inline std::string describe(const NegotiateProtocolVersion& m) {
  std::string s = std::to_string(m.newest_minor);
  for (auto o : m.unsupported) s += "|" + std::string(o);
  return s;
}

//! Decoded value as a canonical string, or nullopt when the decoder rejected the bytes.
template <typename T>
std::optional<std::string> described(const Result<T>& r) {
  if (!r.ok()) {
    if (r.error().message.empty()) return std::string("<error without message>");
    return std::nullopt;
  }
  return describe(r.value());
}

}  // namespace warden::dialect::postgres::testing
