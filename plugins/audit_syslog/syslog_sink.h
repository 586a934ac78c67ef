// plugins/audit_syslog/syslog_sink.h
//! The syslog audit sink: each record line becomes one RFC 5424 message (syslog_message.h)
//! sent over UDP or octet-counted TCP (syslog_transport.h). Called on the audit writer thread
//! only (audit/sink.h); holds no locks.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "syslog_options.h"
#include "syslog_transport.h"
#include "warden/audit/sink.h"

namespace warden::audit_syslog {

class SyslogSink final : public audit::AuditSink {
 public:
  explicit SyslogSink(SyslogOptions options);
  //! Formats the whole batch first: an oversize record (oversize: error) fails the batch
  //! before anything is sent. UDP sends one datagram per record; TCP sends the batch as one
  //! run of frames. On failure the batch may be partly delivered: the writer retries all of it
  //! and receivers de-duplicate by seq.
  bool write(std::span<const std::string_view> lines, std::string& error) noexcept override;
  void close() noexcept override;

 private:
  SyslogOptions options_;
  SyslogTransport transport_;
  std::string message_;  // reused per record
  std::string frames_;   // TCP: the batch's frames, reused
};

}  // namespace warden::audit_syslog
