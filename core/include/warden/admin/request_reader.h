// core/include/warden/admin/request_reader.h
//! Incremental HTTP/1.1 request framing on top of http-parser 2.9 (Debian libhttp-parser-dev):
//! bytes in, one complete HttpRequest or NeedMoreData or an error status out (STYLE.md rule 1).
//! The parser stops (pauses) after every complete request so pipelined requests come out one at
//! a time and the caller decides when to read the next one. Hard caps from HttpLimits: header
//! bytes and count (431), body bytes (413, checked against Content-Length before the body
//! arrives and against the running total for chunked bodies). Anything http-parser rejects is
//! 400. After an error the reader stays failed. Not thread-safe; one reader per connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "warden/admin/http_message.h"

namespace warden::admin {

enum class ReadStatus { NeedMoreData, Request, Error };
const char* toString(ReadStatus status);

class RequestReader {
 public:
  explicit RequestReader(HttpLimits limits = {});
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  struct Step {
    ReadStatus status;
    size_t consumed;  // bytes of `data` used; the rest belongs to the next call
  };
  //! Parses from `data`. Request: `consumed` ends right after that request, take() it before
  //! the next feed. NeedMoreData: everything was consumed. Error: see errorStatus().
  Step feed(const char* data, size_t size);
  //! The completed request (valid once after a Request step).
  HttpRequest take();

  //! 400, 413 or 431 after an Error step.
  int errorStatus() const { return error_status_; }
  const std::string& errorMessage() const { return error_message_; }
  //! True once (then reset) when a request announced `Expect: 100-continue` and its headers
  //! are complete but its body is not: the caller may send "100 Continue".
  bool takeContinueRequest();
  //! True while a request has started but is not complete (bytes of it were consumed).
  bool midRequest() const { return in_message_; }

 private:
  struct Parser;
  friend struct Parser;
  int fail(int status, std::string message);

  HttpLimits limits_;
  std::unique_ptr<Parser> parser_;
  HttpRequest current_;
  std::string field_, value_;
  bool in_value_ = false;
  bool in_message_ = false;
  bool complete_ = false;
  bool continue_requested_ = false;
  size_t header_bytes_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace warden::admin
