// core/src/admin/admin_api.cc
#include "warden/admin/admin_api.h"

#include <openssl/mem.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <span>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "warden/audit/search.h"
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

constexpr std::array<Route, 7> kRoutes = {{
    {"/healthz", "GET", false},
    {"/readyz", "GET", false},
    {"/ui", "GET", false},
    {"/ui/audit", "GET", false},
    {"/metrics", "GET", true},
    {"/api/v1/reload", "POST", true},
    {"/api/v1/audit", "GET", true},
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

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

HttpResponse badParameter(std::string_view name, std::string_view why) {
  return jsonError(400, fmt::format("parameter '{}': {}", name, why));
}

// GET /api/v1/audit: parameters checked here, on the loop; the search itself is deferred.
HttpResponse auditSearch(const HttpRequest& req, std::string dir, const std::string& user) {
  if (dir.empty()) return jsonError(404, "auditing is off (audit.dir is not configured)");
  audit::SearchQuery q;
  q.limit = kAuditDefaultLimit;
  std::vector<std::string> seen;
  std::string_view query = req.query;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name, value;
    if (!urlDecode(pair.substr(0, eq), name))
      return jsonError(400, "bad %-escape in a parameter name");
    if (eq != std::string_view::npos && !urlDecode(pair.substr(eq + 1), value))
      return badParameter(name, "bad %-escape");
    if (std::find(seen.begin(), seen.end(), name) != seen.end())
      return badParameter(name, "given more than once");
    seen.push_back(name);
    std::optional<std::string>* field = nullptr;
    if (name == "user") field = &q.user;
    else if (name == "target") field = &q.target;
    else if (name == "action") field = &q.action;
    else if (name == "kind") field = &q.kind;
    else if (name == "event") field = &q.event;
    else if (name == "session") field = &q.session;
    else if (name == "text") field = &q.text;
    else if (name != "since" && name != "until" && name != "limit")
      return badParameter(name, "unknown (user, target, action, kind, event, session, since, "
                                "until, text, limit)");
    if (value.empty()) continue;  // an empty form field filters nothing
    if (field != nullptr) {
      *field = std::move(value);
    } else if (name == "limit") {
      size_t n = 0;
      bool ok = value.size() <= 6;
      for (char c : value) {
        ok = ok && c >= '0' && c <= '9';
        if (ok) n = n * 10 + static_cast<size_t>(c - '0');
      }
      if (!ok || n < 1 || n > kAuditMaxLimit)
        return badParameter(name, fmt::format("expected an integer from 1 to {}", kAuditMaxLimit));
      q.limit = n;
    } else {
      auto t = audit::parseRfc3339(value);
      if (!t) return badParameter(name, t.error().message);
      (name == "since" ? q.since : q.until) = *t;
    }
  }
  log::info("admin API: audit search", {{"user", user}, {"query", req.query}});
  HttpResponse r;
  r.deferred = [dir = std::move(dir), q = std::move(q)]() -> HttpResponse {
    HttpResponse out;
    std::string& body = out.body;
    body = "{\"records\":[";
    size_t n = 0;
    bool truncated = false, timed_out = false;
    std::error_code ec;
    if (std::filesystem::exists(dir, ec)) {  // not yet: nothing was written
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kAuditSearchSeconds);
      auto st = audit::searchDir(
          dir, q,
          [&](std::string_view line) {
            if (n == q.limit || body.size() + line.size() > kAuditMaxResponseBytes) {
              truncated = true;
              return false;
            }
            if (n++ != 0) body += ',';
            body += line;  // a parsed JSON object (search.h), canonical
            return true;
          },
          deadline);
      if (!st) return jsonError(500, st.error().message);
      timed_out = st->timed_out;
    }
    body += fmt::format("],\"truncated\":{},\"timed_out\":{}}}\n", truncated || timed_out,
                        timed_out);
    return out;
  };
  return r;
}

HttpResponse uiResponse() {
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::string(uiPage());
  // Inline script and style only; data comes from this origin's API.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'unsafe-inline'; style-src "
                         "'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action "
                         "'none'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace

bool urlDecode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hexValue(in[i + 1]), lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

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
      "warden_client_sessions {}\n"
      "# HELP warden_audit_healthy 1 while the audit log is written; 0 while traffic is refused "
      "because it cannot be (fail closed).\n"
      "# TYPE warden_audit_healthy gauge\n"
      "warden_audit_healthy {}\n"
      "# HELP warden_audit_records_total Audit records made durable.\n"
      "# TYPE warden_audit_records_total counter\n"
      "warden_audit_records_total {}\n"
      "# HELP warden_audit_batches_total Group commits (one write + fdatasync each).\n"
      "# TYPE warden_audit_batches_total counter\n"
      "warden_audit_batches_total {}\n"
      "# HELP warden_audit_write_failures_total Failed audit writes (each retried).\n"
      "# TYPE warden_audit_write_failures_total counter\n"
      "warden_audit_write_failures_total {}\n"
      "# HELP warden_audit_queued_records Records waiting for the audit writer.\n"
      "# TYPE warden_audit_queued_records gauge\n"
      "warden_audit_queued_records {}\n",
      s.draining ? 1 : 0, s.generation, s.reloads_ok, s.reloads_rejected, s.sessions,
      (!s.audit_enabled || s.audit_healthy) ? 1 : 0, s.audit_records, s.audit_batches,
      s.audit_failures, s.audit_queued);
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
    if (route->path == "/api/v1/audit") return auditSearch(req, backend_.auditDir(), user);
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
  if (route->path == "/ui" || route->path == "/ui/audit") return uiResponse();
  // /readyz
  auto st = backend_.status();
  if (st.draining) return json(503, {{"status", "draining"}});
  // A load balancer should send new clients elsewhere while this instance refuses traffic.
  if (st.audit_enabled && !st.audit_healthy)
    return json(503, {{"status", "audit_unavailable"}, {"error", st.audit_error}});
  return json(200, {{"status", "ready"}});
}

}  // namespace warden::admin
