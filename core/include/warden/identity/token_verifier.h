// core/include/warden/identity/token_verifier.h
//! Verifies OIDC access tokens for one worker loop: keys from identity.oidc.jwks_file (parsed
//! once per config snapshot, shared) or fetched from jwks_url with Warden's own HTTP client on
//! this loop, cached by kid.
//!  - An unknown kid triggers a refetch, at most once per refresh_min_interval; tokens waiting
//!    for it are verified when the fetch ends. After that an unknown kid fails (fail closed).
//!  - When the provider is down the last good keys keep serving for up to kMaxKeyAge; tokens
//!    with a new kid fail.
//!  - One fetch at a time; waiting tokens are bounded (kMaxWaiters), extra ones fail at once.
//! Loop thread only: each worker has its own verifier and fetches; keys a fetch brings are also
//! published process-wide (one mutex), so every worker can use the newest cached keys.
#pragma once

#include <uv.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "warden/config/config.h"
#include "warden/identity/jwt.h"
#include "warden/net/http_client.h"
#include "warden/net/tls_channel.h"

namespace warden::identity {

//! What a snapshot provides for token checks (built on the main thread, shared read-only).
struct OidcSource {
  const config::OidcConfig* config = nullptr;      // null: OIDC not configured
  std::shared_ptr<const KeySet> file_keys;          // jwks_file, parsed at config load
  std::shared_ptr<net::TlsContext> tls;             // https jwks_url: verifying client context
};

//! Loads and parses identity.oidc.jwks_file (main thread, config load). Error names the file.
Result<std::shared_ptr<const KeySet>> loadJwksFile(const std::string& path);

class TokenVerifier {
 public:
  using Outcome = std::variant<VerifiedToken, TokenFailure>;
  using Done = std::function<void(Outcome)>;
  static constexpr size_t kMaxWaiters = 1024;
  static constexpr std::chrono::hours kMaxKeyAge{24};

  explicit TokenVerifier(uv_loop_t* loop) : loop_(loop) {}
  ~TokenVerifier();

  //! `done` runs on this loop, possibly before verify() returns.
  void verify(const OidcSource& source, std::string token, Done done);

  //! Fetches so far (tests, metrics).
  uint64_t fetches() const { return fetches_; }

 private:
  struct Waiter {
    std::string token;
    Done done;
  };
  TokenPolicy policyFor(const config::OidcConfig& c) const;
  void startFetch(const OidcSource& source);
  void fetchDone(Result<net::HttpResponse> r);
  Outcome check(const KeySet* keys, const std::string& token, const TokenPolicy& policy) const;

  uv_loop_t* loop_;
  std::string url_;                        // the jwks_url the cached keys came from
  std::shared_ptr<const KeySet> url_keys_;
  std::chrono::steady_clock::time_point keys_time_{}, last_fetch_{};
  bool fetched_once_ = false;
  net::HttpRequestPtr fetch_;
  std::string last_fetch_error_;
  // The source the pending fetch serves (its config lives in the snapshot the caller holds for
  // as long as a token waits: copied here to be safe).
  config::OidcConfig pending_config_;
  std::vector<Waiter> waiters_;
  uint64_t fetches_ = 0;
};

}  // namespace warden::identity
