// test/unit/postgres/session_relay_test.cc
//! PgSession in Ready: client messages pass the policy seam and reach the backend as their
//! original bytes; backend replies reach the client byte-identical whatever the read boundaries;
//! denials are injected exactly where a server would have answered.
#include <catch2/catch.hpp>

#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {
namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

//! ErrorResponse 42501 "warden: ..." (severity ERROR) followed by ReadyForQuery(status).
void checkDenial(const std::vector<Frame>& f, size_t at, uint8_t status) {
  REQUIRE(f.size() >= at + 2);
  PgError e = errorOf(f[at]);
  CHECK(e.severity == "ERROR");
  CHECK(e.code == "42501");
  CHECK(startsWith(e.message, "warden: "));
  CHECK(rfqStatus(f[at + 1]) == status);
}

}  // namespace

TEST_CASE("relay: a simple Query is forwarded byte-identical after the policy check",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  Bytes q = query("SELECT id, name FROM users WHERE id = 7");
  c.fromClient(q);
  CHECK(c.backendBytes() == q);
  CHECK(c.clientBytes().empty());
  REQUIRE(c.host.evaluated.size() == 1);
  CHECK(c.host.evaluated[0].first == "SELECT id, name FROM users WHERE id = 7");
  CHECK(c.host.evaluated[0].second == policy::StatementOrigin::SimpleQuery);

  Bytes reply = selectReply(3);
  c.fromBackend(reply);
  CHECK(c.clientBytes() == reply);
  CHECK(c.host.closes.empty());
}

TEST_CASE("relay: backend replies split at every offset arrive byte-identical",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  const Bytes q = query("SELECT * FROM t");
  const Bytes reply = selectReply(4);
  for (size_t cut = 1; cut < reply.size(); ++cut) {
    INFO("cut at " << cut);
    c.fromClient(q);
    REQUIRE(c.backendBytes() == q);
    c.fromBackend(ByteView(reply).first(cut));
    c.fromBackend(ByteView(reply).subspan(cut));
    REQUIRE(c.clientBytes() == reply);
  }
  CHECK(c.state() == State::Ready);
  // The session counted every ReadyForQuery: it is idle, so a cancel has nothing to do.
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("relay: backend replies fed one byte at a time", "[postgres][session]") {
  Conversation c;
  c.toReady();
  Bytes q = query("SELECT * FROM t");
  Bytes reply = concat({selectReply(2), readyForQuery()});  // a second 'Z' for a second query
  c.fromClient(concat({q, q}));
  CHECK(c.backendBytes() == concat({q, q}));
  for (size_t i = 0; i < reply.size(); ++i) c.fromBackend(ByteView(reply).subspan(i, 1));
  CHECK(c.clientBytes() == reply);
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("relay: client messages split at every offset are forwarded whole",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  const Bytes msgs = concat({query("SELECT 1"), extendedRound("SELECT $1::int")});
  for (size_t cut = 1; cut < msgs.size(); ++cut) {
    INFO("cut at " << cut);
    c.fromClient(ByteView(msgs).first(cut));
    c.fromClient(ByteView(msgs).subspan(cut));
    REQUIRE(c.backendBytes() == msgs);
    c.fromBackend(concat({selectReply(1), extendedReply()}));
    REQUIRE(c.clientBytes() == concat({selectReply(1), extendedReply()}));
  }
  CHECK(c.host.evaluated.size() == 2 * (msgs.size() - 1));
}

TEST_CASE("relay: pipelined simple Queries in one buffer are all forwarded",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  Bytes pipeline = concat({query("SELECT 1"), query("SELECT 2"), query("SELECT 3")});
  c.fromClient(pipeline);
  CHECK(c.backendBytes() == pipeline);
  REQUIRE(c.host.evaluated.size() == 3);
  CHECK(c.host.evaluated[0].first == "SELECT 1");
  CHECK(c.host.evaluated[2].first == "SELECT 3");
  Bytes replies = concat({selectReply(1), selectReply(0), selectReply(2)});
  c.fromBackend(replies);
  CHECK(c.clientBytes() == replies);
}

TEST_CASE("relay: pipelined extended protocol rounds are forwarded byte-identically",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  Bytes pipeline = concat({extendedRound("SELECT $1::int"), extendedRound("SELECT $1::text"),
                           extendedRound("SELECT $1::bigint")});
  c.fromClient(pipeline);
  CHECK(c.backendBytes() == pipeline);
  REQUIRE(c.host.evaluated.size() == 3);
  for (const auto& [text, origin] : c.host.evaluated)
    CHECK(origin == policy::StatementOrigin::Prepare);
  CHECK(c.host.evaluated[1].first == "SELECT $1::text");
  // The session is busy until the last Sync is answered.
  Bytes replies = concat({extendedReply(), extendedReply()});
  c.fromBackend(replies);
  CHECK(c.clientBytes() == replies);
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.size() == 1);
  c.fromBackend(extendedReply());
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.size() == 1);
}

TEST_CASE("relay: a large Bind streams through unchanged", "[postgres][session]") {
  Conversation c([](config::Config& cfg) { cfg.limits.max_message_bytes = 4096; });
  c.toReady();
  Bytes big = concat({parse("s1", "INSERT INTO blobs VALUES ($1)"),
                      bind("", "s1", {std::string(20000, 'z')}), execute(""), sync()});
  for (size_t cut : {size_t(1), size_t(40), size_t(7000), big.size() - 3}) {
    c.fromClient(ByteView(big).first(cut));
    c.fromClient(ByteView(big).subspan(cut));
    CHECK(c.backendBytes() == big);
    c.fromBackend(concat({parseComplete(), bindComplete(), commandComplete("INSERT 0 1"),
                          readyForQuery()}));
    CHECK(types(c.clientFrames()) == "12CZ");
  }
  CHECK(c.host.closes.empty());
}

TEST_CASE("relay: COPY FROM STDIN streams CopyData through", "[postgres][session]") {
  Conversation c;
  c.toReady();
  Bytes q = query("COPY t FROM STDIN");
  c.fromClient(q);
  CHECK(c.backendBytes() == q);
  Bytes copy_in = Body().u8(0).i16(1).i16(0).frame(be::kCopyInResponse);
  c.fromBackend(copy_in);
  CHECK(c.clientBytes() == copy_in);
  Bytes data = concat({Body().raw("1\tone\n").frame(fe::kCopyData),
                       Body().raw(std::string(10000, 'r')).frame(fe::kCopyData),
                       Body().frame(fe::kCopyDone)});
  c.fromClient(ByteView(data).first(3000));
  c.fromClient(ByteView(data).subspan(3000));
  CHECK(c.backendBytes() == data);
  CHECK(c.host.evaluated.size() == 1);  // CopyData is data, not statements
  c.session->onCancelRequested();       // still busy: the COPY has not completed
  CHECK(c.host.out_of_band.size() == 1);
  Bytes done = concat({commandComplete("COPY 2"), readyForQuery()});
  c.fromBackend(done);
  CHECK(c.clientBytes() == done);
}

TEST_CASE("relay: backend bytes right behind the login's ReadyForQuery are relayed",
          "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.backendScramLogin();
  Bytes notice;
  encodeNoticeResponse(notice, {"NOTICE", "00000", "welcome", {}, {}});
  c.fromBackend(concat({c.backendLoginTail(), notice}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "SSKZN");
  CHECK(f[4].raw == notice);
  CHECK(c.state() == State::Ready);
}

// ------------------------------------------------------------------ denials

TEST_CASE("deny: a simple query denied while idle is answered at once",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(query("DROP TABLE users"));
  CHECK(c.backendBytes().empty());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  PgError e = errorOf(f[0]);
  CHECK(e.message == "warden: DROP is not allowed on pg-test");
  CHECK(e.detail == "rule: no-drop");
  CHECK(c.host.closes.empty());
  // The session stays usable.
  Bytes q = query("SELECT 1");
  c.fromClient(q);
  CHECK(c.backendBytes() == q);
}

TEST_CASE("deny: the denial uses the current transaction status", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(query("BEGIN"));
  c.fromBackend(concat({commandComplete("BEGIN"), readyForQuery(kTxInBlock)}));
  c.clientBytes();
  c.backendBytes();
  c.fromClient(query("DROP TABLE users"));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  CHECK(errorOf(f[0]).code == "42501");
  CHECK(c.backendBytes().empty());
  // The status is the backend's real one: its transaction did not fail, so the next statements
  // still run in it. (A server would have aborted the transaction and said 'E'; pinned here so a
  // change to that design is a visible decision.)
  CHECK(rfqStatus(f[1]) == kTxInBlock);
}

TEST_CASE("deny: a denied simple query pipelined after an allowed one waits for its turn",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes allowed = query("SELECT 1");
  c.fromClient(concat({allowed, query("DROP TABLE users")}));
  CHECK(c.backendBytes() == allowed);
  CHECK(c.clientBytes().empty());  // nothing may overtake the backend's reply to SELECT 1

  Bytes reply = selectReply(1);
  Bytes before_z(reply.begin(), reply.end() - 6);
  c.fromBackend(before_z);
  CHECK(c.clientBytes() == before_z);
  c.fromBackend(ByteView(reply).last(6));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "ZEZ");
  CHECK(f[0].raw == Bytes(reply.end() - 6, reply.end()));
  checkDenial(f, 1, kTxIdle);
  CHECK(c.host.closes.empty());
}

TEST_CASE("deny: a denied Parse inside a pipeline drops until Sync and errors before its 'Z'",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes allowed = concat({parse("", "SELECT 1"), bind("", ""), execute("")});
  Bytes denied = concat({parse("", "DROP TABLE users"), bind("", ""), execute("")});
  c.fromClient(concat({allowed, denied, sync()}));
  CHECK(c.backendBytes() == concat({allowed, sync()}));
  CHECK(c.clientBytes().empty());

  Bytes replies = concat({parseComplete(), bindComplete(), dataRow({"1"}),
                          commandComplete("SELECT 1")});
  c.fromBackend(replies);
  CHECK(c.clientBytes() == replies);
  c.fromBackend(readyForQuery());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  CHECK(f[1].raw == readyForQuery());
  // The next segment is handled normally.
  Bytes next = extendedRound("SELECT 2");
  c.fromClient(next);
  CHECK(c.backendBytes() == next);
}

TEST_CASE("deny: a denied Parse between allowed segments lands in the right segment",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes seg1 = extendedRound("SELECT 1");
  Bytes seg2_allowed = concat({parse("", "SELECT 2"), bind("", ""), execute("")});
  Bytes seg2_denied = concat({parse("", "DROP TABLE x"), bind("", ""), execute("")});
  Bytes seg3 = extendedRound("SELECT 3");
  c.fromClient(concat({seg1, seg2_allowed, seg2_denied, sync(), seg3}));
  CHECK(c.backendBytes() == concat({seg1, seg2_allowed, sync(), seg3}));

  Bytes r2 = concat({parseComplete(), bindComplete(), dataRow({"2"}), commandComplete("SELECT 1")});
  c.fromBackend(concat({extendedReply(), r2, readyForQuery(), extendedReply()}));
  auto f = c.clientFrames();
  // seg1: 1 2 T D C Z | seg2: 1 2 D C, our E, Z | seg3: 1 2 T D C Z
  REQUIRE(types(f) == "12TDCZ" "12DCEZ" "12TDCZ");
  checkDenial(f, 10, kTxIdle);
}

TEST_CASE("deny: positioned denials survive any read boundaries on both sides",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes seg1 = extendedRound("SELECT 1");
  Bytes seg2_allowed = concat({parse("", "SELECT 2"), bind("", "", {"x"}), execute("")});
  Bytes seg2_denied = concat({parse("", "DROP TABLE x"), bind("", "", {"y"}), execute("")});
  Bytes q_denied = query("DROP TABLE y");
  const Bytes from_client = concat({seg1, seg2_allowed, seg2_denied, sync(), q_denied});
  const Bytes forwarded = concat({seg1, seg2_allowed, sync()});
  Bytes r2 = concat({parseComplete(), bindComplete(), dataRow({"2"}), commandComplete("SELECT 1")});
  const Bytes from_backend = concat({extendedReply(), r2, readyForQuery()});
  const std::string expected_types = "12TDCZ" "12DCEZ" "EZ";
  for (size_t cut = 1; cut < std::max(from_client.size(), from_backend.size()); ++cut) {
    INFO("cut at " << cut);
    size_t cc = std::min(cut, from_client.size() - 1), bc = std::min(cut, from_backend.size() - 1);
    c.fromClient(ByteView(from_client).first(cc));
    c.fromClient(ByteView(from_client).subspan(cc));
    REQUIRE(c.backendBytes() == forwarded);
    c.fromBackend(ByteView(from_backend).first(bc));
    c.fromBackend(ByteView(from_backend).subspan(bc));
    auto f = c.clientFrames();
    REQUIRE(types(f) == expected_types);
    checkDenial(f, 10, kTxIdle);
    checkDenial(f, 12, kTxIdle);
  }
  CHECK(c.host.closes.empty());
}

TEST_CASE("deny: a segment opened by a Bind of a prepared statement", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  // The Bind alone reached the backend: it must get the Sync, and the error goes before its 'Z'.
  Bytes b = bind("", "s1", {"7"});
  c.fromClient(concat({b, parse("", "DROP TABLE t"), execute(""), sync()}));
  CHECK(c.backendBytes() == concat({b, sync()}));
  c.fromBackend(concat({bindComplete(), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "2EZ");
  checkDenial(f, 1, kTxIdle);
}

TEST_CASE("deny: a denied Parse opening a segment with the backend idle is answered locally",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({parse("", "DROP TABLE users"), bind("", ""), describePortal(""),
                       execute(""), sync()}));
  CHECK(c.backendBytes().empty());  // not even the Sync
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  REQUIRE(c.host.evaluated.size() == 1);
  CHECK(c.host.evaluated[0].second == policy::StatementOrigin::Prepare);
  // Idle again: nothing to cancel.
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("deny: a denied Parse opening a segment while the backend is busy",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes allowed = query("SELECT 1");
  c.fromClient(concat({allowed, parse("", "DROP TABLE users"), bind("", ""), execute(""),
                       sync()}));
  CHECK(c.backendBytes() == allowed);
  CHECK(c.clientBytes().empty());
  Bytes reply = selectReply(1);
  c.fromBackend(reply);
  auto f = c.clientFrames();
  REQUIRE(types(f) == "TDCZEZ");
  CHECK(concat({f[0].raw, f[1].raw, f[2].raw, f[3].raw}) == reply);
  checkDenial(f, 4, kTxIdle);
}

TEST_CASE("deny: FunctionCall is refused with 42501", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(functionCall(1598));
  CHECK(c.backendBytes().empty());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  CHECK(c.host.closes.empty());
}

TEST_CASE("deny: the policy sees every statement of a pipeline", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({query("SELECT 1"), query("DROP TABLE a"), query("SELECT 2"),
                       query("DROP TABLE b")}));
  CHECK(c.backendBytes() == concat({query("SELECT 1"), query("SELECT 2")}));
  REQUIRE(c.host.evaluated.size() == 4);
  c.fromBackend(concat({selectReply(1), selectReply(2)}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "TDCZ" "EZ" "TDDCZ" "EZ");
  checkDenial(f, 4, kTxIdle);
  checkDenial(f, 11, kTxIdle);
}

// ------------------------------------------------------------------ protocol errors

TEST_CASE("relay: an unknown frontend message type is 08P01", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(Body().raw("junk").frame('y'));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "E");
  PgError e = errorOf(f[0]);
  CHECK(e.severity == "FATAL");
  CHECK(e.code == "08P01");
  CHECK(startsWith(e.message, "warden: "));
  CHECK(c.host.closes.size() == 1);
  CHECK(c.backendBytes() == terminate());
  CHECK(c.host.sends_after_close == 0);
}

TEST_CASE("relay: a message longer than max_message_bytes is refused", "[postgres][session]") {
  Conversation c([](config::Config& cfg) { cfg.limits.max_message_bytes = 4096; });
  c.toReady();
  std::string sql = "SELECT '" + std::string(5000, 'a') + "'";
  Bytes q = query(sql);
  c.fromClient(ByteView(q).first(100));  // the header alone is enough to refuse it
  auto f = c.clientFrames();
  REQUIRE(types(f) == "E");
  CHECK(errorOf(f[0]).code == "08P01");
  CHECK(c.host.closes.size() == 1);
  CHECK(c.backendBytes() == terminate());
  CHECK(c.host.evaluated.empty());
}

TEST_CASE("relay: a Query without its terminator is refused", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(Body().raw("SELECT 1").frame(fe::kQuery));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "E");
  CHECK(errorOf(f[0]).code == "08P01");
  CHECK(c.host.closes.size() == 1);
  CHECK(c.backendBytes() == terminate());
}

TEST_CASE("relay: Terminate is forwarded and closes the session", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(terminate());
  CHECK(c.backendBytes() == terminate());
  CHECK(c.host.closes.size() == 1);
  CHECK(c.state() == State::Closing);
  CHECK(c.clientBytes().empty());
}

TEST_CASE("relay: COPY BOTH from the backend is refused", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(query("START_REPLICATION"));
  c.backendBytes();
  c.fromBackend(Body().u8(0).i16(0).frame(be::kCopyBothResponse));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "E");
  CHECK(errorOf(f[0]).code == "0A000");
  CHECK(c.host.closes.size() == 1);
  // A query was in flight: it is cancelled before the backend connection goes.
  CHECK(c.host.out_of_band.size() == 1);
}

}  // namespace warden::dialect::postgres::session_test
