// plugins/audit_syslog/syslog_transport.cc
#include "syslog_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace warden::audit_syslog {
namespace {

using Clock = std::chrono::steady_clock;

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

//! Waits for `events` on fd until `deadline`. 1 ready, 0 timed out, -1 error (errno set).
int waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int rc = poll(&p, 1, msLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    return rc;
  }
}

}  // namespace

bool SyslogTransport::fail(std::string& error, const std::string& what, int err) {
  error = "syslog " + dest_.text + " (" + (transport_ == Transport::Tcp ? "tcp" : "udp") +
          "): " + what + (err ? std::string(": ") + std::strerror(err) : std::string());
  close();
  return false;
}

void SyslogTransport::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool SyslogTransport::open(std::string& error) {
  int type = transport_ == Transport::Tcp ? SOCK_STREAM : SOCK_DGRAM;
  fd_ = ::socket(dest_.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(error, "socket", errno);
  return true;
}

bool SyslogTransport::connectTcp(std::string& error) {
  if (!open(error)) return false;
  auto deadline = Clock::now() + timeout_;
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&dest_.addr), dest_.addr_len) == 0)
    return true;
  if (errno != EINPROGRESS) return fail(error, "connect", errno);
  int rc = waitFor(fd_, POLLOUT, deadline);
  if (rc < 0) return fail(error, "connect: poll", errno);
  if (rc == 0)
    return fail(error, "connect timed out after " + std::to_string(timeout_.count()) + "ms", 0);
  int so_error = 0;
  socklen_t len = sizeof so_error;
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0)
    return fail(error, "connect: getsockopt", errno);
  if (so_error != 0) return fail(error, "connect", so_error);
  return true;
}

//! A syslog receiver never sends: a readable socket means it closed (EOF) or reset. Checked
//! before every batch so a batch is not written into a connection the receiver already left
//! (the kernel would accept it and the records would be lost without an error).
bool SyslogTransport::peerClosed() {
  pollfd p{fd_, POLLIN, 0};
  if (poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLERR | POLLHUP)) return true;
  char buf[512];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return true;  // orderly close
    if (n < 0) return !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
    // Unexpected bytes from the receiver: discard them, keep the connection.
  }
}

bool SyslogTransport::send(std::string_view bytes, std::string& error) {
  if (transport_ == Transport::Udp) {
    if (fd_ < 0 && !open(error)) return false;
    auto deadline = Clock::now() + timeout_;
    for (;;) {
      ssize_t n = ::sendto(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL,
                           reinterpret_cast<const sockaddr*>(&dest_.addr), dest_.addr_len);
      if (n == static_cast<ssize_t>(bytes.size())) return true;
      if (n >= 0) return fail(error, "short datagram send", 0);
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return fail(error, "send", errno);
      int rc = waitFor(fd_, POLLOUT, deadline);
      if (rc < 0) return fail(error, "send: poll", errno);
      if (rc == 0)
        return fail(error, "send timed out after " + std::to_string(timeout_.count()) + "ms", 0);
    }
  }
  if (fd_ >= 0 && peerClosed()) close();
  if (fd_ < 0 && !connectTcp(error)) return false;
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return fail(error, "send", errno);
    // No progress: wait at most `timeout` for the receiver to drain.
    int rc = waitFor(fd_, POLLOUT, Clock::now() + timeout_);
    if (rc < 0) return fail(error, "send: poll", errno);
    if (rc == 0)
      return fail(error,
                  "send made no progress for " + std::to_string(timeout_.count()) + "ms (" +
                      std::to_string(done) + " of " + std::to_string(bytes.size()) +
                      " bytes sent; the connection is dropped and the batch retried)",
                  0);
  }
  return true;
}

}  // namespace warden::audit_syslog
