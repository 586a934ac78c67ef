// core/src/audit/verify_dir.cc
//! verifyDir(): walks an audit dir in name order and streams each file through a ChainVerifier
//! (bounded memory: one line, at most kMaxLineBytes, plus a read buffer).
#include <algorithm>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "warden/audit/chain.h"

namespace warden::audit {
namespace {

// Streams `path` into `v` line by line.
Result<void> feedFile(ChainVerifier& v, const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(fmt::format("{}: cannot open", path.string()));
  std::vector<char> buf(64 * 1024);
  std::string line;
  bool overlong = false;
  while (!v.failed()) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    std::string_view chunk(buf.data(), n);
    while (!chunk.empty() && !v.failed()) {
      auto nl = chunk.find('\n');
      auto part = chunk.substr(0, nl);
      if (!overlong) {
        if (line.size() + part.size() > kMaxLineBytes) {
          overlong = true;
          line.clear();
          line.shrink_to_fit();
        } else {
          line.append(part);
        }
      }
      if (nl == std::string_view::npos) break;
      if (overlong) v.feedOverlongLine();
      else v.feedLine(line);
      line.clear();
      overlong = false;
      chunk.remove_prefix(nl + 1);
    }
  }
  if (in.bad()) return makeError(fmt::format("{}: read error", path.string()));
  if (!v.failed()) {
    if (overlong) v.feedOverlongLine();
    else if (!line.empty()) v.feedLine(line, false);
  }
  return {};
}

VerifyReport failure(std::string reason) {
  VerifyReport r;
  r.ok = false;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

VerifyReport verifyDir(const std::filesystem::path& dir,
                       const std::filesystem::path& public_key_file, bool strict) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    auto name = e.path().filename().string();
    if (isAuditFileName(name) && e.is_regular_file(ec)) names.push_back(name);
  }
  if (ec) return failure(fmt::format("{}: {}", dir.string(), ec.message()));
  std::sort(names.begin(), names.end());
  if (names.empty())
    return failure(fmt::format("{}: no audit-*.jsonl files", dir.string()));

  VerifyOptions opt;
  opt.strict = strict;
  auto key_path = public_key_file.empty() ? dir / kPublicKeyFileName : public_key_file;
  auto key = readPublicKey(key_path);
  if (!key)
    return failure(fmt::format("no public key: {} (use --key FILE)", key.error().message));
  opt.public_key = *key;
  auto head_path = dir / kHeadFileName;
  if (std::filesystem::exists(head_path, ec)) {
    std::ifstream in(head_path, std::ios::binary);
    std::string text(4097, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    auto head = parseHead(text);
    if (!head) return failure(fmt::format("{}: {}", head_path.string(), head.error().message));
    opt.head = *head;
  }

  ChainVerifier v(std::move(opt));
  for (const auto& name : names) {
    if (v.failed()) break;
    v.beginFile(name);
    if (auto ok = feedFile(v, dir / name); !ok) return failure(ok.error().message);
  }
  return v.finish();
}

}  // namespace warden::audit
