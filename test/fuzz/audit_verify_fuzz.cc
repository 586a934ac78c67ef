// test/fuzz/audit_verify_fuzz.cc
//! Arbitrary bytes as an audit log file fed to the streaming verifier (`warden audit verify`):
//! never crashes, memory bounded by one line. The public key is the one the seeds in
//! corpus/audit_verify/ were signed with (seed 32 x 0x01), so valid checkpoints are reachable.
//! A first byte with the low bit set splits the input into two files at the middle newline
//! (exercises the cross-file chain checks).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "warden/audit/chain.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace warden::audit;
  static const SigningKey key = [] {
    std::array<uint8_t, 32> seed{};
    seed.fill(1);
    return signingKeyFromSeed(seed);
  }();
  if (size == 0) return 0;
  bool two_files = data[0] & 1;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  VerifyOptions opt;
  opt.public_key = key.public_key;
  ChainVerifier v(opt);
  v.beginFile("audit-a.jsonl");
  if (two_files) {
    auto mid = bytes.find('\n', bytes.size() / 2);
    if (mid != std::string_view::npos) {
      feedBuffer(v, bytes.substr(0, mid + 1));
      v.beginFile("audit-b.jsonl");
      bytes.remove_prefix(mid + 1);
    }
  }
  feedBuffer(v, bytes);
  auto report = v.finish();
  (void)report.message();
  (void)report.toJson();
  return 0;
}
