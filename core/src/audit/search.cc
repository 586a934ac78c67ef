// core/src/audit/search.cc
//! Audit search (search.h): files newest first, each read backwards in chunks, lines tested
//! with raw-byte prefilters before nlohmann parses them for the exact check.
#include "warden/audit/search.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "file_index.h"
#include "warden/audit/chain.h"
#include "warden/audit/record.h"

namespace warden::audit {
namespace {

using Json = nlohmann::json;
using detail::Micros;
using Deadline = std::optional<std::chrono::steady_clock::time_point>;

constexpr size_t kChunkBytes = 256 * 1024;
constexpr int kMaxDepth = 32;

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `s` as nlohmann dumps a string's contents (record.h), without the quotes.
std::string jsonEscape(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c <= 0x1f) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  return out;
}

// ASCII case-insensitive Boyer-Moore-Horspool.
class FoldSearcher {
 public:
  explicit FoldSearcher(std::string_view needle) {
    for (char c : needle) needle_.push_back(fold(c));
    skip_.fill(needle_.size());
    for (size_t k = 0; k + 1 < needle_.size(); ++k)
      skip_[static_cast<unsigned char>(needle_[k])] = needle_.size() - 1 - k;
  }
  bool foundIn(std::string_view h) const {
    const size_t n = needle_.size();
    if (n == 0) return true;
    if (h.size() < n) return false;
    for (size_t i = 0; i + n <= h.size();) {
      char last = fold(h[i + n - 1]);
      if (last == needle_[n - 1]) {
        size_t j = 0;
        while (j + 1 < n && fold(h[i + j]) == needle_[j]) ++j;
        if (j + 1 >= n) return true;
      }
      i += skip_[static_cast<unsigned char>(last)];
    }
    return false;
  }

 private:
  std::string needle_;
  std::array<size_t, 256> skip_{};
};

bool contains(std::string_view hay, std::string_view needle) {
  return memmem(hay.data(), hay.size(), needle.data(), needle.size()) != nullptr;
}

bool depthOk(std::string_view s) {
  int depth = 0;
  bool in_string = false, escape = false;
  for (char c : s) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if ((c == '{' || c == '[') && ++depth > kMaxDepth) return false;
    else if (c == '}' || c == ']') --depth;
  }
  return true;
}

const std::string* stringAt(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

const std::string* stringAt(const Json& j, const char* outer, const char* key) {
  auto it = j.find(outer);
  return it != j.end() && it->is_object() ? stringAt(*it, key) : nullptr;
}

bool isGlob(const std::optional<std::string>& kind) {
  return kind && !kind->empty() && kind->back() == '*';
}

// The compiled query: prefilter needles, time bounds in microseconds, the exact check.
class Matcher {
 public:
  explicit Matcher(const SearchQuery& q) : q_(q) {
    auto add = [&](const char* key, const std::optional<std::string>& v) {
      if (v) needles_.push_back(fmt::format("\"{}\":\"{}\"", key, jsonEscape(*v)));
    };
    add("user", q.user);
    add("target", q.target);
    add("action", q.action);
    add("event", q.event);
    add("session", q.session);
    if (isGlob(q.kind)) {
      needles_.push_back(
          fmt::format("\"kind\":\"{}", jsonEscape(std::string_view(*q.kind).substr(0, q.kind->size() - 1))));
    } else {
      add("kind", q.kind);
    }
    if (q.text) {
      text_raw_.emplace(jsonEscape(*q.text));
      text_.emplace(*q.text);
    }
    if (q.since) since_ = detail::toMicros(*q.since);
    if (q.until) until_ = detail::toMicros(*q.until);
  }

  bool timeFiltered() const { return since_ || until_; }
  bool inTime(Micros t) const { return (!since_ || t >= *since_) && (!until_ || t < *until_); }
  // No record with a ts in [lo, hi) can match.
  bool timeExcludes(std::optional<Micros> lo, std::optional<Micros> hi) const {
    return (until_ && lo && *lo >= *until_) || (since_ && hi && *hi <= *since_);
  }

  //! Cheap test on the raw line: false means the record cannot match.
  bool prefilter(std::string_view line) const {
    for (const auto& n : needles_)
      if (!contains(line, n)) return false;
    if (text_raw_ && !text_raw_->foundIn(line)) return false;
    if (timeFiltered()) {
      // In canonical form "ts" is the last top-level member: ...,"ts":"<27 bytes>"}
      static constexpr std::string_view kTs = "\"ts\":\"";
      auto at = line.rfind(kTs);
      if (at == std::string_view::npos) return false;
      auto rest = line.substr(at + kTs.size());
      auto close = rest.find('"');
      if (close == std::string_view::npos) return false;
      auto us = detail::parseTsMicros(rest.substr(0, close));
      if (us && !inTime(*us)) return false;  // unparseable here: the exact check decides
    }
    return true;
  }

  bool exact(const Json& j) const {
    auto eq = [](const std::string* have, const std::optional<std::string>& want) {
      return !want || (have && *have == *want);
    };
    if (!eq(stringAt(j, "identity", "user"), q_.user) || !eq(stringAt(j, "target"), q_.target) ||
        !eq(stringAt(j, "decision", "action"), q_.action) || !eq(stringAt(j, "event"), q_.event) ||
        !eq(stringAt(j, "session"), q_.session))
      return false;
    if (q_.kind) {
      const std::string* k = stringAt(j, "statement", "kind");
      if (!k) return false;
      if (isGlob(q_.kind)) {
        std::string_view prefix(*q_.kind);
        prefix.remove_suffix(1);
        if (std::string_view(*k).substr(0, prefix.size()) != prefix) return false;
      } else if (*k != *q_.kind) {
        return false;
      }
    }
    if (text_) {
      const std::string* t = stringAt(j, "statement", "text");
      if (!t || !text_->foundIn(*t)) return false;
    }
    if (timeFiltered()) {
      const std::string* ts = stringAt(j, "ts");
      auto us = ts ? detail::parseTsMicros(*ts) : std::nullopt;
      if (!us || !inTime(*us)) return false;
    }
    return true;
  }

  //! False when the index proves no record of the file can match.
  bool indexAdmits(const detail::FileIndex& idx) const {
    auto ok = [](const detail::ValueSet& s, const std::optional<std::string>& v, bool glob) {
      return !v || s.mayContain(*v, glob);
    };
    return ok(idx.user, q_.user, false) && ok(idx.target, q_.target, false) &&
           ok(idx.action, q_.action, false) && ok(idx.kind, q_.kind, true) &&
           ok(idx.event, q_.event, false) && ok(idx.session, q_.session, false);
  }

 private:
  const SearchQuery& q_;
  std::vector<std::string> needles_;
  std::optional<FoldSearcher> text_raw_, text_;
  std::optional<Micros> since_, until_;
};

enum class Walk { Done, Stopped, TimedOut, Error };

struct FileCloser {
  int fd;
  ~FileCloser() {
    if (fd >= 0) ::close(fd);
  }
};

bool readAt(int fd, char* buf, size_t n, uint64_t pos) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(pos));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r, n -= static_cast<size_t>(r), pos += static_cast<uint64_t>(r);
  }
  return true;
}

// Hands the complete lines of fd's first `size` bytes to `fn`, last line first. The segment
// after the last "\n" is a partial line (counted, not handed over). Memory: one chunk plus the
// line being assembled across chunks (dropped past kMaxLineBytes: counted as skipped).
template <typename Fn>
Walk walkBackwards(int fd, uint64_t size, SearchStats& st, const Deadline& deadline, Fn&& fn) {
  std::string buf(static_cast<size_t>(std::min<uint64_t>(kChunkBytes, size)), '\0');
  std::string tail;  // the end of the line being assembled (its start is in an earlier chunk)
  bool overlong = false, after_last_newline = true;
  // The segment `head` + tail ended: a line (or the partial one after the last "\n").
  auto finish = [&](std::string_view head) -> bool {
    bool partial = after_last_newline;
    after_last_newline = false;
    if (head.size() + tail.size() > kMaxLineBytes) overlong = true;
    bool empty = head.empty() && tail.empty() && !overlong;
    bool go_on = true;
    if (partial) {
      if (!empty) ++st.partial;
    } else if (overlong) {
      ++st.lines, ++st.skipped;
    } else if (!empty) {
      ++st.lines;
      if (tail.empty()) {
        go_on = fn(head);
      } else {
        tail.insert(0, head);
        go_on = fn(std::string_view(tail));
      }
    }
    tail.clear();
    overlong = false;
    return go_on;
  };
  uint64_t pos = size;
  while (pos > 0) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), pos));
    pos -= n;
    if (!readAt(fd, buf.data(), n, pos)) return Walk::Error;
    const char* b = buf.data();
    size_t end = n;
    while (const void* nl = memrchr(b, '\n', end)) {
      size_t i = static_cast<size_t>(static_cast<const char*>(nl) - b);
      if (!finish(std::string_view(b + i + 1, end - i - 1))) return Walk::Stopped;
      end = i;
    }
    if (!overlong) {
      if (tail.size() + end > kMaxLineBytes) {
        overlong = true;
        tail.clear();
        tail.shrink_to_fit();
      } else {
        tail.insert(0, b, end);
      }
    }
    if (deadline && std::chrono::steady_clock::now() > *deadline) return Walk::TimedOut;
  }
  return finish({}) ? Walk::Done : Walk::Stopped;
}

}  // namespace

bool recordMatches(std::string_view line, const SearchQuery& q) {
  Matcher m(q);
  if (!m.prefilter(line) || !depthOk(line)) return false;
  Json j = Json::parse(line, nullptr, false);
  return j.is_object() && m.exact(j);
}

Result<SearchStats> searchDir(const std::filesystem::path& dir, const SearchQuery& q,
                              const MatchFn& on_match, Deadline deadline) {
  SearchStats st;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return makeError(fmt::format("{}: not a directory", dir.string()));
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    std::error_code fec;
    if (isAuditFileName(name) && e.is_regular_file(fec)) names.push_back(name);
  }
  if (ec) return makeError(fmt::format("{}: {}", dir.string(), ec.message()));
  std::sort(names.begin(), names.end());
  st.files = names.size();

  Matcher m(q);
  const Micros slack = std::chrono::duration_cast<std::chrono::microseconds>(kNameTimeSlack).count();
  for (size_t k = names.size(); k-- > 0;) {
    if (deadline && std::chrono::steady_clock::now() > *deadline) {
      st.timed_out = true;
      break;
    }
    const std::string& name = names[k];
    // Name bounds: opened at its name's second, closed when the next file was opened.
    if (m.timeFiltered()) {
      std::optional<Micros> lo, hi;
      if (auto t = fileNameTime(name)) lo = detail::toMicros(*t) - slack;
      if (k + 1 < names.size())
        if (auto t = fileNameTime(names[k + 1])) hi = detail::toMicros(*t) + 1000000 + slack;
      if (m.timeExcludes(lo, hi)) {
        ++st.files_skipped_time;
        continue;
      }
    }
    int fd = ::open((dir / name).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // removed meanwhile (retention): nothing to search
    FileCloser closer{fd};
    off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < 0) continue;
    const auto size = static_cast<uint64_t>(end);
    if (auto idx = detail::readFileIndex(dir, name)) {
      if (idx->size != size) {
        ++st.indexes_stale;
      } else {
        ++st.indexes_used;
        if (!m.indexAdmits(*idx)) {
          ++st.files_skipped_index;
          continue;
        }
        if (m.timeFiltered() &&
            (!idx->min_ts || !idx->max_ts || m.timeExcludes(idx->min_ts, *idx->max_ts + 1))) {
          ++st.files_skipped_time;
          continue;
        }
      }
    }
    ++st.files_scanned;
    auto walk = walkBackwards(fd, size, st, deadline, [&](std::string_view line) {
      if (!m.prefilter(line)) return true;
      ++st.parsed;
      if (!depthOk(line)) {
        ++st.skipped;
        return true;
      }
      Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object()) {
        ++st.skipped;
        return true;
      }
      if (!m.exact(j)) return true;
      ++st.matched;
      return on_match(line);
    });
    if (walk == Walk::Stopped) break;
    if (walk == Walk::TimedOut) {
      st.timed_out = true;
      break;
    }
    // Walk::Error: the file shrank or could not be read; what was read is reported.
  }
  return st;
}

Result<SearchResult> search(const std::filesystem::path& dir, const SearchQuery& q,
                            Deadline deadline) {
  SearchResult out;
  auto st = searchDir(
      dir, q,
      [&](std::string_view line) {
        if (q.limit != 0 && out.records.size() == q.limit) {
          out.truncated = true;  // one more than asked for: there is more
          return false;
        }
        out.records.emplace_back(line);
        return true;
      },
      deadline);
  if (!st) return st.error();
  out.stats = *st;
  if (out.truncated) --out.stats.matched;
  if (out.stats.timed_out) out.truncated = true;
  return out;
}

}  // namespace warden::audit
