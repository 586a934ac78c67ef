// core/src/runtime/session_runner.cc
#include "session_runner.h"

#include "warden/identity/login_throttle.h"

#include <fmt/format.h>

#include <netinet/in.h>

#include <cstring>

#include "cancel_registry.h"
#include "warden/audit/writer.h"
#include "warden/net/proxy_protocol.h"
#include "warden/base/log.h"
#include "worker.h"

namespace warden::runtime {

using dialect::Side;

namespace {
constexpr uint64_t kCloseFlushDeadlineMs = 5000;
constexpr uint64_t kProxyHeaderDeadlineMs = 5000;
constexpr size_t kProxyHeaderMaxBytes = 16 + 65535;

std::string formatAddress(const sockaddr_storage& ss) {
  char ip[64] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    uv_ip4_name(a, ip, sizeof ip);
    port = ntohs(a->sin_port);
    return std::string(ip) + ":" + std::to_string(port);
  }
  if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    uv_ip6_name(a, ip, sizeof ip);
    port = ntohs(a->sin6_port);
    return "[" + std::string(ip) + "]:" + std::to_string(port);
  }
  return "unknown";
}
}  // namespace

SessionRunner::SessionRunner(Worker& worker, SnapshotPtr snapshot, const TargetRuntime& target,
                             uint64_t id)
    : worker_(worker), snapshot_(std::move(snapshot)), target_(target), id_(id) {
  const auto& lim = snapshot_->config->limits;
  client_ = std::make_unique<Stream>(worker_, *this, 0, lim.write_high_watermark, lim.write_low_watermark);
  uv_timer_init(worker_.loop(), &timer_);
  uv_timer_init(worker_.loop(), &connect_timer_);
  timer_.data = connect_timer_.data = this;
  connect_req_.data = resolve_req_.data = this;
  open_handles_ = 2;
}

SessionRunner::~SessionRunner() {
  *alive_ = false;
  if (audit_waiting_) worker_.removeAuditWaiter(this);
  for (const auto& k : cancel_keys_) CancelRegistry::instance().remove(k);
  delete session_;  // virtual destructor inside the plugin
}

void SessionRunner::start(uv_stream_t* listener) {
  if (client_->init() != 0) {
    close("client handle init failed");
    return;
  }
  open_handles_++;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(client_->tcp())) != 0) {
    close("accept failed");
    return;
  }
  sockaddr_storage ss{};
  int len = sizeof ss;
  if (uv_tcp_getpeername(client_->tcp(), reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    client_address_ = formatAddress(ss);
  uv_tcp_keepalive(client_->tcp(), 1, 60);
  client_->begin();
  if (target_.target->proxy_protocol) {
    // The load balancer's PROXY header comes first; the dialect starts once we know who the
    // real client is (server-speaks-first protocols must not greet the balancer's bytes).
    awaiting_proxy_ = true;
    uv_timer_start(&connect_timer_, &SessionRunner::onConnectTimer, kProxyHeaderDeadlineMs, 0);
    return;
  }
  startSession();
}

void SessionRunner::startSession() {
  session_ = target_.dialect->newSession(*this);
  if (!session_) {
    close("dialect could not create a session");
    return;
  }
  log::debug("session start", {{"session", id_}, {"target", target_.target->name},
                               {"client", client_address_}});
  session_->onStart();
}

void SessionRunner::handleProxyHeader(std::span<const uint8_t> data) {
  // Only header bytes count against the cap; what follows the header belongs to the session.
  size_t room = kProxyHeaderMaxBytes - proxy_buf_.size();
  size_t take = std::min(room, data.size());
  proxy_buf_.insert(proxy_buf_.end(), data.begin(), data.begin() + long(take));
  std::span<const uint8_t> after = data.subspan(take);
  net::ProxyHeader header;
  std::string error;
  switch (net::parseProxyHeader(proxy_buf_, header, error)) {
    case net::ProxyParse::NeedMore:
      return;
    case net::ProxyParse::Invalid:
      log::warn("connection refused: invalid PROXY protocol header",
                {{"target", target_.target->name}, {"peer", client_address_}, {"error", error}});
      close("invalid PROXY header");
      return;
    case net::ProxyParse::Complete:
      break;
  }
  awaiting_proxy_ = false;
  uv_timer_stop(&connect_timer_);
  if (!header.local && !header.source.empty()) {
    log::debug("PROXY header", {{"session", id_}, {"peer", client_address_},
                                {"client", header.source}});
    client_address_ = header.source;
  }
  std::vector<uint8_t> rest(proxy_buf_.begin() + long(header.length), proxy_buf_.end());
  rest.insert(rest.end(), after.begin(), after.end());
  proxy_buf_.clear();
  proxy_buf_.shrink_to_fit();
  startSession();
  if (session_ && !closing_ && !rest.empty()) session_->onData(Side::Client, rest);
}

Stream* SessionRunner::streamFor(Side side) {
  return side == Side::Client ? client_.get() : backend_.get();
}

// ------------------------------------------------------------------ SessionHost: bytes
void SessionRunner::send(Side side, std::span<const uint8_t> data) noexcept {
  if (side == Side::Backend) {
    if (aborted_) return;
    // Write-ahead: nothing reaches the backend before the audit records submitted so far are
    // durable (session_audit.cc).
    if (auditHolding()) {
      try {
        held_backend_.insert(held_backend_.end(), data.begin(), data.end());
      } catch (...) {
        abort(dialect::AbortReason::AuditUnavailable, "out of memory while waiting for the audit log");
        return;
      }
      if (client_ && client_->usable()) client_->setPaused(Stream::kPauseAudit, true);
      return;
    }
    if (!held_backend_.empty() || held_connect_) releaseHeld();
  }
  Stream* s = streamFor(side);
  if (s && s->usable()) s->write(data);
}

void SessionRunner::pauseReading(Side side, bool paused) noexcept {
  Stream* s = streamFor(side);
  if (s && s->usable()) s->setPaused(Stream::kPauseOwner, paused);
}

// ------------------------------------------------------------------ backend connection
void SessionRunner::connectBackend() noexcept {
  if (closing_ || backend_ || aborted_) return;
  if (auditHolding()) {  // session_start must be durable before the backend hears of us
    held_connect_ = true;
    return;
  }
  connectNow();
}

void SessionRunner::connectNow() {
  if (closing_ || backend_ || aborted_) return;
  const auto& lim = snapshot_->config->limits;
  backend_ = std::make_unique<Stream>(worker_, *this, 1, lim.write_high_watermark, lim.write_low_watermark);
  if (backend_->init() != 0) {
    backendConnectFailed("cannot create socket");
    return;
  }
  open_handles_++;
  connecting_ = true;
  const auto& b = target_.target->backend;
  uv_timer_start(&connect_timer_, &SessionRunner::onConnectTimer,
                 static_cast<uint64_t>(b.connect_timeout.count()), 0);
  sockaddr_storage ss{};
  if (uv_ip4_addr(b.host.c_str(), b.port, reinterpret_cast<sockaddr_in*>(&ss)) == 0 ||
      uv_ip6_addr(b.host.c_str(), b.port, reinterpret_cast<sockaddr_in6*>(&ss)) == 0) {
    connectTo(reinterpret_cast<sockaddr*>(&ss));
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = uv_getaddrinfo(worker_.loop(), &resolve_req_, &SessionRunner::onResolved,
                          b.host.c_str(), std::to_string(b.port).c_str(), &hints);
  if (rc != 0) {
    backendConnectFailed(std::string("cannot resolve ") + b.host + ": " + uv_strerror(rc));
    return;
  }
  pending_reqs_++;
  resolving_ = true;
}

void SessionRunner::onResolved(uv_getaddrinfo_t* req, int status, addrinfo* res) {
  auto* self = static_cast<SessionRunner*>(req->data);
  self->pending_reqs_--;
  self->resolving_ = false;
  if (self->closing_ || status == UV_ECANCELED) {
    if (res) uv_freeaddrinfo(res);
    self->maybeFinished();
    return;
  }
  if (status != 0 || !res) {
    if (res) uv_freeaddrinfo(res);
    self->backendConnectFailed("cannot resolve " + self->target_.target->backend.host + ": " +
                               uv_strerror(status));
    return;
  }
  self->connectTo(res->ai_addr);
  uv_freeaddrinfo(res);
}

void SessionRunner::connectTo(const sockaddr* addr) {
  std::memcpy(&backend_addr_, addr,
              addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
  int rc = uv_tcp_connect(&connect_req_, backend_->tcp(), addr, &SessionRunner::onConnect);
  if (rc != 0) {
    backendConnectFailed(std::string("connect: ") + uv_strerror(rc));
    return;
  }
  pending_reqs_++;
}

void SessionRunner::onConnect(uv_connect_t* req, int status) {
  auto* self = static_cast<SessionRunner*>(req->data);
  self->pending_reqs_--;
  if (self->closing_ || status == UV_ECANCELED || !self->connecting_) {
    self->maybeFinished();
    return;
  }
  uv_timer_stop(&self->connect_timer_);
  if (status < 0) {
    self->backendConnectFailed(std::string("connect to ") + formatAddress(self->backend_addr_) +
                               ": " + uv_strerror(status));
    return;
  }
  self->connecting_ = false;
  self->backend_connected_ = true;
  self->backend_->begin();
  self->session_->onBackendConnected(true, {});
}

void SessionRunner::onConnectTimer(uv_timer_t* t) {
  auto* self = static_cast<SessionRunner*>(t->data);
  if (self->closing_) {
    // Flush deadline passed: stop waiting for slow peers.
    self->client_->close();
    if (self->backend_) self->backend_->close();
    return;
  }
  if (self->awaiting_proxy_) {
    self->close("no PROXY header in time");
    return;
  }
  if (self->connecting_) self->backendConnectFailed("connect timeout");
}

void SessionRunner::backendConnectFailed(const std::string& why) {
  connecting_ = false;
  uv_timer_stop(&connect_timer_);
  if (backend_) backend_->close();
  log::warn("backend connect failed", {{"session", id_}, {"target", target_.target->name},
                                       {"error", why}});
  if (session_ && !closing_) session_->onBackendConnected(false, why);
}

// ------------------------------------------------------------------ TLS
bool SessionRunner::startTls(Side side) noexcept {
  if (side == Side::Client) {
    if (!snapshot_->client_tls || !client_->usable()) return false;
    client_->startTls(snapshot_->client_tls, {});
    return true;
  }
  if (!target_.backend_tls || !backend_ || !backend_->usable()) return false;
  const auto& b = target_.target->backend;
  backend_->startTls(target_.backend_tls, b.server_name.empty() ? b.host : b.server_name);
  return true;
}

bool SessionRunner::tlsAvailable(Side side) const noexcept {
  return side == Side::Client ? snapshot_->client_tls != nullptr : target_.backend_tls != nullptr;
}

bool SessionRunner::tlsActive(Side side) const noexcept {
  const Stream* s = side == Side::Client ? client_.get() : backend_.get();
  return s && s->tlsActive();
}

void SessionRunner::sendOutOfBand(std::span<const uint8_t> data) noexcept {
  if (!backend_connected_) return;
  try {
    worker_.startOob(backend_addr_, std::vector<uint8_t>(data.begin(), data.end()));
  } catch (...) {
  }
}

// ------------------------------------------------------------------ closing
void SessionRunner::close(std::string_view reason) noexcept {
  if (closing_) return;
  try {
    auditSessionEnd(reason);
  } catch (...) {
  }
  closing_ = true;
  if (audit_waiting_) {
    worker_.removeAuditWaiter(this);
    audit_waiting_ = false;
  }
  log::debug("session close", {{"session", id_}, {"reason", reason}});
  for (const auto& k : cancel_keys_) CancelRegistry::instance().remove(k);
  cancel_keys_.clear();
  uv_timer_stop(&timer_);
  connecting_ = false;
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_req_));
  client_->closeAfterFlush();
  if (backend_) backend_->closeAfterFlush();
  if (!client_->initialized()) client_.reset();
  uv_timer_start(&connect_timer_, &SessionRunner::onConnectTimer, kCloseFlushDeadlineMs, 0);
  maybeFinished();
}

void SessionRunner::forceClose(std::string_view reason) {
  close(reason);
  if (client_) client_->close();
  if (backend_) backend_->close();
}

void SessionRunner::drain() {
  if (closing_) return;
  if (session_)
    session_->onDrain();
  else
    close("draining");
}

void SessionRunner::cancelRequested() {
  if (!closing_ && session_) session_->onCancelRequested();
}

void SessionRunner::maybeFinished() {
  if (finished_ || !closing_) return;
  bool streams_closed = (!client_ || !client_->initialized() || client_->closed()) &&
                        (!backend_ || !backend_->initialized() || backend_->closed());
  if (!streams_closed || pending_reqs_ > 0) return;
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&timer_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &SessionRunner::onHandleClosed);
    uv_close(reinterpret_cast<uv_handle_t*>(&connect_timer_), &SessionRunner::onHandleClosed);
  }
}

void SessionRunner::onHandleClosed(uv_handle_t* h) {
  auto* self = static_cast<SessionRunner*>(h->data);
  if (--self->open_handles_ == 0 && !self->finished_) {
    self->finished_ = true;
    self->worker_.sessionFinished(self);
  }
}

// ------------------------------------------------------------------ timers
void SessionRunner::armTimer(std::chrono::milliseconds after) noexcept {
  if (closing_) return;
  uv_timer_start(&timer_, &SessionRunner::onTimer, static_cast<uint64_t>(after.count()), 0);
}

void SessionRunner::disarmTimer() noexcept { uv_timer_stop(&timer_); }

void SessionRunner::onTimer(uv_timer_t* t) {
  auto* self = static_cast<SessionRunner*>(t->data);
  if (!self->closing_ && self->session_) self->session_->onTimer();
}

// ------------------------------------------------------------------ context, identity, policy
bool SessionRunner::draining() const noexcept { return worker_.draining(); }

const config::User* SessionRunner::findUser(std::string_view name) const noexcept {
  const auto& snap = worker_.snapshot();
  return snap ? snap->config->identity.findUser(name) : nullptr;
}

void SessionRunner::setIdentity(policy::Identity identity) noexcept {
  identity_ = std::move(identity);
  identity_.client_address = client_address_;
  identity::LoginThrottle::instance().succeeded(identity_.user, identity::LoginThrottle::Clock::now());
  scope_.reset();
  scope_engine_.reset();
  try {
    auto a = auditRecord("auth", true);
    a.decision = audit::DecisionInfo{"allow", "", ""};
    submitAudit(std::move(a), true);
    if (!audit_session_started_) {
      submitAudit(auditRecord("session_start", true), true);
      audit_session_started_ = worker_.audit() != nullptr;
      started_at_ = std::chrono::steady_clock::now();
    }
  } catch (...) {
  }
  log::info("authenticated", {{"session", id_}, {"target", target_.target->name},
                              {"user", identity_.user}, {"method", identity_.method},
                              {"client", client_address_}});
}

std::string SessionRunner::clientCertificateUser() const noexcept {
  try {
    if (!client_ || !client_->tlsActive()) return {};
    auto id = client_->peerIdentity();
    if (!id.verified) return {};
    return snapshot_->config->tls.client_cert_user == config::CertUser::Email ? id.email
                                                                              : id.common_name;
  } catch (...) {
    return {};
  }
}

dialect::SessionHost::LoginGate SessionRunner::loginGate(std::string_view user) noexcept {
  LoginGate out;
  const auto& snap = worker_.snapshot();
  const auto& cfg = (snap ? snap->config : snapshot_->config)->identity.login_throttle;
  auto g = identity::LoginThrottle::instance().check(client_address_, user, cfg,
                                                    identity::LoginThrottle::Clock::now());
  out.refused = g.refused;
  out.reason = std::move(g.reason);
  out.retry_after = g.retry_after;
  if (out.refused)
    log::warn("login refused", {{"session", id_}, {"user", std::string(user)},
                                {"client", client_address_}, {"reason", out.reason}});
  return out;
}

std::chrono::milliseconds SessionRunner::loginFailed(std::string_view user, std::string_view method,
                                                     std::string_view reason) noexcept {
  const auto& snap = worker_.snapshot();
  const auto& cfg = (snap ? snap->config : snapshot_->config)->identity.login_throttle;
  auto delay = identity::LoginThrottle::instance().failed(client_address_, user, cfg,
                                                         identity::LoginThrottle::Clock::now());
  try {
    auto a = auditRecord("auth", false);
    a.identity = audit::IdentityInfo{std::string(user), {}, "", std::string(method)};
    a.decision = audit::DecisionInfo{"deny", "", std::string(reason)};
    submitAudit(std::move(a), false);
  } catch (...) {
  }
  log::info("login failed", {{"session", id_}, {"target", target_.target->name},
                             {"user", std::string(user)}, {"method", std::string(method)},
                             {"client", client_address_}, {"reason", std::string(reason)},
                             {"delay_ms", (long long)delay.count()}});
  return delay;
}

void SessionRunner::verifyToken(std::string token, std::function<void(TokenOutcome)> done) noexcept {
  try {
    const auto& snap = worker_.snapshot();
    identity::OidcSource source = (snap ? snap : snapshot_)->oidc;
    // Keep the snapshot (and with it source.config) alive while the token waits for keys.
    auto keep = snap ? snap : snapshot_;
    worker_.tokenVerifier().verify(
        source, std::move(token),
        [alive = alive_, keep, done = std::move(done)](identity::TokenVerifier::Outcome o) {
          if (!*alive) return;
          TokenOutcome out;
          if (auto* v = std::get_if<identity::VerifiedToken>(&o)) {
            out.ok = true;
            out.identity.user = v->user;
            out.identity.groups = v->groups;
            out.identity.kind = v->kind.empty() ? "human" : v->kind;
            out.identity.method = "jwt";
            out.identity.expires = v->expires;
            out.identity.issuer = v->issuer;
          } else {
            const auto& f = std::get<identity::TokenFailure>(o);
            out.error = fmt::format("{}: {}", identity::tokenErrorName(f.code), f.message);
          }
          done(std::move(out));
        });
  } catch (...) {
    TokenOutcome out;
    out.error = "out of memory while checking the token";
    done(std::move(out));
  }
}

policy::Decision SessionRunner::evaluate(std::string_view text, policy::StatementOrigin origin,
                                         std::string_view statement_name) noexcept {
  try {
    std::shared_ptr<const sql::Analysis> analysis;
    policy::Decision d;
    audit::Writer* w = worker_.audit();
    if (w && !w->healthy()) {
      // Fail closed: nothing runs that the audit trail cannot record first.
      analysis = analyze(text);
      d.verdict = policy::Verdict::Deny;
      d.unavailable = true;
      d.message = fmt::format("audit log unavailable ({}); statement not executed", w->lastError());
    } else {
      d = decide(text, origin, statement_name, analysis);
      if (!analysis) analysis = analyze(text);
      if (d.verdict == policy::Verdict::Allow) {
        attachMasking(d, analysis);
        auto ddl = [](const sql::Statement& s, auto& self) -> bool {
          if (s.category == sql::Category::Ddl) return true;
          for (const auto& n : s.nested)
            if (self(n, self)) return true;
          return false;
        };
        for (const auto& s : analysis->statements) d.changes_schema = d.changes_schema || ddl(s, ddl);
      }
    }
    auditStatement(text, *analysis, d);
    return d;
  } catch (...) {
    policy::Decision d;
    d.verdict = policy::Verdict::Deny;
    d.message = "statement denied: out of memory";
    return d;
  }
}

policy::Decision SessionRunner::decide(std::string_view text, policy::StatementOrigin origin,
                                       std::string_view statement_name,
                                       std::shared_ptr<const sql::Analysis>& analysis) {
  if (identity_.expires) {
    const auto& snap = worker_.snapshot();
    const auto& oidc = (snap ? snap->config : snapshot_->config)->identity.oidc;
    bool close = !oidc || oidc->on_expiry == config::TokenExpiry::Close;
    // The same leeway as at login: a token accepted inside it is not expired one statement later.
    auto leeway = oidc ? oidc->leeway : std::chrono::milliseconds(0);
    if (close && std::chrono::system_clock::now() >= *identity_.expires + leeway) {
      policy::Decision d;
      d.verdict = policy::Verdict::Deny;
      d.close_session = true;
      d.message = "your access token has expired; log in again with a fresh token";
      log::info("token expired", {{"session", id_}, {"user", identity_.user}});
      return d;
    }
  }
  policy::StatementRequest req;
  req.identity = &identity_;
  req.dialect = target_.target->dialect;
  req.text = text;
  req.origin = origin;
  req.session_id = id_;
  req.statement_name = statement_name;
  analysis = analyze(text);
  req.analysis = analysis.get();
  if (log::enabled(log::Level::Debug)) {
    std::string kinds, fingerprints;
    for (const auto& s : analysis->statements) {
      if (!kinds.empty()) kinds.push_back(','), fingerprints.push_back(',');
      kinds.append(sql::kindName(s.kind));
      fingerprints.append(s.fingerprint);
    }
    log::debug("statement analysed", {{"session", id_}, {"statements", analysis->statements.size()},
                                      {"kinds", kinds}, {"fingerprints", fingerprints}});
  }
  PreparedRegistry::Batch batch(prepared_, analysis, statement_name,
                                origin == policy::StatementOrigin::Prepare);
  req.prepared = &batch;
  // Policy follows reloads: use the worker's newest snapshot, with this target as that snapshot
  // knows it. A target removed by a reload keeps the rules it started with.
  const auto& snap = worker_.snapshot();
  const TargetRuntime* current = snap ? snap->find(target_.target->name) : nullptr;
  const std::shared_ptr<policy::PolicyEngine>* engine_ref = nullptr;
  if (current) {
    req.target = current->target;
    engine_ref = &snap->policy;
  } else {
    req.target = target_.target;
    engine_ref = &snapshot_->policy;
  }
  policy::PolicyEngine* engine = engine_ref->get();
  if (engine == nullptr) {
    policy::Decision d;
    d.verdict = policy::Verdict::Deny;
    d.message = "statement denied: no policy is loaded";
    return d;
  }
  if (engine != scope_engine_.get() || req.target != scope_target_) {
    scope_ = engine->scopeFor(identity_, *req.target);
    scope_engine_ = *engine_ref;
    scope_target_ = req.target;
  }
  req.scope = scope_.get();
  policy::Decision d = engine->evaluate(req);
  if (d.verdict == policy::Verdict::Allow) batch.commit();
  for (const auto& m : d.matches) {
    if (!m.dry_run) continue;
    log::info("dry-run rule matched", {{"session", id_}, {"rule", m.name},
                                       {"would", m.action == config::Action::Deny ? "deny"
                                                 : m.action == config::Action::RequireApproval
                                                     ? "require_approval" : "allow"}});
  }
  return d;
}

void SessionRunner::attachMasking(policy::Decision& d,
                                  const std::shared_ptr<const sql::Analysis>& analysis) {
  // Masking follows reloads like rules do: the worker's newest snapshot, this target as it knows it.
  const auto& snap = worker_.snapshot();
  const TargetRuntime* current = snap ? snap->find(target_.target->name) : nullptr;
  const auto& policy = current ? snap->masking : snapshot_->masking;
  const config::Target* target = current ? current->target : target_.target;
  if (!masking_ready_ || policy != masking_policy_ || target != masking_target_) {
    masking_ = policy ? policy->forSession(identity_, *target) : nullptr;
    masking_policy_ = policy;
    masking_target_ = target;
    masking_ready_ = true;
  }
  if (!masking_) return;
  auto m = std::make_shared<masking::StatementMasking>();
  m->session = masking_;
  m->analysis = analysis;
  d.transform = std::move(m);
}

std::shared_ptr<const sql::Analysis> SessionRunner::analyze(std::string_view text) noexcept {
  try {
    auto& da = worker_.analysisFor(target_.dialect);
    if (da.analyzer) return da.cache.analyze(*da.analyzer, target_.target->dialect, text);
  } catch (...) {
  }
  // No parser for this dialect (or out of memory): the statement is unparsed; policy decides.
  static const auto kUnparsed = [] {
    auto a = std::make_shared<sql::Analysis>();
    a->statements.emplace_back();
    a->statements.back().error = "no SQL analyzer for this dialect";
    return std::shared_ptr<const sql::Analysis>(a);
  }();
  return kUnparsed;
}

bool SessionRunner::registerCancelKey(std::span<const uint8_t> key) noexcept {
  try {
    std::string k(reinterpret_cast<const char*>(key.data()), key.size());
    if (!CancelRegistry::instance().add(k, {&worker_, id_})) return false;
    cancel_keys_.push_back(std::move(k));
    return true;
  } catch (...) {
    return false;
  }
}

bool SessionRunner::requestCancel(std::span<const uint8_t> key) noexcept {
  try {
    CancelRegistry::Owner owner;
    std::string k(reinterpret_cast<const char*>(key.data()), key.size());
    if (!CancelRegistry::instance().find(k, owner)) return false;
    Worker* w = owner.worker;
    uint64_t id = owner.session_id;
    w->post([w, id] {
      if (SessionRunner* s = w->findSession(id)) s->cancelRequested();
    });
    return true;
  } catch (...) {
    return false;
  }
}

bool SessionRunner::cacheGet(std::string_view key, std::string& value) noexcept {
  try {
    return worker_.cacheGet(std::string(key), value);
  } catch (...) {
    return false;
  }
}

void SessionRunner::cachePut(std::string_view key, std::string_view value) noexcept {
  try {
    worker_.cachePut(std::string(key), std::string(value));
  } catch (...) {
  }
}

void SessionRunner::log(dialect::LogLevel level, std::string_view msg) noexcept {
  log::Level l = level == dialect::LogLevel::Debug  ? log::Level::Debug
                 : level == dialect::LogLevel::Info ? log::Level::Info
                 : level == dialect::LogLevel::Warn ? log::Level::Warn
                                                    : log::Level::Error;
  if (!log::enabled(l)) return;
  log::write(l, msg, {{"session", id_}, {"target", target_.target->name}, {"client", client_address_},
                      {"user", identity_.user}});
}

// ------------------------------------------------------------------ Stream::Owner
void SessionRunner::onStreamData(Stream& s, std::span<const uint8_t> data) {
  if (closing_) return;
  if (awaiting_proxy_) {
    handleProxyHeader(data);
    return;
  }
  if (!session_) return;
  session_->onData(s.side() == 0 ? Side::Client : Side::Backend, data);
}

void SessionRunner::onStreamClosed(Stream& s, const std::string& reason) {
  if (closing_) return;
  if (!session_) {
    close(reason);
    return;
  }
  session_->onPeerClosed(s.side() == 0 ? Side::Client : Side::Backend, reason);
}

void SessionRunner::onStreamTlsDone(Stream& s, bool ok, const std::string& error) {
  if (closing_ || !session_) return;
  session_->onTlsReady(s.side() == 0 ? Side::Client : Side::Backend, ok, error);
}

void SessionRunner::onStreamWriteLevel(Stream& s, bool above) {
  // Backpressure: a peer that is not draining pauses reads from the other side. A client that
  // does not read its replies also stops being read (as a server stops reading a client whose
  // socket is full), so replies the gateway generates itself cannot pile up either.
  Stream* other = s.side() == 0 ? backend_.get() : client_.get();
  if (other && other->usable()) other->setPaused(Stream::kPauseBackpressure, above);
  if (s.side() == 0 && s.usable()) s.setPaused(Stream::kPauseOwnQueue, above);
}

void SessionRunner::onStreamFlushed(Stream&) {}

void SessionRunner::onStreamHandleClosed(Stream&) {
  open_handles_--;
  maybeFinished();
}

}  // namespace warden::runtime
