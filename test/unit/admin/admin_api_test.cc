// test/unit/admin/admin_api_test.cc
//! AdminApi against a fake backend: public and protected routes, bearer-token checks, 404/405,
//! /readyz while draining, the metrics text, reload accepted / rejected / refused while
//! draining; and the whole path from request bytes to response bytes through HttpConnection.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "http_test_support.h"
#include "warden/admin/admin_api.h"
#include "warden/admin/http_connection.h"

using warden::admin::AdminApi;
using warden::admin::AdminBackend;
using warden::admin::AdminStatus;
using warden::admin::authenticate;
using warden::admin::HttpConnection;
using warden::admin::HttpRequest;
using warden::admin::HttpResponse;
using warden::admin::ReloadOutcome;
using warden::admin::test::parseResponses;
using warden::config::AdminToken;
using Json = nlohmann::json;

namespace {

struct FakeBackend : AdminBackend {
  std::vector<AdminToken> toks{{"s3cret-token", "ops", {"dba"}}, {"other-token", "ci", {}}};
  AdminStatus st = [] {
    AdminStatus s;
    s.generation = 3;
    s.reloads_ok = 2;
    s.reloads_rejected = 1;
    s.sessions = 5;
    return s;
  }();
  bool next_reload_ok = true;
  std::vector<std::string> reload_users;

  std::vector<AdminToken> tokens() const override { return toks; }
  AdminStatus status() const override { return st; }
  ReloadOutcome reload(const std::string& by) override {
    reload_users.push_back(by);
    ReloadOutcome out;
    out.ok = next_reload_ok;
    if (out.ok) {
      ++st.generation;
      ++st.reloads_ok;
    } else {
      ++st.reloads_rejected;
      out.errors = {"warden.yaml:3:5: unknown key 'tragets'", "second error"};
    }
    out.generation = st.generation;
    return out;
  }
};

HttpRequest request(std::string method, std::string path, std::string auth = "") {
  HttpRequest r;
  r.method = std::move(method);
  r.target = path;
  r.path = std::move(path);
  if (!auth.empty()) r.headers.emplace_back("authorization", std::move(auth));
  return r;
}

Json body(const HttpResponse& r) { return Json::parse(r.body); }

const std::string kAuth = "Bearer s3cret-token";

}  // namespace

TEST_CASE("admin api: healthz and readyz need no token", "[admin][api]") {
  FakeBackend b;
  AdminApi api(b);
  auto h = api.handle(request("GET", "/healthz"));
  CHECK(h.status == 200);
  CHECK(body(h) == Json{{"status", "ok"}});
  CHECK(h.content_type == "application/json");
  auto r = api.handle(request("GET", "/readyz"));
  CHECK(r.status == 200);
  b.st.draining = true;
  auto d = api.handle(request("GET", "/readyz"));
  CHECK(d.status == 503);
  CHECK(body(d)["status"] == "draining");
  CHECK(api.handle(request("GET", "/healthz")).status == 200);  // alive while draining
  CHECK(api.handle(request("HEAD", "/healthz")).status == 200);
  auto post = api.handle(request("POST", "/healthz"));
  CHECK(post.status == 405);
  REQUIRE(post.headers.size() == 1);
  CHECK(post.headers[0] == std::pair<std::string, std::string>("Allow", "GET, HEAD"));
}

TEST_CASE("admin api: readyz is 503 while the audit log cannot be written", "[admin][api]") {
  FakeBackend b;
  AdminApi api(b);
  b.st.audit_enabled = true;
  CHECK(api.handle(request("GET", "/readyz")).status == 200);
  b.st.audit_healthy = false;
  b.st.audit_error = "audit-x.jsonl: No space left on device";
  auto r = api.handle(request("GET", "/readyz"));
  CHECK(r.status == 503);
  CHECK(body(r)["status"] == "audit_unavailable");
  CHECK(body(r)["error"] == "audit-x.jsonl: No space left on device");
  CHECK(api.handle(request("GET", "/healthz")).status == 200);
  auto m = api.handle(request("GET", "/metrics", kAuth));
  CHECK(m.body.find("warden_audit_healthy 0\n") != std::string::npos);
}

TEST_CASE("admin api: protected routes answer 401 without a valid bearer token",
          "[admin][api]") {
  FakeBackend b;
  AdminApi api(b);
  for (std::string path : {"/metrics", "/api/v1/reload", "/nope", "/api/v1/approvals"}) {
    for (std::string auth : {"", "Basic b3BzOnMzY3JldA==", "Bearer", "Bearer ", "Bearer wrong",
                             "Bearer s3cret-toke", "Bearer s3cret-token2", "Bearer S3CRET-TOKEN",
                             "s3cret-token"}) {
      INFO(path << " with '" << auth << "'");
      auto r = api.handle(request(path == "/api/v1/reload" ? "POST" : "GET", path, auth));
      CHECK(r.status == 401);
      CHECK(body(r).contains("error"));
      bool has_challenge = false;
      for (auto& [k, v] : r.headers) has_challenge |= k == "WWW-Authenticate";
      CHECK(has_challenge);
    }
  }
  CHECK(b.reload_users.empty());
  // two Authorization headers are ambiguous
  auto two = request("GET", "/metrics", kAuth);
  two.headers.emplace_back("authorization", "Bearer other-token");
  auto r = api.handle(two);
  CHECK(r.status == 400);
  CHECK(r.close);
}

TEST_CASE("admin api: authenticate compares whole tokens", "[admin][api]") {
  std::vector<AdminToken> toks{{"alpha", "a", {}}, {"beta", "b", {}}};
  std::string a = "Bearer alpha", b = "bearer   beta", c = "BEARER alph", d = "Bearer alphaa";
  REQUIRE(authenticate(&a, toks) != nullptr);
  CHECK(authenticate(&a, toks)->user == "a");
  REQUIRE(authenticate(&b, toks) != nullptr);
  CHECK(authenticate(&b, toks)->user == "b");
  CHECK(authenticate(&c, toks) == nullptr);
  CHECK(authenticate(&d, toks) == nullptr);
  CHECK(authenticate(nullptr, toks) == nullptr);
  CHECK(authenticate(&a, {}) == nullptr);
}

TEST_CASE("admin api: 404 and 405 with a token", "[admin][api]") {
  FakeBackend b;
  AdminApi api(b);
  CHECK(api.handle(request("GET", "/nope", kAuth)).status == 404);
  CHECK(api.handle(request("GET", "/metrics/", kAuth)).status == 404);
  auto r = api.handle(request("GET", "/api/v1/reload", kAuth));
  CHECK(r.status == 405);
  CHECK(r.headers.at(0).second == "POST");
  auto m = api.handle(request("DELETE", "/metrics", kAuth));
  CHECK(m.status == 405);
  CHECK(m.headers.at(0).second == "GET, HEAD");
  CHECK(b.reload_users.empty());
}

TEST_CASE("admin api: metrics", "[admin][api]") {
  FakeBackend b;
  AdminApi api(b);
  auto r = api.handle(request("GET", "/metrics", "Bearer other-token"));
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK_THAT(r.body, Catch::Contains("\nwarden_up 1\n"));
  CHECK_THAT(r.body, Catch::Contains("\nwarden_config_generation 3\n"));
  CHECK_THAT(r.body, Catch::Contains("\nwarden_config_reloads_total{result=\"ok\"} 2\n"));
  CHECK_THAT(r.body, Catch::Contains("\nwarden_config_reloads_total{result=\"rejected\"} 1\n"));
  CHECK_THAT(r.body, Catch::Contains("\nwarden_client_sessions 5\n"));
  CHECK_THAT(r.body, Catch::Contains("\nwarden_draining 0\n"));
  CHECK_THAT(r.body, Catch::Contains("# TYPE warden_config_reloads_total counter\n"));
  CHECK(r.body.back() == '\n');
}

TEST_CASE("admin api: reload", "[admin][api]") {
  FakeBackend b;
  AdminApi api(b);
  auto ok = api.handle(request("POST", "/api/v1/reload", kAuth));
  CHECK(ok.status == 200);
  CHECK(body(ok) == Json{{"status", "reloaded"}, {"generation", 4}});
  REQUIRE(b.reload_users == std::vector<std::string>{"ops"});

  b.next_reload_ok = false;
  auto bad = api.handle(request("POST", "/api/v1/reload", "Bearer other-token"));
  CHECK(bad.status == 422);
  auto j = body(bad);
  CHECK(j["status"] == "rejected");
  CHECK(j["generation"] == 4);
  REQUIRE(j["errors"].size() == 2);
  CHECK(j["errors"][0] == "warden.yaml:3:5: unknown key 'tragets'");
  CHECK(b.reload_users.back() == "ci");

  b.st.draining = true;
  auto drain = api.handle(request("POST", "/api/v1/reload", kAuth));
  CHECK(drain.status == 503);
  CHECK(b.reload_users.size() == 2);
}

TEST_CASE("admin api: bytes in, bytes out", "[admin][api]") {
  FakeBackend b;
  AdminApi api(b);
  HttpConnection c([&](const HttpRequest& r) { return api.handle(r); });
  c.receive(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /metrics HTTP/1.1\r\n\r\n"
      "POST /api/v1/reload HTTP/1.1\r\nAuthorization: Bearer s3cret-token\r\nContent-Length: 0\r\n\r\n"
      "GET /readyz HTTP/1.1\r\nConnection: close\r\n\r\n");
  auto rs = parseResponses(c.takeOutput());
  REQUIRE(rs.size() == 4);
  CHECK(rs[0].status == 200);
  CHECK(rs[0].body == "{\"status\":\"ok\"}\n");
  CHECK(rs[1].status == 401);
  CHECK(rs[1].headers["www-authenticate"] == "Bearer realm=\"warden\"");
  CHECK(rs[2].status == 200);
  CHECK(Json::parse(rs[2].body)["generation"] == 4);
  CHECK(rs[3].status == 200);
  CHECK(rs[3].headers["connection"] == "close");
  CHECK(c.closing());
}
