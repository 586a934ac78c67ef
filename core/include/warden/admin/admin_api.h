// core/include/warden/admin/admin_api.h
//! The admin API's routes, authentication and responses (SPEC.md "Admin API"), as a function
//! from HttpRequest to HttpResponse. The process state it reads and the reload it triggers come
//! through AdminBackend, so tests run it without a server.
//!
//! Authentication: `Authorization: Bearer <token>` against admin.tokens of the running config,
//! compared in constant time (SHA-256 of both sides, CRYPTO_memcmp, every token checked).
//! /healthz and /readyz need no token; every other path needs one before anything else is
//! said about it (an unknown path without a token is 401, not 404).
//!
//! Routes: GET /healthz; GET /readyz (503 while draining); GET /metrics (Prometheus text);
//! POST /api/v1/reload (same as SIGHUP: 200 with the new generation, 422 with the errors,
//! 503 while draining); GET /api/v1/audit?user=&target=&action=&kind=&event=&session=&since=
//! &until=&text=&limit= (audit search over audit.dir, warden/audit/search.h: 200
//! {"records":[..newest first..],"truncated":b,"timed_out":b}, 400 naming a bad parameter, 404
//! without audit.dir; the search is deferred work, off the loop thread); GET /ui and /ui/audit
//! (the admin web page, no token: the page asks for one). HEAD is allowed where GET is. Wrong
//! method: 405 with Allow.
//! Threading: call handle() on the thread that owns the backend (the main loop).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "warden/admin/http_message.h"
#include "warden/config/config.h"

namespace warden::admin {

struct AdminStatus {
  uint64_t generation = 0;        // configuration generation: 1 at start, +1 per reload
  uint64_t reloads_ok = 0;        // SIGHUP and API reloads that were applied
  uint64_t reloads_rejected = 0;  // ... that were rejected (old config kept)
  long sessions = 0;              // client sessions open now
  bool draining = false;          // SIGTERM received: /readyz says 503
  bool audit_enabled = false;     // audit.dir is set
  bool audit_healthy = true;      // false while the audit log cannot be written: /readyz 503
  std::string audit_error;        // why, when not healthy
  uint64_t audit_records = 0, audit_batches = 0, audit_failures = 0, audit_queued = 0;
};

struct ReloadOutcome {
  bool ok = false;
  uint64_t generation = 0;          // the running generation afterwards
  std::vector<std::string> errors;  // why the new config was rejected
};

//! What the API needs from the process. Implemented by runtime::Server (and by tests).
class AdminBackend {
 public:
  virtual ~AdminBackend() = default;
  //! Tokens of the running configuration (re-read per request: a reload can change them).
  virtual std::vector<config::AdminToken> tokens() const = 0;
  virtual AdminStatus status() const = 0;
  //! Reloads the config file like SIGHUP; `requested_by` is the token's user, for the log.
  virtual ReloadOutcome reload(const std::string& requested_by) = 0;
  //! audit.dir of the running configuration ("" when auditing is off).
  virtual std::string auditDir() const { return {}; }
};

//! Bounds of GET /api/v1/audit.
inline constexpr size_t kAuditDefaultLimit = 100;
inline constexpr size_t kAuditMaxLimit = 10000;
inline constexpr size_t kAuditMaxResponseBytes = 32u << 20;  //!< beyond: truncated
inline constexpr unsigned kAuditSearchSeconds = 30;          //!< beyond: timed_out, truncated

class AdminApi {
 public:
  explicit AdminApi(AdminBackend& backend) : backend_(backend) {}
  HttpResponse handle(const HttpRequest& request);

 private:
  AdminBackend& backend_;
};

//! The token entry matching `authorization` ("Bearer <token>"), or nullptr (missing, other
//! scheme, empty token, no match). Constant time in the token contents.
const config::AdminToken* authenticate(const std::string* authorization,
                                       const std::vector<config::AdminToken>& tokens);

//! Prometheus text exposition (format 0.0.4) of the status.
std::string renderMetrics(const AdminStatus& status);

//! Decodes %XX and '+' (application/x-www-form-urlencoded); false on a bad escape.
bool urlDecode(std::string_view in, std::string& out);

//! The admin web page (ui_page.cc): one self-contained HTML document.
std::string_view uiPage();

}  // namespace warden::admin
