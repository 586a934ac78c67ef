// core/src/base/log.cc
#include "warden/base/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace warden::log {
namespace {
std::atomic<int> g_level{static_cast<int>(Level::Info)};
std::mutex g_mutex;

const char* levelName(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

void appendTimestamp(std::string& out) {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(us / 1000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[48];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1000000));
  out += buf;
}
}  // namespace

void setLevel(Level level) noexcept { g_level.store(static_cast<int>(level)); }
Level level() noexcept { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }
bool enabled(Level l) noexcept { return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed); }

Level parseLevel(std::string_view name, Level fallback) noexcept {
  if (name == "debug") return Level::Debug;
  if (name == "info") return Level::Info;
  if (name == "warn" || name == "warning") return Level::Warn;
  if (name == "error") return Level::Error;
  return fallback;
}

void appendJsonEscaped(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
}

void write(Level l, std::string_view msg, std::initializer_list<Field> fields) noexcept {
  if (!enabled(l)) return;
  try {
    std::string line;
    line.reserve(128 + msg.size());
    line += "{\"ts\":\"";
    appendTimestamp(line);
    line += "\",\"level\":\"";
    line += levelName(l);
    line += "\",\"msg\":\"";
    appendJsonEscaped(line, msg);
    line += '"';
    for (const Field& f : fields) {
      line += ",\"";
      appendJsonEscaped(line, f.key);
      line += "\":";
      if (f.raw) {
        line += f.value;
      } else {
        line += '"';
        appendJsonEscaped(line, f.value);
        line += '"';
      }
    }
    line += "}\n";
    std::lock_guard<std::mutex> lock(g_mutex);
    fwrite(line.data(), 1, line.size(), stderr);
    fflush(stderr);
  } catch (...) {
    // Logging must never take the process down (out of memory while formatting).
  }
}

}  // namespace warden::log
