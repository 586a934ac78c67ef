// core/include/warden/admin/http_message.h
//! The HTTP/1.1 request and response values of the admin API (SPEC.md "Admin API"), and the
//! response serialiser. Plain values: no sockets, no parser state; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::admin {

//! Bounds for one request and one connection. Every byte Warden buffers for the admin API is
//! under one of these.
struct HttpLimits {
  //! Request line + header names and values (what the parser hands over). Beyond: 431.
  size_t max_header_bytes = 16 * 1024;
  //! Header fields per request. Beyond: 431.
  size_t max_headers = 64;
  //! Request body (Content-Length or the sum of chunks). Beyond: 413.
  size_t max_body_bytes = 64 * 1024;
  //! Produced response bytes not yet taken by the writer; pipelined requests wait beyond it.
  size_t max_pending_output = 256 * 1024;
  //! Received bytes not yet parsed (only while pipelined requests wait for the writer); the
  //! driver stops reading beyond it.
  size_t max_buffered_input = 64 * 1024;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ... (http_parser's method names)
  std::string target;  // request target as sent: "/api/v1/reload?x=1"
  std::string path;    // target before '?'
  std::string query;   // target after '?', without it ("" when none)
  //! Header fields in arrival order; names lower-cased, values without surrounding whitespace.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  unsigned http_major = 1, http_minor = 1;
  bool keep_alive = true;  // the connection may serve another request after this one

  //! First value of header `name` (lower-case), or nullptr.
  const std::string* header(std::string_view name) const;
  size_t headerCount(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields (Allow, ...)
  //! Ask the connection to close after this response (errors that leave the stream unusable).
  bool close = false;
  //! Slow work (an audit search). When set, the other members are ignored: the connection
  //! waits (HttpConnection::takeDeferred) and answers with what this returns, which the driver
  //! runs off the loop thread (admin_server.h). It must capture values, not loop-owned state.
  std::function<HttpResponse()> deferred;
};

//! Reason phrase for the status codes the admin API uses ("Unknown" otherwise).
const char* statusReason(int status);

//! `{"error": message}` with the status; close as given.
HttpResponse jsonError(int status, std::string_view message, bool close = false);

//! Status line, Content-Type, Content-Length, Cache-Control: no-store, the extra fields,
//! "Connection: close" when `close`, "Connection: keep-alive" when `keep_alive_10` (an
//! HTTP/1.0 client that asked for it), then the body unless `head_only` (HEAD keeps the length).
std::string serializeResponse(const HttpResponse& response, bool close, bool keep_alive_10 = false,
                              bool head_only = false);

}  // namespace warden::admin
