// plugins/audit_syslog/syslog_sink.cc
#include "syslog_sink.h"

#include <unistd.h>

#include <utility>
#include <vector>

#include "syslog_message.h"

namespace warden::audit_syslog {

SyslogSink::SyslogSink(SyslogOptions options)
    : options_(std::move(options)),
      transport_(options_.destination, options_.transport, options_.timeout) {}

bool SyslogSink::write(std::span<const std::string_view> lines, std::string& error) noexcept {
  try {
    MessageHeader h{options_.facility, options_.hostname, options_.app_name,
                    static_cast<long>(getpid())};
    const bool tcp = options_.transport == Transport::Tcp;
    const bool truncate = options_.oversize == Oversize::Truncate;
    std::vector<std::string> datagrams;
    frames_.clear();
    for (std::string_view line : lines) {
      BuildStatus st = buildMessage(h, line, options_.max_message_bytes, truncate, message_);
      if (st == BuildStatus::TooLarge) {
        RecordFields r = parseRecordLine(line);
        error = "syslog " + options_.destination.text + ": record" +
                (r.seq.empty() ? std::string() : " seq " + r.seq) + " (" +
                std::to_string(line.size()) + " bytes) does not fit max_message_bytes " +
                std::to_string(options_.max_message_bytes) +
                (truncate ? " even truncated"
                          : "; nothing of this batch was sent (set "
                            "max_message_bytes higher, use tcp, or "
                            "oversize: truncate)");
        return false;
      }
      if (tcp)
        appendOctetCounted(frames_, message_);
      else
        datagrams.push_back(message_);
    }
    if (tcp) return frames_.empty() || transport_.send(frames_, error);
    for (const auto& d : datagrams)
      if (!transport_.send(d, error)) return false;
    return true;
  } catch (const std::exception& e) {
    error = std::string("syslog sink: ") + e.what();
  } catch (...) {
    error = "syslog sink: unexpected failure";
  }
  return false;
}

void SyslogSink::close() noexcept { transport_.close(); }

}  // namespace warden::audit_syslog
