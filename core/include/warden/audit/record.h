// core/include/warden/audit/record.h
//! One audit record (SPEC.md "Audit record") and its canonical serialisation.
//!
//! On disk the log is JSON Lines: files `audit-<UTC yyyymmddThhmmssZ>-<n, 6 digits>.jsonl` under
//! `audit.dir` (names sort in write order). Each line is exactly one record, serialised in the
//! canonical form below, including its `hash` member, followed by "\n".
//!
//! Canonical form (what the hash covers): the record's JSON object WITHOUT the `hash` member,
//! object keys sorted by bytes (at every level), no whitespace, strings as raw UTF-8 with only
//! `"` `\` and control characters escaped (`\b \f \n \r \t`, others as `\u00xx`), numbers as
//! integers. This is byte-for-byte what nlohmann::json's `dump()` produces for a parsed record
//! (its default object type is a std::map, so keys come out sorted; test/unit/audit checks
//! that the builder below and nlohmann agree). The verifier therefore re-derives the canonical
//! form with `nlohmann::json::parse(line).dump()` and also requires each line to BE that form,
//! so an edit that keeps the JSON meaning (duplicate keys, escapes, spaces) is still caught.
//!
//! Chain (see chain.h): hash = hex(SHA-256(prev || "\n" || canonical)), prev = the previous
//! record's hash (64 zeros for the very first record of a log). seq increases by exactly 1
//! across the whole log, across files.
//!
//! Building: AuditRecord is a plain struct (absent members = nullopt / empty optional groups);
//! appendCanonical() writes it straight into one string with no intermediate JSON tree, so the
//! writer allocates one string per record. Strings must be valid UTF-8 (rejected otherwise:
//! callers redact or escape foreign bytes before they get here).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "warden/base/result.h"

namespace warden::audit {

struct IdentityInfo {
  std::string user;
  std::vector<std::string> groups;
  std::string kind;    //!< human | agent | service
  std::string method;  //!< scram | jwt | mtls | ...
};

struct StatementInfo {
  std::string text;  //!< literals as ? (audit.redact_literals)
  std::string fingerprint;
  std::string kind;
  std::vector<std::string> tables;
  //! Extension: the statement's number within its session; a statement's decision record and
  //! its result record (event "statement" with `result`) carry the same id.
  std::optional<uint64_t> id;
};

struct DecisionInfo {
  std::string action;  //!< allow | deny | require_approval | dry_run_deny | ...
  std::string rule;
  std::string reason;
};

struct ResultInfo {
  std::optional<uint64_t> rows;
  std::optional<uint64_t> duration_us;
  std::optional<std::string> error;
};

struct ApprovalInfo {
  std::string id;
  std::string state;
  std::vector<std::string> by;
};

//! Extra member of an event "checkpoint" record: an Ed25519 signature over
//! "warden-audit-checkpoint\n<upto_seq>\n<upto_hash>" (chain.h). A checkpoint always covers the
//! record immediately before it: upto_seq = seq - 1 and upto_hash = prev.
struct CheckpointInfo {
  uint64_t upto_seq = 0;
  std::string upto_hash;  //!< hex SHA-256
  std::string sig;        //!< base64 of the 64-byte signature
  std::string key_id;     //!< hex of the first 8 bytes of SHA-256(public key)
};

//! One record. `seq`, `ts`, `instance`, `event` and `prev` are always present; every other
//! member is omitted when unset. `hash` is not part of the struct: it is computed when sealing.
struct AuditRecord {
  uint64_t seq = 0;
  std::string ts;  //!< RFC 3339, microseconds, UTC: formatTimestamp()
  std::string instance;
  std::string event;  //!< session_start | auth | statement | approval | session_end | checkpoint | config_reload
  std::optional<std::string> session;
  std::optional<IdentityInfo> identity;
  std::optional<std::string> client;  //!< ip:port
  std::optional<std::string> target;
  std::optional<std::string> environment;
  std::optional<std::string> dialect;
  std::optional<StatementInfo> statement;
  std::optional<DecisionInfo> decision;
  std::optional<std::vector<std::string>> masked;
  std::optional<ResultInfo> result;
  std::optional<ApprovalInfo> approval;
  std::optional<CheckpointInfo> checkpoint;
  std::string prev;  //!< hex hash of the previous record (kGenesisHash for the first)
};

//! Appends the canonical JSON of `r` to `out`; with `hash` non-empty the `hash` member is
//! included (the on-disk line, without the newline). Fails (out unchanged) on invalid UTF-8.
//! `hash_at` (optional): receives the offset, relative to where the record starts in `out`, at
//! which `,"hash":"<hex>"` belongs (the member after "event"), so a writer can build the
//! canonical text once and splice the hash in.
Result<void> appendCanonical(std::string& out, const AuditRecord& r, std::string_view hash = {},
                             size_t* hash_at = nullptr);

//! "2024-05-01T12:34:56.123456Z".
std::string formatTimestamp(std::chrono::system_clock::time_point t);
//! "audit-20240501T123456Z-000001.jsonl" (n: rotation counter, keeps names ordered within a second).
std::string auditFileName(std::chrono::system_clock::time_point t, unsigned n);
//! True for names the verifier reads: "audit-" ... ".jsonl".
bool isAuditFileName(std::string_view name);

//! True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool isValidUtf8(std::string_view s);

}  // namespace warden::audit
