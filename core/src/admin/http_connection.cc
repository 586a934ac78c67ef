// core/src/admin/http_connection.cc
#include "warden/admin/http_connection.h"

#include <exception>
#include <utility>

namespace warden::admin {

HttpConnection::HttpConnection(HttpHandler handler, HttpLimits limits)
    : handler_(std::move(handler)), limits_(limits), reader_(limits) {}

void HttpConnection::receive(std::string_view bytes) {
  if (closing_ || bytes.empty()) return;
  input_.append(bytes.data(), bytes.size());
  process();
}

void HttpConnection::resume() { process(); }

std::string HttpConnection::takeOutput() { return std::exchange(output_, std::string()); }

bool HttpConnection::wantsInput() const {
  return !closing_ && input_.size() - offset_ < limits_.max_buffered_input;
}

void HttpConnection::process() {
  while (!closing_ && !waiting_ && offset_ < input_.size() &&
         output_.size() < limits_.max_pending_output) {
    auto step = reader_.feed(input_.data() + offset_, input_.size() - offset_);
    offset_ += step.consumed;
    if (step.status == ReadStatus::Request) {
      answer(reader_.take());
      continue;
    }
    if (step.status == ReadStatus::Error) {
      output_ += serializeResponse(jsonError(reader_.errorStatus(), reader_.errorMessage()),
                                   /*close=*/true);
      ++responses_;
      closing_ = true;
      break;
    }
    // NeedMoreData: everything was consumed.
    if (reader_.takeContinueRequest()) output_ += "HTTP/1.1 100 Continue\r\n\r\n";
    break;
  }
  if (closing_ || offset_ == input_.size()) {
    input_.clear();
    offset_ = 0;
  } else if (offset_ >= input_.size() / 2) {
    input_.erase(0, offset_);  // keep the waiting pipelined bytes compact
    offset_ = 0;
  }
}

void HttpConnection::answer(const HttpRequest& request) {
  HttpResponse response;
  try {
    response = handler_(request);
  } catch (const std::exception& e) {
    // Handlers return errors as responses; this is the last line, not the plan.
    response = jsonError(500, "internal error", /*close=*/true);
  }
  if (response.deferred) {
    deferred_ = std::move(response.deferred);
    waiting_ = true;
    waiting_keep_alive_ = request.keep_alive;
    waiting_http10_ = request.http_major == 1 && request.http_minor == 0;
    waiting_head_ = request.method == "HEAD";
    return;
  }
  bool close = response.close || !request.keep_alive;
  bool keep_alive_10 = !close && request.http_major == 1 && request.http_minor == 0;
  output_ += serializeResponse(response, close, keep_alive_10, request.method == "HEAD");
  ++responses_;
  if (close) closing_ = true;
}

std::function<HttpResponse()> HttpConnection::takeDeferred() { return std::exchange(deferred_, {}); }

void HttpConnection::completeDeferred(HttpResponse response) {
  if (!waiting_) return;
  waiting_ = false;
  deferred_ = {};
  bool close = response.close || !waiting_keep_alive_;
  bool keep_alive_10 = !close && waiting_http10_;
  output_ += serializeResponse(response, close, keep_alive_10, waiting_head_);
  ++responses_;
  if (close) closing_ = true;
  process();
}

}  // namespace warden::admin
