// test/unit/postgres/encoders_test.cc
//! Golden-fixture tests for the encoders: each must reproduce the captured/handwritten frame
//! byte for byte, and decode back to what was encoded.
#include "pg_fixtures.h"
#include "pg_test_util.h"

namespace warden::dialect::postgres {
namespace {

using namespace testing;
namespace fx = fixtures;

template <typename Fn>
std::string encoded(Fn fn) {
  Bytes out;
  fn(out);
  return toHex(out);
}

std::string golden(const char* h) { return toHex(hex(h)); }

TEST_CASE("pg encode: frontend messages match golden frames", "[postgres][codec]") {
  StartupMessage psql;
  psql.params = {{"user", "alice"}, {"database", "shop"}, {"application_name", "psql"},
                 {"client_encoding", "UTF8"}};
  CHECK(encoded([&](Bytes& b) { encodeStartupMessage(b, psql); }) == golden(fx::kPsqlStartup));
  CHECK(encoded([](Bytes& b) { encodeSslRequest(b); }) == golden(fx::kSslRequest));
  Bytes secret = hex("eaae65f6");
  CHECK(encoded([&](Bytes& b) { encodeCancelRequest(b, 5189, secret); }) ==
        golden(fx::kCancelRequest30));
  Bytes secret32 = hex(fx::kCancelRequest32);
  secret32.erase(secret32.begin(), secret32.begin() + 12);
  CHECK(encoded([&](Bytes& b) { encodeCancelRequest(b, 4242, secret32); }) ==
        golden(fx::kCancelRequest32));
  CHECK(encoded([](Bytes& b) { encodePasswordMessage(b, "secret"); }) ==
        golden(fx::kPasswordCleartext));
  CHECK(encoded([](Bytes& b) {
          encodePasswordMessage(b, "md5a3556571e93b0d20722ba62be61e8c2d");
        }) == golden(fx::kPasswordMd5));
  CHECK(encoded([](Bytes& b) {
          encodeSaslInitialResponse(b, "SCRAM-SHA-256", "n,,n=,r=rOprNGfwEbeRWgbNEkqO");
        }) == golden(fx::kSaslInitialResponse));
  Bytes final_msg = toBytes(typedBody(fx::kSaslResponse));
  CHECK(encoded([&](Bytes& b) { encodeSaslResponse(b, asStringView(final_msg)); }) ==
        golden(fx::kSaslResponse));
  CHECK(encoded([](Bytes& b) { encodeQuery(b, "SELECT 1/0"); }) == golden(fx::kQuery));
  CHECK(encoded([](Bytes& b) { encodeSync(b); }) == golden(fx::kSync));
  CHECK(encoded([](Bytes& b) { encodeTerminate(b); }) == golden(fx::kTerminate));
}

TEST_CASE("pg encode: StartupMessage with a non-default version", "[postgres][codec]") {
  StartupMessage m;
  m.minor = 2;
  m.params = {{"user", "a"}};
  CHECK(encoded([&](Bytes& b) { encodeStartupMessage(b, m); }) ==
        golden("00000010 00030002 7573657200 6100 00"));
}

TEST_CASE("pg encode: backend messages match golden frames", "[postgres][codec]") {
  CHECK(encoded([](Bytes& b) { encodeAuthOk(b); }) == golden(fx::kAuthOk));
  CHECK(encoded([](Bytes& b) { encodeAuthCleartext(b); }) == golden(fx::kAuthCleartext));
  const std::string_view both[] = {"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"};
  CHECK(encoded([&](Bytes& b) { encodeAuthSasl(b, both); }) == golden(fx::kAuthSaslPlus));
  const std::string_view scram[] = {"SCRAM-SHA-256"};
  CHECK(encoded([&](Bytes& b) { encodeAuthSasl(b, scram); }) == golden(fx::kAuthSasl));
  Bytes first = toBytes(typedBody(fx::kAuthSaslContinue));
  first.erase(first.begin(), first.begin() + 4);
  CHECK(encoded([&](Bytes& b) { encodeAuthSaslContinue(b, asStringView(first)); }) ==
        golden(fx::kAuthSaslContinue));
  CHECK(encoded([](Bytes& b) {
          encodeAuthSaslFinal(b, "v=TlT4KJCP8jDzdS+BFMHQaVkg/cFDBOlFSVFuL/3XSXU=");
        }) == golden(fx::kAuthSaslFinal));
  CHECK(encoded([](Bytes& b) {
          encodeParameterStatus(b, "server_version", "15.18 (Debian 15.18-0+deb12u1)");
        }) == golden(fx::kParamServerVersion));
  CHECK(encoded([](Bytes& b) { encodeParameterStatus(b, "application_name", ""); }) ==
        golden(fx::kParamEmptyAppName));
  Bytes key = hex("eaae65f6");
  CHECK(encoded([&](Bytes& b) { encodeBackendKeyData(b, 5189, key); }) ==
        golden(fx::kBackendKeyData));
  CHECK(encoded([](Bytes& b) { encodeReadyForQuery(b, kTxIdle); }) == golden(fx::kReadyIdle));
  CHECK(encoded([](Bytes& b) { encodeReadyForQuery(b, kTxFailed); }) == golden("5a00000005 45"));
  const std::string grease[] = {"_pq_.grease"};
  CHECK(encoded([&](Bytes& b) { encodeNegotiateProtocolVersion(b, 0, grease); }) ==
        golden(fx::kNegotiate));
  CHECK(encoded([](Bytes& b) { encodeNegotiateProtocolVersion(b, 2, {}); }) ==
        golden("76 0000000c 00030002 00000000"));
}

TEST_CASE("pg encode: ErrorResponse and NoticeResponse", "[postgres][codec]") {
  ErrorSpec denied;
  denied.sqlstate = sqlstate::kInsufficientPrivilege;
  denied.message = "warden: denied";
  // 'E' len S "ERROR" V "ERROR" C "42501" M "warden: denied" 0
  const char* denied_hex =
      "45 0000002a 53 4552524f5200 56 4552524f5200 43 343235303100 "
      "4d 77617264656e3a2064656e69656400 00";
  CHECK(encoded([&](Bytes& b) { encodeErrorResponse(b, denied); }) == golden(denied_hex));

  ErrorSpec full;
  full.severity = "FATAL";
  full.sqlstate = sqlstate::kInvalidPassword;
  full.message = "warden: login failed";
  full.detail = "d";
  full.hint = "h";
  const char* full_hex =
      "45 00000036 53 464154414c00 56 464154414c00 43 323850303100 "
      "4d 77617264656e3a206c6f67696e206661696c656400 44 6400 48 6800 00";
  CHECK(encoded([&](Bytes& b) { encodeErrorResponse(b, full); }) == golden(full_hex));

  ErrorSpec notice;
  notice.severity = "NOTICE";
  notice.sqlstate = "00000";
  notice.message = "hi";
  const char* notice_hex =
      "4e 00000020 53 4e4f5449434500 56 4e4f5449434500 43 303030303000 4d 686900 00";
  CHECK(encoded([&](Bytes& b) { encodeNoticeResponse(b, notice); }) == golden(notice_hex));

  Bytes out;
  encodeErrorResponse(out, full);
  auto decoded = decodeErrorFields(ByteView(out).subspan(5));
  REQUIRE(decoded.ok());
  CHECK(decoded->get('S') == "FATAL");
  CHECK(decoded->get('V') == "FATAL");
  CHECK(decoded->get('C') == "28P01");
  CHECK(decoded->get('M') == "warden: login failed");
  CHECK(decoded->get('D') == "d");
  CHECK(decoded->get('H') == "h");
}

TEST_CASE("pg encode: frames append to existing bytes", "[postgres][codec]") {
  Bytes out = {0xaa};
  encodeParameterStatus(out, "a", "b");
  encodeReadyForQuery(out, kTxInBlock);
  CHECK(toHex(out) == golden("aa 53 00000008 6100 6200 5a 00000005 54"));
  MessageReader r;
  std::span<const uint8_t> in = ByteView(out).subspan(1);
  CHECK(r.next(in, nullptr, nullptr).type == 'S');
  CHECK(r.next(in, nullptr, nullptr).type == 'Z');
  CHECK(in.empty());
}

TEST_CASE("pg encode: embedded NULs cannot inject fields", "[postgres][codec]") {
  CHECK(encoded([](Bytes& b) {
          encodeParameterStatus(b, std::string_view("a\0x", 3), std::string_view("b\0c", 3));
        }) == golden("53 00000008 6100 6200"));
  ErrorSpec e;
  e.sqlstate = "42501";
  e.message = std::string_view("no\0Cxxxxx", 9);
  Bytes out;
  encodeErrorResponse(out, e);
  auto decoded = decodeErrorFields(ByteView(out).subspan(5));
  REQUIRE(decoded.ok());
  CHECK(decoded->get('M') == "no");
  CHECK(decoded->get('C') == "42501");
  StartupMessage m;
  m.params = {{"user", std::string("alice\0database\0other", 20)}, {"", "x"}};
  Bytes startup;
  encodeStartupMessage(startup, m);
  auto back = decodeStartupMessage(ByteView(startup).subspan(4));
  REQUIRE(back.ok());
  CHECK(describe(back.value()) == "3.0|user=alice");
  const std::string_view mechs[] = {"", "SCRAM-SHA-256"};
  Bytes sasl;
  encodeAuthSasl(sasl, mechs);
  CHECK(toHex(sasl) == golden(fx::kAuthSasl));
}

TEST_CASE("pg encode: round trips through the reader and decoders", "[postgres][codec]") {
  StartupMessage m;
  m.params = {{"user", "bob"}, {"database", "db"}, {"options", "-c search_path=x"}};
  Bytes wire;
  encodeSslRequest(wire);
  encodeStartupMessage(wire, m);
  MessageReader r;
  std::span<const uint8_t> in = wire;
  ReadEvent ssl = r.readStartup(in);
  REQUIRE(ssl.kind == ReadEvent::Kind::Message);
  CHECK(loadBe32(ssl.body.data()) == kSslRequestCode);
  ReadEvent start = r.readStartup(in);
  REQUIRE(start.kind == ReadEvent::Kind::Message);
  auto decoded = decodeStartupMessage(start.body);
  REQUIRE(decoded.ok());
  CHECK(describe(decoded.value()) == describe(m));

  Bytes ck;
  const uint8_t secret[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  encodeCancelRequest(ck, 77, secret);
  auto cancel = decodeCancelRequest(ByteView(ck).subspan(4));
  REQUIRE(cancel.ok());
  CHECK(cancel->pid == 77);
  CHECK(cancel->secret == Bytes(secret, secret + 8));
}

}  // namespace
}  // namespace warden::dialect::postgres
