// core/src/audit/verifier.cc
//! ChainVerifier: checks records line by line in log order and keeps the FIRST problem
//! (chain.h). Order of checks per line: JSON object → own hash recomputes → seq continues the
//! log → prev links to the previous hash → line is in canonical form → checkpoint signature.
//! Checking the record's own hash before its seq means an edited seq reads "hash mismatch",
//! and a seq gap waits one record so "deleted" and "out of order" can be told apart.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "warden/audit/chain.h"

namespace warden::audit {
namespace {

using Json = nlohmann::json;

constexpr int kMaxDepth = 32;

// Nesting depth of a JSON text (outside strings); stops counting past kMaxDepth.
bool depthOk(std::string_view s) {
  int depth = 0;
  bool in_string = false, escape = false;
  for (char c : s) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

const std::string* stringMember(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

bool isHex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

ChainVerifier::ChainVerifier(VerifyOptions options) : opt_(std::move(options)) {
  if (opt_.head) {
    if (!opt_.public_key) {
      fail(std::nullopt, fmt::format("{}: no public key to verify it", kHeadFileName), false);
    } else if (opt_.head->key_id != keyIdOf(*opt_.public_key)) {
      fail(opt_.head->upto_seq,
           fmt::format("{}: signed by key {}, not the verifying key {}", kHeadFileName,
                       opt_.head->key_id, keyIdOf(*opt_.public_key)),
           false);
    } else if (!verifyCheckpointSignature(*opt_.public_key, *opt_.head)) {
      fail(opt_.head->upto_seq, fmt::format("{}: bad signature", kHeadFileName), false);
    }
  }
}

void ChainVerifier::fail(std::optional<uint64_t> seq, std::string reason, bool at_line) {
  if (!report_.ok) return;
  report_.ok = false;
  report_.file = at_line ? file_ : std::string();
  report_.line = at_line ? line_no_ : 0;
  report_.seq = seq;
  report_.reason = std::move(reason);
}

void ChainVerifier::beginFile(std::string name) {
  if (failed()) return;
  file_ = std::move(name);
  line_no_ = 0;
  file_started_ = false;
  ++report_.files;
}

void ChainVerifier::resolvePendingGap(std::optional<uint64_t> next_seq) {
  if (!gap_) return;
  Gap g = *gap_;
  gap_.reset();
  if (!report_.ok) return;
  std::string reason;
  if (next_seq && *next_seq == g.expected)
    reason = fmt::format("records out of order at seq {}", g.expected);
  else if (g.found == g.expected + 1)
    reason = fmt::format("seq {} missing (record deleted)", g.expected);
  else
    reason = fmt::format("seq {} missing (records {}..{} deleted)", g.expected, g.expected,
                         g.found - 1);
  report_.ok = false;
  report_.file = g.file;
  report_.line = g.line;
  report_.seq = g.expected;
  report_.reason = std::move(reason);
}

void ChainVerifier::feedOverlongLine() {
  if (failed()) return;
  ++line_no_;
  resolvePendingGap(std::nullopt);
  auto seq = any_ ? std::optional<uint64_t>(next_seq_) : std::nullopt;
  fail(seq, fmt::format("line longer than {} bytes (record damaged)", kMaxLineBytes));
}

void ChainVerifier::feedLine(std::string_view line, bool complete) {
  if (failed()) return;
  ++line_no_;
  if (!complete) {
    resolvePendingGap(std::nullopt);
    auto seq = any_ ? std::optional<uint64_t>(next_seq_) : std::nullopt;
    fail(seq, any_ ? fmt::format("seq {}: partial last line (truncated write)", next_seq_)
                   : std::string("partial last line (truncated write)"));
    return;
  }
  checkRecord(line);
}

void ChainVerifier::checkRecord(std::string_view line) {
  auto expected = any_ ? std::optional<uint64_t>(next_seq_) : std::nullopt;
  auto where = [&](std::string_view what) {
    return expected ? fmt::format("seq {}: {}", *expected, what) : std::string(what);
  };
  Json j;
  if (line.size() > kMaxLineBytes) {
    resolvePendingGap(std::nullopt);
    return fail(expected, where("line too long (record damaged)"));
  }
  if (depthOk(line)) j = Json::parse(line, nullptr, false);
  else j = Json(Json::value_t::discarded);
  if (j.is_discarded() || !j.is_object()) {
    resolvePendingGap(std::nullopt);
    return fail(expected, where(line.empty() ? "empty line (record damaged)"
                                             : "not a JSON object (record damaged)"));
  }
  auto seq_it = j.find("seq");
  bool seq_ok = seq_it != j.end() && seq_it->is_number_unsigned();
  resolvePendingGap(seq_ok ? std::optional<uint64_t>(seq_it->get<uint64_t>()) : std::nullopt);
  if (failed()) return;
  if (!seq_ok) return fail(expected, where("seq missing or not an unsigned integer"));
  const uint64_t seq = seq_it->get<uint64_t>();
  const std::string* hash_p = stringMember(j, "hash");
  const std::string* prev_p = stringMember(j, "prev");
  if (!hash_p || !prev_p || !isHex64(*hash_p) || !isHex64(*prev_p))
    return fail(expected.value_or(seq),
                fmt::format("seq {}: hash or prev missing or malformed (record edited)",
                            expected.value_or(seq)));
  const std::string hash = *hash_p, prev = *prev_p;

  std::string full, canonical;
  try {
    full = j.dump();
    j.erase("hash");
    canonical = j.dump();
  } catch (const Json::exception&) {
    return fail(expected.value_or(seq), where("not serialisable (record damaged)"));
  }
  if (chainHash(prev, canonical) != hash)
    return fail(expected.value_or(seq),
                fmt::format("seq {}: hash mismatch (record edited)", expected.value_or(seq)));

  if (!any_) {
    report_.first_seq = seq;
    if (prev != kGenesisHash)
      report_.warnings.push_back(fmt::format(
          "the log starts at seq {} continuing an earlier chain (older files removed?)", seq));
  } else if (!file_started_) {
    if (seq != next_seq_ || prev != last_hash_)
      return fail(next_seq_, fmt::format("file {} does not continue the chain of {} (spliced "
                                         "file: expected seq {}, found seq {})",
                                         file_, prev_file_, next_seq_, seq));
  } else if (seq > next_seq_) {
    gap_ = Gap{next_seq_, seq, file_, line_no_};
    return;  // the next record (or the end) decides: deleted or out of order
  } else if (seq < next_seq_) {
    return fail(next_seq_, fmt::format("records out of order at seq {} (found seq {})",
                                       next_seq_, seq));
  } else if (prev != last_hash_) {
    return fail(seq, fmt::format("seq {}: prev does not match the hash of seq {} (chain broken)",
                                 seq, seq - 1));
  }
  if (full != line)
    return fail(seq, fmt::format("seq {}: record not in canonical form (edited)", seq));

  const std::string* event = stringMember(j, "event");
  if (event && *event == "checkpoint") {
    auto c = j.find("checkpoint");
    const std::string *uh = nullptr, *sig = nullptr, *kid = nullptr;
    Json::const_iterator us;
    if (c != j.end() && c->is_object()) {
      uh = stringMember(*c, "upto_hash");
      sig = stringMember(*c, "sig");
      kid = stringMember(*c, "key_id");
      us = c->find("upto_seq");
    }
    if (!uh || !sig || !kid || us == c->end() || !us->is_number_unsigned())
      return fail(seq, fmt::format("checkpoint at seq {}: malformed", seq));
    CheckpointInfo info{us->get<uint64_t>(), *uh, *sig, *kid};
    if (info.upto_seq + 1 != seq || info.upto_hash != prev)
      return fail(seq, fmt::format("checkpoint at seq {}: covers seq {} hash {}, not the record "
                                   "before it",
                                   seq, info.upto_seq, info.upto_hash.substr(0, 16)));
    if (!opt_.public_key)
      return fail(seq, fmt::format("checkpoint at seq {}: no public key to verify it", seq));
    if (info.key_id != keyIdOf(*opt_.public_key))
      return fail(seq, fmt::format("checkpoint at seq {}: signed by key {}, not the verifying "
                                   "key {}",
                                   seq, info.key_id, keyIdOf(*opt_.public_key)));
    if (!verifyCheckpointSignature(*opt_.public_key, info))
      return fail(seq, fmt::format("checkpoint at seq {}: bad signature", seq));
    last_checkpoint_record_seq_ = seq;
    report_.last_checkpoint_seq = seq;
  }
  if (opt_.head && opt_.head->upto_seq == seq) {
    if (opt_.head->upto_hash != hash)
      return fail(seq, fmt::format("seq {}: hash differs from the signed {} (log rewritten)", seq,
                                   kHeadFileName));
    head_seen_ = true;
  }
  any_ = true;
  file_started_ = true;
  prev_file_ = file_;
  next_seq_ = seq + 1;
  last_hash_ = hash;
  ++report_.records;
  report_.last_seq = seq;
}

VerifyReport ChainVerifier::finish() {
  resolvePendingGap(std::nullopt);
  if (failed()) return report_;
  if (!any_) {
    fail(std::nullopt, "no audit records", false);
    return report_;
  }
  if (opt_.head && !head_seen_) {
    if (opt_.head->upto_seq > next_seq_ - 1) {
      fail(opt_.head->upto_seq,
           fmt::format("log truncated: last checkpoint covers seq {} which is not in the log",
                       opt_.head->upto_seq),
           false);
      return report_;
    }
    report_.warnings.push_back(fmt::format(
        "{} covers seq {}, before the first record (older files removed?)", kHeadFileName,
        opt_.head->upto_seq));
  }
  uint64_t last = next_seq_ - 1;
  std::string tail;
  if (last_checkpoint_record_seq_) {
    report_.unsigned_tail = last - *last_checkpoint_record_seq_;
    if (report_.unsigned_tail)
      tail = fmt::format("unsigned tail: {} records after seq {}", report_.unsigned_tail,
                         *last_checkpoint_record_seq_);
  } else {
    report_.unsigned_tail = report_.records;
    tail = fmt::format("unsigned tail: {} records (no checkpoint in the log)", report_.records);
  }
  if (!tail.empty()) {
    if (opt_.strict) {
      fail(last - report_.unsigned_tail + 1, tail, false);
      return report_;
    }
    report_.warnings.push_back(tail);
  }
  if (!opt_.head) {
    std::string w = fmt::format("no {}: truncation of the tail cannot be detected", kHeadFileName);
    if (opt_.strict) {
      fail(std::nullopt, w, false);
      return report_;
    }
    report_.warnings.push_back(w);
  }
  return report_;
}

void feedBuffer(ChainVerifier& v, std::string_view bytes) {
  while (!bytes.empty() && !v.failed()) {
    auto nl = bytes.find('\n');
    if (nl == std::string_view::npos) {
      if (bytes.size() > kMaxLineBytes) v.feedOverlongLine();
      else v.feedLine(bytes, false);
      return;
    }
    if (nl > kMaxLineBytes) v.feedOverlongLine();
    else v.feedLine(bytes.substr(0, nl));
    bytes.remove_prefix(nl + 1);
  }
}

std::string VerifyReport::message() const {
  if (ok) {
    std::string s = fmt::format("audit log intact: {} records", records);
    if (first_seq && last_seq) s += fmt::format(" (seq {}..{})", *first_seq, *last_seq);
    s += fmt::format(" in {} file{}", files, files == 1 ? "" : "s");
    if (last_checkpoint_seq) s += fmt::format("; last checkpoint at seq {}", *last_checkpoint_seq);
    return s;
  }
  if (!file.empty() && line) return fmt::format("{}:{}: {}", file, line, reason);
  if (!file.empty()) return fmt::format("{}: {}", file, reason);
  return reason;
}

std::string VerifyReport::toJson() const {
  Json j = {{"ok", ok}, {"files", files}, {"records", records},
            {"unsigned_tail", unsigned_tail}, {"warnings", warnings}};
  if (first_seq) j["first_seq"] = *first_seq;
  if (last_seq) j["last_seq"] = *last_seq;
  if (last_checkpoint_seq) j["last_checkpoint_seq"] = *last_checkpoint_seq;
  if (!ok) {
    Json e = {{"reason", reason}, {"message", message()}};
    if (!file.empty()) e["file"] = file;
    if (line) e["line"] = line;
    if (seq) e["seq"] = *seq;
    j["error"] = e;
  }
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace warden::audit
