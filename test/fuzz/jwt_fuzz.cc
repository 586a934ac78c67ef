// test/fuzz/jwt_fuzz.cc
//! Fuzzes JWT verification and JWKS parsing. The first byte picks the mode:
//!   0: the rest is a token, verified against a fixed key set (the oidc-provider fixture) at a
//!      fixed time at which the fixture tokens are valid; also peekHeader.
//!   1: the rest is "<JWKS>\0<token>": the JWKS is parsed and, when usable, the token verified
//!      against it (and against the fixed set).
//!   2: the rest is base64url text: a successful decode must re-encode to the same text
//!      (canonical form), checked with abort().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "../unit/identity/oidc_provider_fixture.h"
#include "warden/identity/base64url.h"
#include "warden/identity/jwt.h"

namespace {

using namespace warden::identity;

const KeySet& fixedKeys() {
  static const auto keys = [] {
    auto r = KeySet::parse(test::kJwks, nullptr);
    if (!r.ok()) abort();
    return r.value();
  }();
  return *keys;
}

const TokenPolicy& policy() {
  static const TokenPolicy p = [] {
    TokenPolicy t;
    t.issuer = "http://127.0.0.1:9000";
    t.audience = "warden";
    return t;
  }();
  return p;
}

const auto kNow = test::kIssuedAt + std::chrono::seconds(60);

void verifyBoth(std::string_view token, const KeySet* extra) {
  (void)peekHeader(token);
  auto r = verifyJwt(token, fixedKeys(), policy(), kNow);
  if (auto* f = std::get_if<TokenFailure>(&r)) (void)tokenErrorName(f->code);
  if (extra) (void)verifyJwt(token, *extra, policy(), kNow);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: verifyBoth(in, nullptr); break;
    case 1: {
      size_t sep = in.find('\0');
      std::string_view jwks = in.substr(0, sep);
      std::string_view token =
          sep == std::string_view::npos ? std::string_view() : in.substr(sep + 1);
      std::vector<std::string> warnings;
      auto set = KeySet::parse(jwks, &warnings);
      verifyBoth(token, set.ok() ? set.value().get() : nullptr);
      break;
    }
    default: {
      auto decoded = base64UrlDecode(in);
      if (decoded && base64UrlEncode(*decoded) != in) abort();
    }
  }
  return 0;
}
