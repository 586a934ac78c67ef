// test/unit/postgres/frontend_messages_test.cc
//! Golden-fixture tests for the frontend (client → server) decoders.
#include "pg_fixtures.h"
#include "pg_test_util.h"

namespace warden::dialect::postgres {
namespace {

using namespace testing;
namespace fx = fixtures;

TEST_CASE("pg decode: psql StartupMessage", "[postgres][codec]") {
  ByteView payload = startupPayload(fx::kPsqlStartup);
  auto m = decodeStartupMessage(payload);
  REQUIRE(m.ok());
  CHECK(m->major == 3);
  CHECK(m->minor == 0);
  REQUIRE(m->params.size() == 4);
  CHECK(m->params[0] == std::make_pair(std::string("user"), std::string("alice")));
  CHECK(m->params[1] == std::make_pair(std::string("database"), std::string("shop")));
  CHECK(m->params[2] == std::make_pair(std::string("application_name"), std::string("psql")));
  CHECK(m->params[3] == std::make_pair(std::string("client_encoding"), std::string("UTF8")));
  REQUIRE(m->find("user") != nullptr);
  CHECK(*m->find("user") == "alice");
  CHECK(*m->find("client_encoding") == "UTF8");
  CHECK(m->find("options") == nullptr);
  CHECK(m->find("") == nullptr);
}

TEST_CASE("pg decode: StartupMessage variants", "[postgres][codec]") {
  SECTION("grease minor version and _pq_ options are left to the session") {
    auto m = decodeStartupMessage(
        view("0003270f 7573657200 616c69636500 5f70715f2e677265617365 00 7800 00"));
    REQUIRE(m.ok());
    CHECK(m->major == 3);
    CHECK(m->minor == 9999);
    CHECK(*m->find("_pq_.grease") == "x");
  }
  SECTION("protocol 3.2") {
    auto m = decodeStartupMessage(view("00030002 7573657200 6100 00"));
    REQUIRE(m.ok());
    CHECK(m->minor == 2);
  }
  SECTION("no parameters, just the terminator") {
    auto m = decodeStartupMessage(view("00030000 00"));
    REQUIRE(m.ok());
    CHECK(m->params.empty());
  }
  SECTION("empty value is allowed") {
    auto m = decodeStartupMessage(view("00030000 6f7074696f6e7300 00 00"));
    REQUIRE(m.ok());
    CHECK(*m->find("options") == "");
  }
}

TEST_CASE("pg decode: StartupMessage rejects malformed payloads", "[postgres][codec]") {
  const char* bad[] = {
      "000300",                                  // shorter than the version code
      "00020000 7573657200 6100 00",             // protocol 2.0
      "00040000 7573657200 6100 00",             // protocol 4.0
      "04d2162f",                                // SSLRequest code is not a startup message
      "04d2162e 00000001 00000002",              // nor is CancelRequest
      "00030000",                                // no terminator at all
      "00030000 7573657200 6100",                // missing final terminator
      "00030000 7573657200 61",                  // value not terminated
      "00030000 7573657200",                     // key without value
      "00030000 7573657200 6100 00 00",          // bytes after the terminator
      "00030000 7573657200 6100 00 78",          // garbage after the terminator
      "00030000 7573657200 6100 7573657200 6200 00",  // duplicate key
  };
  for (const char* h : bad) {
    INFO(h);
    auto m = decodeStartupMessage(view(h));
    CHECK(!m.ok());
    if (!m.ok()) CHECK(!m.error().message.empty());
  }
}

TEST_CASE("pg decode: CancelRequest", "[postgres][codec]") {
  auto v30 = decodeCancelRequest(startupPayload(fx::kCancelRequest30));
  REQUIRE(v30.ok());
  CHECK(v30->pid == 5189);
  CHECK(v30->secret == hex("eaae65f6"));
  auto v32 = decodeCancelRequest(startupPayload(fx::kCancelRequest32));
  REQUIRE(v32.ok());
  CHECK(v32->pid == 4242);
  CHECK(v32->secret.size() == 32);
  CHECK(v32->secret.front() == 0x20);

  Bytes max = hex("04d2162e 00000001");
  max.resize(8 + kMaxCancelSecret, 0x5a);
  CHECK(decodeCancelRequest(max).ok());
  max.push_back(0x5a);
  CHECK(!decodeCancelRequest(max).ok());
  CHECK(!decodeCancelRequest(hex("04d2162e 00000001 aabbcc")).ok());     // 3-byte secret
  CHECK(!decodeCancelRequest(hex("04d2162e 00000001")).ok());            // no secret
  CHECK(!decodeCancelRequest(hex("04d2162e 000000")).ok());              // short pid
  CHECK(!decodeCancelRequest(hex("04d2162f 00000001 aabbccdd")).ok());   // SSLRequest code
  CHECK(!decodeCancelRequest(hex("00030000 00000001 aabbccdd")).ok());   // startup code
}

TEST_CASE("pg decode: Query", "[postgres][codec]") {
  auto q = decodeQuery(typedBody(fx::kQuery));
  REQUIRE(q.ok());
  CHECK(*q == "SELECT 1/0");
  CHECK(decodeQuery(hex("00")).value().empty());
  CHECK(!decodeQuery({}).ok());
  CHECK(!decodeQuery(hex("53454c454354")).ok());                  // no terminator
  CHECK(!decodeQuery(hex("53454c00 4543 5400")).ok());            // embedded NUL: two strings
  CHECK(!decodeQuery(hex("53454c45435400 00")).ok());             // trailing NUL
}

TEST_CASE("pg decode: Parse", "[postgres][codec]") {
  auto p = decodeParse(typedBody(fx::kParse));
  REQUIRE(p.ok());
  CHECK(p->name == "s1");
  CHECK(p->query == "SELECT $1::int + $2");
  CHECK(p->param_types == std::vector<uint32_t>{23, 0});
  auto u = decodeParse(typedBody(fx::kParseUnnamed));
  REQUIRE(u.ok());
  CHECK(u->name.empty());
  CHECK(u->query == "BEGIN");
  CHECK(u->param_types.empty());

  CHECK(!decodeParse(hex("733100 53454c00 0002 00000017")).ok());            // 2 types, 1 given
  CHECK(!decodeParse(hex("733100 53454c00 0001 00000017 00")).ok());         // trailing byte
  CHECK(!decodeParse(hex("733100 53454c00 00")).ok());                        // half a count
  CHECK(!decodeParse(hex("733100 53454c00")).ok());                           // no count
  CHECK(!decodeParse(hex("733100 53454c")).ok());                             // query unterminated
  CHECK(!decodeParse(hex("7331")).ok());                                      // name unterminated
  CHECK(!decodeParse(hex("733100 53454c00 ffff 00000017")).ok());            // 65535 types, 1 given
}

TEST_CASE("pg decode: Close and Describe", "[postgres][codec]") {
  auto d = decodeCloseOrDescribe(typedBody(fx::kDescribeStatement));
  REQUIRE(d.ok());
  CHECK(d->kind == 'S');
  CHECK(d->name == "s1");
  auto c = decodeCloseOrDescribe(typedBody(fx::kClosePortal));
  REQUIRE(c.ok());
  CHECK(c->kind == 'P');
  CHECK(c->name.empty());
  CHECK(!decodeCloseOrDescribe(hex("58 733100")).ok());     // 'X' target
  CHECK(!decodeCloseOrDescribe(hex("53 7331")).ok());       // unterminated
  CHECK(!decodeCloseOrDescribe(hex("53 733100 00")).ok());  // trailing
  CHECK(!decodeCloseOrDescribe(hex("53")).ok());
  CHECK(!decodeCloseOrDescribe({}).ok());
}

TEST_CASE("pg decode: Bind names", "[postgres][codec]") {
  auto b = decodeBindHead(typedBody(fx::kBind));
  REQUIRE(b.ok());
  CHECK(b->portal.empty());
  CHECK(b->statement == "s1");
  auto named = decodeBindHead(view("703100 733200"));
  REQUIRE(named.ok());
  CHECK(named->portal == "p1");
  CHECK(named->statement == "s2");
  CHECK(!decodeBindHead(hex("00 7331")).ok());
  CHECK(!decodeBindHead(hex("00")).ok());
  CHECK(!decodeBindHead({}).ok());
}

TEST_CASE("pg decode: PasswordMessage", "[postgres][codec]") {
  CHECK(decodePasswordMessage(typedBody(fx::kPasswordCleartext)).value() == "secret");
  CHECK(decodePasswordMessage(typedBody(fx::kPasswordMd5)).value() ==
        "md5a3556571e93b0d20722ba62be61e8c2d");
  CHECK(!decodePasswordMessage(hex("736563726574")).ok());
  CHECK(!decodePasswordMessage(hex("73656300 726574 00")).ok());
  CHECK(!decodePasswordMessage({}).ok());
}

TEST_CASE("pg decode: SASLInitialResponse", "[postgres][codec]") {
  auto s = decodeSaslInitialResponse(typedBody(fx::kSaslInitialResponse));
  REQUIRE(s.ok());
  CHECK(s->mechanism == "SCRAM-SHA-256");
  REQUIRE(s->data.has_value());
  CHECK(*s->data == "n,,n=,r=rOprNGfwEbeRWgbNEkqO");
  auto none = decodeSaslInitialResponse(typedBody(fx::kSaslInitialNoData));
  REQUIRE(none.ok());
  CHECK(!none->data.has_value());
  auto empty = decodeSaslInitialResponse(view("4100 00000000"));
  REQUIRE(empty.ok());
  REQUIRE(empty->data.has_value());
  CHECK(empty->data->empty());

  CHECK(!decodeSaslInitialResponse(hex("4100 00000003 6162")).ok());     // short data
  CHECK(!decodeSaslInitialResponse(hex("4100 00000001 6162")).ok());     // extra data
  CHECK(!decodeSaslInitialResponse(hex("4100 ffffffff 61")).ok());       // data after -1
  CHECK(!decodeSaslInitialResponse(hex("4100 fffffffe")).ok());          // other negative
  CHECK(!decodeSaslInitialResponse(hex("4100 0000")).ok());              // short length
  CHECK(!decodeSaslInitialResponse(hex("00 00000000")).ok());            // empty mechanism
  CHECK(!decodeSaslInitialResponse(hex("41")).ok());                     // unterminated
}

}  // namespace
}  // namespace warden::dialect::postgres
