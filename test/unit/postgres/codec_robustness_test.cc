// test/unit/postgres/codec_robustness_test.cc
//! Hostile-input tests for the codec: every prefix of every golden body, single-byte mutations,
//! 10k random / mutated buffers through the reader and all decoders, and a replay of the checked-in
//! fuzz corpus. Inputs are copied into exactly-sized heap buffers so a sanitizer build catches any
//! read past the end.
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

#include "pg_fixtures.h"
#include "pg_test_util.h"

namespace warden::dialect::postgres {
namespace {

using namespace testing;
namespace fx = fixtures;

//! What a decoder must do with a strict prefix of a valid body and with one extra byte.
enum class Shape {
  Exact,        // fixed layout: every prefix and any trailing byte are rejected
  IgnoresTail,  // Bind head: a prefix is rejected or decodes the same; trailing bytes ignored
  SecretTail,   // 4-byte cancel secret: prefixes rejected; a 5th byte is a valid 3.2 secret
  OpaqueTail,   // ends in opaque data (SASL data, long secret): a prefix may decode shorter
};

using Decode = std::function<std::optional<std::string>(ByteView)>;

struct Case {
  const char* name;
  ByteView body;  // kept for the whole run
  Shape shape;
  Decode decode;
};

template <typename Fn>
Decode wrap(Fn fn) {
  return [fn](ByteView b) { return described(fn(b)); };
}

std::vector<Case> goldenCases() {
  const Decode startup = wrap(decodeStartupMessage), cancel = wrap(decodeCancelRequest),
               query = wrap(decodeQuery), parse = wrap(decodeParse),
               close = wrap(decodeCloseOrDescribe), bind = wrap(decodeBindHead),
               password = wrap(decodePasswordMessage), sasl = wrap(decodeSaslInitialResponse),
               auth = wrap(decodeAuthentication), param = wrap(decodeParameterStatus),
               key = wrap(decodeBackendKeyData), ready = wrap(decodeReadyForQuery),
               error = wrap(decodeErrorFields), negotiate = wrap(decodeNegotiateProtocolVersion);
  return {
      {"StartupMessage", startupPayload(fx::kPsqlStartup), Shape::Exact, startup},
      {"CancelRequest 3.0", startupPayload(fx::kCancelRequest30), Shape::SecretTail, cancel},
      {"CancelRequest 3.2", startupPayload(fx::kCancelRequest32), Shape::OpaqueTail, cancel},
      {"Query", typedBody(fx::kQuery), Shape::Exact, query},
      {"Parse", typedBody(fx::kParse), Shape::Exact, parse},
      {"Parse unnamed", typedBody(fx::kParseUnnamed), Shape::Exact, parse},
      {"Describe", typedBody(fx::kDescribeStatement), Shape::Exact, close},
      {"Close", typedBody(fx::kClosePortal), Shape::Exact, close},
      {"Bind", typedBody(fx::kBind), Shape::IgnoresTail, bind},
      {"Password", typedBody(fx::kPasswordCleartext), Shape::Exact, password},
      {"Password md5", typedBody(fx::kPasswordMd5), Shape::Exact, password},
      {"SASLInitialResponse", typedBody(fx::kSaslInitialResponse), Shape::Exact, sasl},
      {"SASLInitialResponse -1", typedBody(fx::kSaslInitialNoData), Shape::Exact, sasl},
      {"AuthenticationSASL plus", typedBody(fx::kAuthSaslPlus), Shape::Exact, auth},
      {"AuthenticationSASL", typedBody(fx::kAuthSasl), Shape::Exact, auth},
      {"AuthenticationSASLContinue", typedBody(fx::kAuthSaslContinue), Shape::OpaqueTail, auth},
      {"AuthenticationSASLFinal", typedBody(fx::kAuthSaslFinal), Shape::OpaqueTail, auth},
      {"AuthenticationOk", typedBody(fx::kAuthOk), Shape::Exact, auth},
      {"AuthenticationCleartext", typedBody(fx::kAuthCleartext), Shape::Exact, auth},
      {"AuthenticationMD5", typedBody(fx::kAuthMd5), Shape::Exact, auth},
      {"ParameterStatus", typedBody(fx::kParamServerVersion), Shape::Exact, param},
      {"ParameterStatus empty", typedBody(fx::kParamEmptyAppName), Shape::Exact, param},
      {"BackendKeyData", typedBody(fx::kBackendKeyData), Shape::SecretTail, key},
      {"BackendKeyData 3.2", typedBody(fx::kBackendKeyData32), Shape::OpaqueTail, key},
      {"ReadyForQuery", typedBody(fx::kReadyIdle), Shape::Exact, ready},
      {"ErrorResponse", typedBody(fx::kErrorDivZero), Shape::Exact, error},
      {"NoticeResponse", typedBody(fx::kNoticeHi), Shape::Exact, error},
      {"NegotiateProtocolVersion", typedBody(fx::kNegotiate), Shape::Exact, negotiate},
  };
}

//! Every decoder over `b` (copied to an exactly-sized buffer); nothing may crash.
size_t decodeEverything(ByteView b) {
  Bytes copy(b.begin(), b.end());
  ByteView v = copy;
  size_t accepted = 0;
  accepted += decodeStartupMessage(v).ok() + decodeCancelRequest(v).ok() + decodeQuery(v).ok() +
              decodeParse(v).ok() + decodeCloseOrDescribe(v).ok() + decodeBindHead(v).ok() +
              decodePasswordMessage(v).ok() + decodeSaslInitialResponse(v).ok() +
              decodeAuthentication(v).ok() + decodeParameterStatus(v).ok() +
              decodeBackendKeyData(v).ok() + decodeReadyForQuery(v).ok() +
              decodeErrorFields(v).ok() + decodeNegotiateProtocolVersion(v).ok();
  return accepted;
}

TEST_CASE("pg robustness: every prefix of every golden body", "[postgres][codec]") {
  for (const Case& c : goldenCases()) {
    INFO(c.name);
    const auto full = c.decode(c.body);
    REQUIRE(full.has_value());
    for (size_t k = 0; k < c.body.size(); ++k) {
      Bytes prefix(c.body.begin(), c.body.begin() + k);
      const auto got = c.decode(prefix);
      INFO("prefix " << k << " of " << c.body.size());
      if (c.shape == Shape::OpaqueTail) {
        continue;  // decoding a shorter opaque tail is legitimate; only crashes matter
      }
      if (got.has_value()) CHECK(*got == *full);
      if (c.shape != Shape::IgnoresTail) CHECK(!got.has_value());
    }
    for (uint8_t extra : {uint8_t(0), uint8_t('x'), uint8_t(0xff)}) {
      Bytes longer = toBytes(c.body);
      longer.push_back(extra);
      const auto got = c.decode(longer);
      if (c.shape == Shape::Exact) {
        INFO("trailing byte " << int(extra));
        CHECK(!got.has_value());
      }
      if (c.shape == Shape::IgnoresTail) CHECK(got == full);
    }
  }
}

TEST_CASE("pg robustness: single-byte mutations of golden bodies", "[postgres][codec]") {
  size_t decoded = 0;
  for (const Case& c : goldenCases()) {
    for (size_t i = 0; i < c.body.size(); ++i) {
      for (uint8_t value : {uint8_t(0), uint8_t(0xff), uint8_t(c.body[i] + 1)}) {
        Bytes m = toBytes(c.body);
        m[i] = value;
        decoded += c.decode(m).has_value();
        decodeEverything(m);
      }
    }
  }
  CHECK(decoded > 0);
}

//! Reader + decoders over one buffer, with chunking/policy/limits drawn from `rng`.
bool exerciseReader(ByteView input, std::mt19937& rng, std::string& why) {
  static std::set<uint8_t> relayed = {'D', 'd'};
  const int mode = int(rng() % 3);
  const StreamPolicy policy = mode == 0 ? nullptr : mode == 1 ? streamAll : streamListed;
  const uint32_t max = rng() % 2 ? 64u : 1u << 20;
  const int startup = int(rng() % 4 == 0 ? 1 + rng() % 2 : 0);
  std::set<size_t> cuts;
  const size_t ncuts = rng() % 6;
  for (size_t i = 0; i < ncuts; ++i) cuts.insert(rng() % (input.size() + 1));
  Bytes copy(input.begin(), input.end());
  MessageReader r(max);
  Collected got = drive(r, splitAt(copy, {cuts.begin(), cuts.end()}), policy, &relayed, startup);
  if (!got.consistent) {
    why = got.why;
    return false;
  }
  if (!got.error) {
    Bytes joined;
    for (const Frame& f : got.frames) appendBytes(joined, ByteView(f.raw));
    if (joined.size() + r.buffered() != copy.size() ||
        !std::equal(joined.begin(), joined.end(), copy.begin())) {
      why = "delivered bytes + buffered bytes != input";
      return false;
    }
  }
  for (const Frame& f : got.frames) {
    if (f.kind == ReadEvent::Kind::Message) {
      decodeEverything(ByteView(f.raw).subspan(f.type == 0 && startup ? 4 : 5));
    }
  }
  return true;
}

std::vector<Bytes> seedFrames() {
  std::vector<Bytes> seeds;
  for (const char* h :
       {fx::kPsqlStartup, fx::kSslRequest, fx::kCancelRequest30, fx::kQuery, fx::kParse,
        fx::kBind, fx::kDescribeStatement, fx::kClosePortal, fx::kSync, fx::kPasswordMd5,
        fx::kSaslInitialResponse, fx::kSaslResponse, fx::kAuthSaslPlus, fx::kAuthSaslContinue,
        fx::kAuthMd5, fx::kPostAuth, fx::kErrorDivZero, fx::kNoticeSequence, fx::kNegotiate,
        fx::kDataRow, fx::kCopyData, fx::kBackendKeyData32}) {
    seeds.push_back(hex(h));
  }
  return seeds;
}

Bytes randomBuffer(std::mt19937& rng, const std::vector<Bytes>& seeds) {
  Bytes b;
  if (rng() % 2 == 0) {
    b.resize(rng() % 300);
    for (auto& x : b) x = uint8_t(rng());
    return b;
  }
  const size_t parts = 1 + rng() % 3;
  for (size_t i = 0; i < parts; ++i) appendBytes(b, ByteView(seeds[rng() % seeds.size()]));
  const size_t mutations = 1 + rng() % 4;
  for (size_t i = 0; i < mutations && !b.empty(); ++i) {
    const size_t at = rng() % b.size();
    switch (rng() % 5) {
      case 0: b[at] = uint8_t(rng()); break;
      case 1: b.insert(b.begin() + at, uint8_t(rng())); break;
      case 2: b.erase(b.begin() + at); break;
      case 3: b.resize(at); break;
      default:  // rewrite a plausible length word
        if (at + 4 <= b.size()) storeBe32(b.data() + at, uint32_t(rng() % 512));
        break;
    }
  }
  return b;
}

TEST_CASE("pg robustness: 10k random and mutated buffers", "[postgres][codec]") {
  std::mt19937 rng(20240611);
  const auto seeds = seedFrames();
  size_t accepted = 0;
  for (int i = 0; i < 10000; ++i) {
    Bytes b = randomBuffer(rng, seeds);
    std::string why;
    if (!exerciseReader(b, rng, why)) FAIL("buffer " << i << " " << toHex(b) << ": " << why);
    accepted += decodeEverything(b);
    if (b.size() > 5) accepted += decodeEverything(ByteView(b).subspan(5));
  }
  CHECK(accepted > 0);
}

TEST_CASE("pg robustness: replay the checked-in fuzz corpus", "[postgres][codec]") {
  namespace fs = std::filesystem;
#ifdef WARDEN_SOURCE_DIR
  const fs::path root = fs::path(WARDEN_SOURCE_DIR) / "test" / "fuzz" / "corpus";
#else
  const fs::path root = "test/fuzz/corpus";
#endif
  size_t files = 0;
  std::mt19937 rng(1);
  for (const char* dir : {"pg_message_reader", "pg_messages"}) {
    if (!fs::is_directory(root / dir)) continue;
    for (const auto& entry : fs::directory_iterator(root / dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream f(entry.path(), std::ios::binary);
      Bytes b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      std::string why;
      INFO(entry.path().string());
      // Reader seeds start with 2 control bytes, decoder seeds with a selector byte.
      const ByteView stream = ByteView(b).subspan(std::min<size_t>(b.size(), 2));
      for (int round = 0; round < 20; ++round) {
        REQUIRE(exerciseReader(b, rng, why));
        REQUIRE(exerciseReader(stream, rng, why));
      }
      decodeEverything(b);
      if (!b.empty()) decodeEverything(ByteView(b).subspan(1));
      ++files;
    }
  }
  if (files == 0) WARN("fuzz corpus not found under " << root.string());
}

}  // namespace
}  // namespace warden::dialect::postgres
