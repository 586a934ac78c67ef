// test/unit/postgres/session_relay_test.cc
//! PgSession in Ready: client messages pass the policy seam and reach the backend as their
//! original bytes; backend replies reach the client byte-identical whatever the read boundaries;
//! a denied statement reaches the backend only as a failing stand-in whose error is replaced
//! by the denial.
#include <catch2/catch.hpp>

#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {

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
// A denied statement is never answered by Warden on its own: the backend gets a stand-in that
// fails to parse (a marker word), and the server's error for it is swapped for the denial, so the
// error lands exactly where the server produces it and the ReadyForQuery is the server's own.

TEST_CASE("deny: a denied simple query travels as a stand-in and its error is replaced",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(query("DROP TABLE users"));
  auto sent = c.backendFrames();
  REQUIRE(types(sent) == "Q");
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  CHECK(sent[0].raw == query(markers[0]));
  CHECK_FALSE(containsText(joinFrames(sent), "DROP"));
  CHECK_FALSE(containsText(joinFrames(sent), "users"));
  CHECK(c.clientBytes().empty());  // nothing from Warden itself: the answer comes from the server

  Bytes z = readyForQuery(kTxIdle);
  c.fromBackend(concat({standInError(markers[0]), z}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  PgError e = errorOf(f[0]);
  CHECK(e.message == "warden: DROP is not allowed on pg-test");
  CHECK(e.detail == "rule: no-drop");
  CHECK(f[1].raw == z);
  CHECK_FALSE(containsText(joinFrames(f), kMarkerPrefix));  // the marker never reaches the client
  CHECK(c.host.closes.empty());
  // Idle again, and usable.
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
  Bytes q = query("SELECT 1");
  c.fromClient(q);
  CHECK(c.backendBytes() == q);
}

TEST_CASE("deny: every denial gets a marker of its own", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({query("DROP TABLE a"), query("DROP TABLE b"), query("DROP TABLE c")}));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 3);
  CHECK(markers[0] != markers[1]);
  CHECK(markers[1] != markers[2]);
  CHECK(markers[0] != markers[2]);
  // The random part differs too, not only the counter: a client cannot predict the next one.
  CHECK(markers[0].substr(0, kMarkerPrefix.size() + 16) !=
        markers[1].substr(0, kMarkerPrefix.size() + 16));
}

TEST_CASE("deny: inside a transaction block the status is the backend's", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(query("BEGIN"));
  c.fromBackend(concat({commandComplete("BEGIN"), readyForQuery(kTxInBlock)}));
  c.clientBytes();
  c.backendBytes();
  c.fromClient(query("DROP TABLE users"));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  CHECK(c.clientBytes().empty());
  // The server's error aborted its transaction, as any error would: 'E', from the backend.
  c.fromBackend(concat({standInError(markers[0]), readyForQuery(kTxFailed)}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxFailed);
  // Drain waits for the failed transaction to end: the status was taken over, not invented.
  c.session->onDrain();
  CHECK(c.host.closes.empty());
  c.fromClient(query("ROLLBACK"));
  CHECK(c.backendBytes() == query("ROLLBACK"));
  c.fromBackend(concat({commandComplete("ROLLBACK"), readyForQuery(kTxIdle)}));
  f = c.clientFrames();
  REQUIRE(types(f) == "CZE");
  CHECK(errorOf(f[2]).code == "57P01");
}

TEST_CASE("deny: a backend error that is not the stand-in's passes unchanged",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));

  SECTION("an earlier statement's error") {
    c.fromClient(concat({query("SELECT 1/0"), query("DROP TABLE t")}));
    auto sent = c.backendFrames();
    auto markers = markersIn(sent);
    REQUIRE(markers.size() == 1);
    CHECK(joinFrames(sent) == concat({query("SELECT 1/0"), query(markers[0])}));
    Bytes div0 = errorResponse("ERROR", "22012", "division by zero");
    c.fromBackend(concat({div0, readyForQuery(), standInError(markers[0]), readyForQuery()}));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "EZEZ");
    CHECK(f[0].raw == div0);
    checkDenial(f, 2, kTxIdle);
  }
  SECTION("a stand-in the server skipped after an earlier error in its segment") {
    // The server skips to Sync after the first error, so the stand-in Parse never runs: its
    // marker is dropped at that Sync's ReadyForQuery and the next denial still matches.
    Bytes bad = concat({parse("", "SELEC 1"), bind("", ""), execute("")});
    c.fromClient(concat({bad, parse("", "DROP TABLE t"), bind("", ""), execute(""), sync(),
                         query("DROP TABLE u")}));
    auto sent = c.backendFrames();
    auto markers = markersIn(sent);
    REQUIRE(markers.size() == 2);
    CHECK(joinFrames(sent) == concat({bad, parse("", markers[0]), bind("", ""), execute(""),
                                      sync(), query(markers[1])}));
    Bytes syntax = errorResponse("ERROR", "42601", "syntax error at or near \"SELEC\"");
    c.fromBackend(concat({syntax, readyForQuery()}));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "EZ");
    CHECK(f[0].raw == syntax);
    c.fromBackend(concat({standInError(markers[1]), readyForQuery()}));
    f = c.clientFrames();
    REQUIRE(types(f) == "EZ");
    checkDenial(f, 0, kTxIdle);
    CHECK_FALSE(containsText(joinFrames(f), kMarkerPrefix));
  }
  SECTION("an error mentioning some other marker-like word") {
    c.fromClient(query("DROP TABLE t"));
    auto markers = markersIn(c.backendFrames());
    REQUIRE(markers.size() == 1);
    Bytes other = standInError("warden_denied_0000000000000000_1");
    c.fromBackend(concat({other, readyForQuery()}));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "EZ");
    CHECK(f[0].raw == other);
  }
  CHECK(c.host.closes.empty());
}

TEST_CASE("deny: ErrorResponses are assembled whole only while a denial or a result is pending",
          "[postgres][session]") {
  Conversation c;
  c.host.audit_refs = false;  // not audited: no result waits for the error either
  c.toReady(denyContaining("DROP"));
  // No denial pending: an error streams through like any other message.
  c.fromClient(query("SELECT 1/0"));
  c.backendBytes();
  Bytes div0 = errorResponse("ERROR", "22012", "division by zero");
  c.fromBackend(ByteView(div0).first(10));
  CHECK(c.clientBytes() == Bytes(div0.begin(), div0.begin() + 10));
  c.fromBackend(concat({ByteView(div0).subspan(10), readyForQuery()}));
  CHECK(c.clientBytes() == concat({ByteView(div0).subspan(10), readyForQuery()}));

  // Pending: nothing of the stand-in's error may leave before it is recognised.
  c.fromClient(query("DROP TABLE t"));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  Bytes err = standInError(markers[0]);
  c.fromBackend(ByteView(err).first(10));
  CHECK(c.clientBytes().empty());
  c.fromBackend(concat({ByteView(err).subspan(10), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
}

TEST_CASE("deny: a denied simple query pipelined after an allowed one waits for its turn",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes allowed = query("SELECT 1");
  c.fromClient(concat({allowed, query("DROP TABLE users")}));
  auto sent = c.backendFrames();
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  CHECK(joinFrames(sent) == concat({allowed, query(markers[0])}));  // in order
  CHECK_FALSE(containsText(joinFrames(sent), "DROP"));
  CHECK(c.clientBytes().empty());

  Bytes reply = selectReply(1);
  Bytes before_z(reply.begin(), reply.end() - 6);
  c.fromBackend(before_z);
  CHECK(c.clientBytes() == before_z);
  c.fromBackend(concat({ByteView(reply).last(6), standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "ZEZ");
  CHECK(f[0].raw == Bytes(reply.end() - 6, reply.end()));
  checkDenial(f, 1, kTxIdle);
  CHECK(c.host.closes.empty());
}

TEST_CASE("deny: a denied Parse inside a pipeline becomes a failing Parse before its Sync",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes allowed = concat({parse("", "SELECT 1"), bind("", ""), execute("")});
  Bytes after = concat({bind("", ""), execute("")});
  c.fromClient(concat({allowed, parse("", "DROP TABLE users"), after, sync()}));
  auto sent = c.backendFrames();
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  // The client's Bind/Execute/Sync go through unchanged; the server skips to Sync itself.
  CHECK(joinFrames(sent) == concat({allowed, parse("", markers[0]), after, sync()}));
  CHECK_FALSE(containsText(joinFrames(sent), "DROP"));
  CHECK(c.clientBytes().empty());

  Bytes replies = concat({parseComplete(), bindComplete(), dataRow({"1"}),
                          commandComplete("SELECT 1")});
  c.fromBackend(replies);
  CHECK(c.clientBytes() == replies);
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  CHECK(f[1].raw == readyForQuery());
  // The next segment is handled normally.
  Bytes next = extendedRound("SELECT 2");
  c.fromClient(next);
  CHECK(c.backendBytes() == next);
}

TEST_CASE("deny: the stand-in Parse keeps the statement name and drops parameter types",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({parseTyped("drop_stmt", "DROP TABLE users WHERE id = $1", {23}), sync()}));
  auto sent = c.backendFrames();
  REQUIRE(types(sent) == "PS");
  auto p = decodeParse(sent[0].body);
  REQUIRE(p);
  CHECK(p->name == "drop_stmt");
  CHECK(isDenialMarker(p->query));
  CHECK(p->param_types.empty());
  CHECK(sent[0].raw == parse("drop_stmt", p->query));
  CHECK_FALSE(containsText(joinFrames(sent), "DROP"));
}

TEST_CASE("deny: a denied Parse between allowed segments lands in the right segment",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes seg1 = extendedRound("SELECT 1");
  Bytes seg2_allowed = concat({parse("", "SELECT 2"), bind("", ""), execute("")});
  Bytes seg2_rest = concat({bind("", ""), execute("")});
  Bytes seg3 = extendedRound("SELECT 3");
  c.fromClient(concat({seg1, seg2_allowed, parse("", "DROP TABLE x"), seg2_rest, sync(), seg3}));
  auto sent = c.backendFrames();
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  CHECK(joinFrames(sent) ==
        concat({seg1, seg2_allowed, parse("", markers[0]), seg2_rest, sync(), seg3}));

  Bytes r2 = concat({parseComplete(), bindComplete(), dataRow({"2"}), commandComplete("SELECT 1")});
  c.fromBackend(concat({extendedReply(), r2, standInError(markers[0]), readyForQuery(),
                        extendedReply()}));
  auto f = c.clientFrames();
  // seg1: 1 2 T D C Z | seg2: 1 2 D C, the denial, Z | seg3: 1 2 T D C Z
  REQUIRE(types(f) == "12TDCZ" "12DCEZ" "12TDCZ");
  checkDenial(f, 10, kTxIdle);
}

TEST_CASE("deny: denials survive any read boundaries on both sides", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes seg1 = extendedRound("SELECT 1");
  Bytes seg2_allowed = concat({parse("", "SELECT 2"), bind("", "", {"x"}), execute("")});
  Bytes seg2_rest = concat({bind("", "", {"y"}), execute("")});
  const Bytes from_client = concat({seg1, seg2_allowed, parse("", "DROP TABLE x"), seg2_rest,
                                    sync(), query("DROP TABLE y")});
  Bytes r2 = concat({parseComplete(), bindComplete(), dataRow({"2"}), commandComplete("SELECT 1")});
  const std::string expected_types = "12TDCZ" "12DCEZ" "EZ";
  size_t backend_size = 0;
  for (size_t cut = 1; cut < std::max(from_client.size(), backend_size + 1); ++cut) {
    INFO("cut at " << cut);
    size_t cc = std::min(cut, from_client.size() - 1);
    c.fromClient(ByteView(from_client).first(cc));
    c.fromClient(ByteView(from_client).subspan(cc));
    auto sent = c.backendFrames();
    auto markers = markersIn(sent);
    REQUIRE(markers.size() == 2);
    REQUIRE(joinFrames(sent) == concat({seg1, seg2_allowed, parse("", markers[0]), seg2_rest,
                                        sync(), query(markers[1])}));
    const Bytes from_backend = concat({extendedReply(), r2, standInError(markers[0]),
                                       readyForQuery(), standInError(markers[1]),
                                       readyForQuery()});
    backend_size = from_backend.size();
    size_t bc = std::min(cut, from_backend.size() - 1);
    c.fromBackend(ByteView(from_backend).first(bc));
    c.fromBackend(ByteView(from_backend).subspan(bc));
    auto f = c.clientFrames();
    REQUIRE(types(f) == expected_types);
    checkDenial(f, 10, kTxIdle);
    checkDenial(f, 12, kTxIdle);
  }
  CHECK(c.host.closes.empty());
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("deny: a segment opened by a Bind of a prepared statement", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes b = bind("", "s1", {"7"});
  c.fromClient(concat({b, parse("", "DROP TABLE t"), execute(""), sync()}));
  auto sent = c.backendFrames();
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  CHECK(joinFrames(sent) == concat({b, parse("", markers[0]), execute(""), sync()}));
  c.fromBackend(concat({bindComplete(), standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "2EZ");
  checkDenial(f, 1, kTxIdle);
}

TEST_CASE("deny: a denied Parse opening a segment with the backend idle", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes rest = concat({bind("", ""), describePortal(""), execute(""), sync()});
  c.fromClient(concat({parse("", "DROP TABLE users"), rest}));
  auto sent = c.backendFrames();
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  CHECK(joinFrames(sent) == concat({parse("", markers[0]), rest}));
  CHECK(c.clientBytes().empty());
  REQUIRE(c.host.evaluated.size() == 1);
  CHECK(c.host.evaluated[0].second == policy::StatementOrigin::Prepare);

  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  // Idle again: nothing to cancel.
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("deny: a denied Parse opening a segment while the backend is busy",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes allowed = query("SELECT 1");
  Bytes rest = concat({bind("", ""), execute(""), sync()});
  c.fromClient(concat({allowed, parse("", "DROP TABLE users"), rest}));
  auto sent = c.backendFrames();
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  CHECK(joinFrames(sent) == concat({allowed, parse("", markers[0]), rest}));
  CHECK(c.clientBytes().empty());
  Bytes reply = selectReply(1);
  c.fromBackend(concat({reply, standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "TDCZEZ");
  CHECK(concat({f[0].raw, f[1].raw, f[2].raw, f[3].raw}) == reply);
  checkDenial(f, 4, kTxIdle);
}

TEST_CASE("deny: FunctionCall is refused with 42501", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(functionCall(1598));
  auto sent = c.backendFrames();
  REQUIRE(types(sent) == "Q");  // never the 'F' itself
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 1);
  CHECK(c.clientBytes().empty());
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  CHECK(errorOf(f[0]).message.find("fastpath") != std::string::npos);
  CHECK(errorOf(f[0]).detail.empty());  // no rule
  CHECK(c.host.closes.empty());
}

TEST_CASE("deny: a held statement is refused with its request id", "[postgres][session]") {
  Conversation c;
  c.toReady([](std::string_view, policy::StatementOrigin) {
    policy::Decision d;
    d.verdict = policy::Verdict::Hold;
    d.hold_id = "req-17";
    return d;
  });
  c.fromClient(query("DELETE FROM accounts"));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);
  CHECK(errorOf(f[0]).message.find("req-17") != std::string::npos);
}

TEST_CASE("deny: the policy sees every statement of a pipeline", "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({query("SELECT 1"), query("DROP TABLE a"), query("SELECT 2"),
                       query("DROP TABLE b")}));
  auto sent = c.backendFrames();
  auto markers = markersIn(sent);
  REQUIRE(markers.size() == 2);
  CHECK(joinFrames(sent) ==
        concat({query("SELECT 1"), query(markers[0]), query("SELECT 2"), query(markers[1])}));
  CHECK_FALSE(containsText(joinFrames(sent), "DROP"));
  REQUIRE(c.host.evaluated.size() == 4);
  c.fromBackend(concat({selectReply(1), standInError(markers[0]), readyForQuery(),
                        selectReply(2), standInError(markers[1]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "TDCZ" "EZ" "TDDCZ" "EZ");
  checkDenial(f, 4, kTxIdle);
  checkDenial(f, 11, kTxIdle);
}

// ------------------------------------------------------------------ COPY through extended

TEST_CASE("relay: COPY FROM STDIN through the extended protocol owes one ReadyForQuery",
          "[postgres][session]") {
  // libpq: Parse/Bind/Describe/Execute/Sync, then CopyData.. CopyDone/CopyFail + Sync. The
  // server ignores the first Sync while copying in: two Syncs, one ReadyForQuery.
  const bool fail = GENERATE(false, true);
  INFO((fail ? "CopyFail" : "CopyDone"));
  Conversation c;
  c.toReady(denyContaining("DROP"));
  Bytes round = concat({parse("", "COPY t FROM STDIN"), bind("", ""), describePortal(""),
                        execute(""), sync()});
  c.fromClient(round);
  CHECK(c.backendBytes() == round);
  Bytes start = concat({parseComplete(), bindComplete(), noData(), copyInResponse()});
  c.fromBackend(start);
  CHECK(c.clientBytes() == start);
  c.session->onCancelRequested();  // copying: busy
  CHECK(c.host.out_of_band.size() == 1);
  c.session->onDrain();
  CHECK(c.host.closes.empty());

  Bytes rows = concat({copyData("1\tone\n"), copyData("2\ttwo\n"),
                       fail ? copyFail("aborted by user") : copyDone(), sync()});
  c.fromClient(rows);
  CHECK(c.backendBytes() == rows);
  CHECK(c.host.closes.empty());
  Bytes end = fail ? concat({errorResponse("ERROR", "57014", "COPY from stdin failed: aborted"),
                             readyForQuery()})
                   : concat({commandComplete("COPY 2"), readyForQuery()});
  // Nothing else is owed after this one 'Z': the drain requested above closes right behind it.
  c.fromBackend(end);
  auto f = c.clientFrames();
  REQUIRE(types(f) == (fail ? "EZE" : "CZE"));
  CHECK(joinFrames({f[0], f[1]}) == end);
  CHECK(errorOf(f[2]).code == "57P01");
  CHECK(c.host.closes.size() == 1);
  CHECK(c.host.out_of_band.size() == 1);  // no cancel at close: the session was idle
}

TEST_CASE("relay: after an extended COPY the session is idle and denials stay in step",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({parse("", "COPY t FROM STDIN"), bind("", ""), describePortal(""),
                       execute(""), sync()}));
  c.fromBackend(concat({parseComplete(), bindComplete(), noData(), copyInResponse()}));
  c.fromClient(concat({copyData("1\n"), copyDone(), sync()}));
  c.fromBackend(concat({commandComplete("COPY 1"), readyForQuery()}));
  c.backendBytes();
  c.clientBytes();
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());  // idle: nothing is cancelled, not even a next query

  // A denied Parse the server skips (an earlier error in its segment), then a denied Query:
  // the first marker must end with its segment's 'Z' so the second error is recognised.
  c.fromClient(concat({parse("", "SELEC 1"), bind("", ""), execute(""), parse("", "DROP TABLE t"),
                       bind("", ""), execute(""), sync(), query("DROP TABLE u")}));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 2);
  Bytes syntax = errorResponse("ERROR", "42601", "syntax error at or near \"SELEC\"");
  c.fromBackend(concat({syntax, readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  CHECK(f[0].raw == syntax);
  c.fromBackend(concat({standInError(markers[1]), readyForQuery()}));
  f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  checkDenial(f, 0, kTxIdle);  // right after its own backend reply
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("relay: an extended COPY started under Flush owes one ReadyForQuery",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(concat({parse("", "COPY t FROM STDIN"), bind("", ""), execute(""), flush()}));
  c.fromBackend(concat({parseComplete(), bindComplete(), copyInResponse()}));
  c.fromClient(concat({copyData("1\n"), copyDone(), sync()}));
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.size() == 1);  // the COPY's reply is still owed
  c.fromBackend(concat({commandComplete("COPY 1"), readyForQuery()}));
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.size() == 1);
  // Ordinary rounds after it are counted as usual.
  c.fromClient(extendedRound("SELECT 1"));
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.size() == 2);
  c.fromBackend(extendedReply());
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.size() == 2);
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
