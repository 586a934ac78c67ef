// core/src/net/http_response_parser.cc
//! http-parser calls back with slices of the caller's buffer; this file copies them into an
//! HttpResponse and enforces the caps. The byte cap is applied before the parser sees the bytes
//! (only the allowed prefix is parsed), so nothing past the cap is ever buffered. The parser is
//! paused in on_message_complete of the final response, so trailing bytes are never parsed.
#include "warden/net/http_response_parser.h"

#include <http_parser.h>

#include <algorithm>
#include <cctype>

namespace warden::net {

namespace {

ResponseParser* self(http_parser* p) { return static_cast<ResponseParser*>(p->data); }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

bool isInterim(int status) { return status >= 100 && status < 200 && status != 101; }

}  // namespace

const std::string* HttpResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

const char* toString(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::NeedMoreData: return "NeedMoreData";
    case ResponseStatus::Complete: return "Complete";
    case ResponseStatus::Error: return "Error";
  }
  return "?";
}

struct ResponseParser::Parser {
  http_parser parser{};
  static const http_parser_settings kSettings;

  static bool pushHeader(ResponseParser& r) {
    if (r.current_.headers.size() >= r.limits_.max_headers) {
      r.failCallback("response too large: more than " + std::to_string(r.limits_.max_headers) +
                         " header fields",
                     /*too_large=*/true);
      return false;
    }
    r.current_.headers.emplace_back(lower(std::move(r.field_)), trimmed(r.value_));
    r.field_.clear();
    r.value_.clear();
    r.in_value_ = false;
    return true;
  }

  static int onMessageBegin(http_parser* p) {
    ResponseParser& r = *self(p);
    r.current_ = HttpResponse{};
    r.field_.clear();
    r.value_.clear();
    r.in_value_ = false;
    return 0;
  }

  static int onHeaderField(http_parser* p, const char* at, size_t n) {
    ResponseParser& r = *self(p);
    if (r.in_value_ && !pushHeader(r)) return -1;
    r.field_.append(at, n);
    return 0;
  }

  static int onHeaderValue(http_parser* p, const char* at, size_t n) {
    ResponseParser& r = *self(p);
    r.in_value_ = true;
    r.value_.append(at, n);
    return 0;
  }

  static int onHeadersComplete(http_parser* p) {
    ResponseParser& r = *self(p);
    if ((r.in_value_ || !r.field_.empty()) && !pushHeader(r)) return -1;
    if (p->http_major != 1) return r.failCallback("malformed response: unsupported HTTP version");
    int status = static_cast<int>(p->status_code);
    if (status < 100) return r.failCallback("malformed response: invalid status code");
    if (status == 101) {
      return r.failCallback("unexpected 101 Switching Protocols (no upgrade was requested)");
    }
    r.current_.status = status;
    // RFC 9110 section 6.4.1: 1xx, 204 and 304 never have a body, whatever Content-Length
    // says (http-parser 2.9 would wait for one after a 304 with a length). 1: skip the body.
    if (isInterim(status) || status == 204 || status == 304) return 1;
    // Fail early on a declared length that cannot fit; the running byte count is the real cap.
    if ((p->flags & F_CONTENTLENGTH) != 0 && p->content_length > r.limits_.max_bytes) {
      return r.failCallback("response too large: Content-Length " +
                                std::to_string(p->content_length) + " exceeds the limit of " +
                                std::to_string(r.limits_.max_bytes) + " bytes",
                            /*too_large=*/true);
    }
    return 0;
  }

  static int onBody(http_parser* p, const char* at, size_t n) {
    // Bounded: every body byte was counted against max_bytes before it reached the parser.
    self(p)->current_.body.append(at, n);
    return 0;
  }

  static int onMessageComplete(http_parser* p) {
    ResponseParser& r = *self(p);
    if (isInterim(static_cast<int>(p->status_code))) return 0;  // the final response follows
    r.complete_ = true;
    http_parser_pause(p, 1);  // nothing after the response is parsed
    return 0;
  }
};

const http_parser_settings ResponseParser::Parser::kSettings = {
    /*on_message_begin=*/&Parser::onMessageBegin,
    /*on_url=*/nullptr,
    /*on_status=*/nullptr,
    /*on_header_field=*/&Parser::onHeaderField,
    /*on_header_value=*/&Parser::onHeaderValue,
    /*on_headers_complete=*/&Parser::onHeadersComplete,
    /*on_body=*/&Parser::onBody,
    /*on_message_complete=*/&Parser::onMessageComplete,
    /*on_chunk_header=*/nullptr,
    /*on_chunk_complete=*/nullptr,
};

ResponseParser::ResponseParser(ResponseLimits limits)
    : limits_(limits), parser_(std::make_unique<Parser>()) {
  http_parser_init(&parser_->parser, HTTP_RESPONSE);
  parser_->parser.data = this;
}

ResponseParser::~ResponseParser() = default;

ResponseStatus ResponseParser::fail(std::string message, bool too_large) {
  if (status_ != ResponseStatus::Error) {
    status_ = ResponseStatus::Error;
    error_ = std::move(message);
    too_large_ = too_large;
  }
  return status_;
}

int ResponseParser::failCallback(std::string message, bool too_large) {
  fail(std::move(message), too_large);
  return -1;
}

ResponseStatus ResponseParser::feed(std::string_view data) {
  if (status_ != ResponseStatus::NeedMoreData) return status_;
  // http-parser reads a zero-length buffer as end of stream: that is finish()'s job.
  if (data.empty()) return status_;
  size_t room = limits_.max_bytes - consumed_;
  size_t take = std::min(room, data.size());
  http_parser* p = &parser_->parser;
  size_t n = take == 0 ? 0 : http_parser_execute(p, &Parser::kSettings, data.data(), take);
  consumed_ += n;
  if (complete_) {
    status_ = ResponseStatus::Complete;
    return status_;
  }
  if (status_ == ResponseStatus::Error) return status_;  // a callback failed
  auto err = HTTP_PARSER_ERRNO(p);
  if (err == HPE_HEADER_OVERFLOW) return fail("response too large: header section", true);
  if (err == HPE_CLOSED_CONNECTION) {
    return fail("malformed response: data after a response that ends the connection");
  }
  if (err != HPE_OK) return fail(std::string("malformed response: ") + http_errno_description(err));
  if (n != take) return fail("malformed response");
  if (take < data.size()) {
    return fail("response too large: more than " + std::to_string(limits_.max_bytes) + " bytes",
                /*too_large=*/true);
  }
  return status_;
}

ResponseStatus ResponseParser::finish() {
  if (status_ != ResponseStatus::NeedMoreData) return status_;
  http_parser* p = &parser_->parser;
  http_parser_execute(p, &Parser::kSettings, nullptr, 0);
  if (complete_) {
    status_ = ResponseStatus::Complete;
    return status_;
  }
  if (status_ == ResponseStatus::Error) return status_;
  if (consumed_ == 0) return fail("connection closed before any response was received");
  return fail("response truncated: connection closed before the response was complete");
}

}  // namespace warden::net
