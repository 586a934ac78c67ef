// core/include/warden/net/http_client.h
//! A small asynchronous HTTP(S) GET client on libuv + BoringSSL, for fetching documents such as
//! OIDC JWKS. One request per connection (HTTP/1.1 with `Connection: close`), no redirects
//! (a 3xx comes back as a response like any other), no proxies, no cookies, no decompression
//! (`Accept-Encoding: identity`). Name resolution (uv_getaddrinfo), connect, TLS and the response
//! are all non-blocking; every address a name resolves to is tried in turn. https:// needs a
//! verifying client TlsContext (TlsContext::makeClient(true, ca_file)): the chain is verified
//! and the certificate must match the URL's host name or IP address (SNI is sent for names).
//! Over TLS a read-until-close body must end with close_notify (a bare TCP close could be a
//! truncation attack), so it is an error otherwise.
//!
//! Threading: get(), the returned handle and `done` all live on the loop's thread.
//! Lifetime: the request owns its libuv handles; destroying the handle (or cancel()) aborts the
//! request and closes them — the loop must keep running until their close callbacks ran (as
//! with any libuv handle) before uv_loop_close().
#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "warden/base/result.h"
#include "warden/net/http_response_parser.h"
#include "warden/net/tls_channel.h"

namespace warden::net {

//! An absolute http:// or https:// URL, split for a request.
struct Url {
  bool https = false;
  std::string host;    // lower-cased name, IPv4 literal, or IPv6 literal without brackets
  uint16_t port = 0;   // explicit or the scheme's default (80/443)
  std::string target;  // origin-form request target: path + optional "?query", at least "/"

  //! The Host header value: host (IPv6 in brackets) plus ":port" unless it is the default.
  std::string authority() const;
  //! Scheme + authority + target (for messages).
  std::string toString() const;
};

//! Parses "http://host[:port][/path][?query]" and the https form; IPv4, [IPv6] and host names.
//! Rejects other schemes, userinfo ("user@"), fragments ("#"), IPv6 zone ids, empty hosts or
//! ports, port 0, and any byte in the target that is not visible ASCII (no spaces, no CR/LF).
Result<Url> parseUrl(std::string_view url);

struct HttpRequestOptions {
  //! The whole request: resolve + connect + TLS handshake + complete response.
  std::chrono::milliseconds timeout{5000};
  //! Every byte received counts (status line, headers, chunk framing, body).
  size_t max_response_bytes = 1 << 20;
  size_t max_response_headers = 100;
  //! Required for https://, ignored for http://; must be a verifying client context.
  std::shared_ptr<TlsContext> tls;
};

//! The handle for one request in flight. Destroying it (or cancel()) aborts the request; `done`
//! is then never called. Safe to destroy from inside `done` (the request has finished then).
class HttpRequest {
 public:
  ~HttpRequest();
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

  void cancel();
  //! True until `done` has been called or the request was cancelled.
  bool active() const { return op_ != nullptr; }

 private:
  friend class HttpClient;
  struct Op;
  HttpRequest() = default;
  Op* op_ = nullptr;  // owned by the loop (frees itself once its handles are closed)
};
using HttpRequestPtr = std::unique_ptr<HttpRequest>;

class HttpClient {
 public:
  using Callback = std::function<void(Result<HttpResponse>)>;

  //! Starts a GET of `url` on `loop`. `done` is called exactly once, later, from the loop (never
  //! from inside get()): with the response for any HTTP status whose body arrived complete, or
  //! with an Error naming what failed (bad options, DNS, connect, TLS, timeout, too large,
  //! malformed or truncated response).
  static HttpRequestPtr get(uv_loop_t* loop, const Url& url, HttpRequestOptions opts,
                            Callback done);
};

}  // namespace warden::net
