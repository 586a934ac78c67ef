// test/fuzz/admin_http_fuzz.cc
//! Fuzzes the admin API's HTTP path without sockets: request bytes into HttpConnection with the
//! real AdminApi (fake backend), small limits so the caps and the pipelining budget are hit.
//! The first input byte picks a chunk size. Contract checked:
//! - the output is a sequence of well-formed responses (status line, Content-Length, body);
//! - a response with "Connection: close" is the last one, and the connection is then closing;
//! - the bytes out do not depend on how the input was split (interim 100 Continue aside), but
//!   for which framing error (400/413/431) ends the connection when several apply.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "warden/admin/admin_api.h"
#include "warden/admin/http_connection.h"

namespace {

using namespace warden::admin;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Backend : AdminBackend {
  AdminStatus st{1, 0, 0, 0, false};
  std::vector<warden::config::AdminToken> tokens() const override {
    return {{"fuzz-token", "fuzzer", {}}};
  }
  AdminStatus status() const override { return st; }
  ReloadOutcome reload(const std::string&) override {
    ReloadOutcome out;
    out.ok = (st.generation % 2) == 1;
    if (out.ok) ++st.generation; else out.errors = {"bad \xff config"};
    out.generation = st.generation;
    return out;
  }
};

HttpLimits limits() {
  HttpLimits l;
  l.max_header_bytes = 1024;
  l.max_headers = 16;
  l.max_body_bytes = 512;
  l.max_pending_output = 1024;
  l.max_buffered_input = 512;
  return l;
}

std::string drain(HttpConnection& c) {
  std::string out;
  for (int guard = 0; guard < 100000; ++guard) {
    out += c.takeOutput();
    c.resume();
    if (!c.hasOutput()) return out;
  }
  check(false);  // resume() must make progress until the input is used up
  return out;
}

std::string run(std::string_view input, size_t chunk, bool* closing) {
  Backend backend;
  AdminApi api(backend);
  HttpConnection c([&](const HttpRequest& r) { return api.handle(r); }, limits());
  std::string out;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    c.receive(input.substr(pos, chunk));
    out += drain(c);
  }
  *closing = c.closing();
  return out;
}

std::string withoutContinue(std::string s) {
  static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  for (size_t p; (p = s.find(kContinue)) != std::string::npos;) s.erase(p, kContinue.size());
  return s;
}

struct Response {
  int status;
  std::string bytes;
};

//! Splits the output into responses; false on malformed output. HEAD answers carry a length
//! without a body, so callers skip this walk when the input has HEAD requests.
bool splitResponses(const std::string& out, bool closing, std::vector<Response>* responses) {
  size_t pos = 0;
  while (pos < out.size()) {
    size_t start = pos;
    if (out.compare(pos, 9, "HTTP/1.1 ") != 0) return false;
    size_t end = out.find("\r\n\r\n", pos);
    if (end == std::string::npos) return false;
    std::string_view head(out.data() + pos, end - pos);
    pos = end + 4;
    int status = std::stoi(std::string(head.substr(9, 3)));
    if (status != 100) {
      size_t cl = head.find("\r\nContent-Length: ");
      if (cl == std::string_view::npos) return false;
      size_t eol = head.find("\r\n", cl + 2);
      if (eol == std::string_view::npos) eol = head.size();
      size_t len = std::stoul(std::string(head.substr(cl + 18, eol - cl - 18)));
      if (pos + len > out.size()) return false;
      pos += len;
      if (head.find("\r\nConnection: close") != std::string_view::npos) {
        if (pos != out.size() || !closing) return false;
      }
    }
    responses->push_back({status, out.substr(start, pos - start)});
  }
  return true;
}

bool framingError(int status) { return status == 400 || status == 413 || status == 431; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 32;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool closing_whole = false, closing_split = false;
  std::string whole = run(input, input.size() + 1, &closing_whole);
  std::string split = run(input, chunk, &closing_split);
  check(closing_whole == closing_split);
  whole = withoutContinue(whole);
  split = withoutContinue(split);
  if (whole == split) {
    if (input.find("HEAD") == std::string_view::npos) {
      std::vector<Response> rs;
      check(splitResponses(whole, closing_whole, &rs));
    }
    return 0;
  }
  // The only allowed difference: which framing error ends the connection (400, 413, 431),
  // since limits are checked when the parser calls back, and the split decides when that is.
  // Error answers are the last response and never contain a status line in their body.
  size_t wa = whole.rfind("HTTP/1.1 "), sa = split.rfind("HTTP/1.1 ");
  check(wa != std::string::npos && sa != std::string::npos && wa == sa);
  check(whole.compare(0, wa, split, 0, sa) == 0);
  check(framingError(std::stoi(whole.substr(wa + 9, 3))));
  check(framingError(std::stoi(split.substr(sa + 9, 3))));
  check(closing_whole);
  return 0;
}
