// test/unit/net/http_client_tls_test.cc
//! HttpClient over TLS against a BoringSSL loopback server with a test PKI generated at run time
//! (http_client_test_server.h): verified success by name and by IP, close_notify handling,
//! wrong host name, unknown CA, a server that never answers the handshake, aborts mid-handshake.
#include "http_client_test_server.h"

using namespace http_client_test;
using warden::net::HttpRequestPtr;
using warden::net::parseUrl;

namespace {

HttpRequestOptions trusting(const std::string& ca) {
  HttpRequestOptions opts;
  opts.tls = clientContext(ca);
  opts.timeout = 4000ms;
  return opts;
}

std::string httpsUrl(const std::string& host, const LoopbackServer& s,
                     const std::string& path = "/") {
  return "https://" + host + ":" + std::to_string(s.port()) + path;
}

const char kJwks[] = "{\"keys\":[{\"kty\":\"EC\",\"kid\":\"k1\"}]}";

LoopbackServer::Handler jwksHandler(bool close_notify) {
  return [close_notify](ServerConn& c, const std::string&) {
    c.send(std::string("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ") +
           std::to_string(sizeof(kJwks) - 1) + "\r\n\r\n" + kJwks);
    if (close_notify) c.closeNotify();
  };
}

}  // namespace

TEST_CASE("http client TLS: verified fetch by host name and by IP address", "[http_client]") {
  const TestPki& p = pki();
  LoopbackServer server(jwksHandler(true), serverContext(p.leaf, p.leaf_key));
  for (const char* host : {"localhost", "127.0.0.1"}) {
    INFO(host);
    auto r = fetch(httpsUrl(host, server, "/jwks"), trusting(p.ca));
    REQUIRE(r.ok());
    CHECK(r->status == 200);
    CHECK(r->body == kJwks);
    CHECK(server.lastRequest().rfind("GET /jwks HTTP/1.1\r\n", 0) == 0);
    CHECK(server.lastRequest().find("\r\nHost: " + std::string(host) + ":") != std::string::npos);
  }
  CHECK(server.handshakeFailures() == 0);
}

TEST_CASE("http client TLS: a Content-Length body does not need close_notify", "[http_client]") {
  const TestPki& p = pki();
  LoopbackServer server(
      [](ServerConn& c, const std::string&) {
        c.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        c.holdOpen();
      },
      serverContext(p.leaf, p.leaf_key));
  auto r = fetch(httpsUrl("127.0.0.1", server), trusting(p.ca));
  REQUIRE(r.ok());
  CHECK(r->body == "ok");
}

TEST_CASE("http client TLS: read-until-close bodies need close_notify", "[http_client]") {
  const TestPki& p = pki();
  SECTION("with close_notify") {
    LoopbackServer server(
        [](ServerConn& c, const std::string&) {
          c.send("HTTP/1.1 200 OK\r\n\r\n{\"keys\":[]}");
          c.closeNotify();
        },
        serverContext(p.leaf, p.leaf_key));
    auto r = fetch(httpsUrl("localhost", server), trusting(p.ca));
    REQUIRE(r.ok());
    CHECK(r->body == "{\"keys\":[]}");
  }
  SECTION("bare TCP close") {
    LoopbackServer server(
        [](ServerConn& c, const std::string&) { c.send("HTTP/1.1 200 OK\r\n\r\n{\"keys\":[]}"); },
        serverContext(p.leaf, p.leaf_key));
    auto r = fetch(httpsUrl("localhost", server), trusting(p.ca));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("without TLS close_notify"));
  }
}

TEST_CASE("http client TLS: a certificate for another host name fails", "[http_client]") {
  const TestPki& p = pki();
  LoopbackServer server(jwksHandler(true), serverContext(p.wrong, p.wrong_key));
  for (const char* host : {"localhost", "127.0.0.1"}) {
    INFO(host);
    auto r = fetch(httpsUrl(host, server), trusting(p.ca));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(errorOf(r), Catch::Contains("TLS handshake with " + std::string(host)));
    CHECK_THAT(errorOf(r), Catch::Contains("certificate verify failed"));
    CHECK_THAT(errorOf(r), Catch::Contains("mismatch"));
  }
}

TEST_CASE("http client TLS: a certificate from an unknown CA fails", "[http_client]") {
  const TestPki& p = pki();
  LoopbackServer server(jwksHandler(true), serverContext(p.leaf, p.leaf_key));
  auto r = fetch(httpsUrl("localhost", server), trusting(p.other_ca));
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(errorOf(r), Catch::Contains("certificate verify failed"));
  CHECK_THAT(errorOf(r), Catch::Contains("unable to get local issuer certificate"));
}

TEST_CASE("http client TLS: plain HTTP from the server fails the handshake", "[http_client]") {
  LoopbackServer server(
      [](ServerConn& c, const std::string&) { c.send("HTTP/1.1 400 Bad Request\r\n\r\n"); });
  auto r = fetch(httpsUrl("127.0.0.1", server), trusting(pki().ca));
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(errorOf(r), Catch::Contains("TLS handshake with 127.0.0.1"));
}

TEST_CASE("http client TLS: a server that never answers the handshake times out", "[http_client]") {
  const TestPki& p = pki();
  LoopbackServer server(jwksHandler(true), serverContext(p.leaf, p.leaf_key), /*handshake=*/false);
  HttpRequestOptions opts = trusting(p.ca);
  opts.timeout = 300ms;
  auto r = fetch(httpsUrl("localhost", server), opts);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(errorOf(r), Catch::Contains("timed out after 300 ms in the TLS handshake"));
}

TEST_CASE("http client TLS: destroying the handle mid-handshake", "[http_client]") {
  const TestPki& p = pki();
  LoopbackServer server(jwksHandler(true), serverContext(p.leaf, p.leaf_key), /*handshake=*/false);
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  int calls = 0;
  HttpRequestPtr req = HttpClient::get(&loop, mustParse(httpsUrl("127.0.0.1", server)),
                                       trusting(p.ca), [&](Result<HttpResponse>) { ++calls; });
  uv_timer_t timer;
  uv_timer_init(&loop, &timer);
  timer.data = &req;
  uv_timer_start(
      &timer,
      [](uv_timer_t* t) {
        static_cast<HttpRequestPtr*>(t->data)->reset();
        uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
      },
      100, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  CHECK(calls == 0);
  CHECK(uv_loop_close(&loop) == 0);
}
