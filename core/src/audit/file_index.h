// core/src/audit/file_index.h
//! Internals shared by search.cc and file_index.cc (search.h): timestamps as microseconds and
//! the in-memory form of a DIR/index/<file>.idx sidecar.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "warden/audit/search.h"

namespace warden::audit::detail {

//! Microseconds since the Unix epoch (UTC).
using Micros = int64_t;

Micros toMicros(TimePoint t);
//! An RFC 3339 date-time as written in records; the canonical 27-byte form takes a fast path.
std::optional<Micros> parseTsMicros(std::string_view s);

//! The distinct values of one field in a file, or "any" (more than kIndexMaxValues).
struct ValueSet {
  bool any = false;
  std::vector<std::string> values;  //!< sorted

  //! False only when no value can match `v` (a trailing '*' in `v` when `glob`: a prefix).
  bool mayContain(std::string_view v, bool glob = false) const;
};

struct FileIndex {
  uint64_t size = 0;     //!< the file's size when indexed
  uint64_t records = 0;  //!< JSON object lines
  std::optional<uint64_t> first_seq, last_seq;
  std::optional<Micros> min_ts, max_ts;  //!< over the records whose ts parses
  ValueSet user, target, action, kind, event, session;
};

//! DIR/index/<name>.idx
std::filesystem::path indexPath(const std::filesystem::path& dir, std::string_view file_name);
//! The index for `file_name`, or nullopt when there is none or it does not parse.
std::optional<FileIndex> readFileIndex(const std::filesystem::path& dir,
                                       std::string_view file_name);

}  // namespace warden::audit::detail
