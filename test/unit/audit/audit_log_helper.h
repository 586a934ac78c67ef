// test/unit/audit/audit_log_helper.h
//! Test support: a small audit writer (records + checkpoints + head across rotated files in a
//! temp dir) built on the library, and line-level helpers to tamper with the result.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "warden/audit/chain.h"

namespace warden::audit::testing {

namespace fs = std::filesystem;

//! A temp dir removed at scope end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "warden-audit-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()));
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline SigningKey testKey(uint8_t fill) {
  std::array<uint8_t, 32> seed{};
  seed.fill(fill);
  return signingKeyFromSeed(seed);
}

//! How to write the log (defaults: 57 records + checkpoints after every 9 records and at the
//! end, i.e. 64 lines, seq 1..64).
struct LogSpec {
  int records = 57;
  int checkpoint_every = 9;
  bool final_checkpoint = true;
  //! Hook: may change a checkpoint before it is sealed (forgery cases); arg = its seq.
  std::function<void(AuditRecord&, uint64_t)> on_checkpoint;
  std::string instance = "warden-test-1";
};

struct Log {
  std::vector<std::string> lines;  //!< line i holds seq i+1, without "\n"
  std::optional<CheckpointInfo> head;
};

inline AuditRecord statementRecord(int i) {
  AuditRecord r;
  r.ts = "2024-05-01T12:00:" + std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) +
         ".000123Z";
  r.instance = "warden-test-1";
  r.event = "statement";
  r.session = "s-" + std::to_string(i / 5);
  r.identity = IdentityInfo{"alice", {"dba", "ops"}, "human", "scram"};
  r.client = "10.0.0.7:5" + std::to_string(1000 + i);
  r.target = "prod-pg";
  r.environment = "prod";
  r.dialect = "postgres";
  r.statement = StatementInfo{"SELECT * FROM users WHERE id = ?", "ab12cd34", "select",
                              {"public.users"}};
  r.decision = DecisionInfo{"allow", "default", ""};
  r.result = ResultInfo{uint64_t(i) * 10, 1000 + uint64_t(i), std::nullopt};
  return r;
}

inline Log makeLog(const SigningKey& key, const LogSpec& spec = {}) {
  Log log;
  Chain chain;
  std::string out;
  auto emit = [&](AuditRecord& r, bool checkpoint) {
    out.clear();
    if (checkpoint) {
      r.event = "checkpoint";
      r.checkpoint = signCheckpoint(key, chain.nextSeq() - 1, chain.lastHash());
      if (spec.on_checkpoint) spec.on_checkpoint(r, chain.nextSeq());
      REQUIRE(chain.seal(r, out));
      log.head = r.checkpoint;
    } else {
      REQUIRE(chain.seal(r, out));
    }
    REQUIRE(out.back() == '\n');
    log.lines.push_back(out.substr(0, out.size() - 1));
  };
  int since = 0;
  for (int i = 1; i <= spec.records; ++i) {
    AuditRecord r = statementRecord(i);
    emit(r, false);
    if (++since == spec.checkpoint_every && i != spec.records) {
      AuditRecord c;
      c.ts = "2024-05-01T12:01:00.000000Z";
      c.instance = spec.instance;
      emit(c, true);
      since = 0;
    }
  }
  if (spec.final_checkpoint) {
    AuditRecord c;
    c.ts = "2024-05-01T12:02:00.000000Z";
    c.instance = spec.instance;
    emit(c, true);
  }
  return log;
}

inline std::string fileName(int n) { return "audit-20240501T120000Z-00000" + std::to_string(n) + ".jsonl"; }

//! Writes `lines` as files of `per_file` lines (names fileName(1..)), the public key and
//! (when given) the head. Returns the file names.
inline std::vector<std::string> writeLog(const fs::path& dir, const std::vector<std::string>& lines,
                                         const SigningKey& key,
                                         const std::optional<CheckpointInfo>& head,
                                         size_t per_file = 25) {
  std::vector<std::string> names;
  for (size_t i = 0; i < lines.size(); i += per_file) {
    names.push_back(fileName(int(names.size()) + 1));
    std::ofstream f(dir / names.back(), std::ios::binary);
    for (size_t k = i; k < std::min(lines.size(), i + per_file); ++k) f << lines[k] << '\n';
  }
  REQUIRE(writePublicKey(key, dir));
  if (head) std::ofstream(dir / kHeadFileName, std::ios::binary) << formatHead(*head);
  return names;
}

inline std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void writeFile(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

//! Replaces the first occurrence of `from` in `s` (which must contain it).
inline void replaceOnce(std::string& s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  s.replace(pos, from.size(), to);
}

}  // namespace warden::audit::testing
