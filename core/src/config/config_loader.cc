// core/src/config/config_loader.cc
//! loadConfig / loadConfigFromString: parse with yaml-cpp, then walk the tree once with the
//! section readers, collecting every error. Nothing throws out of here (STYLE.md rule 6).
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "sections.h"
#include "warden/config/config.h"
#include "yaml_reader.h"

namespace warden::config {
namespace {

using detail::MapView;
using detail::Reader;

//! Errors come out in section order; users read files top to bottom.
void sortByPosition(std::vector<ConfigError>& errors, size_t first) {
  std::stable_sort(errors.begin() + static_cast<std::ptrdiff_t>(first), errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::pair(a.mark.line, a.mark.column) <
                            std::pair(b.mark.line, b.mark.column);
                   });
}

Error summarize(std::vector<ConfigError>& errors, size_t first) {
  sortByPosition(errors, first);
  size_t count = errors.size() - first;
  std::string text = errors[first].format();
  if (count > 1) text += " (and " + std::to_string(count - 1) + " more errors)";
  return makeError(std::move(text));
}

//! Counts node events of one document (to detect a second document without LoadAll, which
//! loops forever on some inputs in yaml-cpp 0.7, e.g. ",").
class DocumentProbe : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { note(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override {
    note(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    note(m);
  }
  void OnMapEnd() override {}
  bool sawNode() const { return saw_; }
  YAML::Mark first() const { return first_; }

 private:
  void note(const YAML::Mark& m) {
    if (!saw_) first_ = m;
    saw_ = true;
  }
  bool saw_ = false;
  YAML::Mark first_;
};

//! Parses the first document; a second one is an error. Nullopt after reporting an error.
std::optional<YAML::Node> parseYaml(Reader& r, const std::string& text) {
  try {
    {
      // At most two documents are ever looked at: bounded whatever the input.
      std::istringstream in(text);
      YAML::Parser parser(in);
      DocumentProbe first, second;
      if (parser.HandleNextDocument(first) && parser.HandleNextDocument(second) &&
          second.sawNode()) {
        r.error(r.markAt(second.first().line, second.first().column),
                "only one YAML document is allowed in a config file");
        return std::nullopt;
      }
    }
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Mark at = e.mark.is_null() ? Mark{r.file(), 0, 0} : r.markAt(e.mark.line, e.mark.column);
    r.error(at, "YAML syntax error: " + e.msg);
    return std::nullopt;
  }
}

Config buildConfig(Reader& r, const YAML::Node& root_node) {
  Config cfg;
  Mark start{r.file(), 1, 1};
  if (root_node.IsNull()) {
    r.error(start, "the config is empty (expected a mapping with at least 'targets')");
    return cfg;
  }
  MapView root(
      r, root_node, "", start,
      {"workers", "plugin_dir", "log_level", "admin", "tls", "identity", "targets",
       "default_action", "rules", "masking", "detectors", "audit", "approvals", "state", "limits"});
  if (!root.valid()) return cfg;
  // Order matters: targets look at tls and admin.listen, rules look at target names.
  detail::readServerSections(r, root, cfg);
  detail::readIdentitySection(r, root, cfg.identity);
  detail::readTargetsSection(r, root, cfg);
  detail::readPolicySections(r, root, cfg);
  return cfg;
}

Result<ConfigPtr> loadText(const std::string& text, const std::string& file_name,
                           const std::filesystem::path& base_dir, const std::string& source_file,
                           std::vector<ConfigError>* errors) {
  std::vector<ConfigError> local;
  if (errors == nullptr) errors = &local;
  size_t first = errors->size();
  Reader r(file_name, base_dir, errors);
  try {
    auto root = parseYaml(r, text);
    if (!root) return summarize(*errors, first);
    Config cfg = buildConfig(r, *root);
    if (errors->size() > first) return summarize(*errors, first);
    cfg.source_file = source_file;
    return ConfigPtr(std::make_shared<Config>(std::move(cfg)));
  } catch (const std::exception& e) {
    r.error(Mark{file_name, 0, 0}, std::string("internal error while loading: ") + e.what());
  } catch (...) {
    r.error(Mark{file_name, 0, 0}, "internal error while loading");
  }
  return summarize(*errors, first);
}

}  // namespace

Result<ConfigPtr> loadConfig(const std::string& path, std::vector<ConfigError>* errors) {
  std::vector<ConfigError> local;
  if (errors == nullptr) errors = &local;
  try {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      errors->push_back(ConfigError{Mark{path, 0, 0}, "cannot read config file: is a directory"});
      return makeError(errors->back().format());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      errors->push_back(ConfigError{
          Mark{path, 0, 0}, std::string("cannot read config file: ") + std::strerror(errno)});
      return makeError(errors->back().format());
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec) absolute = path;
    absolute = absolute.lexically_normal();
    return loadText(text.str(), path, absolute.parent_path(), absolute.string(), errors);
  } catch (const std::exception& e) {
    errors->push_back(
        ConfigError{Mark{path, 0, 0}, std::string("internal error while loading: ") + e.what()});
  } catch (...) {
    errors->push_back(ConfigError{Mark{path, 0, 0}, "internal error while loading"});
  }
  return makeError(errors->back().format());
}

Result<ConfigPtr> loadConfigFromString(const std::string& text, const std::string& file_name,
                                       std::vector<ConfigError>* errors) {
  try {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::path(file_name).parent_path();
    base = std::filesystem::absolute(base.empty() ? std::filesystem::path(".") : base, ec);
    if (ec) base = ".";
    return loadText(text, file_name, base.lexically_normal(), file_name, errors);
  } catch (...) {
    if (errors)
      errors->push_back(ConfigError{Mark{file_name, 0, 0}, "internal error while loading"});
    return makeError(file_name + ": internal error while loading");
  }
}

}  // namespace warden::config
