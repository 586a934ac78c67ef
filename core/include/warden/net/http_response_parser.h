// core/include/warden/net/http_response_parser.h
//! Incremental HTTP/1.x response framing for the outgoing HTTP client (http_client.h), on top of
//! http-parser 2.9 (Debian libhttp-parser-dev) in response mode: bytes in, NeedMoreData or one
//! complete HttpResponse or an error out (STYLE.md rule 1: no sockets, no logging). Handles
//! Content-Length, chunked and read-until-close bodies (the caller reports the peer's close with
//! finish()). Interim 1xx responses (100 Continue, 103 Early Hints) are skipped; 101 Switching
//! Protocols is an error (we never ask for an upgrade). Fails closed: after an error the parser
//! stays failed. Hard caps: every byte received (status line, headers, chunk framing, body) counts
//! against `max_bytes`; a Content-Length that cannot fit fails as soon as the headers end.
//! Not thread-safe; one parser per response.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::net {

//! A complete response. Header names are lower-cased, values trimmed of surrounding blanks;
//! order and duplicates are kept.
struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  //! First value of header `lower_name` (lower-case), or nullptr.
  const std::string* header(std::string_view lower_name) const;
};

enum class ResponseStatus { NeedMoreData, Complete, Error };
const char* toString(ResponseStatus status);

struct ResponseLimits {
  size_t max_bytes = 1 << 20;  // the whole response as received
  size_t max_headers = 100;
};

class ResponseParser {
 public:
  explicit ResponseParser(ResponseLimits limits = {});
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  //! Parses `data`. Complete: the response is ready (take() it); bytes after its end are
  //! ignored (we always send `Connection: close`, so nothing may follow). Error: see error().
  ResponseStatus feed(std::string_view data);
  //! The peer closed the connection: completes a read-until-close body, otherwise an error
  //! (truncated response) unless the response was already complete.
  ResponseStatus finish();
  //! The completed response (valid once after Complete).
  HttpResponse take() { return std::move(current_); }

  ResponseStatus status() const { return status_; }
  //! Human-readable reason after an Error ("malformed response: ...", "response too large ...").
  const std::string& error() const { return error_; }
  //! True when the error is a size cap (max_bytes or max_headers).
  bool tooLarge() const { return too_large_; }
  //! Bytes of the response consumed so far.
  size_t consumed() const { return consumed_; }

 private:
  struct Parser;
  friend struct Parser;
  ResponseStatus fail(std::string message, bool too_large = false);
  int failCallback(std::string message, bool too_large = false);

  ResponseLimits limits_;
  std::unique_ptr<Parser> parser_;
  HttpResponse current_;
  std::string field_, value_;
  bool in_value_ = false;
  bool complete_ = false;
  size_t consumed_ = 0;
  ResponseStatus status_ = ResponseStatus::NeedMoreData;
  std::string error_;
  bool too_large_ = false;
};

}  // namespace warden::net
