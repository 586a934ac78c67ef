// core/include/warden/audit/search.h
//! Searching an audit dir (SPEC.md `warden audit search`, `GET /api/v1/audit`): filtered records,
//! newest first, streamed with bounded memory, plus the per-file index that lets a search skip
//! closed files.
//!
//! Order: files newest first (by name, which is write order), each read from its end backwards
//! in fixed chunks, so "newest first" means write order reversed, not a sort on `ts`. Memory:
//! one read buffer, one line (at most kMaxLineBytes) and whatever the caller keeps per match.
//!
//! Matching: every filter set must match (AND). Exact, case-sensitive comparisons except `text`
//! (ASCII case-insensitive substring of statement.text) and a `kind` ending in `*` (a prefix:
//! `drop_*`). Time is half-open: since <= ts < until. A line is first tested with substring
//! prefilters on its raw bytes (records are canonical JSON, record.h, so `"user":"alice"` with
//! the value escaped as nlohmann dumps it must occur in a line whose identity.user is alice);
//! only lines that pass are parsed with nlohmann for the exact check. Lines that are parsed and
//! are not a JSON object count as `skipped`; a file's last line without "\n" (being written, or
//! cut) is ignored and counted as `partial`.
//!
//! Skipping files by time: a file's name gives the second it was opened, the next file's name
//! bounds its end. Record timestamps are taken before the writer sees a record, so both bounds
//! are widened by kNameTimeSlack. An index (below) gives exact min/max timestamps instead.
//!
//! Index: DIR/index/<file name>.idx, a small JSON object per CLOSED file (writeFileIndex(),
//! called by the writer after it rotates away from a file): the file's size, record count,
//! first/last seq, first/last and min/max ts, and the distinct values of identity.user, target,
//! decision.action, statement.kind, event and session (each capped at kIndexMaxValues, beyond
//! which the set is "any"). A search uses an index only when its size equals the file's current
//! size (anything else: stale, the file is scanned) and skips the file when a filter value is
//! not in the set. Search never writes.
//!
//! Threading: pure functions over the files named; safe on any thread (the admin API runs
//! searches on the libuv thread pool).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "warden/base/result.h"

namespace warden::audit {

using TimePoint = std::chrono::system_clock::time_point;

inline constexpr const char* kIndexDirName = "index";
inline constexpr size_t kIndexMaxValues = 256;
inline constexpr std::chrono::seconds kNameTimeSlack{300};

struct SearchQuery {
  std::optional<std::string> user;     //!< identity.user
  std::optional<std::string> target;   //!< target
  std::optional<std::string> action;   //!< decision.action
  std::optional<std::string> kind;     //!< statement.kind; trailing '*' = prefix
  std::optional<std::string> event;    //!< event
  std::optional<std::string> session;  //!< session
  std::optional<std::string> text;     //!< case-insensitive substring of statement.text
  std::optional<TimePoint> since;      //!< ts >= since
  std::optional<TimePoint> until;      //!< ts < until
  size_t limit = 0;                    //!< 0: no limit
};

struct SearchStats {
  uint64_t files = 0;                //!< audit files in the dir
  uint64_t files_scanned = 0;        //!< read (fully, or until the limit was reached)
  uint64_t files_skipped_time = 0;   //!< outside since/until (name bounds or index)
  uint64_t files_skipped_index = 0;  //!< an index says no record can match
  uint64_t indexes_used = 0;         //!< fresh indexes read
  uint64_t indexes_stale = 0;        //!< indexes present but not matching the file (ignored)
  uint64_t lines = 0;                //!< complete lines looked at
  uint64_t parsed = 0;               //!< lines that passed the prefilters and were parsed
  uint64_t matched = 0;              //!< records handed to the caller
  uint64_t skipped = 0;              //!< parsed lines that are not a JSON object (or overlong)
  uint64_t partial = 0;              //!< incomplete last lines ignored
  bool timed_out = false;            //!< the deadline passed before the search finished
};

//! Called per matching record, newest first, with the raw line (no "\n"); return false to stop.
using MatchFn = std::function<bool(std::string_view line)>;

//! Streams the matches of `q` in `dir` to `on_match` (q.limit is ignored here: stop by returning
//! false). Fails only when `dir` cannot be listed. `deadline`: stop (stats.timed_out) once past.
Result<SearchStats> searchDir(const std::filesystem::path& dir, const SearchQuery& q,
                              const MatchFn& on_match,
                              std::optional<std::chrono::steady_clock::time_point> deadline = {});

struct SearchResult {
  std::vector<std::string> records;  //!< raw lines, newest first, at most q.limit
  bool truncated = false;            //!< more matches exist beyond the limit (or timed out)
  SearchStats stats;
};

//! Collects up to q.limit matches (all when 0: mind the memory).
Result<SearchResult> search(const std::filesystem::path& dir, const SearchQuery& q,
                            std::optional<std::chrono::steady_clock::time_point> deadline = {});

//! True when the record (a parsed line) matches every filter of `q`. `record_json` is the line.
bool recordMatches(std::string_view record_json, const SearchQuery& q);

//! Builds DIR/index/<file_name>.idx for DIR/<file_name> (temp file + rename). Call it for a
//! file that is no longer written; a file that grows later just makes the index stale.
Result<void> writeFileIndex(const std::filesystem::path& dir, const std::string& file_name);

//! RFC 3339 date-time ("2024-05-01T12:34:56Z", fraction up to 9 digits, 'Z' or ±hh:mm), or a
//! date alone ("2024-05-01", midnight UTC). Error message says what is wrong.
Result<TimePoint> parseRfc3339(std::string_view s);
//! The start time a file name carries ("audit-20240501T123456Z-000001.jsonl"), or nullopt.
std::optional<TimePoint> fileNameTime(std::string_view name);

}  // namespace warden::audit
