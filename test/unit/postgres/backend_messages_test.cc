// test/unit/postgres/backend_messages_test.cc
//! Golden-fixture tests for the backend (server → client) decoders, mostly bytes captured from
//! PostgreSQL 15.
#include "pg_fixtures.h"
#include "pg_test_util.h"

namespace warden::dialect::postgres {
namespace {

using namespace testing;
namespace fx = fixtures;

TEST_CASE("pg decode: AuthenticationSASL", "[postgres][codec]") {
  auto plus = decodeAuthentication(typedBody(fx::kAuthSaslPlus));
  REQUIRE(plus.ok());
  CHECK(plus->code == AuthCode::Sasl);
  CHECK(plus->mechanisms == std::vector<std::string_view>{"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"});
  auto plain = decodeAuthentication(typedBody(fx::kAuthSasl));
  REQUIRE(plain.ok());
  CHECK(plain->mechanisms == std::vector<std::string_view>{"SCRAM-SHA-256"});

  CHECK(!decodeAuthentication(hex("0000000a 00")).ok());                // no mechanism
  CHECK(!decodeAuthentication(hex("0000000a")).ok());                   // no list
  CHECK(!decodeAuthentication(hex("0000000a 4100")).ok());              // list unterminated
  CHECK(!decodeAuthentication(hex("0000000a 41")).ok());                // name unterminated
  CHECK(!decodeAuthentication(hex("0000000a 4100 00 42")).ok());        // bytes after the list
}

TEST_CASE("pg decode: AuthenticationSASLContinue / Final / Ok", "[postgres][codec]") {
  auto cont = decodeAuthentication(typedBody(fx::kAuthSaslContinue));
  REQUIRE(cont.ok());
  CHECK(cont->code == AuthCode::SaslContinue);
  const std::string first = str(cont->data);
  CHECK(first.rfind("r=rOprNGfwEbeRWgbNEkqO", 0) == 0);
  CHECK(first.find(",s=") != std::string::npos);
  CHECK(first.substr(first.size() - 7) == ",i=4096");
  auto fin = decodeAuthentication(typedBody(fx::kAuthSaslFinal));
  REQUIRE(fin.ok());
  CHECK(fin->code == AuthCode::SaslFinal);
  CHECK(str(fin->data) == "v=TlT4KJCP8jDzdS+BFMHQaVkg/cFDBOlFSVFuL/3XSXU=");
  auto ok = decodeAuthentication(typedBody(fx::kAuthOk));
  REQUIRE(ok.ok());
  CHECK(ok->code == AuthCode::Ok);
  CHECK(ok->data.empty());
  CHECK(ok->mechanisms.empty());
  auto clear = decodeAuthentication(typedBody(fx::kAuthCleartext));
  REQUIRE(clear.ok());
  CHECK(clear->code == AuthCode::CleartextPassword);
}

TEST_CASE("pg decode: AuthenticationMD5Password", "[postgres][codec]") {
  auto md5 = decodeAuthentication(typedBody(fx::kAuthMd5));
  REQUIRE(md5.ok());
  CHECK(md5->code == AuthCode::Md5Password);
  CHECK(Bytes(md5->data.begin(), md5->data.end()) == hex("934a1c07"));
  CHECK(!decodeAuthentication(hex("00000005 934a1c")).ok());
  CHECK(!decodeAuthentication(hex("00000005 934a1c0700")).ok());
  CHECK(!decodeAuthentication(hex("00000005")).ok());
}

TEST_CASE("pg decode: Authentication rejects bad codes and trailing bytes", "[postgres][codec]") {
  CHECK(!decodeAuthentication(hex("00000000 00")).ok());   // Ok with data
  CHECK(!decodeAuthentication(hex("00000003 00")).ok());   // Cleartext with data
  CHECK(!decodeAuthentication(hex("00000001")).ok());      // no such code
  CHECK(!decodeAuthentication(hex("00000004")).ok());      // crypt(): long gone
  CHECK(!decodeAuthentication(hex("0000000d")).ok());
  CHECK(!decodeAuthentication(hex("ffffffff")).ok());
  CHECK(!decodeAuthentication(hex("000000")).ok());
  CHECK(!decodeAuthentication({}).ok());
  // GSS continuation and SASL continuation carry opaque data, even empty.
  CHECK(decodeAuthentication(hex("00000008 6162")).ok());
  CHECK(decodeAuthentication(hex("0000000b")).ok());
}

TEST_CASE("pg decode: ParameterStatus", "[postgres][codec]") {
  auto v = decodeParameterStatus(typedBody(fx::kParamServerVersion));
  REQUIRE(v.ok());
  CHECK(v->name == "server_version");
  CHECK(v->value == "15.18 (Debian 15.18-0+deb12u1)");
  auto app = decodeParameterStatus(typedBody(fx::kParamEmptyAppName));
  REQUIRE(app.ok());
  CHECK(app->name == "application_name");
  CHECK(app->value.empty());
  CHECK(!decodeParameterStatus(hex("00 6100")).ok());         // empty name
  CHECK(!decodeParameterStatus(hex("6100 62")).ok());         // value unterminated
  CHECK(!decodeParameterStatus(hex("6100")).ok());            // no value
  CHECK(!decodeParameterStatus(hex("6100 6200 63")).ok());    // trailing
  CHECK(!decodeParameterStatus({}).ok());
}

TEST_CASE("pg decode: BackendKeyData", "[postgres][codec]") {
  auto k = decodeBackendKeyData(typedBody(fx::kBackendKeyData));
  REQUIRE(k.ok());
  CHECK(k->pid == 5189);
  CHECK(Bytes(k->secret.begin(), k->secret.end()) == hex("eaae65f6"));
  auto k32 = decodeBackendKeyData(typedBody(fx::kBackendKeyData32));
  REQUIRE(k32.ok());
  CHECK(k32->pid == 4242);
  CHECK(k32->secret.size() == 32);
  Bytes max = hex("00000001");
  max.resize(4 + kMaxCancelSecret, 1);
  CHECK(decodeBackendKeyData(max).ok());
  max.push_back(1);
  CHECK(!decodeBackendKeyData(max).ok());
  CHECK(!decodeBackendKeyData(hex("00000001 aabbcc")).ok());
  CHECK(!decodeBackendKeyData(hex("00000001")).ok());
  CHECK(!decodeBackendKeyData(hex("000000")).ok());
}

TEST_CASE("pg decode: ReadyForQuery", "[postgres][codec]") {
  CHECK(decodeReadyForQuery(typedBody(fx::kReadyIdle)).value() == kTxIdle);
  CHECK(decodeReadyForQuery(hex("54")).value() == kTxInBlock);
  CHECK(decodeReadyForQuery(hex("45")).value() == kTxFailed);
  CHECK(!decodeReadyForQuery(hex("58")).ok());
  CHECK(!decodeReadyForQuery(hex("00")).ok());
  CHECK(!decodeReadyForQuery(hex("4949")).ok());
  CHECK(!decodeReadyForQuery({}).ok());
}

TEST_CASE("pg decode: ErrorResponse and NoticeResponse", "[postgres][codec]") {
  auto e = decodeErrorFields(typedBody(fx::kErrorDivZero));
  REQUIRE(e.ok());
  CHECK(e->fields.size() == 7);
  CHECK(e->get('S') == "ERROR");
  CHECK(e->get('V') == "ERROR");
  CHECK(e->get('C') == "22012");
  CHECK(e->get('M') == "division by zero");
  CHECK(e->get('F') == "int.c");
  CHECK(e->get('L') == "869");
  CHECK(e->get('R') == "int4div");
  CHECK(e->get('D').empty());
  CHECK(e->get('H').empty());
  auto n = decodeErrorFields(typedBody(fx::kNoticeHi));
  REQUIRE(n.ok());
  CHECK(n->get('S') == "NOTICE");
  CHECK(n->get('C') == "00000");
  CHECK(n->get('M') == "hi");
  CHECK(n->get('W') == "PL/pgSQL function inline_code_block line 1 at RAISE");
  CHECK(decodeErrorFields(hex("00")).value().fields.empty());

  CHECK(!decodeErrorFields({}).ok());                       // no terminator
  CHECK(!decodeErrorFields(hex("5345525200")).ok());        // list unterminated
  CHECK(!decodeErrorFields(hex("53455252")).ok());          // value unterminated
  CHECK(!decodeErrorFields(hex("53")).ok());
  CHECK(!decodeErrorFields(hex("5345525200 00 00")).ok());  // trailing
  CHECK(!decodeErrorFields(hex("00 53")).ok());
}

TEST_CASE("pg decode: NegotiateProtocolVersion", "[postgres][codec]") {
  // PostgreSQL 15 puts the full version code 0x00030000 in the "newest minor" word.
  auto v = decodeNegotiateProtocolVersion(typedBody(fx::kNegotiate));
  REQUIRE(v.ok());
  CHECK(v->newest_minor == 0);
  CHECK(v->unsupported == std::vector<std::string_view>{"_pq_.grease"});
  auto v2 = decodeNegotiateProtocolVersion(view("00030002 00000000"));
  REQUIRE(v2.ok());
  CHECK(v2->newest_minor == 2);
  CHECK(v2->unsupported.empty());
  auto bare = decodeNegotiateProtocolVersion(view("00000002 00000002 6100 6200"));
  REQUIRE(bare.ok());
  CHECK(bare->newest_minor == 2);
  CHECK(bare->unsupported.size() == 2);

  CHECK(!decodeNegotiateProtocolVersion(hex("00040000 00000000")).ok());     // major 4
  CHECK(!decodeNegotiateProtocolVersion(hex("00030000 00000002 6100")).ok());
  CHECK(!decodeNegotiateProtocolVersion(hex("00030000 ffffffff 6100")).ok());
  CHECK(!decodeNegotiateProtocolVersion(hex("00030000 00000001 61")).ok());
  CHECK(!decodeNegotiateProtocolVersion(hex("00030000 00000001 6100 00")).ok());
  CHECK(!decodeNegotiateProtocolVersion(hex("00030000 000000")).ok());
  CHECK(!decodeNegotiateProtocolVersion(hex("0003")).ok());
}

TEST_CASE("pg decode: the captured post-auth stream frames and decodes", "[postgres][codec]") {
  Bytes all = hex(fx::kPostAuth);
  MessageReader r;
  Collected got = drive(r, {all}, nullptr, nullptr);
  REQUIRE(got.consistent);
  REQUIRE(got.frames.size() == 17);
  int params = 0;
  for (const Frame& f : got.frames) {
    ByteView body = ByteView(f.raw).subspan(5);
    switch (f.type) {
      case 'R': CHECK(decodeAuthentication(body).ok()); break;
      case 'S': CHECK(decodeParameterStatus(body).ok()); ++params; break;
      case 'K': CHECK(decodeBackendKeyData(body).ok()); break;
      case 'Z': CHECK(decodeReadyForQuery(body).value() == 'I'); break;
      default: FAIL("unexpected type " << f.type);
    }
  }
  CHECK(params == 13);
}

}  // namespace
}  // namespace warden::dialect::postgres
