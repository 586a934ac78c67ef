// core/src/admin/admin_server.cc
//! libuv driver for HttpConnection: accept, read, one write in flight per connection, idle
//! timer, lingering close. Every decision about bytes is HttpConnection's.
#include "warden/admin/admin_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "../config/values.h"
#include "warden/base/log.h"

namespace warden::admin {

struct AdminServer::Conn {
  Conn(AdminServer* s, const HttpHandler& h, HttpLimits l) : server(s), http(h, l) {}
  uv_tcp_t tcp{};
  uv_timer_t timer{};
  uv_write_t write_req{};
  uv_shutdown_t shutdown_req{};
  AdminServer* server;
  HttpConnection http;
  std::list<std::unique_ptr<Conn>>::iterator self;
  std::string writing;  // the bytes of the write in flight (live until its callback)
  Work* work = nullptr;  // deferred work for this connection, waiting or running
  int open_handles = 0;
  bool writing_now = false, reading = false, eof = false, lingering = false, closed = false;
};

//! One deferred response being computed. Owned by waiting_work_ until it starts, then by its
//! uv_work_t (released to the loop, reclaimed in the after-work callback).
struct AdminServer::Work {
  uv_work_t req{};
  AdminServer* server = nullptr;
  Conn* conn = nullptr;  // null once the connection closed
  std::function<HttpResponse()> fn;
  HttpResponse result;
};

namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;

void restartTimer(uv_timer_t* timer, uint64_t ms, uv_timer_cb cb) { uv_timer_start(timer, cb, ms, 0); }

}  // namespace

Result<int> openAdminSocket(const std::string& listen) {
  std::string why;
  auto addr = config::detail::parseListen(listen, &why);
  if (!addr) return makeError(fmt::format("admin.listen {}: {}", listen, why));
  std::string host = addr->host == "localhost" ? "127.0.0.1" : addr->host;
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(addr->port);
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    family = AF_INET6;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(addr->port);
    len = sizeof(sockaddr_in6);
  } else {
    return makeError(fmt::format("admin.listen {}: not an IP address", listen));
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(fmt::format("admin.listen {}: socket: {}", listen, strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 128) != 0) {
    int e = errno;
    ::close(fd);
    return makeError(fmt::format("admin.listen {}: {}", listen, strerror(e)));
  }
  return fd;
}

AdminServer::AdminServer(uv_loop_t* loop, HttpHandler handler, HttpLimits limits)
    : loop_(loop), handler_(std::move(handler)), limits_(limits), read_buffer_(kReadBufferBytes, '\0') {}

AdminServer::~AdminServer() = default;

Result<void> AdminServer::start(int fd) {
  if (listening_ || closed_) {
    ::close(fd);
    return makeError("admin server already started");
  }
  uv_tcp_init(loop_, &listener_);
  listener_.data = this;
  listening_ = true;  // the handle exists from here on: close() must close it
  int r = uv_tcp_open(&listener_, fd);
  if (r < 0) {
    ::close(fd);
    return makeError(fmt::format("admin listener: {}", uv_strerror(r)));
  }
  r = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 128, &AdminServer::onConnection);
  if (r < 0) return makeError(fmt::format("admin listener: {}", uv_strerror(r)));
  return {};
}

void AdminServer::close() {
  if (closed_) return;
  closed_ = true;
  if (listening_) uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
  for (auto& c : conns_) closeConn(c.get());
}

void AdminServer::onConnection(uv_stream_t* listener, int status) {
  auto* self = static_cast<AdminServer*>(listener->data);
  if (status < 0) {
    log::warn("admin listener: accept failed", {{"error", uv_strerror(status)}});
    return;
  }
  if (self->closed_) return;
  self->conns_.push_back(std::make_unique<Conn>(self, self->handler_, self->limits_));
  Conn* c = self->conns_.back().get();
  c->self = std::prev(self->conns_.end());
  uv_tcp_init(self->loop_, &c->tcp);
  uv_timer_init(self->loop_, &c->timer);
  c->tcp.data = c->timer.data = c->write_req.data = c->shutdown_req.data = c;
  c->open_handles = 2;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
    self->closeConn(c);
    return;
  }
  if (self->conns_.size() > kMaxConnections) {
    log::warn("admin API: too many connections, closing a new one",
              {{"limit", static_cast<unsigned long>(kMaxConnections)}});
    self->closeConn(c);
    return;
  }
  uv_tcp_nodelay(&c->tcp, 1);
  // The timer runs from accept to the end of the first response, then between responses: a
  // request has kIdleTimeoutMs to arrive in full (slow senders do not reset it byte by byte).
  restartTimer(&c->timer, kIdleTimeoutMs, [](uv_timer_t* t) {
    auto* conn = static_cast<Conn*>(t->data);
    conn->server->closeConn(conn);
  });
  self->updateReading(c);
}

void AdminServer::closeConn(Conn* c) {
  if (c->closed) return;
  c->closed = true;
  auto on_close = [](uv_handle_t* h) {
    auto* conn = static_cast<Conn*>(h->data);
    if (--conn->open_handles == 0) conn->server->conns_.erase(conn->self);  // frees conn
  };
  if (c->work != nullptr) {
    c->work->conn = nullptr;  // running: finishes unseen; waiting: dropped here
    for (auto it = waiting_work_.begin(); it != waiting_work_.end(); ++it) {
      if (it->get() == c->work) {
        waiting_work_.erase(it);
        break;
      }
    }
    c->work = nullptr;
  }
  uv_timer_stop(&c->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->timer), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), on_close);
}

void AdminServer::updateReading(Conn* c) {
  if (c->closed) return;
  bool want = !c->eof && (c->lingering || c->http.wantsInput());
  auto* stream = reinterpret_cast<uv_stream_t*>(&c->tcp);
  if (want && !c->reading) {
    auto alloc = [](uv_handle_t* h, size_t, uv_buf_t* buf) {
      auto* conn = static_cast<Conn*>(h->data);
      std::string& b = conn->server->read_buffer_;
      *buf = uv_buf_init(b.data(), static_cast<unsigned>(b.size()));
    };
    auto on_read = [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
      auto* conn = static_cast<Conn*>(s->data);
      AdminServer* server = conn->server;
      if (conn->closed || nread == 0) return;
      if (nread < 0) {
        // EOF: answer the complete requests, then close (a half-closed client still reads); a
        // partial request at EOF yields no output, so flush() closes at once.
        if (nread != UV_EOF || conn->lingering) {
          server->closeConn(conn);
          return;
        }
        conn->eof = true;
        server->updateReading(conn);
        server->flush(conn);
        return;
      }
      if (conn->lingering) return;  // discarded: the answer is out, the peer should stop
      conn->http.receive(std::string_view(buf->base, static_cast<size_t>(nread)));
      server->flush(conn);
      server->updateReading(conn);
    };
    if (uv_read_start(stream, alloc, on_read) == 0) {
      c->reading = true;
    } else {
      closeConn(c);
    }
  } else if (!want && c->reading) {
    uv_read_stop(stream);
    c->reading = false;
  }
}

void AdminServer::queueWork(Conn* c) {
  auto w = std::make_unique<Work>();
  w->server = this;
  w->conn = c;
  w->fn = c->http.takeDeferred();
  w->req.data = w.get();
  c->work = w.get();
  uv_timer_stop(&c->timer);  // the answer's time is the work's, not the peer's
  if (running_work_ < kMaxRunningWork) {
    startWork(std::move(w));
  } else {
    waiting_work_.push_back(std::move(w));
  }
}

void AdminServer::startWork(std::unique_ptr<Work> w) {
  ++running_work_;
  Work* raw = w.release();  // owned by the request until the after-work callback
  int r = uv_queue_work(
      loop_, &raw->req,
      [](uv_work_t* req) {
        auto* work = static_cast<Work*>(req->data);
        try {
          work->result = work->fn();
        } catch (const std::exception&) {
          work->result = jsonError(500, "internal error");
        }
        work->fn = nullptr;  // release captures on the worker thread
      },
      [](uv_work_t* req, int status) {
        auto* work = static_cast<Work*>(req->data);
        work->server->finishWork(work, status);
      });
  if (r < 0) finishWork(raw, r);
}

void AdminServer::finishWork(Work* raw, int status) {
  std::unique_ptr<Work> w(raw);
  --running_work_;
  if (Conn* c = w->conn; c != nullptr && !c->closed) {
    c->work = nullptr;
    if (status < 0) w->result = jsonError(503, "busy: try again");
    c->http.completeDeferred(std::move(w->result));
    flush(c);
    updateReading(c);
  }
  while (running_work_ < kMaxRunningWork && !waiting_work_.empty() && !closed_) {
    auto next = std::move(waiting_work_.front());
    waiting_work_.pop_front();
    startWork(std::move(next));
  }
}

void AdminServer::flush(Conn* c) {
  if (c->closed) return;
  if (c->http.hasDeferred() && c->work == nullptr) {
    queueWork(c);
    if (c->closed) return;
  }
  if (c->writing_now || c->lingering) return;
  if (!c->http.hasOutput()) {
    if (c->work != nullptr) return;  // the answer is being computed
    if (c->http.closing()) {
      startLinger(c);
    } else if (c->eof) {
      closeConn(c);
    }
    return;
  }
  c->writing = c->http.takeOutput();
  uv_buf_t buf = uv_buf_init(c->writing.data(), static_cast<unsigned>(c->writing.size()));
  c->writing_now = true;
  int r = uv_write(&c->write_req, reinterpret_cast<uv_stream_t*>(&c->tcp), &buf, 1,
                   [](uv_write_t* req, int status) {
                     auto* conn = static_cast<Conn*>(req->data);
                     AdminServer* server = conn->server;
                     conn->writing_now = false;
                     conn->writing = std::string();
                     if (conn->closed) return;  // UV_ECANCELED after closeConn
                     if (status < 0) {
                       server->closeConn(conn);
                       return;
                     }
                     restartTimer(&conn->timer, kIdleTimeoutMs, [](uv_timer_t* t) {
                       auto* cc = static_cast<Conn*>(t->data);
                       cc->server->closeConn(cc);
                     });
                     conn->http.resume();  // pipelined requests waiting for the writer
                     server->flush(conn);
                     server->updateReading(conn);
                   });
  if (r < 0) {
    c->writing_now = false;
    closeConn(c);
  }
}

void AdminServer::startLinger(Conn* c) {
  if (c->eof) {
    closeConn(c);
    return;
  }
  c->lingering = true;
  if (uv_shutdown(&c->shutdown_req, reinterpret_cast<uv_stream_t*>(&c->tcp),
                  [](uv_shutdown_t* req, int status) {
                    auto* conn = static_cast<Conn*>(req->data);
                    if (!conn->closed && status < 0) conn->server->closeConn(conn);
                  }) != 0) {
    closeConn(c);
    return;
  }
  restartTimer(&c->timer, kLingerMs, [](uv_timer_t* t) {
    auto* conn = static_cast<Conn*>(t->data);
    conn->server->closeConn(conn);
  });
  updateReading(c);
}

}  // namespace warden::admin
