// core/src/audit/file_index.cc
//! The per-file search index (search.h): DIR/index/<file>.idx, written once for a closed file
//! by writeFileIndex() (temp file + rename: a reader sees the old state or the whole new one)
//! and read by searches, which trust it only while the file still has the recorded size.
//!
//! Format (one JSON object; "values" members are sorted arrays or the string "any"):
//!   {"file":"audit-...jsonl","first_seq":1,"first_ts":"..","last_seq":9,"last_ts":"..",
//!    "max_ts":"..","min_ts":"..","records":9,"size":1234,"skipped":0,"version":1,
//!    "values":{"action":[..],"event":[..],"kind":[..],"session":[..],"target":[..],"user":[..]}}
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "file_index.h"
#include "warden/audit/chain.h"

namespace warden::audit {
namespace detail {
namespace {

using Json = nlohmann::json;

constexpr int kIndexVersion = 1;
constexpr size_t kMaxIndexBytes = 8u << 20;

// A set being collected; turns into "any" past kIndexMaxValues.
struct Collector {
  bool any = false;
  std::set<std::string> values;
  void add(const std::string& v) {
    if (any) return;
    values.insert(v);
    if (values.size() > kIndexMaxValues) {
      any = true;
      values.clear();
    }
  }
  Json toJson() const { return any ? Json("any") : Json(values); }
};

const std::string* stringAt(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

const std::string* stringAt(const Json& j, const char* outer, const char* key) {
  auto it = j.find(outer);
  return it != j.end() && it->is_object() ? stringAt(*it, key) : nullptr;
}

std::optional<ValueSet> valueSetOf(const Json& j) {
  ValueSet s;
  if (j.is_string() && j.get_ref<const std::string&>() == "any") {
    s.any = true;
    return s;
  }
  if (!j.is_array()) return std::nullopt;
  for (const auto& v : j) {
    if (!v.is_string()) return std::nullopt;
    s.values.push_back(v.get<std::string>());
  }
  std::sort(s.values.begin(), s.values.end());
  return s;
}

// Nesting depth of a JSON text within `max` (outside strings).
bool depthWithin(std::string_view s, int max) {
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
    else if ((c == '{' || c == '[') && ++depth > max) return false;
    else if (c == '}' || c == ']') --depth;
  }
  return true;
}

}  // namespace

bool ValueSet::mayContain(std::string_view v, bool glob) const {
  if (any) return true;
  if (glob && !v.empty() && v.back() == '*') {
    auto prefix = v.substr(0, v.size() - 1);
    auto it = std::lower_bound(values.begin(), values.end(), prefix,
                               [](const std::string& a, std::string_view b) { return a < b; });
    return it != values.end() && std::string_view(*it).substr(0, prefix.size()) == prefix;
  }
  return std::binary_search(values.begin(), values.end(), v,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

std::filesystem::path indexPath(const std::filesystem::path& dir, std::string_view file_name) {
  return dir / kIndexDirName / (std::string(file_name) + ".idx");
}

std::optional<FileIndex> readFileIndex(const std::filesystem::path& dir,
                                       std::string_view file_name) {
  std::ifstream in(indexPath(dir, file_name), std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(kMaxIndexBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxIndexBytes || !depthWithin(text, 8)) return std::nullopt;
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto num = [&](const char* key) -> std::optional<uint64_t> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) return std::nullopt;
    return it->get<uint64_t>();
  };
  auto ts = [&](const char* key) -> std::optional<Micros> {
    const std::string* s = stringAt(j, key);
    return s ? parseTsMicros(*s) : std::nullopt;
  };
  auto version = num("version");
  auto size = num("size");
  auto records = num("records");
  const std::string* file = stringAt(j, "file");
  auto values = j.find("values");
  if (version != uint64_t(kIndexVersion) || !size || !records || !file || *file != file_name ||
      values == j.end() || !values->is_object())
    return std::nullopt;
  FileIndex idx;
  idx.size = *size;
  idx.records = *records;
  idx.first_seq = num("first_seq");
  idx.last_seq = num("last_seq");
  idx.min_ts = ts("min_ts");
  idx.max_ts = ts("max_ts");
  struct Field {
    const char* name;
    ValueSet* set;
  };
  for (Field f : {Field{"user", &idx.user}, Field{"target", &idx.target},
                  Field{"action", &idx.action}, Field{"kind", &idx.kind},
                  Field{"event", &idx.event}, Field{"session", &idx.session}}) {
    auto it = values->find(f.name);
    if (it == values->end()) return std::nullopt;
    auto set = valueSetOf(*it);
    if (!set) return std::nullopt;
    *f.set = std::move(*set);
  }
  return idx;
}

}  // namespace detail

Result<void> writeFileIndex(const std::filesystem::path& dir, const std::string& file_name) {
  using detail::Collector;
  using detail::Json;
  auto path = dir / file_name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return makeError(fmt::format("{}: {}", path.string(), strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) return makeError(fmt::format("{}: {}", path.string(), strerror(errno)));
  const auto size = static_cast<uint64_t>(end);

  Collector user, target, action, kind, event, session;
  uint64_t records = 0, skipped = 0;
  std::optional<uint64_t> first_seq, last_seq;
  std::string first_ts, last_ts, min_ts, max_ts;
  std::optional<detail::Micros> min_us, max_us;
  auto take = [&](std::string_view line) {
    if (line.empty()) return;
    Json j = detail::depthWithin(line, 32) ? Json::parse(line, nullptr, false) : Json();
    if (!j.is_object()) {
      ++skipped;
      return;
    }
    ++records;
    if (auto it = j.find("seq"); it != j.end() && it->is_number_unsigned()) {
      if (!first_seq) first_seq = it->get<uint64_t>();
      last_seq = it->get<uint64_t>();
    }
    if (const std::string* ts = detail::stringAt(j, "ts")) {
      if (first_ts.empty()) first_ts = *ts;
      last_ts = *ts;
      if (auto us = detail::parseTsMicros(*ts)) {
        if (!min_us || *us < *min_us) min_us = *us, min_ts = *ts;
        if (!max_us || *us > *max_us) max_us = *us, max_ts = *ts;
      }
    }
    if (const auto* v = detail::stringAt(j, "identity", "user")) user.add(*v);
    if (const auto* v = detail::stringAt(j, "target")) target.add(*v);
    if (const auto* v = detail::stringAt(j, "decision", "action")) action.add(*v);
    if (const auto* v = detail::stringAt(j, "statement", "kind")) kind.add(*v);
    if (const auto* v = detail::stringAt(j, "event")) event.add(*v);
    if (const auto* v = detail::stringAt(j, "session")) session.add(*v);
  };

  // Forward read of [0, size): complete lines only (a partial last line is not a record yet).
  std::vector<char> buf(64 * 1024);
  std::string line;
  bool overlong = false;
  uint64_t pos = 0;
  while (pos < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - pos));
    ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(pos));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return makeError(fmt::format("{}: {}", path.string(), strerror(errno)));
    if (n == 0) break;  // shrank meanwhile
    pos += static_cast<uint64_t>(n);
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    while (!chunk.empty()) {
      auto nl = chunk.find('\n');
      auto part = chunk.substr(0, nl);
      if (!overlong) {
        if (line.size() + part.size() > kMaxLineBytes) {
          overlong = true;
          line.clear();
        } else {
          line.append(part);
        }
      }
      if (nl == std::string_view::npos) break;
      if (overlong) ++skipped;
      else take(line);
      line.clear();
      overlong = false;
      chunk.remove_prefix(nl + 1);
    }
  }

  Json j = {{"version", detail::kIndexVersion},
            {"file", file_name},
            {"size", size},
            {"records", records},
            {"skipped", skipped},
            {"values",
             {{"user", user.toJson()},
              {"target", target.toJson()},
              {"action", action.toJson()},
              {"kind", kind.toJson()},
              {"event", event.toJson()},
              {"session", session.toJson()}}}};
  if (first_seq) j["first_seq"] = *first_seq, j["last_seq"] = *last_seq;
  if (!first_ts.empty()) j["first_ts"] = first_ts, j["last_ts"] = last_ts;
  if (min_us) j["min_ts"] = min_ts, j["max_ts"] = max_ts;
  std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";

  std::error_code ec;
  auto idx_dir = dir / kIndexDirName;
  std::filesystem::create_directories(idx_dir, ec);
  if (ec) return makeError(fmt::format("{}: {}", idx_dir.string(), ec.message()));
  static std::atomic<unsigned> counter{0};
  auto final_path = detail::indexPath(dir, file_name);
  auto tmp = idx_dir / fmt::format(".{}.idx.tmp-{}-{}", file_name, ::getpid(), counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp, ec);
      return makeError(fmt::format("{}: write failed", tmp.string()));
    }
  }
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return makeError(fmt::format("{}: {}", final_path.string(), ec.message()));
  }
  return {};
}

}  // namespace warden::audit
