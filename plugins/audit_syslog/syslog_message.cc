// plugins/audit_syslog/syslog_message.cc
#include "syslog_message.h"

#include <nlohmann/json.hpp>

#include "syslog_options.h"

namespace warden::audit_syslog {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool isDigit(char c) { return c >= '0' && c <= '9'; }

//! RFC 5424 §6.2.3 TIMESTAMP: YYYY-MM-DDThh:mm:ss[.1-6 digits](Z|±hh:mm). The audit writer's
//! ts ("2024-05-01T12:34:56.123456Z") always is; anything else becomes NILVALUE rather than a
//! header a receiver would reject.
bool isRfc5424Timestamp(std::string_view t) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (t.size() < kShape.size() + 1) return false;
  for (size_t i = 0; i < kShape.size(); ++i)
    if (kShape[i] == 'd' ? !isDigit(t[i]) : t[i] != kShape[i]) return false;
  size_t i = kShape.size();
  if (t[i] == '.') {
    size_t start = ++i;
    while (i < t.size() && isDigit(t[i])) ++i;
    if (i == start || i - start > 6) return false;
  }
  std::string_view zone = t.substr(i);
  if (zone == "Z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && isDigit(zone[1]) &&
         isDigit(zone[2]) && zone[3] == ':' && isDigit(zone[4]) && isDigit(zone[5]);
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

//! Everything before MSG: "<PRI>1 TS HOST APP PROCID MSGID SD " (+ BOM added by the caller).
void appendHead(std::string& out, const MessageHeader& h, const RecordFields& r,
                const std::string* truncated_from) {
  out += '<';
  out += std::to_string(h.facility * 8 + severityOf(r));
  out += ">1 ";
  out += isRfc5424Timestamp(r.ts) ? std::string_view(r.ts) : std::string_view("-");
  out += ' ';
  out += h.hostname;
  out += ' ';
  out += h.app_name;
  out += ' ';
  out += std::to_string(h.procid);
  out += ' ';
  out += isPrintUsAscii(r.event, 32) ? std::string_view(r.event) : std::string_view("-");
  out += ' ';
  if (!r.parsed && !truncated_from) {
    out += "- ";
    return;
  }
  out += '[';
  out += kSdId;
  if (!r.seq.empty()) {
    out += " seq=\"";
    appendSdValue(out, r.seq);
    out += '"';
  }
  if (!r.event.empty()) {
    out += " event=\"";
    appendSdValue(out, r.event);
    out += '"';
  }
  if (!r.action.empty()) {
    out += " action=\"";
    appendSdValue(out, r.action);
    out += '"';
  }
  if (truncated_from) {
    out += " truncated=\"";
    out += *truncated_from;
    out += '"';
  }
  out += "] ";
}

}  // namespace

RecordFields parseRecordLine(std::string_view line) {
  RecordFields f;
  auto j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return f;
  f.parsed = true;
  if (auto it = j.find("seq"); it != j.end() && it->is_number_unsigned())
    f.seq = std::to_string(it->get<uint64_t>());
  if (auto it = j.find("ts"); it != j.end() && it->is_string()) f.ts = it->get<std::string>();
  if (auto it = j.find("event"); it != j.end() && it->is_string()) f.event = it->get<std::string>();
  if (auto d = j.find("decision"); d != j.end() && d->is_object())
    if (auto a = d->find("action"); a != d->end() && a->is_string())
      f.action = a->get<std::string>();
  return f;
}

int severityOf(const RecordFields& r) {
  if (r.event == "auth" && r.action == "deny") return kNotice;
  if (startsWith(r.action, "deny") || startsWith(r.action, "require_approval")) return kWarning;
  return kInfo;
}

void appendSdValue(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
}

BuildStatus buildMessage(const MessageHeader& h, std::string_view line, size_t max_bytes,
                         bool truncate, std::string& out) {
  RecordFields r = parseRecordLine(line);
  out.clear();
  appendHead(out, h, r, nullptr);
  out += kBom;
  if (max_bytes == 0 || out.size() + line.size() <= max_bytes) {
    out += line;
    return BuildStatus::Ok;
  }
  if (!truncate) return BuildStatus::TooLarge;
  std::string full = std::to_string(line.size());
  out.clear();
  appendHead(out, h, r, &full);
  out += kBom;
  if (out.size() >= max_bytes) return BuildStatus::TooLarge;  // header alone does not fit
  size_t keep = max_bytes - out.size();
  // Back up to a character boundary: never send half a UTF-8 sequence.
  while (keep > 0 && (static_cast<unsigned char>(line[keep]) & 0xC0) == 0x80) --keep;
  out += line.substr(0, keep);
  return BuildStatus::Truncated;
}

void appendOctetCounted(std::string& out, std::string_view msg) {
  out += std::to_string(msg.size());
  out += ' ';
  out += msg;
}

}  // namespace warden::audit_syslog
