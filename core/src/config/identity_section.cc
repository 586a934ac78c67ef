// core/src/config/identity_section.cc
//! `identity`: static users (plaintext password or SCRAM verifier) and the OIDC issuer.
#include <array>

#include "sections.h"
#include "warden/crypto/scram.h"

namespace warden::config::detail {
namespace {

constexpr int kScramIterations = 4096;
constexpr size_t kScramSaltBytes = 16;

std::string lineNote(const Mark& m) { return " (first at line " + std::to_string(m.line) + ")"; }

std::optional<IdentityKind> readKind(Reader& r, const Field& f) {
  return readEnum<IdentityKind>(r, f,
                                {{"human", IdentityKind::Human},
                                 {"agent", IdentityKind::Agent},
                                 {"service", IdentityKind::Service}});
}

void readUserCredentials(Reader& r, const MapView& m, User& user) {
  const Field* password = m.get("password");
  const Field* scram = m.get("scram_sha_256");
  if (password && scram) {
    const Field* later = password->key_mark.line > scram->key_mark.line ? password : scram;
    r.error(later->key_mark, m.path() + ": give only one of 'password', 'scram_sha_256'");
    return;
  }
  if (password) {
    auto v = readString(r, *password, false);
    if (!v) return;
    user.password = *v;
    std::vector<uint8_t> salt(kScramSaltBytes);
    crypto::randomBytes(salt);
    user.scram = crypto::makeScramVerifier(*v, std::move(salt), kScramIterations);
  } else if (scram) {
    auto v = readString(r, *scram, false);
    if (!v) return;
    auto parsed = crypto::parseScramVerifier(*v);
    if (!parsed.ok() || !parsed->valid()) {
      // The parser's reason names the broken part; never echo the verifier itself (it allows
      // offline password guessing).
      std::string why =
          parsed.ok() ? std::string("invalid SCRAM-SHA-256 verifier") : parsed.error().message;
      r.error(scram->value_mark,
              scram->path + ": " + why +
                  " (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)");
      return;
    }
    user.scram = *parsed;
  }
}

void readUsers(Reader& r, const Field& f, std::vector<User>& users) {
  std::vector<Mark> first_marks;
  for (const Field& item : readSequence(r, f)) {
    MapView m(r, item.value, item.path, item.value_mark,
              {"name", "password", "scram_sha_256", "groups", "kind"});
    if (!m.valid()) continue;
    User user;
    Mark name_mark = m.mark();
    bool duplicate = false;
    if (const Field* name = m.require("name")) {
      name_mark = name->value_mark;
      if (auto v = readString(r, *name, false)) {
        user.name = *v;
        for (size_t i = 0; i < users.size(); ++i) {
          if (users[i].name == *v) {
            r.error(name->value_mark,
                    name->path + ": duplicate user '" + *v + "'" + lineNote(first_marks[i]));
            duplicate = true;
            break;
          }
        }
      }
    }
    readUserCredentials(r, m, user);
    if (const Field* groups = m.get("groups")) {
      if (auto v = readStringList(r, *groups)) user.groups = *v;
    }
    if (const Field* kind = m.get("kind")) {
      if (auto v = readKind(r, *kind)) user.kind = *v;
    }
    if (user.name.empty() || duplicate) continue;
    first_marks.push_back(name_mark);
    users.push_back(std::move(user));
  }
}

void readOidc(Reader& r, const Field& f, std::optional<OidcConfig>& out) {
  MapView m(
      r, f.value, f.path, f.value_mark,
      {"issuer", "audience", "jwks_file", "jwks_url", "user_claim", "groups_claim", "kind_claim",
       "jwks_ca_file", "leeway", "refresh_min_interval", "fetch_timeout", "on_token_expiry",
       "match_startup_user"});
  if (!m.valid()) return;
  OidcConfig oidc;
  if (const Field* issuer = m.require("issuer")) {
    if (auto v = readString(r, *issuer, false)) oidc.issuer = *v;
  }
  if (const Field* audience = m.require("audience")) {
    if (auto v = readString(r, *audience, false)) oidc.audience = *v;
  }
  const Field* file = m.get("jwks_file");
  const Field* url = m.get("jwks_url");
  if (file && url) {
    const Field* later = file->key_mark.line > url->key_mark.line ? file : url;
    r.error(later->key_mark, f.path + ": give only one of 'jwks_file', 'jwks_url'");
  } else if (file) {
    if (auto v = readPath(r, *file, true)) oidc.jwks_file = *v;
  } else if (url) {
    if (auto v = readString(r, *url, false)) {
      if (v->rfind("http://", 0) != 0 && v->rfind("https://", 0) != 0) {
        r.error(url->value_mark, url->path + ": expected an http:// or https:// URL");
      }
      oidc.jwks_url = *v;
    }
  } else {
    r.error(m.mark(), f.path + ": missing 'jwks_file' or 'jwks_url'");
  }
  if (const Field* claim = m.get("user_claim")) {
    if (auto v = readString(r, *claim, false)) oidc.user_claim = *v;
  }
  if (const Field* claim = m.get("groups_claim")) {
    if (auto v = readString(r, *claim, false)) oidc.groups_claim = *v;
  }
  if (const Field* claim = m.get("kind_claim")) {
    if (auto v = readString(r, *claim, false)) oidc.kind_claim = *v;
  }
  if (const Field* ca = m.get("jwks_ca_file")) {
    if (auto v = readPath(r, *ca, true)) oidc.jwks_ca_file = *v;
  }
  if (const Field* d = m.get("leeway")) {
    if (auto v = readDuration(r, *d, true)) oidc.leeway = *v;
  }
  if (const Field* d = m.get("refresh_min_interval")) {
    if (auto v = readDuration(r, *d, true)) oidc.refresh_min_interval = *v;
  }
  if (const Field* d = m.get("fetch_timeout")) {
    if (auto v = readDuration(r, *d, false)) oidc.fetch_timeout = *v;
  }
  if (const Field* b = m.get("match_startup_user")) {
    if (auto v = readBool(r, *b)) oidc.match_startup_user = *v;
  }
  if (const Field* e = m.get("on_token_expiry")) {
    if (auto v = readEnum<TokenExpiry>(r, *e, {{"close", TokenExpiry::Close}, {"ignore", TokenExpiry::Ignore}}))
      oidc.on_expiry = *v;
  }
  out = std::move(oidc);
}

void readThrottle(Reader& r, const Field& f, LoginThrottleConfig& t) {
  MapView m(r, f.value, f.path, f.value_mark,
            {"delay_after", "lockout_after", "window", "lockout", "max_delay"});
  if (!m.valid()) return;
  if (const Field* n = m.get("delay_after")) {
    if (auto v = readInt(r, *n, 1, 1000000, "a positive integer")) t.delay_after = uint32_t(*v);
  }
  if (const Field* n = m.get("lockout_after")) {
    if (auto v = readInt(r, *n, 1, 1000000, "a positive integer")) t.lockout_after = uint32_t(*v);
  }
  if (const Field* d = m.get("window")) {
    if (auto v = readDuration(r, *d, false)) t.window = *v;
  }
  if (const Field* d = m.get("lockout")) {
    if (auto v = readDuration(r, *d, false)) t.lockout = *v;
  }
  if (const Field* d = m.get("max_delay")) {
    if (auto v = readDuration(r, *d, true)) t.max_delay = *v;
  }
  if (t.lockout_after < t.delay_after)
    r.error(m.mark(), f.path + ": lockout_after must not be below delay_after");
}

}  // namespace

void readIdentitySection(Reader& r, const MapView& root, IdentityConfig& identity) {
  const Field* f = root.get("identity");
  if (f == nullptr) return;
  MapView m(r, f->value, f->path, f->value_mark, {"users", "oidc", "login_throttle"});
  if (const Field* users = m.get("users")) readUsers(r, *users, identity.users);
  if (const Field* oidc = m.get("oidc")) readOidc(r, *oidc, identity.oidc);
  if (const Field* t = m.get("login_throttle")) readThrottle(r, *t, identity.login_throttle);
}

}  // namespace warden::config::detail
