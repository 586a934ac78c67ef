// test/unit/postgres/session_deny_test.cc
//! Denials beyond the statement itself: a statement whose Parse was denied stays denied for
//! later Bind / Describe, and server settings that would change how SQL is read close the
//! session (ParameterStatus).
#include <catch2/catch.hpp>

#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {

namespace {
Bytes describeStatement(std::string_view name) {
  return Body().u8('S').str(name).frame(fe::kDescribe);
}
Bytes closeStatement(std::string_view name) {
  return Body().u8('S').str(name).frame(fe::kClose);
}
//! What a server answers a Bind/Describe naming a statement that does not exist.
Bytes noSuchStatement(std::string_view name) {
  Bytes b;
  encodeErrorResponse(b, {"ERROR", "26000",
                          "prepared statement \"" + std::string(name) + "\" does not exist", {}, {}});
  return b;
}
}  // namespace

TEST_CASE("deny: a later Bind or Describe of a denied statement gets the same denial",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({parse("drop_it", "DROP TABLE users"), sync()}));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);

  SECTION("Bind in a later segment") {
    Bytes params = bind("", "drop_it", {"42"});
    c.fromClient(concat({params, execute(""), sync()}));
    auto sent = c.backendFrames();
    REQUIRE(types(sent) == "BES");
    auto head = decodeBindHead(sent[0].body);
    REQUIRE(head);
    CHECK(isDenialMarker(head->statement));  // the client's Bind never reaches the server
    CHECK(sent[0].raw != params);
    c.fromBackend(concat({noSuchStatement(head->statement), readyForQuery()}));
    f = c.clientFrames();
    REQUIRE(types(f) == "EZ");
    checkDenial(f, 0, kTxIdle);
  }
  SECTION("Describe of the statement") {
    c.fromClient(concat({describeStatement("drop_it"), sync()}));
    auto sent = c.backendFrames();
    REQUIRE(types(sent) == "DS");
    auto d = decodeCloseOrDescribe(sent[0].body);
    REQUIRE(d);
    CHECK(d->kind == 'S');
    CHECK(isDenialMarker(d->name));
    c.fromBackend(concat({noSuchStatement(d->name), readyForQuery()}));
    f = c.clientFrames();
    REQUIRE(types(f) == "EZ");
    checkDenial(f, 0, kTxIdle);
  }
  SECTION("other statements and portals are untouched") {
    Bytes other = concat({bind("", "other"), describePortal(""), execute(""), sync()});
    c.fromClient(other);
    CHECK(c.backendBytes() == other);
  }
  SECTION("Close forgets the denial") {
    Bytes closing = concat({closeStatement("drop_it"), sync()});
    c.fromClient(closing);
    CHECK(c.backendBytes() == closing);
    Bytes again = concat({bind("", "drop_it"), sync()});
    c.fromClient(again);
    CHECK(c.backendBytes() == again);  // the server answers 26000 itself
  }
  SECTION("an allowed Parse under the same name replaces it") {
    Bytes reparse = concat({parse("drop_it", "SELECT 1"), bind("", "drop_it"), execute(""), sync()});
    c.fromClient(reparse);
    CHECK(c.backendBytes() == reparse);
  }
  CHECK(c.host.closes.empty());
}

TEST_CASE("deny: the unnamed statement stays denied until the next Parse",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({parse("", "DROP TABLE users"), sync()}));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  (void)c.clientFrames();
  c.fromClient(concat({bind("", ""), execute(""), sync()}));
  auto sent = c.backendFrames();
  REQUIRE(types(sent) == "BES");
  auto head = decodeBindHead(sent[0].body);
  REQUIRE(head);
  CHECK(isDenialMarker(head->statement));
}


TEST_CASE("relay: a server setting that changes how SQL is read closes the session",
          "[postgres][session]") {
  auto status = [](std::string_view name, std::string_view value) {
    return Body().str(name).str(value).frame(be::kParameterStatus);
  };
  SECTION("harmless settings pass through") {
    Conversation c;
    c.toReady();
    c.fromClient(query("SET client_encoding = 'LATIN1'"));
    c.backendBytes();
    Bytes reply = concat({status("client_encoding", "LATIN1"), status("standard_conforming_strings", "on"),
                          commandComplete("SET"), readyForQuery()});
    c.fromBackend(reply);
    CHECK(c.clientBytes() == reply);
    CHECK(c.host.closes.empty());
  }
  for (auto [name, value] : {std::pair<const char*, const char*>{"standard_conforming_strings", "off"},
                             {"client_encoding", "SJIS"},
                             {"client_encoding", "BIG5"}}) {
    DYNAMIC_SECTION(name << "=" << value) {
      Conversation c;
      c.toReady();
      c.fromClient(query("SELECT f()"));
      c.backendBytes();
      // Split inside the message: ParameterStatus is read whole, never relayed in pieces.
      Bytes s = status(name, value);
      c.fromBackend(ByteView(s).first(3));
      c.fromBackend(ByteView(s).subspan(3));
      auto f = c.clientFrames();
      REQUIRE(types(f) == "E");
      CHECK(errorOf(f[0]).code == "0A000");
      CHECK(errorOf(f[0]).message.rfind("warden: ", 0) == 0);
      CHECK(c.host.closes.size() == 1);
    }
  }
}

}  // namespace warden::dialect::postgres::session_test
