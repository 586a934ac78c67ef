// core/src/config/values.h
//! Internal to the config loader: pure parsers for the small value syntaxes of the config file
//! (durations, listen addresses) and the edit distance behind "did you mean" hints.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden::config::detail {

//! "500ms", "60s", "15m", "2h", sequences of them ("1m30s"), or a bare integer (seconds).
//! Nullopt when malformed or larger than ~10 years.
std::optional<std::chrono::milliseconds> parseDuration(std::string_view text);

struct ListenAddress {
  std::string host;  // without brackets: "127.0.0.1", "::1", "localhost"
  uint16_t port = 0;
};

//! "host:port" or "[v6]:port", port 1..65535. On failure returns nullopt and sets `why`.
std::optional<ListenAddress> parseListen(std::string_view text, std::string* why);

//! True when two listen addresses would compete for the same socket: same port and the same
//! host, or a wildcard (0.0.0.0 / ::) on one side.
bool listenConflicts(const ListenAddress& a, const ListenAddress& b);

//! Levenshtein distance (small strings only; used for key suggestions).
size_t editDistance(std::string_view a, std::string_view b);

}  // namespace warden::config::detail
