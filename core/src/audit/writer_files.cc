// core/src/audit/writer_files.cc
//! The audit writer's files: continuing the chain after a restart (or a crash) and opening the
//! next file (writer.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "warden/audit/writer.h"

namespace warden::audit {

namespace {

void syncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

//! The rotation counter in "audit-<ts>-<n>.jsonl" (0 when the name has another shape).
unsigned counterOf(const std::string& name) {
  auto dash = name.rfind('-');
  auto dot = name.rfind(".jsonl");
  if (dash == std::string::npos || dot == std::string::npos || dot <= dash + 1) return 0;
  unsigned n = 0;
  for (size_t i = dash + 1; i < dot; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    n = n * 10 + unsigned(name[i] - '0');
    if (n > 100000000) return 0;
  }
  return n;
}

struct Tail {
  bool found = false;
  uint64_t seq = 0;
  std::string hash;
  bool checkpoint = false;  // the last record is a checkpoint (nothing unsigned after it)
};

//! The last complete record of `path`; a partial last line (a crash mid-write: never
//! acknowledged) is cut off first.
Result<Tail> readTail(const std::filesystem::path& path,
                      const std::function<void(int, const std::string&)>& log) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return makeError(fmt::format("{}: {}", path.string(), std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return makeError(fmt::format("{}: {}", path.string(), std::strerror(e)));
  }
  uint64_t size = uint64_t(st.st_size);
  uint64_t want = std::min<uint64_t>(size, kMaxLineBytes + 2);
  std::string buf(want, '\0');
  size_t got = 0;
  while (got < want) {
    ssize_t n = ::pread(fd, buf.data() + got, want - got, off_t(size - want + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += size_t(n);
  }
  buf.resize(got);
  Tail tail;
  if (!buf.empty() && buf.back() != '\n') {
    size_t nl = buf.rfind('\n');
    uint64_t keep = nl == std::string::npos ? size - buf.size() : size - buf.size() + nl + 1;
    if (nl == std::string::npos && size > buf.size()) {
      ::close(fd);
      return makeError(fmt::format("{}: last line longer than {} bytes", path.string(), kMaxLineBytes));
    }
    if (::ftruncate(fd, off_t(keep)) != 0) {
      int e = errno;
      ::close(fd);
      return makeError(fmt::format("{}: cutting a partial record: {}", path.string(), std::strerror(e)));
    }
    if (log)
      log(1, fmt::format("audit: {}: removed {} bytes of a partial last record (never acknowledged)",
                         path.filename().string(), size - keep));
    buf.resize(nl == std::string::npos ? 0 : nl + 1);
  }
  ::close(fd);
  if (buf.empty()) return tail;
  buf.pop_back();
  size_t start = buf.rfind('\n');
  std::string_view line = std::string_view(buf).substr(start == std::string::npos ? 0 : start + 1);
  try {
    auto j = nlohmann::json::parse(line);
    tail.seq = j.at("seq").get<uint64_t>();
    tail.hash = j.at("hash").get<std::string>();
    tail.checkpoint = j.value("event", "") == "checkpoint";
    tail.found = tail.hash.size() == 64;
  } catch (const std::exception& e) {
    return makeError(fmt::format("{}: the last record is not readable ({}); run `warden audit "
                                 "verify` and move the damaged file away", path.string(), e.what()));
  }
  if (!tail.found) return makeError(fmt::format("{}: the last record has no valid hash", path.string()));
  return tail;
}

}  // namespace

Result<void> Writer::recover() {
  std::vector<std::string> names;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(opt_.dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string n = it->path().filename().string();
    if (isAuditFileName(n) && it->is_regular_file(ec)) names.push_back(std::move(n));
  }
  if (ec) return makeError(fmt::format("audit.dir {}: {}", opt_.dir.string(), ec.message()));
  std::sort(names.begin(), names.end());
  if (!names.empty()) {
    last_file_name_ = names.back();
    file_counter_ = counterOf(names.back()) + 1;
  }
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    auto tail = readTail(opt_.dir / *it, opt_.log);
    if (!tail) return makeError(tail.error().message);
    if (tail->found) {
      chain_ = Chain(tail->seq + 1, tail->hash);
      // Records after the last checkpoint (a crash): sign them with the first checkpoint.
      if (!tail->checkpoint) since_checkpoint_ = 1;
      log(0, fmt::format("audit: continuing the log after seq {} ({})", tail->seq, *it));
      return {};
    }
  }
  return {};
}

Result<void> Writer::openNewFile(std::chrono::system_clock::time_point now) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    std::string name = auditFileName(now, file_counter_++);
    if (!last_file_name_.empty() && name <= last_file_name_) {
      // The clock is behind the newest file: keep its time part so names still sort in order.
      std::string stem = last_file_name_.substr(0, last_file_name_.rfind('-'));
      name = fmt::format("{}-{:06}.jsonl", stem, file_counter_ - 1);
      if (name <= last_file_name_) continue;
    }
    int fd = ::open((opt_.dir / name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0)
      return makeError(fmt::format("{}: cannot create {}: {}", opt_.dir.string(), name,
                                   std::strerror(errno)));
    syncDir(opt_.dir);
    fd_ = fd;
    file_name_ = name;
    last_file_name_ = name;
    good_size_ = 0;
    dirty_ = false;
    file_opened_steady_ = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lk(mu_);
    ++stats_.files;
    return {};
  }
  return makeError(fmt::format("{}: no free audit file name", opt_.dir.string()));
}

}  // namespace warden::audit
