// core/src/config/yaml_reader.h
//! Internal to the config loader: typed, position-aware access to a yaml-cpp tree. Every reader
//! reports problems into one error list (with 1-based FILE:LINE:COL marks) and returns nullopt
//! instead of throwing, so one pass over the file collects all errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "warden/config/config.h"

namespace warden::config::detail {

//! Collects errors and knows where the config file lives (for relative paths).
class Reader {
 public:
  Reader(std::string file, std::filesystem::path base_dir, std::vector<ConfigError>* errors)
      : file_(std::move(file)), base_dir_(std::move(base_dir)), errors_(errors) {}

  //! 1-based mark of `node`; `fallback` when the node has none (absent or synthesized nodes).
  Mark mark(const YAML::Node& node, const Mark& fallback = {}) const;
  Mark markAt(int line0, int column0) const { return Mark{file_, line0 + 1, column0 + 1}; }
  void error(const Mark& at, std::string message);
  size_t errorCount() const { return errors_->size(); }
  const std::string& file() const { return file_; }
  //! Relative paths are resolved against the directory of the config file.
  std::string resolvePath(const std::string& path) const;

 private:
  std::string file_;
  std::filesystem::path base_dir_;
  std::vector<ConfigError>* errors_;
};

//! One `key: value` pair of a mapping, with the dotted path used in messages.
//! Not assignable on purpose: YAML::Node::operator= on a bound node rewrites the shared tree.
struct Field {
  Field(YAML::Node k, YAML::Node v, std::string p, Mark km, Mark vm)
      : key(std::move(k)),
        value(std::move(v)),
        path(std::move(p)),
        key_mark(std::move(km)),
        value_mark(std::move(vm)) {}
  Field(const Field&) = default;
  Field(Field&&) = default;
  Field& operator=(const Field&) = delete;
  Field& operator=(Field&&) = delete;

  YAML::Node key;
  YAML::Node value;
  std::string path;  // "targets[0].backend.port"
  Mark key_mark;
  Mark value_mark;  // the key's mark when the value is null (yaml-cpp puts it on the next token)
};

//! A checked mapping: unknown and duplicate keys are reported on construction. A null node is
//! an empty mapping (`backend:` with nothing under it); any other non-map is a type error.
class MapView {
 public:
  MapView(Reader& reader, const YAML::Node& node, std::string path, const Mark& fallback,
          std::initializer_list<std::string_view> allowed);

  bool valid() const { return valid_; }
  const Field* get(std::string_view key) const;
  bool has(std::string_view key) const { return get(key) != nullptr; }
  //! Reports "PATH: missing required key 'KEY'" at the mapping's mark when absent.
  const Field* require(std::string_view key) const;
  const std::string& path() const { return path_; }
  const Mark& mark() const { return mark_; }
  Reader& reader() const { return *reader_; }

 private:
  Reader* reader_;
  std::string path_;
  Mark mark_;
  bool valid_ = false;
  std::vector<Field> fields_;
};

//! "a.b" + "c" (top-level parent is the empty string).
std::string joinPath(std::string_view parent, std::string_view key);
std::string indexPath(std::string_view parent, size_t index);

//! A sequence's items with their paths ("rules[2]"). Null is an empty list; a scalar or a map
//! where a list is expected is an error ("PATH: expected a list").
std::vector<Field> readSequence(Reader& r, const Field& f);

//! Scalar readers: nullopt (and one reported error) when the value has the wrong shape.
std::optional<std::string> readString(Reader& r, const Field& f, bool allow_empty = true);
std::optional<bool> readBool(Reader& r, const Field& f);
std::optional<int64_t> readInt(Reader& r, const Field& f, int64_t min, int64_t max,
                               std::string_view expected);
std::optional<uint16_t> readPort(Reader& r, const Field& f);
std::optional<std::chrono::milliseconds> readDuration(Reader& r, const Field& f, bool allow_zero);
std::optional<std::vector<std::string>> readStringList(Reader& r, const Field& f);
//! A path, resolved against the config directory; with `must_read`, the file must be readable.
std::optional<std::string> readPath(Reader& r, const Field& f, bool must_read);

//! Reads one of `choices` ("disable|prefer|..."); reports the allowed set otherwise.
template <typename E>
std::optional<E> readEnum(Reader& r, const Field& f,
                          std::initializer_list<std::pair<std::string_view, E>> choices);

//! `password` / `password_env` / `password_file` style secret: at most one of the three keys.
//! Returns the resolved value (nullopt when none given or on error; `*failed` tells which).
std::optional<std::string> readSecret(Reader& r, const MapView& m, std::string_view literal_key,
                                      std::string_view env_key, std::string_view file_key,
                                      bool* failed);

//! Closest candidate at edit distance <= 2, or empty.
std::string suggest(std::string_view word, std::initializer_list<std::string_view> candidates);
std::string suggest(std::string_view word, const std::vector<std::string>& candidates);

// ---- template implementation

std::string enumChoices(const std::vector<std::string_view>& names);

template <typename E>
std::optional<E> readEnum(Reader& r, const Field& f,
                          std::initializer_list<std::pair<std::string_view, E>> choices) {
  auto text = readString(r, f);
  if (!text) return std::nullopt;
  std::vector<std::string_view> names;
  for (const auto& [name, value] : choices) {
    if (*text == name) return value;
    names.push_back(name);
  }
  std::vector<std::string> candidates(names.begin(), names.end());
  std::string hint = suggest(*text, candidates);
  r.error(f.value_mark, f.path + ": expected one of " + enumChoices(names) + ", got '" + *text +
                            "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  return std::nullopt;
}

//! " (did you mean 'hint'?)", or empty when there is no hint.
std::string didYouMean(const std::string& hint);
//! Reads a whole small file; nullopt and `why` on failure (also for a directory).
std::optional<std::string> readFile(const std::string& path, std::string* why);

}  // namespace warden::config::detail
