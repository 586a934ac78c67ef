// core/src/audit/signing_key.cc
//! The checkpoint signing key on disk (chain.h "Keys"): the private seed file (0600) and the
//! public key beside the log.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "warden/audit/chain.h"
#include "warden/crypto/scram.h"

namespace warden::audit {
namespace {

// Reads a small file (at most `limit` bytes).
Result<std::string> readSmallFile(const std::filesystem::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return makeError(fmt::format("{}: cannot open", path.string()));
  std::string text(limit + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > limit) return makeError(fmt::format("{}: too long", path.string()));
  return text;
}

std::string_view trimNewline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

Result<std::array<uint8_t, 32>> decode32(std::string_view text, const std::string& what) {
  auto bytes = crypto::base64Decode(trimNewline(text));
  if (!bytes || bytes->size() != 32)
    return makeError(fmt::format("{}: expected base64 of 32 bytes", what));
  std::array<uint8_t, 32> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

Result<void> writeAll(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return makeError(fmt::format("{}: write: {}", what, strerror(errno)));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) return makeError(fmt::format("{}: fsync: {}", what, strerror(errno)));
  return {};
}

}  // namespace

Result<SigningKey> loadOrCreateSigningKey(const std::filesystem::path& path) {
  const std::string name = path.string();
  struct stat st {};
  if (::stat(name.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0)
      return makeError(fmt::format("{}: audit signing key is accessible by group/others "
                                   "(chmod 600)", name));
    auto text = readSmallFile(path, 256);
    if (!text) return text.error();
    auto seed = decode32(*text, name);
    if (!seed) return seed.error();
    return signingKeyFromSeed(*seed);
  }
  if (errno != ENOENT) return makeError(fmt::format("{}: {}", name, strerror(errno)));
  std::array<uint8_t, 32> seed{};
  crypto::randomBytes(seed);
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return makeError(fmt::format("{}: cannot create: {}", name, strerror(errno)));
  auto ok = writeAll(fd, crypto::base64Encode(seed) + "\n", name);
  ::close(fd);
  if (!ok) {
    ::unlink(name.c_str());
    return ok.error();
  }
  return signingKeyFromSeed(seed);
}

Result<std::array<uint8_t, 32>> readPublicKey(const std::filesystem::path& file) {
  auto text = readSmallFile(file, 256);
  if (!text) return text.error();
  return decode32(*text, file.string());
}

Result<void> writePublicKey(const SigningKey& key, const std::filesystem::path& dir) {
  auto path = dir / kPublicKeyFileName;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    auto existing = readPublicKey(path);
    if (existing && *existing == key.public_key) return {};
    return makeError(fmt::format("{}: holds another public key (a log is verified with one key: "
                                 "start a new audit dir to rotate)", path.string()));
  }
  auto tmp = dir / (std::string(kPublicKeyFileName) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return makeError(fmt::format("{}: cannot create: {}", tmp.string(), strerror(errno)));
  auto ok = writeAll(fd, crypto::base64Encode(key.public_key) + "\n", tmp.string());
  ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0)
    ok = makeError(fmt::format("{}: rename: {}", path.string(), strerror(errno)));
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

}  // namespace warden::audit
