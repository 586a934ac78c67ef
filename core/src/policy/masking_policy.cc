// core/src/policy/masking_policy.cc
#include "warden/policy/masking_policy.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "warden/base/glob.h"
#include "warden/crypto/scram.h"

namespace warden::policy {

namespace {
bool anyGlob(const std::vector<std::string>& patterns, std::string_view value) {
  for (const auto& p : patterns)
    if (globMatch(p, value)) return true;
  return false;
}
}  // namespace

masking::Method toMethod(config::MaskMethod m) {
  switch (m) {
    case config::MaskMethod::Redact: return masking::Method::Redact;
    case config::MaskMethod::Partial: return masking::Method::Partial;
    case config::MaskMethod::Hash: return masking::Method::Hash;
    case config::MaskMethod::Null: return masking::Method::Null;
  }
  return masking::Method::Redact;
}

bool MaskingPolicy::needsKey(const config::Config& config) {
  for (const auto& r : config.masking)
    if (r.method == config::MaskMethod::Hash) return true;
  return config.detectors && config.detectors->method == config::MaskMethod::Hash;
}

std::shared_ptr<const MaskingPolicy> MaskingPolicy::compile(const config::Config& config,
                                                            const masking::HashKey& key) {
  auto p = std::make_shared<MaskingPolicy>();
  p->key_ = key;
  for (const auto& r : config.masking) {
    Rule rule;
    rule.compiled.name = r.name;
    rule.compiled.method = toMethod(r.method);
    rule.compiled.max_rows = r.max_rows;
    for (const auto& c : r.columns) rule.compiled.patterns.push_back(masking::ColumnPattern::parse(c));
    rule.exempt_groups = r.exempt_groups;
    rule.targets = r.targets;
    rule.environments = r.environments;
    p->rules_.push_back(std::move(rule));
  }
  p->detectors_ = config.detectors;
  return p;
}

std::shared_ptr<const masking::SessionMasking> MaskingPolicy::forSession(
    const Identity& identity, const config::Target& target) const {
  auto s = std::make_shared<masking::SessionMasking>();
  s->key = key_;
  s->max_rows = target.max_rows;
  for (const auto& r : rules_) {
    if (!r.targets.empty() && !anyGlob(r.targets, target.name)) continue;
    if (!r.environments.empty() && !anyGlob(r.environments, target.environment)) continue;
    bool exempt = std::any_of(identity.groups.begin(), identity.groups.end(),
                              [&](const std::string& g) { return anyGlob(r.exempt_groups, g); });
    if (exempt) continue;
    s->rules.push_back(r.compiled);
  }
  if (detectors_ && (detectors_->environments.empty() ||
                     anyGlob(detectors_->environments, target.environment))) {
    uint32_t mask = 0;
    // An empty `enabled` list means every detector.
    if (detectors_->enabled.empty()) mask = masking::DetectorSet::all().mask();
    for (const auto& name : detectors_->enabled)
      if (auto d = masking::detectorFromName(name)) mask |= 1u << static_cast<unsigned>(*d);
    s->detectors = masking::DetectorSet(mask);
    s->detector_method = toMethod(detectors_->method);
  }
  if (s->empty()) return nullptr;
  return s;
}

Result<masking::HashKey> loadOrCreateMaskingKey(const std::filesystem::path& path) {
  const std::string name = path.string();
  masking::HashKey key;
  struct stat st {};
  if (::stat(name.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0)
      return makeError(fmt::format("{}: masking hash key is accessible by group/others "
                                   "(chmod 600)", name));
    std::ifstream in(path, std::ios::binary);
    std::string text(257, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto bytes = crypto::base64Decode(text);
    if (!bytes || bytes->size() != 32)
      return makeError(fmt::format("{}: expected base64 of 32 bytes", name));
    std::copy(bytes->begin(), bytes->end(), key.bytes.begin());
    return key;
  }
  if (errno != ENOENT) return makeError(fmt::format("{}: {}", name, strerror(errno)));
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  crypto::randomBytes(key.bytes);
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return makeError(fmt::format("{}: cannot create: {}", name, strerror(errno)));
  std::string text = crypto::base64Encode(key.bytes) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(name.c_str());
    return makeError(fmt::format("{}: cannot write the masking key", name));
  }
  return key;
}

}  // namespace warden::policy
