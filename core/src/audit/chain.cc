// core/src/audit/chain.cc
//! Hash chain, Ed25519 checkpoint signatures and the audit-head.json statement (chain.h).
#include <openssl/curve25519.h>
#include <openssl/sha.h>

#ifndef OPENSSL_IS_BORINGSSL
#error "BoringSSL headers expected (/usr/include/android): never mix in system OpenSSL"
#endif

#include <nlohmann/json.hpp>

#include "warden/audit/chain.h"
#include "warden/base/byte_io.h"
#include "warden/crypto/scram.h"

namespace warden::audit {

std::string chainHash(std::string_view prev_hex, std::string_view canonical) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, prev_hex.data(), prev_hex.size());
  SHA256_Update(&ctx, "\n", 1);
  SHA256_Update(&ctx, canonical.data(), canonical.size());
  uint8_t d[SHA256_DIGEST_LENGTH];
  SHA256_Final(d, &ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex(2 * SHA256_DIGEST_LENGTH, '0');
  for (size_t i = 0; i < SHA256_DIGEST_LENGTH; ++i) {
    hex[2 * i] = kHex[d[i] >> 4];
    hex[2 * i + 1] = kHex[d[i] & 0xf];
  }
  return hex;
}

std::string checkpointMessage(uint64_t upto_seq, std::string_view upto_hash) {
  std::string m = "warden-audit-checkpoint\n";
  m += std::to_string(upto_seq);
  m.push_back('\n');
  m.append(upto_hash);
  return m;
}

std::string keyIdOf(const std::array<uint8_t, 32>& public_key) {
  auto d = crypto::sha256(public_key);
  return toHex(ByteView(d.data(), 8));
}

std::string SigningKey::keyId() const { return keyIdOf(public_key); }

SigningKey signingKeyFromSeed(const std::array<uint8_t, 32>& seed) {
  SigningKey k;
  k.seed = seed;
  ED25519_keypair_from_seed(k.public_key.data(), k.private_key.data(), seed.data());
  return k;
}

CheckpointInfo signCheckpoint(const SigningKey& key, uint64_t upto_seq, std::string upto_hash) {
  CheckpointInfo c;
  c.upto_seq = upto_seq;
  c.upto_hash = std::move(upto_hash);
  std::string msg = checkpointMessage(c.upto_seq, c.upto_hash);
  std::array<uint8_t, 64> sig{};
  ED25519_sign(sig.data(), reinterpret_cast<const uint8_t*>(msg.data()), msg.size(),
               key.private_key.data());
  c.sig = crypto::base64Encode(sig);
  c.key_id = key.keyId();
  return c;
}

bool verifyCheckpointSignature(const std::array<uint8_t, 32>& public_key,
                               const CheckpointInfo& c) {
  auto sig = crypto::base64Decode(c.sig);
  if (!sig || sig->size() != 64) return false;
  std::string msg = checkpointMessage(c.upto_seq, c.upto_hash);
  return ED25519_verify(reinterpret_cast<const uint8_t*>(msg.data()), msg.size(), sig->data(),
                        public_key.data()) == 1;
}

std::string formatHead(const CheckpointInfo& c) {
  nlohmann::json j = {{"key_id", c.key_id},
                      {"sig", c.sig},
                      {"upto_hash", c.upto_hash},
                      {"upto_seq", c.upto_seq}};
  return j.dump() + "\n";
}

Result<CheckpointInfo> parseHead(std::string_view text) {
  if (text.size() > 4096) return makeError("head: too long");
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return makeError("head: not a JSON object");
  auto str = [&](const char* k) -> const std::string* {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
  };
  auto seq = j.find("upto_seq");
  const std::string *hash = str("upto_hash"), *sig = str("sig"), *kid = str("key_id");
  if (seq == j.end() || !seq->is_number_unsigned() || !hash || !sig || !kid)
    return makeError("head: needs upto_seq, upto_hash, sig and key_id");
  return CheckpointInfo{seq->get<uint64_t>(), *hash, *sig, *kid};
}

Result<void> Chain::seal(AuditRecord& r, std::string& out) {
  r.seq = next_seq_;
  r.prev = last_hash_;
  // Built once: the canonical text (no hash) goes straight into `out`, then the hash member is
  // spliced in at its sorted place (after "event").
  size_t mark = out.size(), hash_at = 0;
  if (auto ok = appendCanonical(out, r, {}, &hash_at); !ok) {
    out.resize(mark);
    return ok;
  }
  std::string hash = chainHash(r.prev, std::string_view(out).substr(mark));
  std::string member;
  member.reserve(hash.size() + 10);
  member.append(",\"hash\":\"").append(hash).push_back('"');
  out.insert(mark + hash_at, member);
  out.push_back('\n');
  ++next_seq_;
  last_hash_ = std::move(hash);
  return {};
}

Result<void> Chain::sealCheckpoint(AuditRecord& r, const SigningKey& key, std::string& out) {
  r.event = "checkpoint";
  r.checkpoint = signCheckpoint(key, next_seq_ - 1, last_hash_);
  return seal(r, out);
}

}  // namespace warden::audit
