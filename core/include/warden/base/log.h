// core/include/warden/base/log.h
//! Structured JSON logs: one object per line on stderr, e.g.
//! {"ts":"2026-11-24T10:00:00.123456Z","level":"info","msg":"listening","target":"pg","addr":"..."}
//! Thread-safe (one mutex around the write); cheap when the level is filtered out.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace warden::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

//! A key/value field. Values are rendered as JSON strings unless `raw` (numbers, bools).
struct Field {
  std::string_view key;
  std::string value;
  bool raw = false;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, long long v) : key(k), value(std::to_string(v)), raw(true) {}
  Field(std::string_view k, unsigned long long v) : key(k), value(std::to_string(v)), raw(true) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), raw(true) {}
  Field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)), raw(true) {}
  Field(std::string_view k, long v) : key(k), value(std::to_string(v)), raw(true) {}
  Field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)), raw(true) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), raw(true) {}
};

void setLevel(Level level) noexcept;
Level level() noexcept;
bool enabled(Level level) noexcept;
Level parseLevel(std::string_view name, Level fallback) noexcept;

void write(Level level, std::string_view msg, std::initializer_list<Field> fields = {}) noexcept;

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) noexcept {
  if (enabled(Level::Debug)) write(Level::Debug, m, f);
}
inline void info(std::string_view m, std::initializer_list<Field> f = {}) noexcept { write(Level::Info, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) noexcept { write(Level::Warn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) noexcept { write(Level::Error, m, f); }

//! JSON string escaping (used by the logger, exposed for tests and other JSON writers).
void appendJsonEscaped(std::string& out, std::string_view s);

}  // namespace warden::log
