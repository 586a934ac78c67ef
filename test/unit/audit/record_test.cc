// test/unit/audit/record_test.cc
//! Canonical form of an audit record: golden hash, agreement with nlohmann::json's dump (what
//! the verifier re-derives), UTF-8 rejection, timestamps and file names; the signing key files.
#include <sys/stat.h>

#include <chrono>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "audit_log_helper.h"
#include "warden/audit/chain.h"
#include "warden/audit/record.h"

using namespace warden;
using namespace warden::audit;
using namespace warden::audit::testing;

namespace {

constexpr const char* kGoldenHash =
    "bb3c5d1c905f842168ce6def55300270d7803096849454f4b556d2ad11a94a09";

AuditRecord fullRecord() {
  AuditRecord r;
  r.seq = 1042;
  r.ts = "2024-05-01T12:34:56.123456Z";
  r.instance = "warden-1";
  r.event = "statement";
  r.session = "7f3a";
  r.identity = IdentityInfo{"alice", {"dba", "pii-readers"}, "human", "jwt"};
  r.client = "10.1.2.3:50432";
  r.target = "prod-pg";
  r.environment = "prod";
  r.dialect = "postgres";
  r.statement = StatementInfo{"SELECT email FROM users WHERE name = ?\n\t\"q\" \\ \x01 caf\xc3\xa9 \xe2\x82\xac \x7f",
                              "9e107d9d372bb682", "select", {"public.users"}};
  r.decision = DecisionInfo{"allow", "readers", "group pii-readers"};
  r.masked = std::vector<std::string>{"public.users.email"};
  r.result = ResultInfo{3, 1234, std::string("none")};
  r.approval = ApprovalInfo{"apr-1", "approved", {"bob", "carol"}};
  r.checkpoint = CheckpointInfo{1041, std::string(64, 'a'), "c2ln", "0011223344556677"};
  r.prev = std::string(kGenesisHash);
  return r;
}

}  // namespace

TEST_CASE("canonical form: golden record and hash", "[audit]") {
  AuditRecord r;
  r.seq = 1;
  r.ts = "2024-05-01T00:00:00.000000Z";
  r.instance = "w1";
  r.event = "session_start";
  r.session = "s1";
  r.identity = IdentityInfo{"alice", {"dba"}, "human", "scram"};
  r.prev = std::string(kGenesisHash);
  std::string canonical;
  REQUIRE(appendCanonical(canonical, r));
  CHECK(canonical ==
        R"({"event":"session_start","identity":{"groups":["dba"],"kind":"human","method":"scram",)"
        R"("user":"alice"},"instance":"w1","prev":")" + std::string(kGenesisHash) +
            R"(","seq":1,"session":"s1","ts":"2024-05-01T00:00:00.000000Z"})");
  // Cross-checked with Python: sha256(("0"*64 + "\n" + canonical).encode()).hexdigest(), where
  // canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).
  CHECK(chainHash(kGenesisHash, canonical) == std::string(kGoldenHash));

  Chain chain;
  std::string line;
  REQUIRE(chain.seal(r, line));
  CHECK(line == canonical.substr(0, canonical.size() - 1).replace(
                    canonical.find(",\"identity\""), 0,
                    ",\"hash\":\"" + std::string(kGoldenHash) + "\"") +
                    "}\n");
  CHECK(chain.nextSeq() == 2);
  CHECK(chain.lastHash() == std::string(kGoldenHash));
}

TEST_CASE("canonical form equals nlohmann's sorted dump of the parsed line", "[audit]") {
  AuditRecord r = fullRecord();
  std::string line;
  REQUIRE(appendCanonical(line, r, std::string(64, 'b')));
  auto j = nlohmann::json::parse(line);
  CHECK(j.dump() == line);  // keys sorted at every level, same escaping
  CHECK(j["statement"]["text"].get<std::string>() == r.statement->text);
  CHECK(j["result"]["rows"].is_number_unsigned());
  j.erase("hash");
  std::string without;
  REQUIRE(appendCanonical(without, r));
  CHECK(j.dump() == without);

  // Every control character escapes the same way.
  for (int c = 0; c < 0x80; ++c) {
    AuditRecord s;
    s.event = std::string(1, char(c)) + "x";
    std::string a;
    REQUIRE(appendCanonical(a, s));
    CHECK(nlohmann::json::parse(a).dump() == a);
  }
  // Optional groups are absent when unset.
  AuditRecord minimal;
  std::string m;
  REQUIRE(appendCanonical(m, minimal));
  CHECK(m == R"({"event":"","instance":"","prev":"","seq":0,"ts":""})");
}

TEST_CASE("non-UTF-8 strings are rejected when building", "[audit]") {
  for (std::string bad : {std::string("\xff"), std::string("caf\xc3"), std::string("\xc0\xaf"),
                          std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80")}) {
    CAPTURE(bad);
    CHECK_FALSE(isValidUtf8(bad));
    AuditRecord r = fullRecord();
    r.statement->tables.push_back(bad);
    std::string out = "keep";
    CHECK_FALSE(appendCanonical(out, r));
    CHECK(out == "keep");
    Chain chain(5, std::string(64, 'c'));
    CHECK_FALSE(chain.seal(r, out));
    CHECK(out == "keep");
    CHECK(chain.nextSeq() == 5);
  }
  CHECK(isValidUtf8("caf\xc3\xa9 \xf0\x9f\x98\x80"));
}

TEST_CASE("timestamps and file names", "[audit]") {
  using namespace std::chrono;
  auto t = system_clock::time_point(seconds(1714566896) + microseconds(123456));
  CHECK(formatTimestamp(t) == "2024-05-01T12:34:56.123456Z");
  CHECK(auditFileName(t, 7) == "audit-20240501T123456Z-000007.jsonl");
  CHECK(auditFileName(t, 7) < auditFileName(t, 10));
  CHECK(isAuditFileName(auditFileName(t, 1)));
  CHECK_FALSE(isAuditFileName("audit-head.json"));
  CHECK_FALSE(isAuditFileName("audit-signing.pub"));
}

TEST_CASE("signing key: generated once (0600), reloaded, public key beside the log", "[audit]") {
  TempDir dir;
  auto path = dir.path / "audit.key";
  auto k1 = loadOrCreateSigningKey(path);
  REQUIRE(k1);
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto k2 = loadOrCreateSigningKey(path);
  REQUIRE(k2);
  CHECK(k2->public_key == k1->public_key);
  CHECK(k2->keyId() == k1->keyId());
  CHECK(k1->keyId().size() == 16);

  REQUIRE(writePublicKey(*k1, dir.path));
  REQUIRE(writePublicKey(*k1, dir.path));  // same key again: fine
  auto pub = readPublicKey(dir.path / kPublicKeyFileName);
  REQUIRE(pub);
  CHECK(*pub == k1->public_key);
  CHECK_FALSE(writePublicKey(testKey(9), dir.path));  // another key: refused

  auto sig = signCheckpoint(*k2, 10, std::string(64, 'e'));
  CHECK(verifyCheckpointSignature(*pub, sig));
  sig.upto_seq = 11;
  CHECK_FALSE(verifyCheckpointSignature(*pub, sig));

  chmod(path.c_str(), 0644);
  auto loose = loadOrCreateSigningKey(path);
  REQUIRE_FALSE(loose);
  CHECK(loose.error().message.find("chmod 600") != std::string::npos);
  writeFile(dir.path / "bad.key", "not base64\n");
  chmod((dir.path / "bad.key").c_str(), 0600);
  CHECK_FALSE(loadOrCreateSigningKey(dir.path / "bad.key"));
  CHECK_FALSE(loadOrCreateSigningKey(dir.path / "no-such-dir" / "k"));
}

TEST_CASE("head: format and parse round-trip", "[audit]") {
  auto c = signCheckpoint(testKey(1), 63, std::string(64, 'f'));
  auto text = formatHead(c);
  auto back = parseHead(text);
  REQUIRE(back);
  CHECK(back->upto_seq == 63);
  CHECK(back->upto_hash == c.upto_hash);
  CHECK(back->sig == c.sig);
  CHECK(back->key_id == c.key_id);
  CHECK_FALSE(parseHead("{}"));
  CHECK_FALSE(parseHead("[1]"));
  CHECK_FALSE(parseHead(R"({"upto_seq":-1,"upto_hash":"","sig":"","key_id":""})"));
}
