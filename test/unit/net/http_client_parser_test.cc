// test/unit/net/http_client_parser_test.cc
//! ResponseParser (pure response framing) and parseUrl: golden responses fed whole, one byte at
//! a time and split at every offset; caps; malformed and truncated input; URL forms.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "warden/net/http_client.h"
#include "warden/net/http_response_parser.h"

using warden::net::HttpResponse;
using warden::net::parseUrl;
using warden::net::ResponseLimits;
using warden::net::ResponseParser;
using warden::net::ResponseStatus;

namespace {

struct Outcome {
  ResponseStatus status;
  HttpResponse response;
  std::string error;
};

//! Feeds `pieces` in order, then reports EOF if `eof` and the response is not complete yet.
Outcome run(const std::vector<std::string>& pieces, bool eof, ResponseLimits limits = {}) {
  ResponseParser p(limits);
  ResponseStatus st = ResponseStatus::NeedMoreData;
  for (const auto& piece : pieces) {
    st = p.feed(piece);
    if (st != ResponseStatus::NeedMoreData) break;
  }
  if (st == ResponseStatus::NeedMoreData && eof) st = p.finish();
  Outcome out{st, {}, p.error()};
  if (st == ResponseStatus::Complete) out.response = p.take();
  return out;
}

void checkSame(const Outcome& a, const Outcome& b) {
  REQUIRE(toString(a.status) == std::string(toString(b.status)));
  CHECK(a.response.status == b.response.status);
  CHECK(a.response.body == b.response.body);
  CHECK(a.response.headers == b.response.headers);
  CHECK(a.error == b.error);
}

//! Whole, one byte at a time, and split in two at every offset: all must agree.
Outcome runEverySplit(const std::string& wire, bool eof, ResponseLimits limits = {}) {
  Outcome whole = run({wire}, eof, limits);
  std::vector<std::string> bytes;
  for (char c : wire) bytes.emplace_back(1, c);
  {
    INFO("one byte at a time");
    checkSame(whole, run(bytes, eof, limits));
  }
  for (size_t cut = 1; cut < wire.size(); ++cut) {
    INFO("split at " << cut);
    checkSame(whole, run({wire.substr(0, cut), wire.substr(cut)}, eof, limits));
  }
  return whole;
}

struct Golden {
  const char* name;
  std::string wire;
  bool eof;  // the server closes after it
  int status;
  std::string body;
};

std::vector<Golden> goldens() {
  return {
      {"content-length",
       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
       "11\r\n\r\n{\"keys\":[]}",
       false, 200, "{\"keys\":[]}"},
      {"chunked with extension and trailer",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\n1\r\n \r\n"
       "6\r\nworld!\r\n0\r\nX-Checksum: 1\r\n\r\n",
       false, 200, "hello world!"},
      {"read until close", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[1,2]", true,
       200, "[1,2]"},
      {"HTTP/1.0 read until close", "HTTP/1.0 200 OK\r\n\r\nold", true, 200, "old"},
      {"404 with body", "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nnop", false, 404,
       "nop"},
      {"204 no body", "HTTP/1.1 204 No Content\r\n\r\n", false, 204, ""},
      {"304 no body despite length",
       "HTTP/1.1 304 Not Modified\r\nContent-Length: 99999999\r\n\r\n", false, 304, ""},
      {"interim 100 and 103 skipped",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
       false, 200, "x"},
      {"no reason phrase, folded blanks",
       "HTTP/1.1 500\r\nX-A:   spaced \t\r\nContent-Length: 0\r\n\r\n", false, 500, ""},
      {"empty read-until-close body", "HTTP/1.1 200 OK\r\n\r\n", true, 200, ""},
  };
}

}  // namespace

TEST_CASE("http response parser: golden responses at every split", "[http_client]") {
  for (const auto& g : goldens()) {
    INFO(g.name);
    Outcome out = runEverySplit(g.wire, g.eof);
    REQUIRE(out.status == ResponseStatus::Complete);
    CHECK(out.response.status == g.status);
    CHECK(out.response.body == g.body);
  }
}

TEST_CASE("http response parser: headers are lower-cased, trimmed, in order", "[http_client]") {
  Outcome out = run({"HTTP/1.1 200 OK\r\nContent-Type:  application/json \r\nX-Dup: 1\r\n"
                     "x-dup: 2\r\nContent-Length: 0\r\n\r\n"},
                    false);
  REQUIRE(out.status == ResponseStatus::Complete);
  REQUIRE(out.response.headers.size() == 4);
  CHECK(out.response.headers[0] ==
        std::make_pair(std::string("content-type"), std::string("application/json")));
  CHECK(out.response.headers[1].first == "x-dup");
  CHECK(out.response.headers[2].second == "2");
  REQUIRE(out.response.header("x-dup"));
  CHECK(*out.response.header("x-dup") == "1");
  CHECK(out.response.header("missing") == nullptr);
}

TEST_CASE("http response parser: completes without waiting for EOF; trailing bytes ignored",
          "[http_client]") {
  ResponseParser p;
  CHECK(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE HTTP/1.1 500") ==
        ResponseStatus::Complete);
  CHECK(p.feed("more") == ResponseStatus::Complete);
  CHECK(p.finish() == ResponseStatus::Complete);
  HttpResponse r = p.take();
  CHECK(r.body == "ok");
  CHECK(p.consumed() <= 40);
}

TEST_CASE("http response parser: byte cap counts the whole response", "[http_client]") {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  SECTION("exactly at the cap") {
    Outcome out = runEverySplit(wire, false, {wire.size(), 100});
    CHECK(out.status == ResponseStatus::Complete);
  }
  SECTION("one byte over") {
    Outcome out = runEverySplit(wire, false, {wire.size() - 1, 100});
    REQUIRE(out.status == ResponseStatus::Error);
    CHECK_THAT(out.error, Catch::Contains("too large"));
  }
  SECTION("declared length over the cap fails at the end of the headers") {
    ResponseParser p({100, 100});
    CHECK(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n") == ResponseStatus::Error);
    CHECK(p.tooLarge());
    CHECK_THAT(p.error(), Catch::Contains("Content-Length 101"));
  }
  SECTION("read until close over the cap") {
    Outcome out = run({"HTTP/1.1 200 OK\r\n\r\n", std::string(200, 'x')}, true, {100, 100});
    REQUIRE(out.status == ResponseStatus::Error);
    CHECK_THAT(out.error, Catch::Contains("more than 100 bytes"));
  }
  SECTION("chunk framing counts too") {
    std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 50; ++i) chunked += "1\r\nx\r\n";  // 50 body bytes, 300 wire bytes
    chunked += "0\r\n\r\n";
    Outcome out = run({chunked}, false, {200, 100});
    REQUIRE(out.status == ResponseStatus::Error);
    CHECK_THAT(out.error, Catch::Contains("too large"));
  }
  SECTION("too many header fields") {
    std::string many = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 5; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    Outcome out = runEverySplit(many + "Content-Length: 0\r\n\r\n", false, {4096, 5});
    REQUIRE(out.status == ResponseStatus::Error);
    CHECK_THAT(out.error, Catch::Contains("more than 5 header fields"));
  }
}

TEST_CASE("http response parser: malformed responses fail closed", "[http_client]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"HTTP/1.1 abc OK\r\n\r\n", "malformed response"},
      {"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", "unsupported HTTP version"},
      {"HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n", "invalid status code"},
      {"ICY 200 OK\r\n\r\n", "malformed response"},
      {"<html>hello</html>", "malformed response"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", "malformed response"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", "malformed response"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
       "malformed response"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
       "malformed response"},
      {"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n", "malformed response"},
      {"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "malformed response"},
      {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
       "101 Switching Protocols"},
  };
  for (const auto& [wire, expected] : cases) {
    INFO(wire);
    Outcome out = runEverySplit(wire, true);
    REQUIRE(out.status == ResponseStatus::Error);
    CHECK_THAT(out.error, Catch::Contains(expected));
  }
}

TEST_CASE("http response parser: EOF before the end is a truncation", "[http_client]") {
  CHECK_THAT(run({}, true).error, Catch::Contains("before any response"));
  CHECK_THAT(run({"HTTP/1.1 200 OK\r\nContent-Le"}, true).error, Catch::Contains("truncated"));
  CHECK_THAT(run({"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"}, true).error,
             Catch::Contains("truncated"));
  CHECK_THAT(run({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n"}, true).error,
             Catch::Contains("truncated"));
  CHECK_THAT(run({"HTTP/1.1 100 Continue\r\n\r\n"}, true).error, Catch::Contains("truncated"));
}

TEST_CASE("http response parser: errors are sticky", "[http_client]") {
  ResponseParser p;
  CHECK(p.feed("junk\r\n") == ResponseStatus::Error);
  std::string first = p.error();
  CHECK(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == ResponseStatus::Error);
  CHECK(p.finish() == ResponseStatus::Error);
  CHECK(p.error() == first);
  CHECK(p.feed("") == ResponseStatus::Error);
}

TEST_CASE("http client: parseUrl accepts absolute http(s) URLs", "[http_client]") {
  struct Case {
    const char* url;
    bool https;
    const char* host;
    uint16_t port;
    const char* target;
    const char* authority;
  };
  const Case cases[] = {
      {"http://example.com", false, "example.com", 80, "/", "example.com"},
      {"HTTPS://Login.Example.COM/.well-known/jwks.json", true, "login.example.com", 443,
       "/.well-known/jwks.json", "login.example.com"},
      {"https://idp:8443/keys?kid=a%20b&x=1", true, "idp", 8443, "/keys?kid=a%20b&x=1", "idp:8443"},
      {"http://10.0.0.1:8080?q", false, "10.0.0.1", 8080, "/?q", "10.0.0.1:8080"},
      {"http://[::1]:9000/a", false, "::1", 9000, "/a", "[::1]:9000"},
      {"https://[2001:DB8:0:0::1]/", true, "2001:db8::1", 443, "/", "[2001:db8::1]"},
      {"http://example.com:443/", false, "example.com", 443, "/", "example.com:443"},
  };
  for (const auto& c : cases) {
    INFO(c.url);
    auto u = parseUrl(c.url);
    REQUIRE(u.ok());
    CHECK(u->https == c.https);
    CHECK(u->host == c.host);
    CHECK(u->port == c.port);
    CHECK(u->target == c.target);
    CHECK(u->authority() == c.authority);
  }
  CHECK(parseUrl("https://idp:8443/keys")->toString() == "https://idp:8443/keys");
}

TEST_CASE("http client: parseUrl rejects what a GET must not carry", "[http_client]") {
  const std::pair<const char*, const char*> cases[] = {
      {"ftp://example.com/", "only http:// and https://"},
      {"example.com/path", "only http:// and https://"},
      {"file:///etc/passwd", "only http:// and https://"},
      {"https://user:pw@example.com/", "user information"},
      {"https://example.com@evil.test/", "user information"},
      {"https://example.com/keys#frag", "fragments"},
      {"https:///path", "missing host"},
      {"https://:443/", "missing host"},
      {"https://example.com:/", "invalid port"},
      {"https://example.com:0/", "port out of range"},
      {"https://example.com:65536/", "port out of range"},
      {"https://example.com:12a/", "invalid port"},
      {"https://exa mple.com/", "space, control or non-ASCII"},
      {"https://example.com/a b", "space, control or non-ASCII"},
      {"https://example.com/a\r\nX-Injected: 1", "space, control or non-ASCII"},
      {"https://ex\xc3\xa4mple.com/", "space, control or non-ASCII"},
      {"https://exa%6dple.com/", "invalid character in the host"},
      {"https://[::1/", "unterminated IPv6"},
      {"https://[::g]/", "invalid IPv6"},
      {"https://[fe80::1%25eth0]/", "zone identifiers"},
      {"https://[::1]x/", "unexpected text after the IPv6"},
  };
  for (const auto& [url, why] : cases) {
    INFO(url);
    auto u = parseUrl(url);
    REQUIRE_FALSE(u.ok());
    CHECK_THAT(u.error().message, Catch::Contains(why));
  }
  CHECK_FALSE(parseUrl("http://example.com/" + std::string(9000, 'a')).ok());
  CHECK_FALSE(parseUrl("http://" + std::string(300, 'a') + "/").ok());
}
