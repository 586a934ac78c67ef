// plugins/audit_syslog/syslog_transport.h
//! The socket behind the syslog sink: UDP datagrams (one message each, RFC 5426) or one TCP
//! stream of octet-counted frames (RFC 6587). Blocking calls are replaced by non-blocking
//! sockets + poll(2) so that every wait (connect, a send making no progress) ends within the
//! configured timeout. Used on the audit writer thread only.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "syslog_options.h"

namespace warden::audit_syslog {

class SyslogTransport {
 public:
  SyslogTransport(const Destination& destination, Transport transport,
                  std::chrono::milliseconds timeout)
      : dest_(destination), transport_(transport), timeout_(timeout) {}
  ~SyslogTransport() { close(); }
  SyslogTransport(const SyslogTransport&) = delete;
  SyslogTransport& operator=(const SyslogTransport&) = delete;

  //! UDP: sends one datagram. TCP: sends `bytes` (whole frames) on the stream, connecting
  //! first when there is no connection or the receiver closed it. False with `error` set on any
  //! failure; the connection is then dropped and the next call reconnects.
  bool send(std::string_view bytes, std::string& error);
  void close() noexcept;

 private:
  bool open(std::string& error);
  bool connectTcp(std::string& error);
  bool peerClosed();
  bool fail(std::string& error, const std::string& what, int err);

  Destination dest_;
  Transport transport_;
  std::chrono::milliseconds timeout_;
  int fd_ = -1;
};

}  // namespace warden::audit_syslog
