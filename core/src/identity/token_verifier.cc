// core/src/identity/token_verifier.cc
#include "warden/identity/token_verifier.h"

#include <fmt/format.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "warden/base/log.h"

namespace warden::identity {

using Clock = std::chrono::steady_clock;

namespace {
//! The newest keys any worker fetched, so a worker that never fetched (or whose provider went
//! down before it could) still verifies tokens with cached keys.
struct SharedKeys {
  std::mutex mu;
  std::string url;
  std::shared_ptr<const KeySet> keys;
  Clock::time_point time{};
};
SharedKeys& shared() {
  static SharedKeys s;
  return s;
}
}  // namespace

Result<std::shared_ptr<const KeySet>> loadJwksFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot read the JWKS file", path)};
  std::ostringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (text.size() > kMaxJwksBytes) return Error{fmt::format("{}: JWKS file over 1 MiB", path)};
  std::vector<std::string> warnings;
  auto keys = KeySet::parse(text, &warnings);
  if (!keys) return Error{fmt::format("{}: {}", path, keys.error().message)};
  for (const auto& w : warnings) log::warn("jwks key skipped", {{"file", path}, {"why", w}});
  return keys;
}

TokenVerifier::~TokenVerifier() {
  if (fetch_) fetch_->cancel();
}

TokenPolicy TokenVerifier::policyFor(const config::OidcConfig& c) const {
  TokenPolicy p;
  p.issuer = c.issuer;
  p.audience = c.audience;
  p.user_claim = c.user_claim;
  p.groups_claim = c.groups_claim;
  p.kind_claim = c.kind_claim;
  p.leeway = std::chrono::duration_cast<std::chrono::seconds>(c.leeway);
  return p;
}

TokenVerifier::Outcome TokenVerifier::check(const KeySet* keys, const std::string& token,
                                            const TokenPolicy& policy) const {
  if (keys == nullptr)
    return TokenFailure{TokenError::UnknownKid,
                        last_fetch_error_.empty() ? "no signing keys available"
                                                  : "no signing keys available: " + last_fetch_error_};
  return verifyJwt(token, *keys, policy, std::chrono::system_clock::now());
}

void TokenVerifier::verify(const OidcSource& source, std::string token, Done done) {
  if (source.config == nullptr) {
    done(TokenFailure{TokenError::Malformed, "OIDC is not configured"});
    return;
  }
  const config::OidcConfig& cfg = *source.config;
  TokenPolicy policy = policyFor(cfg);
  if (!cfg.jwks_file.empty()) {
    // Keys from a file change only with the config: an unknown kid is final.
    done(check(source.file_keys.get(), token, policy));
    return;
  }
  if (cfg.jwks_url != url_) {  // first use, or the config now names another provider
    url_ = cfg.jwks_url;
    url_keys_.reset();
    fetched_once_ = false;
    last_fetch_error_.clear();
  }
  {
    // Adopt newer keys another worker fetched.
    SharedKeys& sh = shared();
    std::lock_guard<std::mutex> lock(sh.mu);
    if (sh.url == url_ && sh.keys && sh.time > keys_time_) {
      url_keys_ = sh.keys;
      keys_time_ = sh.time;
    }
  }
  auto now = Clock::now();
  bool fresh_enough = url_keys_ && now - keys_time_ < kMaxKeyAge;
  if (fresh_enough) {
    Outcome out = check(url_keys_.get(), token, policy);
    auto* f = std::get_if<TokenFailure>(&out);
    bool may_refetch = !fetched_once_ || now - last_fetch_ >= cfg.refresh_min_interval;
    if (f == nullptr || f->code != TokenError::UnknownKid || !may_refetch) {
      done(std::move(out));
      return;
    }
  } else if (fetched_once_ && !fetch_ && now - last_fetch_ < cfg.refresh_min_interval) {
    // No usable keys and the last attempt was just now: fail fast instead of hammering.
    done(check(nullptr, token, policy));
    return;
  }
  if (waiters_.size() >= kMaxWaiters) {
    done(TokenFailure{TokenError::UnknownKid, "too many logins waiting for the JWKS fetch"});
    return;
  }
  waiters_.push_back(Waiter{std::move(token), std::move(done)});
  if (!fetch_) startFetch(source);
}

void TokenVerifier::startFetch(const OidcSource& source) {
  pending_config_ = *source.config;
  last_fetch_ = Clock::now();
  fetched_once_ = true;
  ++fetches_;
  auto url = net::parseUrl(pending_config_.jwks_url);
  if (!url) {
    fetchDone(Error{fmt::format("bad jwks_url: {}", url.error().message)});
    return;
  }
  net::HttpRequestOptions opts;
  opts.timeout = pending_config_.fetch_timeout;
  opts.max_response_bytes = kMaxJwksBytes + 64 * 1024;
  opts.tls = source.tls;
  fetch_ = net::HttpClient::get(loop_, url.value(), opts,
                                [this](Result<net::HttpResponse> r) { fetchDone(std::move(r)); });
}

void TokenVerifier::fetchDone(Result<net::HttpResponse> r) {
  fetch_.reset();
  if (!r) {
    last_fetch_error_ = r.error().message;
  } else if (r->status != 200) {
    last_fetch_error_ = fmt::format("JWKS endpoint answered HTTP {}", r->status);
  } else {
    std::vector<std::string> warnings;
    auto keys = KeySet::parse(r->body, &warnings);
    if (!keys) {
      last_fetch_error_ = fmt::format("JWKS document rejected: {}", keys.error().message);
    } else {
      url_keys_ = keys.value();
      keys_time_ = Clock::now();
      last_fetch_error_.clear();
      SharedKeys& sh = shared();
      std::lock_guard<std::mutex> lock(sh.mu);
      if (sh.url != url_ || keys_time_ > sh.time) {
        sh.url = url_;
        sh.keys = url_keys_;
        sh.time = keys_time_;
      }
      for (const auto& w : warnings) log::warn("jwks key skipped", {{"url", url_}, {"why", w}});
    }
  }
  if (!last_fetch_error_.empty())
    log::warn("jwks fetch failed; keeping the last good keys",
              {{"url", url_}, {"error", last_fetch_error_}});
  TokenPolicy policy = policyFor(pending_config_);
  const KeySet* keys = url_keys_ && Clock::now() - keys_time_ < kMaxKeyAge ? url_keys_.get() : nullptr;
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) {
    Outcome out = check(keys, w.token, policy);
    if (auto* f = std::get_if<TokenFailure>(&out); f && f->code == TokenError::UnknownKid &&
                                                   !last_fetch_error_.empty())
      f->message += fmt::format(" (JWKS refresh failed: {})", last_fetch_error_);
    w.done(std::move(out));
  }
}

}  // namespace warden::identity
