// core/include/warden/admin/http_connection.h
//! One admin HTTP connection without the socket: received bytes in, response bytes out. The
//! libuv driver (admin_server.h) only moves bytes and timers; everything a test needs to check
//! (framing, keep-alive, pipelining, limits, error answers) happens here.
//!
//! Behaviour:
//! - Keep-alive as HTTP/1.1 says (1.0 only with "Connection: keep-alive").
//! - Pipelined requests are answered in order, one at a time: after each request the handler
//!   runs and its response is appended to the output. While the output not yet taken exceeds
//!   HttpLimits::max_pending_output the remaining input stays buffered (resume() continues);
//!   beyond max_buffered_input wantsInput() turns false and the driver stops reading.
//! - A request the reader rejects gets a JSON error (400/413/431) with "Connection: close";
//!   so does a handler response with `close`. After that the connection is closing(): input is
//!   ignored, the driver writes what is left and closes.
//! - HEAD is answered like GET without the body (the handler sees method "HEAD").
//! - A handler response with `deferred` work parks the connection: takeDeferred() hands the
//!   work to the driver, completeDeferred() delivers its response; requests behind it wait.
//! - "Expect: 100-continue" gets an interim "100 Continue" when the body has not arrived yet.
//! Not thread-safe: one instance per connection, on the loop that owns the socket.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "warden/admin/http_message.h"
#include "warden/admin/request_reader.h"

namespace warden::admin {

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpConnection {
 public:
  explicit HttpConnection(HttpHandler handler, HttpLimits limits = {});

  //! Bytes received from the peer. Answers the complete requests among them (within the output
  //! budget); keeps the rest. Ignored once closing().
  void receive(std::string_view bytes);
  //! Answers buffered pipelined requests after the output was taken (the writer caught up).
  void resume();
  //! Response bytes produced so far; the caller writes them in order.
  std::string takeOutput();
  bool hasOutput() const { return !output_.empty(); }
  //! The last response ended the connection: write the output, then close.
  bool closing() const { return closing_; }
  //! False while the buffered input is at its cap (or closing): stop reading until resume().
  bool wantsInput() const;
  //! Requests answered so far (error answers included).
  size_t responses() const { return responses_; }
  //! A handler returned deferred work that nobody has taken yet.
  bool hasDeferred() const { return static_cast<bool>(deferred_); }
  //! The deferred work (the connection keeps waiting for completeDeferred()).
  std::function<HttpResponse()> takeDeferred();
  //! True from a deferred response until completeDeferred().
  bool waiting() const { return waiting_; }
  //! The deferred work's response: serialised in order, then the pipelined requests go on.
  void completeDeferred(HttpResponse response);
  //! True when part of a request is buffered or parsed (an idle timeout then cuts a request).
  bool midRequest() const { return reader_.midRequest() || offset_ < input_.size(); }

 private:
  void process();
  void answer(const HttpRequest& request);

  HttpHandler handler_;
  HttpLimits limits_;
  RequestReader reader_;
  std::string input_;  // received, not yet parsed (only while requests wait for the writer)
  size_t offset_ = 0;
  std::string output_;
  bool closing_ = false;
  size_t responses_ = 0;
  // The request a deferred response answers (what serialisation needs of it).
  std::function<HttpResponse()> deferred_;
  bool waiting_ = false;
  bool waiting_keep_alive_ = true, waiting_http10_ = false, waiting_head_ = false;
};

}  // namespace warden::admin
