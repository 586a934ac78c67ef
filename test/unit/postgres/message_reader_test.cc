// test/unit/postgres/message_reader_test.cc
//! MessageReader: zero-copy vs assembled delivery, streaming, limits, startup packets, and
//! split-at-every-offset equivalence.
#include <random>

#include "pg_fixtures.h"
#include "pg_test_util.h"

namespace warden::dialect::postgres {
namespace {

using namespace testing;
namespace fx = fixtures;
using Kind = ReadEvent::Kind;

Bytes concat(std::initializer_list<const char*> hexes) {
  Bytes all;
  for (const char* h : hexes) appendBytes(all, ByteView(hex(h)));
  return all;
}

//! A backend stream: auth tail, an error, a result set with rows, a COPY, a zero-length message.
Bytes backendStream() {
  return concat({fx::kPostAuth, fx::kErrorDivZero, fx::kReadyIdle, fx::kDataRow, fx::kDataRow,
                 fx::kCopyData, "63 00000004" /* CopyDone */, fx::kCommandCompleteSelect,
                 fx::kNoticeSequence, "49 00000004" /* EmptyQueryResponse */, fx::kDataRow});
}

std::set<uint8_t> kRelayed = {'D', 'd', 'c', 'I'};

void checkSplitsMatch(ByteView all, StreamPolicy policy, void* ctx, int startup_packets) {
  MessageReader whole_reader;
  Collected whole = drive(whole_reader, {all}, policy, ctx, startup_packets);
  REQUIRE(whole.consistent);
  REQUIRE(whole.complete);
  REQUIRE(!whole.error);
  REQUIRE(whole_reader.atBoundary());
  for (size_t i = 0; i <= all.size(); ++i) {
    MessageReader r;
    Collected got = drive(r, splitAt(all, {i}), policy, ctx, startup_packets);
    INFO("split at " << i << ": " << got.why);
    REQUIRE(got.consistent);
    REQUIRE(!got.error);
    REQUIRE(got.complete);
    REQUIRE(got.frames == whole.frames);
    REQUIRE(r.atBoundary());
    REQUIRE(r.buffered() == 0);
  }
  MessageReader bytewise;
  std::vector<size_t> cuts;
  for (size_t i = 1; i < all.size(); ++i) cuts.push_back(i);
  Collected got = drive(bytewise, splitAt(all, cuts), policy, ctx, startup_packets);
  INFO(got.why);
  REQUIRE(got.consistent);
  REQUIRE(got.frames == whole.frames);
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::set<size_t> picks;
    const size_t n = rng() % 12;
    for (size_t k = 0; k < n; ++k) picks.insert(rng() % (all.size() + 1));
    MessageReader r;
    Collected rnd = drive(r, splitAt(all, {picks.begin(), picks.end()}), policy, ctx,
                          startup_packets);
    INFO("random round " << round << ": " << rnd.why);
    REQUIRE(rnd.consistent);
    REQUIRE(rnd.frames == whole.frames);
  }
}

TEST_CASE("pg reader: several whole messages in one buffer are zero-copy views",
          "[postgres][codec]") {
  Bytes all = concat({fx::kParse, fx::kBind, fx::kDescribeStatement, fx::kSync, fx::kQuery});
  MessageReader r;
  std::span<const uint8_t> in = all;
  const std::vector<uint8_t> types = {'P', 'B', 'D', 'S', 'Q'};
  size_t offset = 0;
  for (uint8_t t : types) {
    ReadEvent ev = r.next(in, nullptr, nullptr);
    REQUIRE(ev.kind == Kind::Message);
    CHECK(ev.type == t);
    CHECK(ev.raw_in_input);
    CHECK(ev.raw.data() == all.data() + offset);
    CHECK(ev.body.data() == ev.raw.data() + 5);
    CHECK(ev.length == ev.body.size());
    CHECK(r.atBoundary());
    CHECK(r.buffered() == 0);
    offset += ev.raw.size();
  }
  CHECK(in.empty());
  CHECK(r.next(in, nullptr, nullptr).kind == Kind::NeedMore);
  CHECK(r.atBoundary());
}

TEST_CASE("pg reader: a message split across inputs is assembled", "[postgres][codec]") {
  Bytes q = hex(fx::kQuery);
  MessageReader r;
  std::span<const uint8_t> a(q.data(), 3), b(q.data() + 3, 6), c(q.data() + 9, q.size() - 9);
  CHECK(r.next(a, nullptr, nullptr).kind == Kind::NeedMore);
  CHECK(a.empty());
  CHECK(r.buffered() == 3);
  CHECK(!r.atBoundary());
  CHECK(r.next(b, nullptr, nullptr).kind == Kind::NeedMore);
  CHECK(r.buffered() == 9);
  ReadEvent ev = r.next(c, nullptr, nullptr);
  REQUIRE(ev.kind == Kind::Message);
  CHECK(!ev.raw_in_input);
  CHECK(ev.type == 'Q');
  CHECK(str(ev.body) == std::string("SELECT 1/0\0", 11));
  CHECK(Bytes(ev.raw.begin(), ev.raw.end()) == q);
  CHECK(c.empty());
  CHECK(r.atBoundary());
  CHECK(r.buffered() == 0);
}

TEST_CASE("pg reader: header in input, body split, then the next message zero-copy",
          "[postgres][codec]") {
  Bytes all = concat({fx::kQuery, fx::kSync});
  MessageReader r;
  std::span<const uint8_t> a(all.data(), 8), b(all.data() + 8, all.size() - 8);
  CHECK(r.next(a, nullptr, nullptr).kind == Kind::NeedMore);
  ReadEvent q = r.next(b, nullptr, nullptr);
  REQUIRE(q.kind == Kind::Message);
  CHECK(!q.raw_in_input);
  ReadEvent s = r.next(b, nullptr, nullptr);
  REQUIRE(s.kind == Kind::Message);
  CHECK(s.type == 'S');
  CHECK(s.raw_in_input);
  CHECK(s.body.empty());
}

TEST_CASE("pg reader: streamed messages relay header and body in chunks", "[postgres][codec]") {
  Bytes row = hex(fx::kDataRow);
  SECTION("whole frame in one input: one chunk, first and last, zero copy") {
    MessageReader r;
    std::span<const uint8_t> in = row;
    ReadEvent ev = r.next(in, streamAll, nullptr);
    REQUIRE(ev.kind == Kind::Chunk);
    CHECK(ev.first);
    CHECK(ev.last);
    CHECK(ev.raw_in_input);
    CHECK(ev.type == 'D');
    CHECK(ev.length == row.size() - 5);
    CHECK(ev.raw.data() == row.data());
    CHECK(ev.raw.size() == row.size());
    CHECK(ev.body.empty());
    CHECK(r.atBoundary());
  }
  SECTION("header in input, body later") {
    MessageReader r;
    std::span<const uint8_t> a(row.data(), 7), b(row.data() + 7, row.size() - 7);
    ReadEvent first = r.next(a, streamAll, nullptr);
    REQUIRE(first.kind == Kind::Chunk);
    CHECK(first.first);
    CHECK(!first.last);
    CHECK(first.raw.size() == 7);
    CHECK(first.raw_in_input);
    CHECK(!r.atBoundary());
    CHECK(r.buffered() == 0);
    CHECK(r.next(a, streamAll, nullptr).kind == Kind::NeedMore);
    ReadEvent rest = r.next(b, streamAll, nullptr);
    REQUIRE(rest.kind == Kind::Chunk);
    CHECK(!rest.first);
    CHECK(rest.last);
    CHECK(rest.raw.size() == row.size() - 7);
    CHECK(rest.raw_in_input);
    CHECK(r.atBoundary());
  }
  SECTION("split header: the header chunk comes from the reader's buffer") {
    MessageReader r;
    std::span<const uint8_t> a(row.data(), 2), b(row.data() + 2, row.size() - 2);
    CHECK(r.next(a, streamAll, nullptr).kind == Kind::NeedMore);
    CHECK(r.buffered() == 2);
    ReadEvent head = r.next(b, streamAll, nullptr);
    REQUIRE(head.kind == Kind::Chunk);
    CHECK(head.first);
    CHECK(!head.last);
    CHECK(!head.raw_in_input);
    CHECK(Bytes(head.raw.begin(), head.raw.end()) == Bytes(row.begin(), row.begin() + 5));
    CHECK(r.buffered() == 0);
    ReadEvent body = r.next(b, streamAll, nullptr);
    REQUIRE(body.kind == Kind::Chunk);
    CHECK(body.last);
    CHECK(body.raw_in_input);
    CHECK(body.raw.size() == row.size() - 5);
  }
  SECTION("zero-length body: one chunk with first = last") {
    Bytes done = hex("63 00000004");
    for (size_t cut : {size_t(0), size_t(3), size_t(5)}) {
      MessageReader r;
      std::span<const uint8_t> a(done.data(), cut), b(done.data() + cut, done.size() - cut);
      if (cut > 0 && cut < 5) CHECK(r.next(a, streamAll, nullptr).kind == Kind::NeedMore);
      ReadEvent ev = r.next(cut == 5 ? a : b, streamAll, nullptr);
      REQUIRE(ev.kind == Kind::Chunk);
      CHECK(ev.first);
      CHECK(ev.last);
      CHECK(ev.length == 0);
      CHECK(Bytes(ev.raw.begin(), ev.raw.end()) == done);
      CHECK(ev.raw_in_input == (cut == 0 || cut == 5));
      CHECK(r.atBoundary());
      CHECK(r.buffered() == 0);
    }
  }
}

TEST_CASE("pg reader: the policy sees type and body length", "[postgres][codec]") {
  struct Seen { std::vector<std::pair<uint8_t, uint32_t>> calls; } seen;
  auto policy = [](uint8_t type, uint32_t len, void* ctx) {
    static_cast<Seen*>(ctx)->calls.emplace_back(type, len);
    return type == 'd';
  };
  Bytes all = concat({fx::kCopyData, fx::kQuery});
  MessageReader r;
  std::span<const uint8_t> in = all;
  CHECK(r.next(in, policy, &seen).kind == Kind::Chunk);
  CHECK(r.next(in, policy, &seen).kind == Kind::Message);
  REQUIRE(seen.calls.size() == 2);
  CHECK(seen.calls[0] == std::make_pair(uint8_t('d'), uint32_t(20)));
  CHECK(seen.calls[1] == std::make_pair(uint8_t('Q'), uint32_t(11)));
}

TEST_CASE("pg reader: split at every offset gives the same messages", "[postgres][codec]") {
  Bytes all = backendStream();
  SECTION("whole messages") { checkSplitsMatch(all, nullptr, nullptr, 0); }
  SECTION("relayed types streamed") { checkSplitsMatch(all, streamListed, &kRelayed, 0); }
  SECTION("everything streamed") { checkSplitsMatch(all, streamAll, nullptr, 0); }
}

TEST_CASE("pg reader: split at every pair of offsets", "[postgres][codec]") {
  Bytes all = concat({fx::kQuery, fx::kDataRow, "63 00000004", fx::kReadyIdle, fx::kParse});
  for (StreamPolicy policy : {StreamPolicy(nullptr), StreamPolicy(streamListed)}) {
    MessageReader ref;
    Collected whole = drive(ref, {all}, policy, &kRelayed);
    REQUIRE(whole.frames.size() == 5);
    for (size_t i = 0; i <= all.size(); ++i) {
      for (size_t j = i; j <= all.size(); ++j) {
        MessageReader r;
        Collected got = drive(r, splitAt(all, {i, j}), policy, &kRelayed);
        if (!(got.consistent && got.frames == whole.frames && r.atBoundary())) {
          FAIL("split at " << i << "," << j << ": " << got.why);
        }
      }
    }
  }
}

TEST_CASE("pg reader: startup packets split at every offset", "[postgres][codec]") {
  // What psql sends on a fresh connection after the server answered 'N' to SSLRequest, then
  // (typed) its password: SSLRequest, StartupMessage, PasswordMessage.
  Bytes all = concat({fx::kSslRequest, fx::kPsqlStartup, fx::kPasswordCleartext});
  MessageReader r;
  Collected whole = drive(r, {all}, nullptr, nullptr, 2);
  REQUIRE(whole.frames.size() == 3);
  CHECK(whole.frames[0].length == 4);
  CHECK(whole.frames[1].raw == hex(fx::kPsqlStartup));
  CHECK(whole.frames[2].type == 'p');
  checkSplitsMatch(all, nullptr, nullptr, 2);
}

TEST_CASE("pg reader: startup packet views", "[postgres][codec]") {
  Bytes p = hex(fx::kPsqlStartup);
  MessageReader r;
  std::span<const uint8_t> in = p;
  ReadEvent ev = r.readStartup(in);
  REQUIRE(ev.kind == Kind::Message);
  CHECK(ev.type == 0);
  CHECK(ev.raw_in_input);
  CHECK(ev.length == p.size() - 4);
  CHECK(ev.body.data() == p.data() + 4);
  CHECK(loadBe32(ev.body.data()) == kProtocolV30);
  MessageReader split;
  std::span<const uint8_t> a(p.data(), 2), b(p.data() + 2, p.size() - 2);
  CHECK(split.readStartup(a).kind == Kind::NeedMore);
  CHECK(split.buffered() == 2);
  ReadEvent ev2 = split.readStartup(b);
  REQUIRE(ev2.kind == Kind::Message);
  CHECK(!ev2.raw_in_input);
  CHECK(Bytes(ev2.body.begin(), ev2.body.end()) == Bytes(p.begin() + 4, p.end()));
}

TEST_CASE("pg reader: startup length limits", "[postgres][codec]") {
  auto lengthOnly = [](uint32_t len) {
    Bytes b;
    appendBe32(b, len);
    b.resize(std::max<size_t>(4, std::min<size_t>(len, 20000)), 0);
    return b;
  };
  for (uint32_t bad : {0u, 4u, 7u, kMaxStartupPacket + 1, 0x7fffffffu, 0xffffffffu}) {
    Bytes b = lengthOnly(bad);
    MessageReader r;
    std::span<const uint8_t> in = b;
    ReadEvent ev = r.readStartup(in);
    INFO(bad);
    REQUIRE(ev.kind == Kind::Error);
    CHECK(ev.error.find("startup packet length") != std::string::npos);
  }
  for (uint32_t good : {8u, kMaxStartupPacket}) {
    Bytes b = lengthOnly(good);
    MessageReader r;
    std::span<const uint8_t> in = b;
    ReadEvent ev = r.readStartup(in);
    REQUIRE(ev.kind == Kind::Message);
    CHECK(ev.length == good - 4);
  }
}

TEST_CASE("pg reader: invalid typed lengths are protocol errors", "[postgres][codec]") {
  for (const char* h : {"51 00000000", "51 00000003", "44 ffffffff", "64 80000000",
                        "64 40000005"}) {
    for (bool streamed : {false, true}) {
      Bytes b = hex(h);
      MessageReader r;
      std::span<const uint8_t> in = b;
      ReadEvent ev = r.next(in, streamed ? streamAll : nullptr, nullptr);
      INFO(h << " streamed=" << streamed);
      REQUIRE(ev.kind == Kind::Error);
      CHECK(!ev.error.empty());
      CHECK(!r.atBoundary());
    }
  }
  // The largest legal length streams fine (the body is simply not here yet).
  Bytes max = hex("64 40000004 00");
  MessageReader r;
  std::span<const uint8_t> in = max;
  ReadEvent ev = r.next(in, streamAll, nullptr);
  REQUIRE(ev.kind == Kind::Chunk);
  CHECK(ev.length == (1u << 30));
  CHECK(!ev.last);
}

TEST_CASE("pg reader: whole messages are capped, streamed ones are not", "[postgres][codec]") {
  Bytes big;
  big.push_back('Q');
  appendBe32(big, 4 + 101);
  big.resize(5 + 101, 'x');
  big.back() = 0;
  SECTION("over the cap") {
    MessageReader r(100);
    std::span<const uint8_t> in = big;
    ReadEvent ev = r.next(in, nullptr, nullptr);
    REQUIRE(ev.kind == Kind::Error);
    CHECK(ev.error == "message 'Q' of 101 bytes exceeds the limit of 100");
  }
  SECTION("exactly at the cap, split") {
    MessageReader r(101);
    std::span<const uint8_t> a(big.data(), 50), b(big.data() + 50, big.size() - 50);
    CHECK(r.next(a, nullptr, nullptr).kind == Kind::NeedMore);
    ReadEvent ev = r.next(b, nullptr, nullptr);
    REQUIRE(ev.kind == Kind::Message);
    CHECK(ev.length == 101);
  }
  SECTION("streamed past the cap") {
    Bytes copy;
    copy.push_back('d');
    appendBe32(copy, 4 + 1000000);
    copy.resize(5 + 1000000, 0xab);
    MessageReader r(100);
    Collected got = drive(r, splitAt(copy, {4096, 70000, 500000}), streamAll, nullptr);
    REQUIRE(got.consistent);
    REQUIRE(got.frames.size() == 1);
    CHECK(got.frames[0].raw == copy);
  }
  SECTION("non-printable types are named in hex") {
    big[0] = 0x01;
    MessageReader r(100);
    std::span<const uint8_t> in = big;
    CHECK(r.next(in, nullptr, nullptr).error ==
          "message 0x01 of 101 bytes exceeds the limit of 100");
  }
}

TEST_CASE("pg reader: dead after an error", "[postgres][codec]") {
  Bytes bad = hex("51 00000002");
  Bytes good = hex(fx::kSync);
  MessageReader r;
  std::span<const uint8_t> in = bad;
  ReadEvent first = r.next(in, nullptr, nullptr);
  REQUIRE(first.kind == Kind::Error);
  for (int i = 0; i < 3; ++i) {
    std::span<const uint8_t> g = good;
    ReadEvent again = r.next(g, nullptr, nullptr);
    CHECK(again.kind == Kind::Error);
    CHECK(again.error == first.error);
    CHECK(g.size() == good.size());
    CHECK(r.readStartup(g).kind == Kind::Error);
  }
  CHECK(r.buffered() == 0);
}

TEST_CASE("pg reader: mixing startup and typed reads mid-message is an error",
          "[postgres][codec]") {
  Bytes p = hex(fx::kPsqlStartup);
  MessageReader r;
  std::span<const uint8_t> a(p.data(), 6);
  CHECK(r.readStartup(a).kind == Kind::NeedMore);
  std::span<const uint8_t> b(p.data() + 6, 4);
  CHECK(r.next(b, nullptr, nullptr).kind == Kind::Error);

  Bytes q = hex(fx::kQuery);
  MessageReader t;
  std::span<const uint8_t> c(q.data(), 3);
  CHECK(t.next(c, nullptr, nullptr).kind == Kind::NeedMore);
  std::span<const uint8_t> d(q.data() + 3, 4);
  CHECK(t.readStartup(d).kind == Kind::Error);
}

TEST_CASE("pg reader: empty input at a boundary is NeedMore", "[postgres][codec]") {
  MessageReader r;
  std::span<const uint8_t> in;
  CHECK(r.next(in, nullptr, nullptr).kind == Kind::NeedMore);
  CHECK(r.readStartup(in).kind == Kind::NeedMore);
  CHECK(r.atBoundary());
}

}  // namespace
}  // namespace warden::dialect::postgres
