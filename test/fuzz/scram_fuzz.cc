// test/fuzz/scram_fuzz.cc
//! Fuzzes the SCRAM message parsers in both roles (client-first, client-final, server-first,
//! server-final, verifiers). The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "warden/crypto/scram.h"

namespace {
const warden::crypto::ScramVerifier& verifier() {
  static const auto v = warden::crypto::makeScramVerifier("pencil", {1, 2, 3, 4, 5, 6, 7, 8}, 64);
  return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: {
      warden::crypto::ScramServer s(verifier());
      (void)s.handleClientFirst(in);
      break;
    }
    case 1: {
      warden::crypto::ScramServer s(verifier(), "fixednonce");
      auto first = s.handleClientFirst("n,,n=,r=clientnonce");
      if (first.ok()) (void)s.handleClientFinal(in);
      break;
    }
    case 2: {
      (void)warden::crypto::parseScramServerFirst(in);
      warden::crypto::ScramClient c("pencil", "clientnonce");
      (void)c.clientFirst();
      (void)c.handleServerFirst(in);
      break;
    }
    case 3: {
      warden::crypto::ScramClient c("pencil", "clientnonce");
      (void)c.clientFirst();
      auto fin = c.handleServerFirst("r=clientnonceSERVER,s=AQIDBAUGBwg=,i=64");
      if (fin.ok()) (void)c.handleServerFinal(in);
      break;
    }
    default:
      (void)warden::crypto::parseScramVerifier(in);
      (void)warden::crypto::base64Decode(in);
  }
  return 0;
}
