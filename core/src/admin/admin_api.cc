// core/src/admin/admin_api.cc
#include "warden/admin/admin_api.h"

#include <openssl/mem.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <span>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "warden/base/log.h"
#include "warden/crypto/scram.h"

namespace warden::admin {

namespace {

using Json = nlohmann::ordered_json;

struct Route {
  std::string_view path;
  std::string_view method;  // GET routes also answer HEAD
  bool needs_token;
};

constexpr std::array<Route, 4> kRoutes = {{
    {"/healthz", "GET", false},
    {"/readyz", "GET", false},
    {"/metrics", "GET", true},
    {"/api/v1/reload", "POST", true},
}};

const Route* findRoute(std::string_view path) {
  for (const auto& r : kRoutes)
    if (r.path == path) return &r;
  return nullptr;
}

HttpResponse json(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  return r;
}

crypto::Sha256Digest digest(std::string_view s) {
  return crypto::sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

bool startsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

HttpResponse unauthorized(std::string_view why) {
  HttpResponse r = jsonError(401, why);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"warden\"");
  return r;
}

}  // namespace

const config::AdminToken* authenticate(const std::string* authorization,
                                       const std::vector<config::AdminToken>& tokens) {
  if (authorization == nullptr) return nullptr;
  std::string_view v = *authorization;
  if (!startsWithIgnoreCase(v, "bearer ")) return nullptr;
  v.remove_prefix(7);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  if (v.empty()) return nullptr;
  // Hashing both sides makes the comparison independent of the token lengths; every token is
  // compared so the time does not say how many there are before the match.
  auto presented = digest(v);
  const config::AdminToken* match = nullptr;
  for (const auto& t : tokens) {
    if (t.token.empty()) continue;
    auto expected = digest(t.token);
    bool equal = CRYPTO_memcmp(expected.data(), presented.data(), expected.size()) == 0;
    if (equal && match == nullptr) match = &t;
  }
  return match;
}

std::string renderMetrics(const AdminStatus& s) {
  return fmt::format(
      "# HELP warden_up 1 while the Warden process serves.\n"
      "# TYPE warden_up gauge\n"
      "warden_up 1\n"
      "# HELP warden_draining 1 after SIGTERM while sessions finish.\n"
      "# TYPE warden_draining gauge\n"
      "warden_draining {}\n"
      "# HELP warden_config_generation Generation of the running configuration (1 at start, +1 "
      "per applied reload).\n"
      "# TYPE warden_config_generation gauge\n"
      "warden_config_generation {}\n"
      "# HELP warden_config_reloads_total Configuration reloads (SIGHUP or POST /api/v1/reload) "
      "by result.\n"
      "# TYPE warden_config_reloads_total counter\n"
      "warden_config_reloads_total{{result=\"ok\"}} {}\n"
      "warden_config_reloads_total{{result=\"rejected\"}} {}\n"
      "# HELP warden_client_sessions Client sessions open now (all targets).\n"
      "# TYPE warden_client_sessions gauge\n"
      "warden_client_sessions {}\n",
      s.draining ? 1 : 0, s.generation, s.reloads_ok, s.reloads_rejected, s.sessions);
}

HttpResponse AdminApi::handle(const HttpRequest& req) {
  const Route* route = findRoute(req.path);
  if (route == nullptr || route->needs_token) {
    if (req.headerCount("authorization") > 1)
      return jsonError(400, "more than one Authorization header", /*close=*/true);
    const std::string* auth = req.header("authorization");
    if (auth == nullptr) return unauthorized("missing bearer token");
    if (!startsWithIgnoreCase(*auth, "bearer ")) return unauthorized("expected a Bearer token");
    std::string user;
    {
      auto tokens = backend_.tokens();
      const config::AdminToken* token = authenticate(auth, tokens);
      if (token == nullptr) {
        log::warn("admin request with an invalid token", {{"path", req.path}});
        return unauthorized("invalid token");
      }
      user = token->user;  // `token` points into `tokens`
    }
    if (route == nullptr) return jsonError(404, "not found");
    bool allowed = req.method == route->method || (route->method == "GET" && req.method == "HEAD");
    if (!allowed) {
      HttpResponse r = jsonError(405, "method not allowed");
      r.headers.emplace_back("Allow", route->method == "GET" ? "GET, HEAD" : std::string(route->method));
      return r;
    }
    if (route->path == "/metrics") {
      HttpResponse r;
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = renderMetrics(backend_.status());
      return r;
    }
    // POST /api/v1/reload
    if (backend_.status().draining) return jsonError(503, "draining: reload refused");
    log::info("admin API: reload requested", {{"user", user}});
    ReloadOutcome out = backend_.reload(user);
    if (out.ok) return json(200, {{"status", "reloaded"}, {"generation", out.generation}});
    return json(422, {{"status", "rejected"}, {"generation", out.generation}, {"errors", out.errors}});
  }

  bool allowed = req.method == "GET" || req.method == "HEAD";
  if (!allowed) {
    HttpResponse r = jsonError(405, "method not allowed");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (route->path == "/healthz") return json(200, {{"status", "ok"}});
  // /readyz
  if (backend_.status().draining) return json(503, {{"status", "draining"}});
  return json(200, {{"status", "ready"}});
}

}  // namespace warden::admin
