// test/unit/net/http_client_loopback_test.cc
//! HttpClient over plain TCP against a scripted loopback server (http_client_test_server.h):
//! framing variants, status pass-through, caps, timeout, connect/DNS failures, aborts.
#include <algorithm>

#include "http_client_test_server.h"

using namespace http_client_test;
using warden::net::HttpRequestPtr;
using warden::net::parseUrl;

namespace {

std::string url(const LoopbackServer& s, const std::string& target = "/") {
  return "http://127.0.0.1:" + std::to_string(s.port()) + target;
}

LoopbackServer::Handler reply(std::string response) {
  return [response](ServerConn& c, const std::string&) { c.send(response); };
}

}  // namespace

TEST_CASE("http client: 200 with Content-Length, and the request it sends", "[http_client]") {
  LoopbackServer server(
      reply("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            "11\r\n\r\n{\"keys\":[]}"));
  auto r = fetch(url(server, "/.well-known/jwks.json?x=1"));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "{\"keys\":[]}");
  REQUIRE(r->header("content-type"));
  CHECK(*r->header("content-type") == "application/json");

  std::string req = server.lastRequest();
  CHECK(req.rfind("GET /.well-known/jwks.json?x=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(req.find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n") !=
        std::string::npos);
  CHECK(req.find("\r\nAccept: application/json\r\n") != std::string::npos);
  CHECK(req.find("\r\nUser-Agent: warden/" WARDEN_VERSION "\r\n") != std::string::npos);
  CHECK(req.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(req.size() >= 4);
  CHECK(req.substr(req.size() - 4) == "\r\n\r\n");
}

TEST_CASE("http client: chunked body arriving in small pieces", "[http_client]") {
  std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n";
  LoopbackServer server([response](ServerConn& c, const std::string&) {
    c.sendSlowly(response, 7);
    c.holdOpen();  // complete without waiting for the close
  });
  auto r = fetch(url(server));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "hello world!");
}

TEST_CASE("http client: body delimited by the connection close", "[http_client]") {
  LoopbackServer server([](ServerConn& c, const std::string&) {
    c.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n");
    std::this_thread::sleep_for(20ms);
    c.send("{\"keys\":");
    c.send("[1,2,3]}");
  });  // the server closes after the handler
  auto r = fetch(url(server));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "{\"keys\":[1,2,3]}");
}

TEST_CASE("http client: 404 and 3xx are returned as they are", "[http_client]") {
  SECTION("404 with a body") {
    LoopbackServer server(reply("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"));
    auto r = fetch(url(server, "/missing"));
    REQUIRE(r.ok());
    CHECK(r->status == 404);
    CHECK(r->body == "not found");
  }
  SECTION("302 is not followed") {
    LoopbackServer server(
        reply("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/elsewhere\r\nContent-Length: "
              "0\r\n\r\n"));
    auto r = fetch(url(server));
    REQUIRE(r.ok());
    CHECK(r->status == 302);
    REQUIRE(r->header("location"));
    CHECK(*r->header("location") == "http://127.0.0.1:1/elsewhere");
    CHECK(server.accepted() == 1);
  }
  SECTION("204 without a body, interim 100 Continue skipped") {
    LoopbackServer server(reply("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"));
    auto r = fetch(url(server));
    REQUIRE(r.ok());
    CHECK(r->status == 204);
    CHECK(r->body.empty());
  }
}

TEST_CASE("http client: a response over max_response_bytes fails", "[http_client]") {
  HttpRequestOptions opts;
  opts.max_response_bytes = 1000;
  SECTION("declared by Content-Length") {
    LoopbackServer server(
        reply("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x')));
    auto r = fetch(url(server), opts);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("too large"));
  }
  SECTION("chunked, caught by the running count") {
    std::string body;
    for (int i = 0; i < 20; ++i) body += "64\r\n" + std::string(100, 'y') + "\r\n";
    LoopbackServer server([body](ServerConn& c, const std::string&) {
      c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "0\r\n\r\n");
      c.holdOpen();
    });
    auto r = fetch(url(server), opts);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("too large"));
  }
  SECTION("read until close, endless") {
    LoopbackServer server([](ServerConn& c, const std::string&) {
      c.send("HTTP/1.1 200 OK\r\n\r\n");
      for (int i = 0; i < 200 && c.send(std::string(100, 'z')); ++i) {
      }
    });
    auto r = fetch(url(server), opts);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("too large"));
  }
}

TEST_CASE("http client: a slow server times out", "[http_client]") {
  LoopbackServer server([](ServerConn& c, const std::string&) {
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    c.holdOpen();
  });
  HttpRequestOptions opts;
  opts.timeout = 300ms;
  auto out = fetchOutcome(url(server), opts);
  REQUIRE_FALSE(out.result->ok());
  CHECK_THAT(errorOf(*out.result), Catch::Contains("timed out after 300 ms"));
  CHECK_THAT(errorOf(*out.result), Catch::Contains("reading the response"));
  CHECK(out.elapsed >= 290ms);
  CHECK(out.elapsed < 3000ms);
}

TEST_CASE("http client: connection refused", "[http_client]") {
  uint16_t port = closedPort();
  auto r = fetch("http://127.0.0.1:" + std::to_string(port) + "/");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(errorOf(r), Catch::Contains("cannot connect to 127.0.0.1:" + std::to_string(port)));
  CHECK_THAT(errorOf(r), Catch::Contains("connection refused"));
}

TEST_CASE("http client: malformed or truncated responses fail", "[http_client]") {
  auto check = [](const std::string& response, const std::string& expected) {
    LoopbackServer server(reply(response));
    auto r = fetch(url(server));
    INFO(response);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains(expected));
  };
  check("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n", "malformed response");
  check("SSH-2.0-OpenSSH_9.2\r\n", "malformed response");
  check("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "truncated");
  check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "truncated");
  check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed response");
  check("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "malformed");
  check("", "closed before any response");
}

TEST_CASE("http client: host names are resolved (localhost)", "[http_client]") {
  // localhost may resolve to ::1 first: nothing listens there, the next address is tried.
  LoopbackServer server(reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  auto r = fetch("http://LocalHost:" + std::to_string(server.port()) + "/x");
  REQUIRE(r.ok());
  CHECK(r->body == "ok");
  CHECK(server.lastRequest().find("\r\nHost: localhost:" + std::to_string(server.port()) +
                                  "\r\n") != std::string::npos);
}

TEST_CASE("http client: a name that does not resolve fails", "[http_client]") {
  HttpRequestOptions opts;
  opts.timeout = 4000ms;
  auto r = fetch("http://warden-test.invalid/jwks", opts);
  REQUIRE_FALSE(r.ok());
  // NXDOMAIN, no resolver at all, or a resolver that never answers: all are resolution errors.
  CHECK_THAT(errorOf(r), Catch::Contains("resolv"));
}

TEST_CASE("http client: bad options fail through done, not from get()", "[http_client]") {
  SECTION("https without a TLS context") {
    auto r = fetch("https://127.0.0.1:1/");
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("needs a TLS context"));
  }
  SECTION("https with a context that does not verify") {
    HttpRequestOptions opts;
    auto ctx = TlsContext::makeClient(false, "");
    REQUIRE(ctx.ok());
    opts.tls = *ctx;
    auto r = fetch("https://127.0.0.1:1/", opts);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("verifying client TLS context"));
  }
  SECTION("zero timeout") {
    HttpRequestOptions opts;
    opts.timeout = 0ms;
    auto r = fetch("http://127.0.0.1:1/", opts);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("timeout must be positive"));
  }
}

namespace {

//! Starts a GET, destroys its handle after `delay` (0: right away, before the loop runs) and
//! checks that `done` never runs and every handle closes.
void abortAfter(const std::string& target, std::chrono::milliseconds delay) {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  auto parsed = parseUrl(target);
  REQUIRE(parsed.ok());
  int calls = 0;
  HttpRequestPtr req = HttpClient::get(&loop, *parsed, {}, [&](Result<HttpResponse>) { ++calls; });
  if (delay.count() == 0) {
    req.reset();
  } else {
    uv_timer_t timer;
    uv_timer_init(&loop, &timer);
    timer.data = &req;
    uv_timer_start(
        &timer,
        [](uv_timer_t* t) {
          static_cast<HttpRequestPtr*>(t->data)->reset();
          uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
        },
        static_cast<uint64_t>(delay.count()), 0);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(calls == 0);
  CHECK(uv_loop_close(&loop) == 0);
}

}  // namespace

TEST_CASE("http client: destroying the handle aborts without calling done", "[http_client]") {
  LoopbackServer server([](ServerConn& c, const std::string&) {
    c.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
    c.holdOpen();
  });
  SECTION("while reading the response") { abortAfter(url(server), 100ms); }
  SECTION("before the loop ran (connect pending)") { abortAfter(url(server), 0ms); }
  SECTION("while resolving") {
    abortAfter("http://localhost:" + std::to_string(server.port()), 0ms);
  }
  SECTION("cancel() then destroy") {
    uv_loop_t loop;
    REQUIRE(uv_loop_init(&loop) == 0);
    int calls = 0;
    auto req =
        HttpClient::get(&loop, mustParse(url(server)), {}, [&](Result<HttpResponse>) { ++calls; });
    req->cancel();
    CHECK_FALSE(req->active());
    req->cancel();
    req.reset();
    uv_run(&loop, UV_RUN_DEFAULT);
    CHECK(calls == 0);
    CHECK(uv_loop_close(&loop) == 0);
  }
}

TEST_CASE("http client: the handle may be destroyed inside done", "[http_client]") {
  LoopbackServer server(reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  HttpRequestPtr req;
  int calls = 0;
  req = HttpClient::get(&loop, mustParse(url(server)), {}, [&](Result<HttpResponse> r) {
    ++calls;
    CHECK(r.ok());
    req.reset();
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(calls == 1);
  CHECK(req == nullptr);
  CHECK(uv_loop_close(&loop) == 0);
}

TEST_CASE("http client: requests run concurrently on one loop", "[http_client]") {
  LoopbackServer a(reply("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na"));
  LoopbackServer b(reply("HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb"));
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  std::string got;
  auto ra = HttpClient::get(&loop, mustParse(url(a)), {}, [&](Result<HttpResponse> r) {
    REQUIRE(r.ok());
    got += r->body;
  });
  auto rb = HttpClient::get(&loop, mustParse(url(b)), {}, [&](Result<HttpResponse> r) {
    REQUIRE(r.ok());
    got += r->body;
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  std::sort(got.begin(), got.end());
  CHECK(got == "ab");
  ra.reset();
  rb.reset();
  CHECK(uv_loop_close(&loop) == 0);
}
