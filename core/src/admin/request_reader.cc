// core/src/admin/request_reader.cc
//! http-parser drives callbacks with slices of the caller's buffer; this file copies them into
//! an HttpRequest, enforces the limits as the slices arrive (nothing is buffered past a cap),
//! and pauses the parser in on_message_complete so one feed() yields at most one request.
#include "warden/base/ascii.h"
#include "warden/admin/request_reader.h"

#include <http_parser.h>

#include <algorithm>
#include <cctype>
#include <string_view>

namespace warden::admin {

namespace {

RequestReader* self(http_parser* p) { return static_cast<RequestReader*>(p->data); }

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

}  // namespace

const char* toString(ReadStatus status) {
  switch (status) {
    case ReadStatus::NeedMoreData: return "NeedMoreData";
    case ReadStatus::Request: return "Request";
    case ReadStatus::Error: return "Error";
  }
  return "?";
}

struct RequestReader::Parser {
  http_parser parser{};
  static const http_parser_settings kSettings;

  static bool addHeaderBytes(RequestReader& r, size_t n) {
    r.header_bytes_ += n;
    if (r.header_bytes_ <= r.limits_.max_header_bytes) return true;
    r.fail(431, "request header fields too large");
    return false;
  }

  static bool pushHeader(RequestReader& r) {
    if (r.current_.headers.size() >= r.limits_.max_headers) {
      r.fail(431, "too many header fields");
      return false;
    }
    r.current_.headers.emplace_back(lower(std::move(r.field_)), trimmed(r.value_));
    r.field_.clear();
    r.value_.clear();
    r.in_value_ = false;
    return true;
  }

  static int onMessageBegin(http_parser* p) {
    RequestReader& r = *self(p);
    r.current_ = HttpRequest{};
    r.field_.clear();
    r.value_.clear();
    r.in_value_ = false;
    r.header_bytes_ = 0;
    r.in_message_ = true;
    r.continue_requested_ = false;
    return 0;
  }

  static int onUrl(http_parser* p, const char* at, size_t n) {
    RequestReader& r = *self(p);
    if (!addHeaderBytes(r, n)) return -1;
    r.current_.target.append(at, n);
    return 0;
  }

  static int onHeaderField(http_parser* p, const char* at, size_t n) {
    RequestReader& r = *self(p);
    if (r.in_value_ && !pushHeader(r)) return -1;
    // A new field also counts its ": " and CRLF (the parser may call back once per byte).
    if (!addHeaderBytes(r, r.field_.empty() ? n + 4 : n)) return -1;
    r.field_.append(at, n);
    return 0;
  }

  static int onHeaderValue(http_parser* p, const char* at, size_t n) {
    RequestReader& r = *self(p);
    if (!addHeaderBytes(r, n)) return -1;
    r.in_value_ = true;
    r.value_.append(at, n);
    return 0;
  }

  static int onHeadersComplete(http_parser* p) {
    RequestReader& r = *self(p);
    if ((r.in_value_ || !r.field_.empty()) && !pushHeader(r)) return -1;
    HttpRequest& q = r.current_;
    q.method = http_method_str(static_cast<http_method>(p->method));
    q.http_major = p->http_major;
    q.http_minor = p->http_minor;
    q.keep_alive = http_should_keep_alive(p) != 0;
    if (p->http_major != 1) return r.fail(400, "unsupported HTTP version");
    if (p->method == HTTP_CONNECT) return r.fail(400, "CONNECT is not supported");
    // An Upgrade request is answered as a plain request, then the connection closes (the
    // bytes after it would be in another protocol).
    if (p->upgrade) q.keep_alive = false;
    if (q.target.empty() || q.target.front() != '/')
      return r.fail(400, "the request target must be a path starting with '/'");
    size_t qm = q.target.find('?');
    q.path = q.target.substr(0, qm);
    if (qm != std::string::npos) q.query = q.target.substr(qm + 1);
    bool has_length = (p->flags & F_CONTENTLENGTH) != 0;
    if (has_length && p->content_length > r.limits_.max_body_bytes)
      return r.fail(413, "request body too large");
    bool body_follows = (has_length && p->content_length > 0) || (p->flags & F_CHUNKED) != 0;
    const std::string* expect = q.header("expect");
    if (expect && body_follows && equalsIgnoreCase(*expect, "100-continue"))
      r.continue_requested_ = true;
    return 0;
  }

  static int onBody(http_parser* p, const char* at, size_t n) {
    RequestReader& r = *self(p);
    if (r.current_.body.size() + n > r.limits_.max_body_bytes)
      return r.fail(413, "request body too large");
    r.current_.body.append(at, n);
    return 0;
  }

  static int onMessageComplete(http_parser* p) {
    RequestReader& r = *self(p);
    r.complete_ = true;
    r.in_message_ = false;
    r.continue_requested_ = false;
    http_parser_pause(p, 1);  // one request per feed(): pipelined ones wait their turn
    return 0;
  }
};

const http_parser_settings RequestReader::Parser::kSettings = {
    /*on_message_begin=*/&Parser::onMessageBegin,
    /*on_url=*/&Parser::onUrl,
    /*on_status=*/nullptr,
    /*on_header_field=*/&Parser::onHeaderField,
    /*on_header_value=*/&Parser::onHeaderValue,
    /*on_headers_complete=*/&Parser::onHeadersComplete,
    /*on_body=*/&Parser::onBody,
    /*on_message_complete=*/&Parser::onMessageComplete,
    /*on_chunk_header=*/nullptr,
    /*on_chunk_complete=*/nullptr,
};

RequestReader::RequestReader(HttpLimits limits)
    : limits_(limits), parser_(std::make_unique<Parser>()) {
  http_parser_init(&parser_->parser, HTTP_REQUEST);
  parser_->parser.data = this;
}

RequestReader::~RequestReader() = default;

int RequestReader::fail(int status, std::string message) {
  if (error_status_ == 0) {
    error_status_ = status;
    error_message_ = std::move(message);
  }
  return -1;
}

RequestReader::Step RequestReader::feed(const char* data, size_t size) {
  if (error_status_ != 0) return {ReadStatus::Error, 0};
  // http-parser reads a zero-length buffer as end of stream; a request never ends that way.
  if (size == 0) return {ReadStatus::NeedMoreData, 0};
  http_parser* p = &parser_->parser;
  size_t n = http_parser_execute(p, &Parser::kSettings, data, size);
  if (complete_) {
    complete_ = false;
    http_parser_pause(p, 0);
    return {ReadStatus::Request, n};
  }
  auto err = HTTP_PARSER_ERRNO(p);
  if (err != HPE_OK) {
    if (err == HPE_HEADER_OVERFLOW) fail(431, "request header fields too large");
    fail(400, std::string("malformed request: ") + http_errno_description(err));
    return {ReadStatus::Error, n};
  }
  if (n != size) {
    fail(400, "malformed request");
    return {ReadStatus::Error, n};
  }
  return {ReadStatus::NeedMoreData, n};
}

HttpRequest RequestReader::take() { return std::move(current_); }

bool RequestReader::takeContinueRequest() {
  bool v = continue_requested_;
  continue_requested_ = false;
  return v;
}

}  // namespace warden::admin
