// test/unit/audit/verify_test.cc
//! `warden audit verify` semantics: a log written with the library across rotated files
//! verifies; each kind of tampering fails naming the first bad seq and why.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "audit_log_helper.h"
#include "warden/audit/chain.h"

using namespace warden;
using namespace warden::audit;
using namespace warden::audit::testing;

namespace {

// Layout of the default log (LogSpec): 64 lines, checkpoints at seq 10 20 30 40 50 60 and 64
// (each covering the record before it); files of 25 lines: 1..25, 26..50, 51..64.
constexpr uint64_t kLastSeq = 64;

struct Fixture {
  TempDir dir;
  SigningKey key = testKey(1);
  Log log = makeLog(key);
  std::vector<std::string> files;
  void write() { files = writeLog(dir.path, log.lines, key, log.head); }
  VerifyReport verify(bool strict = false) { return verifyDir(dir.path, {}, strict); }
};

bool contains(const std::string& s, const std::string& what) {
  return s.find(what) != std::string::npos;
}

// Recomputes prev/hash from line index `from` on, as an attacker without the key would
// (optionally also pointing checkpoints at the new hashes).
void rechain(std::vector<std::string>& lines, size_t from, bool fix_checkpoints) {
  std::string prev = nlohmann::json::parse(lines[from - 1])["hash"];
  for (size_t k = from; k < lines.size(); ++k) {
    auto j = nlohmann::json::parse(lines[k]);
    j["prev"] = prev;
    if (fix_checkpoints && j.contains("checkpoint")) j["checkpoint"]["upto_hash"] = prev;
    j.erase("hash");
    prev = chainHash(prev, j.dump());
    j["hash"] = prev;
    lines[k] = j.dump();
  }
}

void expectFailure(const VerifyReport& r, uint64_t seq, const std::string& reason_part) {
  INFO(r.message());
  CHECK_FALSE(r.ok);
  REQUIRE(r.seq);
  CHECK(*r.seq == seq);
  CHECK(contains(r.reason, reason_part));
}

}  // namespace

TEST_CASE("verify: an intact log across rotated files", "[audit]") {
  Fixture f;
  REQUIRE(f.log.lines.size() == kLastSeq);
  f.write();
  REQUIRE(f.files.size() == 3);
  auto r = f.verify(true);
  INFO(r.message());
  CHECK(r.ok);
  CHECK(r.files == 3);
  CHECK(r.records == kLastSeq);
  CHECK(r.first_seq == 1u);
  CHECK(r.last_seq == kLastSeq);
  CHECK(r.last_checkpoint_seq == kLastSeq);
  CHECK(r.unsigned_tail == 0);
  CHECK(r.warnings.empty());
  CHECK(r.message() == "audit log intact: 64 records (seq 1..64) in 3 files; last checkpoint at seq 64");
  auto j = nlohmann::json::parse(r.toJson());
  CHECK(j["ok"] == true);
  CHECK(j["records"] == kLastSeq);
}

TEST_CASE("verify: edited bytes", "[audit]") {
  Fixture f;
  SECTION("in the statement text") {
    replaceOnce(f.log.lines[16], "SELECT", "SELECt");
    f.write();
    auto r = f.verify();
    expectFailure(r, 17, "hash mismatch (record edited)");
    CHECK(r.file == f.files[0]);
    CHECK(r.line == 17);
    CHECK(r.message() == f.files[0] + ":17: seq 17: hash mismatch (record edited)");
  }
  SECTION("in a number") {
    replaceOnce(f.log.lines[27], "\"rows\":", "\"rows\":1");
    f.write();
    auto r = f.verify();
    expectFailure(r, 28, "hash mismatch");
    CHECK(r.file == f.files[1]);
    CHECK(r.line == 3);
  }
  SECTION("in the hash itself") {
    auto& line = f.log.lines[32];
    auto pos = line.find("\"hash\":\"") + 8;
    line[pos] = line[pos] == '0' ? '1' : '0';
    f.write();
    expectFailure(f.verify(), 33, "hash mismatch");
  }
  SECTION("in the seq") {
    replaceOnce(f.log.lines[33], "\"seq\":34", "\"seq\":35");
    f.write();
    expectFailure(f.verify(), 34, "hash mismatch");
  }
  SECTION("whitespace or key order that keeps the JSON meaning") {
    replaceOnce(f.log.lines[5], "\"event\":", "\"event\": ");
    f.write();
    expectFailure(f.verify(), 6, "not in canonical form");
  }
  SECTION("a line that is not JSON") {
    f.log.lines[8] = "garbage";
    f.write();
    expectFailure(f.verify(), 9, "not a JSON object");
  }
  SECTION("an edit with the chain recomputed after it") {
    replaceOnce(f.log.lines[16], "alice", "mallory");
    rechain(f.log.lines, 16, false);
    f.write();
    expectFailure(f.verify(), 20, "checkpoint at seq 20: covers seq 19");
  }
  SECTION("an edit with the chain and the checkpoints' upto_hash recomputed") {
    replaceOnce(f.log.lines[16], "alice", "mallory");
    rechain(f.log.lines, 16, true);
    f.write();
    expectFailure(f.verify(), 20, "checkpoint at seq 20: bad signature");
  }
}

TEST_CASE("verify: deleted, swapped and duplicated records", "[audit]") {
  Fixture f;
  SECTION("deleted") {
    f.log.lines.erase(f.log.lines.begin() + 11);
    f.write();
    auto r = f.verify();
    expectFailure(r, 12, "seq 12 missing (record deleted)");
    CHECK(r.line == 12);
  }
  SECTION("several deleted") {
    f.log.lines.erase(f.log.lines.begin() + 11, f.log.lines.begin() + 14);
    f.write();
    expectFailure(f.verify(), 12, "seq 12 missing (records 12..14 deleted)");
  }
  SECTION("swapped") {
    std::swap(f.log.lines[13], f.log.lines[14]);
    f.write();
    auto r = f.verify();
    expectFailure(r, 14, "records out of order at seq 14");
    CHECK(r.line == 14);
  }
  SECTION("duplicated") {
    f.log.lines.insert(f.log.lines.begin() + 5, f.log.lines[4]);
    f.write();
    expectFailure(f.verify(), 6, "records out of order at seq 6 (found seq 5)");
  }
  SECTION("the last record of a file deleted") {
    f.write();
    auto path = f.dir.path / f.files[0];  // drop seq 25, its last line
    auto text = readFile(path);
    text.resize(text.size() - 1);
    writeFile(path, text.substr(0, text.rfind('\n') + 1));
    auto r = f.verify();
    expectFailure(r, 25, "does not continue the chain of " + f.files[0] +
                             " (spliced file: expected seq 25, found seq 26)");
    CHECK(r.file == f.files[1]);
  }
}

TEST_CASE("verify: truncation", "[audit]") {
  Fixture f;
  SECTION("last records and the last checkpoint removed: the head names the gap") {
    f.log.lines.resize(54);
    f.write();
    auto r = f.verify();
    expectFailure(r, 63, "log truncated: last checkpoint covers seq 63 which is not in the log");
    CHECK(r.message() == "log truncated: last checkpoint covers seq 63 which is not in the log");
  }
  SECTION("truncated at a checkpoint and the head removed: intact but --strict fails") {
    f.log.lines.resize(50);
    f.write();
    std::filesystem::remove(f.dir.path / kHeadFileName);
    auto r = f.verify();
    CHECK(r.ok);
    REQUIRE(r.warnings.size() == 1);
    CHECK(contains(r.warnings[0], "truncation of the tail cannot be detected"));
    CHECK_FALSE(f.verify(true).ok);
  }
  SECTION("a partial last line") {
    f.write();
    auto path = f.dir.path / f.files[2];
    auto text = readFile(path);
    writeFile(path, text.substr(0, text.size() - 40));
    auto r = f.verify();
    expectFailure(r, 64, "seq 64: partial last line (truncated write)");
    CHECK(r.file == f.files[2]);
    CHECK(r.line == 14);
  }
  SECTION("an unsigned tail is a warning, a failure with --strict") {
    LogSpec spec;
    spec.final_checkpoint = false;
    f.log = makeLog(f.key, spec);  // 63 lines, last checkpoint at seq 60
    f.write();
    auto r = f.verify();
    INFO(r.message());
    CHECK(r.ok);
    CHECK(r.unsigned_tail == 3);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0] == "unsigned tail: 3 records after seq 60");
    expectFailure(f.verify(true), 61, "unsigned tail: 3 records after seq 60");
  }
}

TEST_CASE("verify: spliced and moved files", "[audit]") {
  Fixture f;
  SECTION("a file from another log") {
    LogSpec other_spec;
    other_spec.instance = "warden-other";
    SigningKey other_key = testKey(2);
    Log other = makeLog(other_key, other_spec);
    f.write();
    TempDir other_dir;
    auto other_files = writeLog(other_dir.path, other.lines, other_key, other.head);
    std::filesystem::copy_file(other_dir.path / other_files[1], f.dir.path / f.files[1],
                               std::filesystem::copy_options::overwrite_existing);
    auto r = f.verify();
    expectFailure(r, 26, "file " + f.files[1] + " does not continue the chain of " + f.files[0] +
                             " (spliced file");
    CHECK(r.line == 1);
  }
  SECTION("two files swapped by name") {
    f.write();
    auto a = f.dir.path / f.files[1], b = f.dir.path / f.files[2], t = f.dir.path / "tmp";
    std::filesystem::rename(a, t);
    std::filesystem::rename(b, a);
    std::filesystem::rename(t, b);
    expectFailure(f.verify(), 26, "does not continue the chain");
  }
  SECTION("a whole file removed") {
    f.write();
    std::filesystem::remove(f.dir.path / f.files[1]);
    expectFailure(f.verify(), 26, "expected seq 26, found seq 51");
  }
}

TEST_CASE("verify: checkpoints", "[audit]") {
  Fixture f;
  SECTION("a forged signature") {
    LogSpec spec;
    SigningKey forger = testKey(3);
    spec.on_checkpoint = [&](AuditRecord& r, uint64_t seq) {
      if (seq != 40) return;
      auto forged = signCheckpoint(forger, r.checkpoint->upto_seq, r.checkpoint->upto_hash);
      r.checkpoint->sig = forged.sig;  // key_id still claims the real key
    };
    f.log = makeLog(f.key, spec);
    f.write();
    auto r = f.verify();
    expectFailure(r, 40, "checkpoint at seq 40: bad signature");
    CHECK(r.message() == f.files[1] + ":15: checkpoint at seq 40: bad signature");
  }
  SECTION("signed by another key") {
    LogSpec spec;
    SigningKey other = testKey(4);
    spec.on_checkpoint = [&](AuditRecord& r, uint64_t seq) {
      if (seq == 30) r.checkpoint = signCheckpoint(other, seq - 1, r.prev.empty() ? r.checkpoint->upto_hash : r.prev);
    };
    f.log = makeLog(f.key, spec);
    f.write();
    expectFailure(f.verify(), 30, "checkpoint at seq 30: signed by key " + other.keyId());
  }
  SECTION("a wrong upto_hash, properly signed") {
    LogSpec spec;
    spec.on_checkpoint = [&](AuditRecord& r, uint64_t seq) {
      if (seq == 30) r.checkpoint = signCheckpoint(f.key, seq - 1, std::string(64, 'a'));
    };
    f.log = makeLog(f.key, spec);
    f.write();
    expectFailure(f.verify(), 30, "checkpoint at seq 30: covers seq 29 hash aaaa");
  }
  SECTION("a checkpoint member removed") {
    auto j = nlohmann::json::parse(f.log.lines[9]);
    j.erase("checkpoint");
    f.log.lines[9] = j.dump();
    rechain(f.log.lines, 9, true);
    f.write();
    expectFailure(f.verify(), 10, "checkpoint at seq 10: malformed");
  }
}

TEST_CASE("verify: keys and head", "[audit]") {
  Fixture f;
  f.write();
  SECTION("missing public key file") {
    std::filesystem::remove(f.dir.path / kPublicKeyFileName);
    auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(contains(r.message(), "no public key"));
    CHECK(contains(r.message(), "--key"));
    // --key FILE elsewhere works.
    TempDir keys;
    REQUIRE(writePublicKey(f.key, keys.path));
    CHECK(verifyDir(f.dir.path, keys.path / kPublicKeyFileName).ok);
  }
  SECTION("the wrong public key") {
    TempDir keys;
    REQUIRE(writePublicKey(testKey(7), keys.path));
    auto r = verifyDir(f.dir.path, keys.path / kPublicKeyFileName);
    CHECK_FALSE(r.ok);
    CHECK(contains(r.message(), "signed by key"));
  }
  SECTION("a forged head") {
    auto head = *f.log.head;
    head.upto_seq = 70;
    writeFile(f.dir.path / kHeadFileName, formatHead(head));
    auto r = f.verify();
    CHECK_FALSE(r.ok);
    CHECK(r.reason == "audit-head.json: bad signature");
  }
  SECTION("a head from a rewritten log") {
    auto head = signCheckpoint(f.key, 40, std::string(64, 'd'));
    writeFile(f.dir.path / kHeadFileName, formatHead(head));
    expectFailure(f.verify(), 40, "hash differs from the signed audit-head.json");
  }
  SECTION("an empty dir") {
    TempDir empty;
    auto r = verifyDir(empty.path);
    CHECK_FALSE(r.ok);
    CHECK(contains(r.reason, "no audit-*.jsonl files"));
  }
}

TEST_CASE("verify: streaming limits and garbage", "[audit]") {
  Fixture f;
  SECTION("a line over 1 MiB") {
    f.log.lines[3] = std::string(kMaxLineBytes + 10, 'x');
    f.write();
    expectFailure(f.verify(), 4, "longer than");
  }
  SECTION("deep nesting and odd JSON via feedBuffer") {
    VerifyOptions opt;
    opt.public_key = f.key.public_key;
    for (std::string junk :
         {std::string(100000, '['), std::string("{\"seq\":1}\n"), std::string("\n\n"),
          std::string("{\"seq\":18446744073709551615,\"prev\":\"x\",\"hash\":\"y\"}\n"),
          std::string("[1,2]\n"), std::string("\xff\xfe\n")}) {
      ChainVerifier v(opt);
      v.beginFile("audit-x.jsonl");
      feedBuffer(v, junk);
      CHECK_FALSE(v.finish().ok);
    }
  }
  SECTION("the verifier accepts exactly what the writer wrote, fed in one buffer") {
    VerifyOptions opt;
    opt.public_key = f.key.public_key;
    opt.head = f.log.head;
    ChainVerifier v(opt);
    v.beginFile("audit-a.jsonl");
    std::string all;
    for (const auto& l : f.log.lines) all += l + "\n";
    feedBuffer(v, all);
    auto r = v.finish();
    INFO(r.message());
    CHECK(r.ok);
  }
}
