// test/unit/postgres/session_results_test.cc
//! The audit's result records: each allowed statement's end (rows, error) is reported to the
//! host with the audit ref its decision carried — simple queries (also multi-statement),
//! extended protocol (named statements executed twice, pipelines where an error skips the
//! rest), split at every byte of the reply stream. And the core's abort / "unavailable" paths.
#include <catch2/catch.hpp>

#include "session/result_tracker.h"
#include "session_test_host.h"

namespace warden::dialect::postgres::session_test {

namespace {
Bytes pgError(std::string_view code, std::string_view msg) {
  return errorResponse("ERROR", code, msg);
}
}  // namespace

TEST_CASE("results: rows from CommandComplete tags", "[postgres][audit]") {
  CHECK(ResultTracker::rowsOf("INSERT 0 5") == 5u);
  CHECK(ResultTracker::rowsOf("SELECT 3") == 3u);
  CHECK(ResultTracker::rowsOf("UPDATE 0") == 0u);
  CHECK(ResultTracker::rowsOf("COPY 12") == 12u);
  CHECK_FALSE(ResultTracker::rowsOf("CREATE TABLE"));
  CHECK_FALSE(ResultTracker::rowsOf("BEGIN"));
  CHECK_FALSE(ResultTracker::rowsOf("SELECT 99999999999999999999999"));
}

TEST_CASE("results: simple query rows and errors reach the host once, at ReadyForQuery",
          "[postgres][audit]") {
  Conversation c;
  c.toReady(nullptr);
  c.fromClient(query("SELECT * FROM t"));
  REQUIRE(c.host.evaluated.size() == 1);
  Bytes reply = selectReply(3);
  // Split at every byte: the result is reported exactly once, after the whole reply.
  for (size_t i = 0; i < reply.size(); ++i) c.fromBackend(ByteView(reply.data() + i, 1));
  REQUIRE(c.host.results.size() == 1);
  CHECK(c.host.results[0].first == 1);
  CHECK(c.host.results[0].second.rows == 3u);
  CHECK(c.host.results[0].second.error.empty());

  c.fromClient(query("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2), (3)"));
  c.fromBackend(concat({commandComplete("INSERT 0 1"), commandComplete("INSERT 0 2"), readyForQuery()}));
  REQUIRE(c.host.results.size() == 2);
  CHECK(c.host.results[1].first == 2);
  CHECK(c.host.results[1].second.rows == 3u);  // added up over the batch

  c.fromClient(query("INSERT INTO t VALUES ('x')"));
  c.fromBackend(concat({pgError("22P02", "invalid input syntax for type integer"), readyForQuery()}));
  REQUIRE(c.host.results.size() == 3);
  CHECK(c.host.results[2].second.error == "22P02: invalid input syntax for type integer");
  CHECK_FALSE(c.host.results[2].second.rows);
}

TEST_CASE("results: extended protocol, one report per Execute", "[postgres][audit]") {
  Conversation c;
  c.toReady(nullptr);
  // Named statement prepared once, executed twice in two segments.
  c.fromClient(concat({parse("ins", "INSERT INTO t VALUES ($1)"), sync()}));
  c.fromBackend(concat({parseComplete(), readyForQuery()}));
  CHECK(c.host.results.empty());  // Parse alone runs nothing
  for (int round = 0; round < 2; ++round) {
    c.fromClient(concat({bind("", "ins", {"1"}), execute(""), sync()}));
    c.fromBackend(concat({bindComplete(), commandComplete("INSERT 0 1"), readyForQuery()}));
  }
  REQUIRE(c.host.results.size() == 2);
  CHECK(c.host.results[0].first == 1);
  CHECK(c.host.results[1].first == 1);
  CHECK(c.host.results[1].second.rows == 1u);

  SECTION("an error skips the rest of the pipeline: later executes never ran") {
    c.fromClient(concat({parse("", "UPDATE t SET v = 1"), bind("", ""), execute(""),
                         parse("s2", "SELECT 1"), bind("p2", "s2"), execute("p2"), sync()}));
    c.fromBackend(concat({parseComplete(), bindComplete(),
                          pgError("23505", "duplicate key value violates unique constraint"),
                          readyForQuery()}));
    REQUIRE(c.host.results.size() == 4);
    CHECK(c.host.results[2].second.error.rfind("23505: ", 0) == 0);
    CHECK(c.host.results[3].second.error.find("not executed") != std::string::npos);
  }
  SECTION("Close of the statement forgets it") {
    c.fromClient(concat({Body().u8('S').str("ins").frame(fe::kClose), bind("", "ins", {"1"}), execute(""), sync()}));
    c.fromBackend(concat({Body().frame(be::kCloseComplete),
                          pgError("26000", "prepared statement \"ins\" does not exist"),
                          readyForQuery()}));
    CHECK(c.host.results.size() == 2);  // nothing attributed to the closed statement
  }
}

TEST_CASE("results: denied statements report nothing; unavailable answers 08006",
          "[postgres][audit]") {
  Conversation c;
  c.toReady([](std::string_view text, policy::StatementOrigin) {
    policy::Decision d;
    if (text.find("DROP") != std::string_view::npos) {
      d.verdict = policy::Verdict::Deny;
      d.message = "no";
    }
    if (text.find("audit-down") != std::string_view::npos) {
      d.verdict = policy::Verdict::Deny;
      d.unavailable = true;
      d.message = "audit log unavailable (disk full); statement not executed";
    }
    return d;
  });
  c.fromClient(query("DROP TABLE t"));
  auto markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  CHECK(c.host.results.empty());
  auto f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  CHECK(errorOf(f[0]).code == "42501");

  c.fromClient(query("SELECT 'audit-down'"));
  markers = markersIn(c.backendFrames());
  REQUIRE(markers.size() == 1);
  c.fromBackend(concat({standInError(markers[0]), readyForQuery()}));
  f = c.clientFrames();
  REQUIRE(types(f) == "EZ");
  CHECK(errorOf(f[0]).code == "08006");
  CHECK(errorOf(f[0]).message.rfind("warden: audit log unavailable", 0) == 0);
  CHECK_FALSE(c.host.closed());
}

TEST_CASE("abort: the core ends the session with the protocol's fatal error", "[postgres][audit]") {
  Conversation c;
  c.toReady(nullptr);
  SECTION("audit unavailable → FATAL 08006") {
    c.session->onAbort(AbortReason::AuditUnavailable, "audit log unavailable (disk full)");
    auto f = c.clientFrames();
    REQUIRE(types(f) == "E");
    CHECK(errorOf(f[0]).severity == "FATAL");
    CHECK(errorOf(f[0]).code == "08006");
    CHECK(c.host.closed());
  }
  SECTION("killed → FATAL 57P01") {
    c.session->onAbort(AbortReason::Killed, "ended by an operator");
    auto f = c.clientFrames();
    REQUIRE(types(f) == "E");
    CHECK(errorOf(f[0]).code == "57P01");
    CHECK(c.host.closed());
  }
}

}  // namespace warden::dialect::postgres::session_test
