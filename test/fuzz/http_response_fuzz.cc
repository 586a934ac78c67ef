// test/fuzz/http_response_fuzz.cc
//! Fuzzes the HTTP client's response framing (ResponseParser) without sockets. The first input
//! byte picks a chunk size and whether the peer closes at the end; the rest is the response.
//! Contract checked:
//! - the outcome (Complete/Error, and the response when Complete) does not depend on how the
//!   input was split (the reason for an Error may, when several apply);
//! - nothing past the byte cap is consumed, and a body never exceeds what was consumed;
//! - after Complete or Error, further input and finish() change nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "warden/net/http_response_parser.h"

namespace {

using warden::net::HttpResponse;
using warden::net::ResponseLimits;
using warden::net::ResponseParser;
using warden::net::ResponseStatus;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Outcome {
  ResponseStatus status;
  HttpResponse response;
  bool too_large;
};

constexpr ResponseLimits kLimits{2048, 16};

Outcome run(std::string_view input, size_t chunk, bool eof) {
  ResponseParser p(kLimits);
  ResponseStatus st = ResponseStatus::NeedMoreData;
  for (size_t pos = 0; pos < input.size() && st == ResponseStatus::NeedMoreData; pos += chunk) {
    st = p.feed(input.substr(pos, chunk));
    check(p.consumed() <= kLimits.max_bytes);
  }
  if (st == ResponseStatus::NeedMoreData && eof) st = p.finish();
  check(st == p.status());
  if (st != ResponseStatus::NeedMoreData) {
    std::string before = p.error();
    check(p.feed("HTTP/1.1 200 OK\r\n\r\n") == st);
    check(p.finish() == st);
    check(p.error() == before);
  }
  check((st == ResponseStatus::Error) == !p.error().empty());
  Outcome out{st, {}, p.tooLarge()};
  if (st == ResponseStatus::Complete) {
    out.response = p.take();
    check(out.response.body.size() <= p.consumed());
    check(out.response.status >= 100 && out.response.status <= 999);
    check(out.response.headers.size() <= kLimits.max_headers);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + (data[0] & 0x1f);
  bool eof = (data[0] & 0x80) != 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  Outcome whole = run(input, input.size() + 1, eof);
  Outcome split = run(input, chunk, eof);
  check(whole.status == split.status);
  // Which error is reported may depend on the split when several apply (http-parser calls back
  // with a partial header name at the end of a buffer, so the header-count cap can fire before
  // a malformed byte later in that name is seen); only the byte cap is checked before parsing.
  if (whole.status == ResponseStatus::Complete) {
    check(whole.response.status == split.response.status);
    check(whole.response.body == split.response.body);
    check(whole.response.headers == split.response.headers);
  }
  return 0;
}
