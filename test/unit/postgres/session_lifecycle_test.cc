// test/unit/postgres/session_lifecycle_test.cc
//! PgSession around the relay: cancel routing (our key → the backend's key), client loss
//! mid-query, drain at the next idle point, timers and backend loss.
#include <catch2/catch.hpp>

#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {
namespace {

size_t indexOf(const std::vector<std::string>& events, std::string_view what, size_t from = 0) {
  for (size_t i = from; i < events.size(); ++i)
    if (events[i] == what) return i;
  return events.size();
}

}  // namespace

// ------------------------------------------------------------------ cancel

TEST_CASE("cancel: a routed cancel reaches the backend with the backend's key while busy",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(query("SELECT pg_sleep(60)"));
  c.backendBytes();
  c.session->onCancelRequested();
  REQUIRE(c.host.out_of_band.size() == 1);
  CHECK(c.host.out_of_band[0] == cancelRequest(kBackendPid, kBackendSecret));
  CHECK(c.backendBytes().empty());  // never on the session's own backend connection
  CHECK(c.clientBytes().empty());
  CHECK(c.host.closes.empty());
}

TEST_CASE("cancel: nothing is sent while idle", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());

  // After a query completes, a late cancel must not hit the next query (PgBouncer #717).
  c.fromClient(query("SELECT 1"));
  c.fromBackend(selectReply(1));
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("cancel: an open extended segment counts as busy", "[postgres][session]") {
  Conversation c;
  c.toReady();
  // Parse/Bind/Execute + Flush, no Sync yet: the backend is executing.
  c.fromClient(concat({parse("", "SELECT pg_sleep(60)"), bind("", ""), execute(""),
                       Body().frame(fe::kFlush)}));
  c.session->onCancelRequested();
  REQUIRE(c.host.out_of_band.size() == 1);
  CHECK(c.host.out_of_band[0] == cancelRequest(kBackendPid, kBackendSecret));
}

TEST_CASE("cancel: before Ready there is nothing to cancel", "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  c.session->onCancelRequested();
  CHECK(c.host.out_of_band.empty());
  CHECK(c.host.closes.empty());
}

// ------------------------------------------------------------------ client loss

TEST_CASE("peer closed: client gone mid-query cancels and terminates the backend",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(query("SELECT pg_sleep(60)"));
  c.backendBytes();
  c.session->onPeerClosed(Side::Client, "EOF");
  REQUIRE(c.host.out_of_band.size() == 1);
  CHECK(c.host.out_of_band[0] == cancelRequest(kBackendPid, kBackendSecret));
  CHECK(c.backendBytes() == terminate());
  CHECK(c.host.closes.size() == 1);
  CHECK(c.state() == State::Closing);
  // Cancel first, then Terminate, then close.
  size_t oob = indexOf(c.host.events, "oob");
  size_t close = indexOf(c.host.events, "close");
  CHECK(oob < close);
  CHECK(c.clientBytes().empty());
}

TEST_CASE("peer closed: client gone while idle only terminates", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.session->onPeerClosed(Side::Client, "EOF");
  CHECK(c.host.out_of_band.empty());
  CHECK(c.backendBytes() == terminate());
  CHECK(c.host.closes.size() == 1);
}

TEST_CASE("peer closed: client gone during start-up", "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  c.session->onPeerClosed(Side::Client, "EOF");
  CHECK(c.host.closes.size() == 1);
  CHECK(c.host.backend_out.empty());
  CHECK(c.host.out_of_band.empty());
  // Late callbacks are ignored.
  c.session->onBackendConnected(true, "");
  CHECK(c.host.backend_out.empty());
  CHECK(c.host.closes.size() == 1);
}

TEST_CASE("peer closed: backend gone in Ready is 08006 to the client", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.session->onPeerClosed(Side::Backend, "connection reset");
  PgError e = expectFatal(c, "08006");
  CHECK(e.message.find("backend connection lost") != std::string::npos);
}

// ------------------------------------------------------------------ drain

TEST_CASE("drain: an idle session closes at once with 57P01", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.session->onDrain();
  expectFatal(c, "57P01");
  CHECK(c.backendBytes() == terminate());
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("drain: a busy session finishes its query first", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(query("SELECT * FROM big"));
  c.backendBytes();
  c.session->onDrain();
  CHECK(c.host.closes.empty());
  CHECK(c.clientBytes().empty());
  CHECK(c.host.out_of_band.empty());

  Bytes reply = selectReply(3);
  Bytes before_z(reply.begin(), reply.end() - 6);
  c.fromBackend(before_z);
  CHECK(c.host.closes.empty());
  CHECK(c.clientBytes() == before_z);

  c.fromBackend(ByteView(reply).last(6));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "ZE");
  CHECK(rfqStatus(f[0]) == kTxIdle);
  PgError e = errorOf(f[1]);
  CHECK(e.severity == "FATAL");
  CHECK(e.code == "57P01");
  CHECK(c.host.closes.size() == 1);
  CHECK(c.backendBytes() == terminate());
  CHECK(c.host.out_of_band.empty());  // the query had finished: nothing to cancel
}

TEST_CASE("drain: a session inside a transaction waits until it is idle",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(query("BEGIN"));
  c.fromBackend(concat({commandComplete("BEGIN"), readyForQuery(kTxInBlock)}));
  c.clientBytes();
  c.session->onDrain();
  CHECK(c.host.closes.empty());

  // Still in the transaction after another statement.
  c.fromClient(query("UPDATE t SET x = 1"));
  c.fromBackend(concat({commandComplete("UPDATE 1"), readyForQuery(kTxInBlock)}));
  CHECK(c.host.closes.empty());
  CHECK(types(c.clientFrames()) == "CZ");

  SECTION("commit") {
    c.fromClient(query("COMMIT"));
    CHECK(c.backendBytes().size() > 0);
    c.fromBackend(concat({commandComplete("COMMIT"), readyForQuery(kTxIdle)}));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "CZE");
    CHECK(errorOf(f[2]).code == "57P01");
    CHECK(c.host.closes.size() == 1);
  }
  SECTION("a failed transaction also waits") {
    c.fromClient(query("SELECT 1/0"));
    c.fromBackend(concat({errorResponse("ERROR", "22012", "division by zero"),
                          readyForQuery(kTxFailed)}));
    CHECK(c.host.closes.empty());
    c.fromClient(query("ROLLBACK"));
    c.fromBackend(concat({commandComplete("ROLLBACK"), readyForQuery(kTxIdle)}));
    auto f = c.clientFrames();
    REQUIRE(types(f) == "EZCZE");
    CHECK(errorOf(f[4]).code == "57P01");
    CHECK(c.host.closes.size() == 1);
  }
}

TEST_CASE("drain: a pending denial is delivered before the drain closes",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({query("SELECT 1"), query("DROP TABLE t")}));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  c.session->onDrain();
  CHECK(c.host.closes.empty());
  c.fromBackend(selectReply(1));
  CHECK(c.host.closes.empty());  // the stand-in's reply is still owed
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "TDCZEZE");
  CHECK(errorOf(f[4]).code == "42501");
  CHECK(errorOf(f[6]).code == "57P01");
  CHECK(c.host.closes.size() == 1);
  CHECK(c.host.out_of_band.empty());
}

TEST_CASE("drain: a denied segment still waiting for its Sync is answered first",
          "[postgres][session]") {
  Conversation c;
  c.toReady(denyContaining("DROP"));
  c.fromClient(concat({parse("", "DROP TABLE t"), bind("", ""), execute("")}));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  c.session->onDrain();
  // The client is mid-batch and owed an answer: not an idle point.
  CHECK(c.host.closes.empty());
  CHECK(c.clientBytes().empty());
  c.fromClient(sync());
  CHECK(c.backendBytes() == sync());
  CHECK(c.host.closes.empty());
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZE");
  CHECK(errorOf(f[0]).code == "42501");
  CHECK(rfqStatus(f[1]) == kTxIdle);
  CHECK(errorOf(f[2]).code == "57P01");
  CHECK(c.host.closes.size() == 1);
  CHECK(c.backendBytes() == terminate());
}

TEST_CASE("drain: waits for the end of a backend message being streamed",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  // An asynchronous NotificationResponse arrives in pieces while the session is idle.
  Bytes note = notificationResponse(99, "jobs", std::string(200, 'p'));
  c.fromBackend(ByteView(note).first(40));
  CHECK(c.clientBytes() == Bytes(note.begin(), note.begin() + 40));
  c.session->onDrain();
  CHECK(c.host.closes.empty());
  CHECK(c.clientBytes().empty());  // no FATAL in the middle of the notification
  c.fromBackend(ByteView(note).subspan(40));
  Bytes out = c.clientBytes();
  REQUIRE(out.size() > note.size() - 40);
  CHECK(Bytes(out.begin(), out.begin() + long(note.size() - 40)) == Bytes(note.begin() + 40, note.end()));
  auto f = splitFrames(ByteView(out).subspan(note.size() - 40));
  REQUIRE(types(f) == "E");
  CHECK(errorOf(f[0]).code == "57P01");
  CHECK(c.host.closes.size() == 1);
}

TEST_CASE("drain: during start-up the session is refused at once", "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  c.session->onDrain();
  expectFatal(c, "57P01");
  CHECK(c.host.connects == 0);
}

TEST_CASE("drain: a gateway already draining refuses after authentication",
          "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  c.host.is_draining = true;
  c.clientScram(kPassword);
  auto f = splitFrames(c.host.client_out);
  REQUIRE(types(f) == "RRRRE");
  CHECK(errorOf(f.back()).code == "57P01");
  CHECK(c.host.connects == 0);
  CHECK(c.host.closes.size() == 1);
}

// ------------------------------------------------------------------ fatal mid-message

TEST_CASE("fatal: never written into a backend message being streamed to the client",
          "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(query("SELECT * FROM big"));
  c.backendBytes();
  Bytes head = rowDescription({"v"});
  Bytes row = dataRow({std::string(5000, 'r')});
  c.fromBackend(concat({head, ByteView(row).first(100)}));
  const Bytes partial = concat({head, ByteView(row).first(100)});
  CHECK(c.clientBytes() == partial);

  SECTION("client protocol violation") {
    c.fromClient(Body().raw("junk").frame('y'));
  }
  SECTION("backend connection lost") {
    c.session->onPeerClosed(Side::Backend, "connection reset");
  }
  SECTION("backend gone after more of the row arrived") {
    c.fromBackend(ByteView(row).subspan(100, 50));
    CHECK(c.clientBytes() == Bytes(row.begin() + 100, row.begin() + 150));
    c.session->onPeerClosed(Side::Backend, "EOF");
  }
  // The client gets no ErrorResponse glued into the half-sent DataRow: only the close.
  CHECK(c.clientBytes().empty());
  CHECK(c.host.closes.size() == 1);
  CHECK(c.state() == State::Closing);
  CHECK(c.host.sends_after_close == 0);
  CHECK(c.host.out_of_band.size() == 1);  // the query was still running: cancelled
}

TEST_CASE("fatal: at a message boundary the FATAL is still sent", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.fromClient(query("SELECT * FROM big"));
  c.backendBytes();
  Bytes rows = concat({rowDescription({"v"}), dataRow({"1"})});
  c.fromBackend(rows);
  CHECK(c.clientBytes() == rows);
  c.session->onPeerClosed(Side::Backend, "connection reset");
  expectFatal(c, "08006");
}

// ------------------------------------------------------------------ timers

TEST_CASE("timer: start-up that does not finish in time is closed", "[postgres][session]") {
  Conversation c;
  c.clientStartup(defaultStartup());
  c.session->onTimer();
  PgError e = expectFatal(c, "08006");
  CHECK(e.message.find("timed out") != std::string::npos);
}

TEST_CASE("timer: is disarmed at Ready and ignored after", "[postgres][session]") {
  Conversation c;
  c.toReady();
  CHECK(c.host.disarms == 1);
  c.session->onTimer();
  CHECK(c.host.closes.empty());
  CHECK(c.clientBytes().empty());
}

TEST_CASE("lifecycle: nothing is processed after close", "[postgres][session]") {
  Conversation c;
  c.toReady();
  c.session->onDrain();
  REQUIRE(c.host.closes.size() == 1);
  c.clientBytes();
  c.backendBytes();
  c.fromClient(query("SELECT 1"));
  c.fromBackend(selectReply(1));
  c.session->onCancelRequested();
  c.session->onPeerClosed(Side::Client, "EOF");
  c.session->onTimer();
  CHECK(c.host.evaluated.empty());
  CHECK(c.host.out_of_band.empty());
  CHECK(c.host.closes.size() == 1);
  CHECK(c.host.sends_after_close == 0);
}

TEST_CASE("lifecycle: client data before Ready is held and reading paused",
          "[postgres][session]") {
  Conversation c;
  c.clientLogin();
  Bytes q = query("SELECT 1");
  c.fromClient(q);
  REQUIRE_FALSE(c.host.pauses.empty());
  CHECK(c.host.pauses.back() == std::make_pair(Side::Client, true));
  c.backendScramLogin();
  c.fromBackend(c.backendLoginTail());
  CHECK(c.host.pauses.back() == std::make_pair(Side::Client, false));
  CHECK(c.backendBytes() == q);
}

TEST_CASE("lifecycle: too much early client data is refused", "[postgres][session]") {
  Conversation c([](config::Config& cfg) { cfg.limits.max_message_bytes = 4096; });
  c.clientLogin();
  c.fromClient(query(std::string(3000, 'a')));
  CHECK(c.host.closes.empty());
  c.fromClient(query(std::string(3000, 'b')));
  expectFatal(c, "08P01");
}

}  // namespace warden::dialect::postgres::session_test
