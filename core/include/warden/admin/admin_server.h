// core/include/warden/admin/admin_server.h
//! The admin API's HTTP/1.1 listener on a libuv loop (the main loop of `warden run`: the API
//! reads and reloads the server state there, like SIGHUP). Plain HTTP; meant for loopback.
//!
//! Bounds: at most kMaxConnections connections (further ones are accepted and closed at once);
//! a connection idle for kIdleTimeoutMs (no complete read or write progress: slow request, no
//! next request, peer not reading) is closed; per-request and buffer limits in HttpLimits. After
//! a response with "Connection: close" the write side is shut down and the connection lingers
//! up to kLingerMs discarding input, so the peer reads the answer instead of a reset.
//!
//! Deferred responses (HttpResponse::deferred, e.g. an audit search) run on the libuv thread
//! pool, at most kMaxRunningWork at once (the pool is shared with the workers' file and DNS
//! requests); further ones wait in order. The connection's idle timer is off meanwhile. A
//! connection closed meanwhile drops its waiting work; running work finishes unseen.
//!
//! Ownership: handles live in this object's connections and are freed in their close callbacks;
//! call close() and let the loop run until it is idle (running work included) before
//! destroying the server.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>

#include "warden/admin/http_connection.h"
#include "warden/base/result.h"

namespace warden::admin {

inline constexpr size_t kMaxConnections = 64;
inline constexpr uint64_t kIdleTimeoutMs = 10000;
inline constexpr uint64_t kLingerMs = 1000;
inline constexpr size_t kMaxRunningWork = 2;

//! Binds and listens on "host:port" / "[v6]:port" (as admin.listen is written): a non-blocking
//! TCP socket with SO_REUSEADDR but not SO_REUSEPORT (a second Warden on the same admin port is
//! an error, not a silent share). Done before the loop starts so a failure stops the start-up.
Result<int> openAdminSocket(const std::string& listen);

class AdminServer {
 public:
  AdminServer(uv_loop_t* loop, HttpHandler handler, HttpLimits limits = {});
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  //! Serves on a listening socket from openAdminSocket() (takes ownership of fd).
  Result<void> start(int fd);
  //! Stops accepting and closes every connection (idempotent).
  void close();
  size_t connections() const { return conns_.size(); }

 private:
  struct Conn;
  struct Work;
  static void onConnection(uv_stream_t* server, int status);
  void queueWork(Conn* c);
  void startWork(std::unique_ptr<Work> w);
  void finishWork(Work* w, int status);
  void closeConn(Conn* c);
  void flush(Conn* c);
  void updateReading(Conn* c);
  void startLinger(Conn* c);

  uv_loop_t* loop_;
  HttpHandler handler_;
  HttpLimits limits_;
  uv_tcp_t listener_{};
  bool listening_ = false, closed_ = false;
  std::list<std::unique_ptr<Conn>> conns_;
  std::deque<std::unique_ptr<Work>> waiting_work_;  // deferred work not started yet
  size_t running_work_ = 0;
  std::string read_buffer_;  // shared by all connections: reads are consumed synchronously
};

}  // namespace warden::admin
