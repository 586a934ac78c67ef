// core/src/net/http_client.cc
//! libuv driver for one GET: timer → uv_getaddrinfo → uv_tcp_connect (each resolved address in
//! turn, a fresh handle per attempt) → optional TLS (TlsChannel over memory BIOs) → request →
//! ResponseParser. Every decision about response bytes is ResponseParser's.
//!
//! Ownership: the Op is heap-allocated and frees itself once it has finished (done called or
//! aborted) and its timer and TCP handle are closed and no getaddrinfo is outstanding. uv_close
//! delivers UV_ECANCELED to pending connect/write callbacks before the close callback, so the
//! Op (which owns the write buffers) outlives them. The user's handle and the Op point at each
//! other; whichever ends first clears the other's pointer.
#include "warden/net/http_client.h"

#include <algorithm>
#include <cstring>
#include <list>
#include <vector>

#ifndef WARDEN_VERSION
#define WARDEN_VERSION "dev"
#endif

namespace warden::net {

namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr size_t kMaxAddresses = 16;

std::string addressText(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  uv_ip4_name(a, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(a->sin_port));
}

//! The URL's host as a socket address when it is an IP literal.
bool literalAddress(const Url& url, sockaddr_storage* out) {
  *out = {};
  if (uv_ip4_addr(url.host.c_str(), url.port, reinterpret_cast<sockaddr_in*>(out)) == 0) {
    return true;
  }
  *out = {};
  return uv_ip6_addr(url.host.c_str(), url.port, reinterpret_cast<sockaddr_in6*>(out)) == 0;
}

}  // namespace

struct HttpRequest::Op {
  enum class Phase { Resolving, Connecting, Handshaking, Waiting };

  struct Write {
    uv_write_t req{};
    std::vector<uint8_t> bytes;  // live until the write callback
    Op* op = nullptr;
    std::list<std::unique_ptr<Write>>::iterator self;
  };

  Op(uv_loop_t* l, Url u, HttpRequestOptions o, HttpClient::Callback d)
      : loop(l),
        url(std::move(u)),
        opts(std::move(o)),
        done(std::move(d)),
        parser(ResponseLimits{opts.max_response_bytes, opts.max_response_headers}),
        read_buffer(kReadBufferBytes) {}

  void start();
  void abort();
  void fail(const std::string& why);
  void finish(Result<HttpResponse> result);
  void closeAll();
  void maybeFree();

  void resolved(int status, addrinfo* res);
  void connectNext();
  void connected(int status);
  void tcpClosed();
  void beginSession();
  void sendRequest();
  void writeRaw(std::vector<uint8_t> bytes);
  void flushTls();
  void received(std::string_view data);
  void receivedCiphertext(std::string_view data);
  void receivedPlaintext(std::string_view data);
  void peerClosed();
  void timedOut();
  std::string phaseText() const;

  static void onTimer(uv_timer_t* t);
  static void onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res);
  static void onConnect(uv_connect_t* req, int status);
  static void onAlloc(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);
  static void onTimerClosed(uv_handle_t* h);
  static void onTcpClosed(uv_handle_t* h);

  uv_loop_t* loop;
  Url url;
  HttpRequestOptions opts;
  HttpClient::Callback done;
  HttpRequest* owner = nullptr;

  uv_timer_t timer{};
  uv_getaddrinfo_t gai{};
  uv_tcp_t tcp{};
  uv_connect_t connect_req{};
  bool timer_open = false, tcp_open = false, gai_pending = false;
  bool starting = false, finished = false, retrying = false, tls_closed = false;
  Phase phase = Phase::Resolving;
  std::string deferred_error;  // a failure found inside get(), reported from the timer

  std::vector<sockaddr_storage> addrs;
  size_t next_addr = 0;
  std::string connect_errors;

  std::unique_ptr<TlsChannel> tls;
  std::vector<uint8_t> plaintext;  // scratch for one read's decrypted bytes
  ResponseParser parser;
  std::vector<char> read_buffer;
  std::list<std::unique_ptr<Write>> writes;
};

// ---------------------------------------------------------------------------------------------
// Start, finish, abort, free

HttpRequestPtr HttpClient::get(uv_loop_t* loop, const Url& url, HttpRequestOptions opts,
                               Callback done) {
  HttpRequestPtr handle(new HttpRequest());
  auto* op = new HttpRequest::Op(loop, url, std::move(opts), std::move(done));
  handle->op_ = op;
  op->owner = handle.get();
  op->start();
  return handle;
}

HttpRequest::~HttpRequest() { cancel(); }

void HttpRequest::cancel() {
  if (!op_) return;
  Op* op = op_;
  op_ = nullptr;
  op->owner = nullptr;
  op->abort();
}

void HttpRequest::Op::start() {
  starting = true;  // fail() defers to the timer until get() has returned
  uv_timer_init(loop, &timer);
  timer.data = this;
  timer_open = true;
  uv_timer_start(&timer, &Op::onTimer,
                 static_cast<uint64_t>(std::max<int64_t>(opts.timeout.count(), 0)), 0);

  if (opts.timeout.count() <= 0) {
    fail("the timeout must be positive");
  } else if (opts.max_response_bytes == 0) {
    fail("max_response_bytes must be positive");
  } else if (url.https && !opts.tls) {
    fail("https needs a TLS context (TlsContext::makeClient(true, ca_file))");
  } else if (url.https && (opts.tls->isServer() || !opts.tls->verifies())) {
    fail("https needs a verifying client TLS context (TlsContext::makeClient(true, ca_file))");
  } else if (url.host.empty() || url.port == 0) {
    fail("the URL has no host or port (use parseUrl)");
  } else {
    sockaddr_storage literal;
    if (literalAddress(url, &literal)) {
      addrs.push_back(literal);
      phase = Phase::Connecting;
      connectNext();
    } else {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      hints.ai_protocol = IPPROTO_TCP;
      gai.data = this;
      std::string port = std::to_string(url.port);
      int rc = uv_getaddrinfo(loop, &gai, &Op::onResolved, url.host.c_str(), port.c_str(), &hints);
      if (rc < 0) {
        fail("cannot resolve host '" + url.host + "': " + uv_strerror(rc));
      } else {
        gai_pending = true;
      }
    }
  }
  starting = false;
}

void HttpRequest::Op::fail(const std::string& why) {
  if (finished) return;
  if (starting) {
    // Never call back from inside get(): report from the (restarted) timer instead.
    if (deferred_error.empty()) deferred_error = why;
    uv_timer_start(&timer, &Op::onTimer, 0, 0);
    return;
  }
  finish(makeError("GET " + url.toString() + ": " + why));
}

void HttpRequest::Op::finish(Result<HttpResponse> result) {
  if (finished) return;
  finished = true;
  closeAll();
  HttpClient::Callback cb = std::move(done);
  done = nullptr;
  if (owner) {
    owner->op_ = nullptr;  // the handle may be destroyed from inside the callback
    owner = nullptr;
  }
  // This Op stays alive at least until the close callbacks run on a later loop iteration.
  if (cb) cb(std::move(result));
}

void HttpRequest::Op::abort() {
  if (finished) return;
  finished = true;
  done = nullptr;
  closeAll();
}

void HttpRequest::Op::closeAll() {
  if (gai_pending) uv_cancel(reinterpret_cast<uv_req_t*>(&gai));  // may fail if running
  if (timer_open && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&timer))) {
    uv_timer_stop(&timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), &Op::onTimerClosed);
  }
  if (tcp_open && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp), &Op::onTcpClosed);
  }
}

void HttpRequest::Op::maybeFree() {
  if (finished && !timer_open && !tcp_open && !gai_pending) delete this;
}

void HttpRequest::Op::onTimerClosed(uv_handle_t* h) {
  auto* op = static_cast<Op*>(h->data);
  op->timer_open = false;
  op->maybeFree();
}

void HttpRequest::Op::onTcpClosed(uv_handle_t* h) { static_cast<Op*>(h->data)->tcpClosed(); }

void HttpRequest::Op::onTimer(uv_timer_t* t) { static_cast<Op*>(t->data)->timedOut(); }

void HttpRequest::Op::timedOut() {
  if (!deferred_error.empty()) {
    fail(deferred_error);
    return;
  }
  fail("timed out after " + std::to_string(opts.timeout.count()) + " ms " + phaseText());
}

std::string HttpRequest::Op::phaseText() const {
  switch (phase) {
    case Phase::Resolving: return "resolving the host name";
    case Phase::Connecting: return "connecting";
    case Phase::Handshaking: return "in the TLS handshake";
    case Phase::Waiting:
      return parser.consumed() == 0 ? "waiting for the response"
                                    : "reading the response (" + std::to_string(parser.consumed()) +
                                          " bytes received)";
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Resolve and connect

void HttpRequest::Op::onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  static_cast<Op*>(req->data)->resolved(status, res);
}

void HttpRequest::Op::resolved(int status, addrinfo* res) {
  gai_pending = false;
  if (finished) {
    uv_freeaddrinfo(res);
    maybeFree();
    return;
  }
  if (status < 0) {
    uv_freeaddrinfo(res);
    fail("cannot resolve host '" + url.host + "': " + uv_strerror(status));
    return;
  }
  for (addrinfo* ai = res; ai && addrs.size() < kMaxAddresses; ai = ai->ai_next) {
    if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
        ai->ai_addrlen > sizeof(sockaddr_storage)) {
      continue;
    }
    sockaddr_storage ss{};
    std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    addrs.push_back(ss);
  }
  uv_freeaddrinfo(res);
  if (addrs.empty()) {
    fail("cannot resolve host '" + url.host + "': no IPv4 or IPv6 address");
    return;
  }
  phase = Phase::Connecting;
  connectNext();
}

void HttpRequest::Op::connectNext() {
  if (next_addr >= addrs.size()) {
    fail("cannot connect to " + url.authority() + ": " + connect_errors);
    return;
  }
  const sockaddr_storage& addr = addrs[next_addr];
  int rc = uv_tcp_init(loop, &tcp);
  if (rc < 0) {
    fail(std::string("cannot create a socket: ") + uv_strerror(rc));
    return;
  }
  tcp.data = this;
  tcp_open = true;
  connect_req.data = this;
  rc = uv_tcp_connect(&connect_req, &tcp, reinterpret_cast<const sockaddr*>(&addr), &Op::onConnect);
  if (rc < 0) connected(rc);  // same path as an asynchronous failure (retry from close)
}

void HttpRequest::Op::onConnect(uv_connect_t* req, int status) {
  static_cast<Op*>(req->data)->connected(status);
}

void HttpRequest::Op::connected(int status) {
  if (finished) return;  // UV_ECANCELED from closeAll(); the close callback frees
  if (status < 0) {
    if (!connect_errors.empty()) connect_errors += "; ";
    if (addrs.size() > 1) connect_errors += addressText(addrs[next_addr]) + ": ";
    connect_errors += uv_strerror(status);
    ++next_addr;
    retrying = true;  // a failed socket cannot be reused: close it, connect again from tcpClosed
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp), &Op::onTcpClosed);
    return;
  }
  beginSession();
}

void HttpRequest::Op::tcpClosed() {
  tcp_open = false;
  if (finished) {
    maybeFree();
    return;
  }
  if (retrying) {
    retrying = false;
    connectNext();
  }
}

// ---------------------------------------------------------------------------------------------
// Session: TLS, request, response

void HttpRequest::Op::beginSession() {
  uv_tcp_nodelay(&tcp, 1);
  int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp), &Op::onAlloc, &Op::onRead);
  if (rc < 0) {
    fail(std::string("cannot read from the connection: ") + uv_strerror(rc));
    return;
  }
  if (!url.https) {
    phase = Phase::Waiting;
    sendRequest();
    return;
  }
  phase = Phase::Handshaking;
  // The URL's host: SNI for names, and the name or IP address the certificate must match.
  tls = std::make_unique<TlsChannel>(opts.tls, url.host);
  auto st = tls->handshake();  // produces the ClientHello
  flushTls();
  if (st == TlsChannel::Status::Error) fail("TLS: " + tls->lastError());
}

void HttpRequest::Op::sendRequest() {
  std::string req = "GET " + url.target + " HTTP/1.1\r\nHost: " + url.authority() +
                    "\r\nAccept: application/json\r\nAccept-Encoding: identity\r\n"
                    "User-Agent: warden/" WARDEN_VERSION "\r\nConnection: close\r\n\r\n";
  if (!tls) {
    writeRaw(std::vector<uint8_t>(req.begin(), req.end()));
    return;
  }
  if (tls->writePlaintext({reinterpret_cast<const uint8_t*>(req.data()), req.size()}) !=
      TlsChannel::Status::Ok) {
    fail("TLS write failed: " + tls->lastError());
    return;
  }
  flushTls();
}

void HttpRequest::Op::flushTls() {
  if (!tls || tls->pendingCiphertext() == 0) return;
  std::vector<uint8_t> out;
  tls->takeCiphertext(out);
  writeRaw(std::move(out));
}

void HttpRequest::Op::writeRaw(std::vector<uint8_t> bytes) {
  if (finished || bytes.empty()) return;
  auto w = std::make_unique<Write>();
  w->bytes = std::move(bytes);
  w->op = this;
  w->req.data = w.get();
  uv_buf_t b =
      uv_buf_init(reinterpret_cast<char*>(w->bytes.data()), static_cast<unsigned>(w->bytes.size()));
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&tcp), &b, 1, &Op::onWrite);
  if (rc < 0) {
    fail(std::string("write failed: ") + uv_strerror(rc));
    return;
  }
  writes.push_back(std::move(w));
  writes.back()->self = std::prev(writes.end());
}

void HttpRequest::Op::onWrite(uv_write_t* req, int status) {
  auto* w = static_cast<Write*>(req->data);
  Op* op = w->op;
  op->writes.erase(w->self);  // frees w
  if (op->finished || status == UV_ECANCELED) return;
  if (status < 0) op->fail(std::string("write failed: ") + uv_strerror(status));
}

void HttpRequest::Op::onAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* op = static_cast<Op*>(h->data);
  *buf = uv_buf_init(op->read_buffer.data(), static_cast<unsigned>(op->read_buffer.size()));
}

void HttpRequest::Op::onRead(uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
  auto* op = static_cast<Op*>(s->data);
  if (op->finished || nread == 0) return;  // 0 is EAGAIN, not EOF
  if (nread == UV_EOF) {
    op->peerClosed();
  } else if (nread < 0) {
    op->fail(std::string("read failed: ") + uv_strerror(static_cast<int>(nread)));
  } else {
    op->received(std::string_view(buf->base, static_cast<size_t>(nread)));
  }
}

void HttpRequest::Op::received(std::string_view data) {
  if (tls) {
    receivedCiphertext(data);
  } else {
    receivedPlaintext(data);
  }
}

void HttpRequest::Op::receivedCiphertext(std::string_view data) {
  tls->feedCiphertext({reinterpret_cast<const uint8_t*>(data.data()), data.size()});
  if (!tls->handshakeDone()) {
    auto st = tls->handshake();
    flushTls();
    if (st == TlsChannel::Status::Error) {
      fail("TLS handshake with " + url.authority() + " failed: " + tls->lastError());
      return;
    }
    if (st != TlsChannel::Status::Ok) return;  // needs more
    phase = Phase::Waiting;
    sendRequest();
    if (finished) return;
  }
  plaintext.clear();  // at most what one read's ciphertext decrypts to
  auto st = tls->readPlaintext(plaintext);
  flushTls();
  if (!plaintext.empty()) {
    receivedPlaintext({reinterpret_cast<const char*>(plaintext.data()), plaintext.size()});
    if (finished) return;
  }
  if (st == TlsChannel::Status::Closed) {
    tls_closed = true;
    peerClosed();
  } else if (st == TlsChannel::Status::Error) {
    fail(tls->lastError());
  }
}

void HttpRequest::Op::receivedPlaintext(std::string_view data) {
  switch (parser.feed(data)) {
    case ResponseStatus::Complete: finish(parser.take()); return;
    case ResponseStatus::Error: fail(parser.error()); return;
    case ResponseStatus::NeedMoreData: return;
  }
}

void HttpRequest::Op::peerClosed() {
  if (tls && !tls->handshakeDone()) {
    fail("TLS handshake with " + url.authority() + " failed: connection closed by the peer");
    return;
  }
  if (tls && !tls_closed) {
    // A complete response would have finished already: what is left may be truncated.
    fail("connection closed without TLS close_notify before the response was complete");
    return;
  }
  switch (parser.finish()) {
    case ResponseStatus::Complete: finish(parser.take()); return;
    case ResponseStatus::Error: fail(parser.error()); return;
    case ResponseStatus::NeedMoreData: return;  // not reached: finish() decides
  }
}

}  // namespace warden::net
