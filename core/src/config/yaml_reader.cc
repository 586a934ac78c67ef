// core/src/config/yaml_reader.cc
#include "yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "values.h"

namespace warden::config::detail {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const char* shapeName(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "a scalar";
    default:
      return "nothing";
  }
}

std::string where(std::string_view path) {
  return path.empty() ? std::string("at top level") : "in " + std::string(path);
}

}  // namespace

std::string didYouMean(const std::string& hint) {
  return hint.empty() ? std::string() : " (did you mean '" + hint + "'?)";
}

std::optional<std::string> readFile(const std::string& path, std::string* why) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    *why = "is a directory";
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *why = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    *why = "read error";
    return std::nullopt;
  }
  return buf.str();
}


Mark Reader::mark(const YAML::Node& node, const Mark& fallback) const {
  if (!node.IsDefined()) return fallback;
  YAML::Mark m = node.Mark();
  if (m.is_null()) return fallback;
  return markAt(m.line, m.column);
}

void Reader::error(const Mark& at, std::string message) {
  errors_->push_back(ConfigError{at, std::move(message)});
}

std::string Reader::resolvePath(const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (base_dir_ / p).lexically_normal().string();
}

std::string joinPath(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out(parent);
  out += '.';
  out += key;
  return out;
}

std::string indexPath(std::string_view parent, size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

MapView::MapView(Reader& reader, const YAML::Node& node, std::string path, const Mark& fallback,
                 std::initializer_list<std::string_view> allowed)
    : reader_(&reader), path_(std::move(path)), mark_(reader.mark(node, fallback)) {
  if (!node.IsDefined() || node.IsNull()) {
    mark_ = fallback;
    valid_ = true;
    return;
  }
  if (!node.IsMap()) {
    reader.error(mark_, (path_.empty() ? std::string("config") : path_) +
                            ": expected a mapping, got " + shapeName(node));
    return;
  }
  valid_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    // Copies, not references: yaml-cpp's iterator hands out temporaries (operator-> is a proxy).
    const YAML::Node key = it->first;
    Mark key_mark = reader.mark(key, mark_);
    if (!key.IsScalar()) {
      reader.error(key_mark, "keys must be plain strings " + where(path_));
      continue;
    }
    const std::string& name = key.Scalar();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      reader.error(key_mark, "unknown key '" + name + "' " + where(path_) +
                                 didYouMean(suggest(name, allowed)));
      continue;
    }
    if (const Field* first = get(name)) {
      reader.error(key_mark, "duplicate key '" + name + "' " + where(path_) + " (first at line " +
                                 std::to_string(first->key_mark.line) + ")");
      continue;
    }
    const YAML::Node value = it->second;
    Mark value_mark = value.IsNull() ? key_mark : reader.mark(value, key_mark);
    fields_.emplace_back(key, value, joinPath(path_, name), key_mark, value_mark);
  }
}

const Field* MapView::get(std::string_view key) const {
  for (const auto& f : fields_) {
    if (f.key.Scalar() == key) return &f;
  }
  return nullptr;
}

const Field* MapView::require(std::string_view key) const {
  const Field* f = get(key);
  if (f == nullptr && valid_) {
    reader_->error(mark_, (path_.empty() ? std::string("config") : path_) +
                              ": missing required key '" + std::string(key) + "'");
  }
  return f;
}

std::vector<Field> readSequence(Reader& r, const Field& f) {
  std::vector<Field> items;
  if (f.value.IsNull()) return items;
  if (!f.value.IsSequence()) {
    r.error(f.value_mark, f.path + ": expected a list, got " + shapeName(f.value));
    return items;
  }
  size_t i = 0;
  for (auto it = f.value.begin(); it != f.value.end(); ++it, ++i) {
    const YAML::Node value = *it;
    items.emplace_back(f.key, value, indexPath(f.path, i), f.value_mark,
                       value.IsNull() ? f.value_mark : r.mark(value, f.value_mark));
  }
  return items;
}

std::optional<std::string> readString(Reader& r, const Field& f, bool allow_empty) {
  if (!f.value.IsScalar()) {
    r.error(f.value_mark, f.path + ": expected a string, got " + shapeName(f.value));
    return std::nullopt;
  }
  if (!allow_empty && f.value.Scalar().empty()) {
    r.error(f.value_mark, f.path + ": must not be empty");
    return std::nullopt;
  }
  return f.value.Scalar();
}

std::optional<bool> readBool(Reader& r, const Field& f) {
  if (f.value.IsScalar()) {
    std::string v = lower(f.value.Scalar());
    if (v == "true" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "no" || v == "off") return false;
  }
  r.error(f.value_mark, f.path + ": expected true or false");
  return std::nullopt;
}

std::optional<int64_t> readInt(Reader& r, const Field& f, int64_t min, int64_t max,
                               std::string_view expected) {
  if (f.value.IsScalar()) {
    const std::string& s = f.value.Scalar();
    bool negative = !s.empty() && s[0] == '-';
    std::string_view digits = std::string_view(s).substr(negative ? 1 : 0);
    bool ok =
        !digits.empty() && digits.size() <= 18 &&
        std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (ok) {
      int64_t v = std::strtoll(s.c_str(), nullptr, 10);
      if (v >= min && v <= max) return v;
    }
  }
  r.error(f.value_mark, f.path + ": expected " + std::string(expected));
  return std::nullopt;
}

std::optional<uint16_t> readPort(Reader& r, const Field& f) {
  auto v = readInt(r, f, 1, 65535, "a port number 1..65535");
  if (!v) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

std::optional<std::chrono::milliseconds> readDuration(Reader& r, const Field& f, bool allow_zero) {
  std::optional<std::chrono::milliseconds> d;
  if (f.value.IsScalar()) d = parseDuration(f.value.Scalar());
  if (!d) {
    r.error(f.value_mark,
            f.path + ": expected a duration such as 500ms, 60s, 15m, 2h or integer seconds");
    return std::nullopt;
  }
  if (!allow_zero && d->count() == 0) {
    r.error(f.value_mark, f.path + ": must be greater than zero");
    return std::nullopt;
  }
  return d;
}

std::optional<std::vector<std::string>> readStringList(Reader& r, const Field& f) {
  if (!f.value.IsNull() && !f.value.IsSequence()) {
    r.error(f.value_mark, f.path + ": expected a list, got " + shapeName(f.value));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const Field& item : readSequence(r, f)) {
    auto s = readString(r, item, false);
    if (s) {
      out.push_back(*s);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> readPath(Reader& r, const Field& f, bool must_read) {
  auto s = readString(r, f, false);
  if (!s) return std::nullopt;
  std::string path = r.resolvePath(*s);
  if (must_read) {
    std::string why;
    if (!readFile(path, &why)) {
      r.error(f.value_mark, f.path + ": cannot read '" + path + "': " + why);
      return std::nullopt;
    }
  }
  return path;
}

std::optional<std::string> readSecret(Reader& r, const MapView& m, std::string_view literal_key,
                                      std::string_view env_key, std::string_view file_key,
                                      bool* failed) {
  *failed = false;
  const Field* literal = m.get(literal_key);
  const Field* env = m.get(env_key);
  const Field* file = m.get(file_key);
  int given = (literal ? 1 : 0) + (env ? 1 : 0) + (file ? 1 : 0);
  if (given == 0) return std::nullopt;
  if (given > 1) {
    // Report at the later of the keys, so the message points at the extra one.
    const Field* extra = literal;
    for (const Field* f : {env, file}) {
      if (f && (!extra || f->key_mark.line > extra->key_mark.line ||
                (f->key_mark.line == extra->key_mark.line &&
                 f->key_mark.column > extra->key_mark.column))) {
        extra = f;
      }
    }
    r.error(extra->key_mark, m.path() + ": give only one of '" + std::string(literal_key) + "', '" +
                                 std::string(env_key) + "', '" + std::string(file_key) + "'");
    *failed = true;
    return std::nullopt;
  }
  if (literal) {
    auto v = readString(r, *literal);
    *failed = !v;
    return v;
  }
  if (env) {
    auto name = readString(r, *env, false);
    if (!name) {
      *failed = true;
      return std::nullopt;
    }
    const char* value = std::getenv(name->c_str());
    if (value == nullptr) {
      r.error(env->value_mark, env->path + ": environment variable '" + *name + "' is not set");
      *failed = true;
      return std::nullopt;
    }
    return std::string(value);
  }
  auto path = readPath(r, *file, false);
  if (!path) {
    *failed = true;
    return std::nullopt;
  }
  std::string why;
  auto content = readFile(*path, &why);
  if (!content) {
    r.error(file->value_mark, file->path + ": cannot read '" + *path + "': " + why);
    *failed = true;
    return std::nullopt;
  }
  // Files written by `echo` or editors end with a newline that is not part of the secret.
  if (!content->empty() && content->back() == '\n') content->pop_back();
  if (!content->empty() && content->back() == '\r') content->pop_back();
  return content;
}

namespace {
template <typename Range>
std::string closest(std::string_view word, const Range& candidates) {
  // Distance <= 2, and less than the word itself (no "did you mean 'tls'?" for "ab").
  std::string best;
  size_t best_distance = std::min<size_t>(3, word.size());
  for (const auto& c : candidates) {
    size_t d = editDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}
}  // namespace

std::string suggest(std::string_view word, std::initializer_list<std::string_view> candidates) {
  return closest(word, candidates);
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
  return closest(word, candidates);
}

std::string enumChoices(const std::vector<std::string_view>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace warden::config::detail
