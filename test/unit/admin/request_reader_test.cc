// test/unit/admin/request_reader_test.cc
//! RequestReader (http-parser framing): whole requests, split at every byte, pipelined
//! requests one per step, bodies (Content-Length, chunked), and the limits and rejections
//! (431, 413, 400) including random garbage.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "warden/admin/request_reader.h"

using warden::admin::HttpLimits;
using warden::admin::HttpRequest;
using warden::admin::ReadStatus;
using warden::admin::RequestReader;

namespace {

struct Outcome {
  std::vector<HttpRequest> requests;
  ReadStatus last = ReadStatus::NeedMoreData;
  int error_status = 0;
};

//! Feeds `text` in chunks of at most `chunk` bytes, collecting every request.
Outcome readAll(RequestReader& reader, const std::string& text, size_t chunk = SIZE_MAX) {
  Outcome out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t n = std::min(chunk, text.size() - pos);
    size_t used = 0;
    while (used < n) {
      auto step = reader.feed(text.data() + pos + used, n - used);
      used += step.consumed;
      out.last = step.status;
      if (step.status == ReadStatus::Request) {
        out.requests.push_back(reader.take());
        continue;
      }
      if (step.status == ReadStatus::Error) {
        out.error_status = reader.errorStatus();
        return out;
      }
      REQUIRE(used == n);  // NeedMoreData consumes everything
    }
    pos += n;
  }
  return out;
}

Outcome readAll(const std::string& text, size_t chunk = SIZE_MAX, HttpLimits limits = {}) {
  RequestReader reader(limits);
  return readAll(reader, text, chunk);
}

const std::string kPost =
    "POST /api/v1/reload?dry=1 HTTP/1.1\r\n"
    "Host: 127.0.0.1:9190\r\n"
    "Authorization:   Bearer s3cret  \r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 17\r\n"
    "\r\n"
    "{\"comment\":\"hi\"}\n";

}  // namespace

TEST_CASE("request reader: one GET", "[admin][http]") {
  auto out = readAll("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  REQUIRE(out.requests.size() == 1);
  const auto& r = out.requests[0];
  CHECK(r.method == "GET");
  CHECK(r.target == "/healthz");
  CHECK(r.path == "/healthz");
  CHECK(r.query.empty());
  CHECK(r.keep_alive);
  CHECK(r.body.empty());
  REQUIRE(r.header("host"));
  CHECK(*r.header("host") == "x");
  CHECK(r.header("nope") == nullptr);
}

TEST_CASE("request reader: POST with body, names lower-cased, values trimmed", "[admin][http]") {
  auto out = readAll(kPost);
  REQUIRE(out.requests.size() == 1);
  const auto& r = out.requests[0];
  CHECK(r.method == "POST");
  CHECK(r.path == "/api/v1/reload");
  CHECK(r.query == "dry=1");
  CHECK(*r.header("authorization") == "Bearer s3cret");
  CHECK(*r.header("content-type") == "application/json");
  CHECK(r.body == "{\"comment\":\"hi\"}\n");
}

TEST_CASE("request reader: split at every byte gives the same request", "[admin][http]") {
  auto whole = readAll(kPost);
  REQUIRE(whole.requests.size() == 1);
  for (size_t cut = 1; cut < kPost.size(); ++cut) {
    RequestReader reader;
    auto a = reader.feed(kPost.data(), cut);
    REQUIRE(a.status == ReadStatus::NeedMoreData);
    REQUIRE(a.consumed == cut);
    auto b = reader.feed(kPost.data() + cut, kPost.size() - cut);
    REQUIRE(b.status == ReadStatus::Request);
    REQUIRE(b.consumed == kPost.size() - cut);
    auto r = reader.take();
    CHECK(r.method == "POST");
    CHECK(r.target == whole.requests[0].target);
    CHECK(r.headers == whole.requests[0].headers);
    CHECK(r.body == whole.requests[0].body);
  }
  // and one byte at a time
  auto bytewise = readAll(kPost, 1);
  REQUIRE(bytewise.requests.size() == 1);
  CHECK(bytewise.requests[0].headers == whole.requests[0].headers);
  CHECK(bytewise.requests[0].body == whole.requests[0].body);
}

TEST_CASE("request reader: pipelined requests come out one per step", "[admin][http]") {
  std::string text = "GET /a HTTP/1.1\r\n\r\n" + kPost + "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n";
  RequestReader reader;
  auto s1 = reader.feed(text.data(), text.size());
  REQUIRE(s1.status == ReadStatus::Request);
  CHECK(s1.consumed == std::string("GET /a HTTP/1.1\r\n\r\n").size());
  CHECK(reader.take().path == "/a");
  auto s2 = reader.feed(text.data() + s1.consumed, text.size() - s1.consumed);
  REQUIRE(s2.status == ReadStatus::Request);
  CHECK(s2.consumed == kPost.size());
  CHECK(reader.take().body == "{\"comment\":\"hi\"}\n");
  size_t done = s1.consumed + s2.consumed;
  auto s3 = reader.feed(text.data() + done, text.size() - done);
  REQUIRE(s3.status == ReadStatus::Request);
  CHECK(done + s3.consumed == text.size());
  auto r3 = reader.take();
  CHECK(r3.path == "/c");
  CHECK_FALSE(r3.keep_alive);
  // every split point of the pipeline yields the same three requests
  for (size_t chunk : {1u, 2u, 3u, 7u, 64u}) {
    auto out = readAll(text, chunk);
    REQUIRE(out.requests.size() == 3);
    CHECK(out.requests[1].body == "{\"comment\":\"hi\"}\n");
  }
}

TEST_CASE("request reader: keep-alive rules", "[admin][http]") {
  CHECK(readAll("GET / HTTP/1.1\r\n\r\n").requests.at(0).keep_alive);
  CHECK_FALSE(readAll("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").requests.at(0).keep_alive);
  CHECK_FALSE(readAll("GET / HTTP/1.0\r\n\r\n").requests.at(0).keep_alive);
  auto r10 = readAll("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").requests.at(0);
  CHECK(r10.keep_alive);
  CHECK(r10.http_minor == 0);
  // An Upgrade request is answered and the connection ends.
  CHECK_FALSE(readAll("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
                  .requests.at(0)
                  .keep_alive);
}

TEST_CASE("request reader: chunked body", "[admin][http]") {
  std::string text =
      "POST /api/v1/reload HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  for (size_t chunk : {1u, 5u, 1000u}) {
    auto out = readAll(text, chunk);
    REQUIRE(out.requests.size() == 1);
    CHECK(out.requests[0].body == "hello world");
  }
}

TEST_CASE("request reader: header limits answer 431", "[admin][http]") {
  HttpLimits limits;
  limits.max_header_bytes = 1024;
  limits.max_headers = 8;
  std::string big = "GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  auto out = readAll(big, SIZE_MAX, limits);
  CHECK(out.last == ReadStatus::Error);
  CHECK(out.error_status == 431);
  // also when it arrives byte by byte (nothing is buffered past the cap)
  CHECK(readAll(big, 1, limits).error_status == 431);
  std::string long_url = "GET /" + std::string(2000, 'u') + " HTTP/1.1\r\n\r\n";
  CHECK(readAll(long_url, 3, limits).error_status == 431);
  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 9; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  many += "\r\n";
  CHECK(readAll(many, SIZE_MAX, limits).error_status == 431);
  // the default limit: 16 KiB
  std::string huge = "GET / HTTP/1.1\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n";
  CHECK(readAll(huge).error_status == 431);
  // just under the limits is fine
  std::string ok = "GET / HTTP/1.1\r\nX-Big: " + std::string(900, 'a') + "\r\n\r\n";
  CHECK(readAll(ok, SIZE_MAX, limits).requests.size() == 1);
  // the count does not depend on how the bytes arrive (the parser calls back per slice)
  std::string fields = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 7; ++i) fields += "X-Field-" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
  fields += "\r\n";
  for (size_t chunk : {1u, 2u, 5u, 4096u}) CHECK(readAll(fields, chunk, limits).requests.size() == 1);
}

TEST_CASE("request reader: body limits answer 413 before and while the body arrives",
          "[admin][http]") {
  HttpLimits limits;
  limits.max_body_bytes = 100;
  RequestReader reader(limits);
  std::string head = "POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n";
  auto step = reader.feed(head.data(), head.size());
  CHECK(step.status == ReadStatus::Error);  // decided at the headers: no byte of body needed
  CHECK(reader.errorStatus() == 413);
  std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "a\r\n0123456789\r\n";
  CHECK(readAll(chunked, SIZE_MAX, limits).error_status == 413);
  CHECK(readAll("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n").error_status == 400);
  std::string exact = "POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b');
  CHECK(readAll(exact, SIZE_MAX, limits).requests.at(0).body.size() == 100);
}

TEST_CASE("request reader: malformed requests answer 400 and stay failed", "[admin][http]") {
  for (std::string bad : {
           std::string("HELLO\r\n\r\n"),
           std::string("GET\r\n\r\n"),
           std::string("GET / HTTP/9.9\r\n\r\n"),
           std::string("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
           std::string("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"),
           std::string("GET http://example.com/healthz HTTP/1.1\r\n\r\n"),
           std::string("OPTIONS * HTTP/1.1\r\n\r\n"),
           std::string("CONNECT example.com:443 HTTP/1.1\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
           std::string("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "0\r\n\r\n"),
           std::string("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
           std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS ClientHello
           std::string("\0\0\0\x08\x04\xd2\x16\x2f", 8),                    // a PG SSLRequest
       }) {
    RequestReader reader;
    Outcome out = readAll(reader, bad);
    INFO(bad);
    CHECK(out.last == ReadStatus::Error);
    CHECK(out.error_status == 400);
    CHECK_FALSE(reader.errorMessage().empty());
    auto again = reader.feed("GET / HTTP/1.1\r\n\r\n", 18);
    CHECK(again.status == ReadStatus::Error);
    CHECK(again.consumed == 0);
  }
}

TEST_CASE("request reader: Expect 100-continue is reported while the body is missing",
          "[admin][http]") {
  RequestReader reader;
  std::string head = "POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
  auto s = reader.feed(head.data(), head.size());
  CHECK(s.status == ReadStatus::NeedMoreData);
  CHECK(reader.midRequest());
  CHECK(reader.takeContinueRequest());
  CHECK_FALSE(reader.takeContinueRequest());
  auto b = reader.feed("ok", 2);
  CHECK(b.status == ReadStatus::Request);
  CHECK(reader.take().body == "ok");
  CHECK_FALSE(reader.midRequest());
}

TEST_CASE("request reader: random and mutated bytes never crash", "[admin][http]") {
  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    if (i % 2 == 0) {
      int n = 1 + rng() % 300;
      for (int k = 0; k < n; ++k) text += static_cast<char>(byte(rng));
    } else {
      text = kPost;
      int flips = 1 + rng() % 4;
      for (int k = 0; k < flips; ++k) text[rng() % text.size()] = static_cast<char>(byte(rng));
    }
    size_t chunk = 1 + rng() % 40;
    RequestReader reader;
    Outcome out = readAll(reader, text, chunk);
    if (out.last == ReadStatus::Error) {
      CHECK((out.error_status == 400 || out.error_status == 413 || out.error_status == 431));
    }
    for (const auto& r : out.requests) CHECK(r.path.rfind('/', 0) == 0);
  }
}
