// test/unit/admin/http_connection_test.cc
//! HttpConnection: bytes in, response bytes out. Keep-alive and close, pipelined requests in
//! order (also when split at every byte), the output budget holding pipelined requests back,
//! error answers that end the connection, HEAD, 100-continue, handler exceptions.
#include <catch2/catch.hpp>

#include <random>
#include <stdexcept>
#include <string>

#include "http_test_support.h"
#include "warden/admin/http_connection.h"

using warden::admin::HttpConnection;
using warden::admin::HttpLimits;
using warden::admin::HttpRequest;
using warden::admin::HttpResponse;
using warden::admin::test::parseResponses;

namespace {

//! Echoes method and path; "/close" asks to close; "/throw" throws; "/big" is 1000 bytes.
HttpResponse echo(const HttpRequest& r) {
  if (r.path == "/throw") throw std::runtime_error("boom");
  HttpResponse out;
  out.content_type = "text/plain";
  out.body = r.path == "/big" ? std::string(1000, 'x') : r.method + " " + r.path + " " + r.body;
  out.close = r.path == "/close";
  return out;
}

std::string feedAll(HttpConnection& c, const std::string& text, size_t chunk = SIZE_MAX) {
  std::string out;
  for (size_t pos = 0; pos < text.size(); pos += chunk) {
    c.receive(std::string_view(text).substr(pos, std::min(chunk, text.size() - pos)));
    out += c.takeOutput();
    c.resume();
    out += c.takeOutput();
  }
  return out;
}

const std::string kThree =
    "GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
    "POST /two HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"
    "GET /three HTTP/1.1\r\n\r\n";

}  // namespace

TEST_CASE("http connection: keep-alive serves several requests", "[admin][http]") {
  HttpConnection c(echo);
  auto rs = parseResponses(feedAll(c, kThree));
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].body == "GET /one ");
  CHECK(rs[1].body == "POST /two body");
  CHECK(rs[2].body == "GET /three ");
  for (auto& r : rs) {
    CHECK(r.status == 200);
    CHECK(r.headers.count("connection") == 0);
    CHECK(r.headers["cache-control"] == "no-store");
    CHECK(r.headers["content-type"] == "text/plain");
  }
  CHECK_FALSE(c.closing());
  CHECK(c.wantsInput());
  CHECK(c.responses() == 3);
}

TEST_CASE("http connection: pipelined requests split at every byte give the same bytes",
          "[admin][http]") {
  HttpConnection whole(echo);
  std::string expected = feedAll(whole, kThree);
  for (size_t cut = 1; cut < kThree.size(); ++cut) {
    HttpConnection c(echo);
    c.receive(std::string_view(kThree).substr(0, cut));
    std::string out = c.takeOutput();
    c.receive(std::string_view(kThree).substr(cut));
    out += c.takeOutput();
    REQUIRE(out == expected);
  }
  HttpConnection bytewise(echo);
  CHECK(feedAll(bytewise, kThree, 1) == expected);
}

TEST_CASE("http connection: Connection close and HTTP/1.0", "[admin][http]") {
  HttpConnection c(echo);
  auto out = feedAll(c, "GET /x HTTP/1.1\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n");
  auto rs = parseResponses(out);
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].headers["connection"] == "close");
  CHECK(c.closing());
  CHECK_FALSE(c.wantsInput());
  c.receive("GET /more HTTP/1.1\r\n\r\n");  // ignored once closing
  CHECK_FALSE(c.hasOutput());

  HttpConnection c10(echo);
  rs = parseResponses(feedAll(c10, "GET /x HTTP/1.0\r\n\r\n"));
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].headers["connection"] == "close");
  CHECK(c10.closing());

  HttpConnection c10ka(echo);
  rs = parseResponses(feedAll(c10ka, "GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  CHECK(rs.at(0).headers["connection"] == "keep-alive");
  CHECK_FALSE(c10ka.closing());

  HttpConnection handler_close(echo);
  rs = parseResponses(feedAll(handler_close, "GET /close HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n"));
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].headers["connection"] == "close");
  CHECK(handler_close.closing());
}

TEST_CASE("http connection: a bad request gets a JSON 400 and the connection closes",
          "[admin][http]") {
  HttpConnection c(echo);
  auto out = feedAll(c, "GET /ok HTTP/1.1\r\n\r\nthis is not http\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
  auto rs = parseResponses(out);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].status == 200);
  CHECK(rs[1].status == 400);
  CHECK(rs[1].headers["content-type"] == "application/json");
  CHECK(rs[1].headers["connection"] == "close");
  CHECK(rs[1].body.rfind("{\"error\":\"malformed request", 0) == 0);
  CHECK(c.closing());
}

TEST_CASE("http connection: oversized header and body", "[admin][http]") {
  HttpConnection c(echo);
  std::string big = "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n";
  auto rs = parseResponses(feedAll(c, big, 1000));
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == 431);
  CHECK(c.closing());

  HttpConnection b(echo);
  rs = parseResponses(feedAll(b, "POST / HTTP/1.1\r\nContent-Length: 70000\r\n\r\n"));
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == 413);
  CHECK(rs[0].body == "{\"error\":\"request body too large\"}\n");
}

TEST_CASE("http connection: the output budget holds pipelined requests back", "[admin][http]") {
  HttpLimits limits;
  limits.max_pending_output = 2500;  // two and a half /big responses
  limits.max_buffered_input = 200;
  HttpConnection c(echo, limits);
  std::string one = "GET /big HTTP/1.1\r\n\r\n";  // 21 bytes
  std::string ten;
  for (int i = 0; i < 10; ++i) ten += one;
  c.receive(ten);
  // three responses fit under the budget (the third crosses it), the rest waits
  CHECK(c.responses() == 3);
  CHECK(c.wantsInput());  // 147 bytes buffered < 200
  c.receive(ten);         // 357 bytes buffered: at the cap
  CHECK(c.responses() == 3);
  CHECK_FALSE(c.wantsInput());
  std::string out = c.takeOutput();
  while (c.responses() < 20) {
    size_t before = c.responses();
    c.resume();
    REQUIRE(c.responses() > before);
    out += c.takeOutput();
  }
  CHECK(c.wantsInput());
  auto rs = parseResponses(out);
  CHECK(rs.size() == 20);
}

TEST_CASE("http connection: HEAD has the GET length and no body", "[admin][http]") {
  HttpConnection c(echo);
  std::string out = feedAll(c, "HEAD /h HTTP/1.1\r\n\r\n");
  auto rs = parseResponses(out, /*head=*/true);
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].headers["content-length"] == std::to_string(std::string("HEAD /h ").size()));
  CHECK(out.size() == out.find("\r\n\r\n") + 4);
}

TEST_CASE("http connection: 100 Continue before the body", "[admin][http]") {
  HttpConnection c(echo);
  c.receive("POST /p HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
  CHECK(c.takeOutput() == "HTTP/1.1 100 Continue\r\n\r\n");
  c.receive("abc");
  auto rs = parseResponses(c.takeOutput());
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].body == "POST /p abc");
  // body in the same packet: no interim response
  HttpConnection d(echo);
  d.receive("POST /p HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
  rs = parseResponses(d.takeOutput());
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == 200);
}

TEST_CASE("http connection: a throwing handler is a 500 and a close", "[admin][http]") {
  HttpConnection c(echo);
  auto rs = parseResponses(feedAll(c, "GET /throw HTTP/1.1\r\n\r\n"));
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].status == 500);
  CHECK(c.closing());
}

TEST_CASE("http connection: garbage never crashes and always ends in order", "[admin][http]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 2000; ++i) {
    std::string text = kThree;
    int flips = rng() % 6;
    for (int k = 0; k < flips; ++k) text[rng() % text.size()] = static_cast<char>(byte(rng));
    if (i % 3 == 0) {
      text.clear();
      for (int k = 0, n = rng() % 200; k < n; ++k) text += static_cast<char>(byte(rng));
    }
    HttpConnection c(echo);
    std::string out = feedAll(c, text, 1 + rng() % 17);
    auto rs = parseResponses(out);
    for (size_t k = 0; k < rs.size(); ++k) {
      bool last = k + 1 == rs.size();
      if (rs[k].status != 200 && rs[k].status != 100) {
        CHECK(last);
        CHECK(rs[k].headers["connection"] == "close");
      }
    }
  }
}
