// test/unit/admin/audit_route_test.cc
//! GET /api/v1/audit and /ui through AdminApi (fake backend, no server): token, parameter
//! checks answered at once, the search as deferred work; and HttpConnection's deferred path
//! (pipelined requests wait behind it, HEAD and keep-alive kept).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "http_test_support.h"
#include "warden/admin/admin_api.h"
#include "warden/admin/http_connection.h"
#include "warden/audit/chain.h"

using namespace warden;
using namespace warden::admin;
using Json = nlohmann::json;

namespace {

struct Backend : AdminBackend {
  std::string dir;
  std::vector<config::AdminToken> tokens() const override { return {{"tok", "ops", {}}}; }
  AdminStatus status() const override { return {}; }
  ReloadOutcome reload(const std::string&) override { return {}; }
  std::string auditDir() const override { return dir; }
};

struct LogDir {
  std::filesystem::path path;
  LogDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "warden-admin-audit-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()));
    path = tmpl;
    audit::Chain chain;
    std::string out;
    for (int i = 0; i < 5; ++i) {
      audit::AuditRecord r;
      r.ts = "2024-05-01T12:00:0" + std::to_string(i) + ".000000Z";
      r.instance = "t";
      r.event = "statement";
      r.identity = audit::IdentityInfo{i % 2 ? "bob" : "alice smith", {}, "human", "scram"};
      REQUIRE(chain.seal(r, out));
    }
    std::ofstream(path / "audit-20240501T120000Z-000001.jsonl", std::ios::binary) << out;
  }
  ~LogDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

HttpRequest get(std::string target, bool token = true) {
  HttpRequest r;
  r.method = "GET";
  r.target = target;
  auto q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  if (token) r.headers.emplace_back("authorization", "Bearer tok");
  return r;
}

HttpResponse run(HttpResponse r) { return r.deferred ? r.deferred() : r; }

}  // namespace

TEST_CASE("admin api: audit search route", "[admin][api]") {
  LogDir log;
  Backend b;
  b.dir = log.path.string();
  AdminApi api(b);

  CHECK(api.handle(get("/api/v1/audit", false)).status == 401);

  auto first = api.handle(get("/api/v1/audit?user=alice+smith&limit=2"));
  REQUIRE(first.deferred);  // the search itself is off the loop
  auto r = run(std::move(first));
  REQUIRE(r.status == 200);
  auto j = Json::parse(r.body);
  REQUIRE(j["records"].size() == 2);
  CHECK(j["records"][0]["seq"] == 5);
  CHECK(j["records"][1]["seq"] == 3);
  CHECK(j["truncated"] == true);
  CHECK(j["timed_out"] == false);

  j = Json::parse(run(api.handle(get("/api/v1/audit?user=alice%20smith&since=2024-05-01T12:00:01Z"))).body);
  CHECK(j["records"].size() == 2);
  CHECK(j["truncated"] == false);

  for (const char* bad : {"/api/v1/audit?limit=0", "/api/v1/audit?limit=10001",
                          "/api/v1/audit?since=soon", "/api/v1/audit?nope=1",
                          "/api/v1/audit?user=%4", "/api/v1/audit?user=a&user=b"}) {
    INFO(bad);
    auto e = api.handle(get(bad));
    CHECK_FALSE(e.deferred);
    CHECK(e.status == 400);
  }
  CHECK(Json::parse(api.handle(get("/api/v1/audit?since=soon")).body)["error"].get<std::string>().find(
            "parameter 'since'") == 0);

  b.dir = (log.path / "not-yet").string();  // configured, nothing written yet
  j = Json::parse(run(api.handle(get("/api/v1/audit"))).body);
  CHECK(j["records"].empty());
  b.dir.clear();
  CHECK(api.handle(get("/api/v1/audit")).status == 404);
}

TEST_CASE("admin api: the ui page needs no token", "[admin][api]") {
  Backend b;
  AdminApi api(b);
  for (const char* path : {"/ui", "/ui/audit"}) {
    auto r = api.handle(get(path, false));
    CHECK(r.status == 200);
    CHECK(r.content_type == "text/html; charset=utf-8");
    CHECK(r.body.find("/api/v1/audit") != std::string::npos);
    CHECK(r.body.find("innerHTML") == std::string::npos);
  }
  CHECK(api.handle(get("/ui/other", false)).status == 401);
}

TEST_CASE("admin api: urlDecode", "[admin][api]") {
  std::string out;
  CHECK(urlDecode("a+b%20c%2Bd%e2%82%ac", out));
  CHECK(out == "a b c+d\xe2\x82\xac");
  CHECK_FALSE(urlDecode("%", out));
  CHECK_FALSE(urlDecode("%2", out));
  CHECK_FALSE(urlDecode("%zz", out));
}

TEST_CASE("http connection: a deferred response holds pipelined requests in order", "[admin][http]") {
  int calls = 0;
  HttpConnection c([&](const HttpRequest& req) {
    ++calls;
    HttpResponse r;
    if (req.path == "/slow") {
      r.deferred = [] {
        HttpResponse d;
        d.body = "slow";
        return d;
      };
    } else {
      r.body = "fast";
    }
    return r;
  });
  c.receive("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
            "HEAD /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(calls == 1);  // the second request waits behind the first
  CHECK(c.waiting());
  CHECK_FALSE(c.hasOutput());
  REQUIRE(c.hasDeferred());
  auto work = c.takeDeferred();
  CHECK_FALSE(c.hasDeferred());
  c.completeDeferred(work());
  CHECK(calls == 3);
  auto responses = test::parseResponses(c.takeOutput());
  REQUIRE(responses.size() == 2);
  CHECK(responses[0].body == "slow");
  CHECK(responses[1].body == "fast");
  REQUIRE(c.hasDeferred());  // the HEAD /slow
  c.completeDeferred(c.takeDeferred()());
  auto head = test::parseResponses(c.takeOutput(), /*head=*/true);
  REQUIRE(head.size() == 1);
  CHECK(head[0].status == 200);
  CHECK(head[0].body.empty());
  CHECK(head[0].headers["content-length"] == "4");
  CHECK(c.responses() == 3);
  CHECK_FALSE(c.closing());
}
