// core/include/warden/audit/chain.h
//! The audit log's hash chain, Ed25519 checkpoints and the verifier (`warden audit verify`).
//!
//! Chain: hash = hex(SHA-256(prev || "\n" || canonical)) where prev is the previous record's hash
//! as 64 lowercase hex characters (kGenesisHash for the first record of a log) and canonical is
//! the record without `hash` (record.h). Files chain to each other: the first record of a
//! rotated file has prev = the last hash of the file before it and seq = its last seq + 1.
//!
//! Checkpoints: every N records or T seconds the writer appends an event "checkpoint" record
//! covering the record just before it (upto_seq = seq - 1, upto_hash = prev) and signed with
//! the instance's Ed25519 key over "warden-audit-checkpoint\n<upto_seq>\n<upto_hash>". The
//! checkpoint record is itself chained. After writing one, the writer replaces
//! `audit-head.json` (kHeadFileName) in the log dir with the same signed statement:
//!   {"key_id":"..","sig":"..","upto_hash":"..","upto_seq":S}
//! The head is what makes truncation at the end detectable: its upto_seq/upto_hash must exist
//! in the log. (Ship copies of it off-host for protection against a rollback of the head too.)
//!
//! Keys: the private key file holds the 32-byte Ed25519 seed in base64 + "\n", mode 0600
//! (loading refuses group/other access). The public key sits beside the log as
//! `audit-signing.pub` (kPublicKeyFileName): base64 of the 32-byte key + "\n". key_id = hex of
//! the first 8 bytes of SHA-256(public key). Rotating the key means starting a new log dir.
//!
//! Threading: all functions are pure or touch only the files named; a Chain or ChainVerifier
//! belongs to one thread.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "warden/audit/record.h"
#include "warden/base/result.h"

namespace warden::audit {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr const char* kPublicKeyFileName = "audit-signing.pub";
inline constexpr const char* kHeadFileName = "audit-head.json";
//! Longest line the verifier accepts (a record is far smaller: statement text is capped upstream).
inline constexpr size_t kMaxLineBytes = 1 << 20;

//! hex(SHA-256(prev || "\n" || canonical)).
std::string chainHash(std::string_view prev_hex, std::string_view canonical);
//! "warden-audit-checkpoint\n<upto_seq>\n<upto_hash>": the bytes a checkpoint signs.
std::string checkpointMessage(uint64_t upto_seq, std::string_view upto_hash);

struct SigningKey {
  std::array<uint8_t, 32> seed{};
  std::array<uint8_t, 32> public_key{};
  std::array<uint8_t, 64> private_key{};  //!< BoringSSL's seed || public form
  std::string keyId() const;
};
//! key_id of a public key: hex of the first 8 bytes of its SHA-256.
std::string keyIdOf(const std::array<uint8_t, 32>& public_key);
SigningKey signingKeyFromSeed(const std::array<uint8_t, 32>& seed);
//! Loads the seed at `path`, or generates one there (O_EXCL, mode 0600) when it does not exist.
Result<SigningKey> loadOrCreateSigningKey(const std::filesystem::path& path);
//! Writes `dir`/audit-signing.pub (atomically); fine when it already holds this key, an error
//! when it holds another one (a log is verified with one key).
Result<void> writePublicKey(const SigningKey& key, const std::filesystem::path& dir);
//! Reads a public key file (base64 of 32 bytes, optional trailing newline).
Result<std::array<uint8_t, 32>> readPublicKey(const std::filesystem::path& file);

//! Signs (upto_seq, upto_hash): the checkpoint member of a checkpoint record / the head.
CheckpointInfo signCheckpoint(const SigningKey& key, uint64_t upto_seq, std::string upto_hash);
bool verifyCheckpointSignature(const std::array<uint8_t, 32>& public_key, const CheckpointInfo& c);
//! The audit-head.json text for a checkpoint (sorted keys, one line + "\n").
std::string formatHead(const CheckpointInfo& c);
Result<CheckpointInfo> parseHead(std::string_view text);

//! The writer's side of the chain: assigns seq and prev, seals records into lines.
class Chain {
 public:
  //! A new log: first seq `first_seq`, prev kGenesisHash. Or continue after (last_seq, last_hash).
  explicit Chain(uint64_t next_seq = 1, std::string last_hash = std::string(kGenesisHash))
      : next_seq_(next_seq), last_hash_(std::move(last_hash)) {}
  //! Sets r.seq and r.prev, appends the record's line (with hash and "\n") to `out` and
  //! advances the chain. Fails (nothing changes) on invalid UTF-8.
  Result<void> seal(AuditRecord& r, std::string& out);
  //! A checkpoint record covering the last sealed record (caller sets ts/instance), sealed.
  Result<void> sealCheckpoint(AuditRecord& r, const SigningKey& key, std::string& out);
  uint64_t nextSeq() const { return next_seq_; }
  const std::string& lastHash() const { return last_hash_; }

 private:
  uint64_t next_seq_;
  std::string last_hash_;
};

//! Outcome of a verification. `ok` false: `file`/`line`/`seq` locate the FIRST problem.
struct VerifyReport {
  bool ok = true;
  std::string file;             //!< file name (no dir) of the first problem, may be empty
  uint64_t line = 0;            //!< 1-based line in `file`, 0 when not about a line
  std::optional<uint64_t> seq;  //!< the first bad seq, when there is one
  std::string reason;           //!< e.g. "hash mismatch (record edited)"
  uint64_t files = 0, records = 0;
  std::optional<uint64_t> first_seq, last_seq, last_checkpoint_seq;
  uint64_t unsigned_tail = 0;  //!< records after the last checkpoint
  std::vector<std::string> warnings;
  //! "audit-..jsonl:17: seq 1042: hash mismatch (record edited)" (or the summary when ok).
  std::string message() const;
  std::string toJson() const;
};

struct VerifyOptions {
  std::optional<std::array<uint8_t, 32>> public_key;  //!< required for checkpoints
  std::optional<CheckpointInfo> head;                 //!< audit-head.json, when known
  bool strict = false;                                //!< an unsigned tail / no head fails
};

//! Streaming verifier: feed files and lines in log order, then finish(). Memory is bounded by
//! one line; stops at the first problem (later feeds are ignored).
class ChainVerifier {
 public:
  explicit ChainVerifier(VerifyOptions options);
  void beginFile(std::string name);
  //! One line without its "\n". `complete` false: the file ended without a newline.
  void feedLine(std::string_view line, bool complete = true);
  //! A line longer than kMaxLineBytes (its content is not kept).
  void feedOverlongLine();
  bool failed() const { return !report_.ok; }
  VerifyReport finish();

 private:
  void fail(std::optional<uint64_t> seq, std::string reason, bool at_line = true);
  void resolvePendingGap(std::optional<uint64_t> next_seq);
  void checkRecord(std::string_view line);

  VerifyOptions opt_;
  VerifyReport report_;
  std::string file_, prev_file_;
  uint64_t line_no_ = 0;
  bool file_started_ = false;  // a record was seen in the current file
  bool any_ = false;
  uint64_t next_seq_ = 0;
  std::string last_hash_;
  std::optional<uint64_t> last_checkpoint_record_seq_;
  bool head_seen_ = false;
  // A seq gap waits one record: the next one tells "deleted" from "out of order".
  struct Gap {
    uint64_t expected, found;
    std::string file;
    uint64_t line;
  };
  std::optional<Gap> gap_;
};

//! Feeds one file's bytes: splits lines at "\n"; a last line without one is partial.
void feedBuffer(ChainVerifier& v, std::string_view bytes);

//! Verifies every audit-*.jsonl in `dir` in name order (SPEC.md `warden audit verify DIR`).
//! `public_key_file` empty: DIR/audit-signing.pub. The head is DIR/audit-head.json when present.
VerifyReport verifyDir(const std::filesystem::path& dir,
                       const std::filesystem::path& public_key_file = {}, bool strict = false);

}  // namespace warden::audit
