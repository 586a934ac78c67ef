// test/unit/postgres/session_test_host.h
//! Drives PgSession without sockets: a FakeHost that records everything the session does
//! through dialect::SessionHost, message builders for both peers, a frame splitter for what the
//! session sent, and a Conversation that plays the client and the backend (both SCRAM roles via
//! warden::crypto) to get a session to Ready.
//! Everything here is test-only and single-threaded, like the worker loop it stands in for.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/messages.h"
#include "session/pg_session.h"
#include "warden/base/byte_io.h"
#include "warden/config/config.h"
#include "warden/crypto/scram.h"
#include "warden/dialect/dialect.h"
#include "warden/policy/decision.h"

namespace warden::dialect::postgres::session_test {

// ------------------------------------------------------------------ the configured world
inline constexpr std::string_view kTargetName = "pg-test";
inline constexpr std::string_view kUser = "alice";
inline constexpr std::string_view kPassword = "alice-secret";
inline constexpr std::string_view kAgentUser = "robot";
inline constexpr std::string_view kAgentPassword = "robot-secret";
inline constexpr std::string_view kBackendUser = "app_owner";
inline constexpr std::string_view kBackendPassword = "vaulted-backend-pw";
inline constexpr std::string_view kDatabase = "appdb";
inline constexpr uint32_t kBackendPid = 4242;
inline const Bytes kBackendSecret = {0xde, 0xad, 0xbe, 0xef};

//! SCRAM verifiers cost 4096 HMAC rounds each: derive them once per test binary.
inline const crypto::ScramVerifier& verifierFor(std::string_view password) {
  static std::map<std::string, crypto::ScramVerifier, std::less<>> cache;
  auto it = cache.find(password);
  if (it == cache.end()) {
    std::vector<uint8_t> salt(password.begin(), password.end());
    salt.resize(16, 0x5a);
    it = cache.emplace(std::string(password), crypto::makeScramVerifier(password, salt, 4096))
             .first;
  }
  return it->second;
}

inline config::Config makeConfig() {
  config::Config c;
  c.source_file = "session-test.yaml";
  c.workers = 1;
  config::User alice;
  alice.name = std::string(kUser);
  alice.password = std::string(kPassword);
  alice.scram = verifierFor(kPassword);
  alice.groups = {"dev", "oncall"};
  alice.kind = config::IdentityKind::Human;
  c.identity.users.push_back(alice);
  config::User robot;
  robot.name = std::string(kAgentUser);
  robot.password = std::string(kAgentPassword);
  robot.scram = verifierFor(kAgentPassword);
  robot.groups = {"bots"};
  robot.kind = config::IdentityKind::Agent;
  c.identity.users.push_back(robot);
  config::Target t;
  t.name = std::string(kTargetName);
  t.dialect = "postgres";
  t.listen_host = "127.0.0.1";
  t.listen_port = 6432;
  t.environment = "test";
  t.client_tls = config::ClientTls::Optional;
  t.client_auth = config::ClientAuth::Scram;
  t.backend.host = "127.0.0.1";
  t.backend.port = 5432;
  t.backend.database = std::string(kDatabase);
  t.backend.user = std::string(kBackendUser);
  t.backend.password = std::string(kBackendPassword);
  t.backend.tls = config::BackendTls::Prefer;
  c.targets.push_back(t);
  return c;
}

using ConfigTweak = std::function<void(config::Config&)>;
using PolicyFn = std::function<policy::Decision(std::string_view, policy::StatementOrigin)>;

inline const char* sideName(Side s) { return s == Side::Client ? "client" : "backend"; }

// ------------------------------------------------------------------ the fake host
class FakeHost final : public SessionHost {
 public:
  explicit FakeHost(const ConfigTweak& tweak = {}) : cfg(makeConfig()) {
    if (tweak) tweak(cfg);
  }

  // --- recorded (tests read these directly)
  Bytes client_out, backend_out;  // every byte sent to each side, in order
  size_t client_read = 0, backend_read = 0;  // how far the test has consumed them
  std::vector<std::string> events;  // ordered log of calls: "send backend 5", "oob", "close" ...
  std::vector<std::pair<Side, bool>> pauses;
  std::vector<std::string> closes;
  int connects = 0;
  std::vector<Side> tls_starts;
  std::vector<Bytes> out_of_band, registered_keys, cancel_requests;
  std::vector<std::chrono::milliseconds> timers;
  int disarms = 0;
  std::vector<std::pair<std::string, policy::StatementOrigin>> evaluated;
  std::map<std::string, std::string, std::less<>> cache;
  int cache_puts = 0, cache_hits = 0;
  size_t sends_after_close = 0;
  std::vector<std::string> logs;
  policy::Identity ident;
  bool identity_set = false;

  // --- knobs
  config::Config cfg;
  bool tls_available[2] = {false, false};
  bool tls_active[2] = {false, false};
  bool start_tls_result = true;
  bool is_draining = false;
  bool is_overloaded = false;
  bool cancel_found = true;
  std::function<bool(ByteView)> register_result;  // default: every key is free
  PolicyFn policy;                                  // default: allow everything

  bool closed() const { return !closes.empty(); }

  // --- SessionHost
  void send(Side side, std::span<const uint8_t> data) noexcept override {
    if (closed()) {
      sends_after_close += data.size();
      return;  // the real host ignores bytes for a closed side
    }
    Bytes& out = side == Side::Client ? client_out : backend_out;
    out.insert(out.end(), data.begin(), data.end());
    events.push_back(std::string("send ") + sideName(side) + " " + std::to_string(data.size()));
  }
  void pauseReading(Side side, bool paused) noexcept override {
    pauses.emplace_back(side, paused);
    events.push_back(std::string("pause ") + sideName(side) + (paused ? " on" : " off"));
  }
  void connectBackend() noexcept override {
    ++connects;
    events.push_back("connect");
  }
  bool startTls(Side side) noexcept override {
    tls_starts.push_back(side);
    events.push_back(std::string("tls ") + sideName(side));
    return start_tls_result;
  }
  bool tlsAvailable(Side side) const noexcept override { return tls_available[int(side)]; }
  bool tlsActive(Side side) const noexcept override { return tls_active[int(side)]; }
  void sendOutOfBand(std::span<const uint8_t> data) noexcept override {
    out_of_band.emplace_back(data.begin(), data.end());
    events.push_back("oob");
  }
  void close(std::string_view reason) noexcept override {
    closes.emplace_back(reason);
    events.push_back("close");
  }
  void armTimer(std::chrono::milliseconds after) noexcept override {
    timers.push_back(after);
    events.push_back("timer");
  }
  void disarmTimer() noexcept override {
    ++disarms;
    events.push_back("disarm");
  }
  const config::Config& config() const noexcept override { return cfg; }
  const config::Target& target() const noexcept override { return cfg.targets.front(); }
  uint64_t sessionId() const noexcept override { return 7; }
  std::string_view clientAddress() const noexcept override { return "127.0.0.1:50000"; }
  bool draining() const noexcept override { return is_draining; }
  bool overloaded() const noexcept override { return is_overloaded; }
  const config::User* findUser(std::string_view name) const noexcept override {
    for (const auto& u : cfg.identity.users)
      if (u.name == name) return &u;
    return nullptr;
  }
  void setIdentity(policy::Identity identity) noexcept override {
    ident = std::move(identity);
    identity_set = true;
  }
  const policy::Identity& identity() const noexcept override { return ident; }
  std::vector<std::string> evaluated_names;  // statement_name per evaluate() call
  LoginGate gate;                            // what loginGate() answers
  std::chrono::milliseconds failure_delay{0};  // what loginFailed() answers
  std::vector<std::string> login_failures;     // "user/method/reason" per loginFailed()
  std::function<void(std::string, std::function<void(TokenOutcome)>)> token_verifier;
  LoginGate loginGate(std::string_view) noexcept override { return gate; }
  std::string cert_user;  // what clientCertificateUser() answers
  std::string clientCertificateUser() const noexcept override { return cert_user; }
  std::chrono::milliseconds loginFailed(std::string_view user, std::string_view method,
                                        std::string_view reason) noexcept override {
    login_failures.push_back(std::string(user) + "/" + std::string(method) + "/" + std::string(reason));
    return failure_delay;
  }
  void verifyToken(std::string token, std::function<void(TokenOutcome)> done) noexcept override {
    if (token_verifier) {
      token_verifier(std::move(token), std::move(done));
      return;
    }
    TokenOutcome out;
    out.error = "no verifier in this test";
    done(std::move(out));
  }
  policy::Decision evaluate(std::string_view text, policy::StatementOrigin origin,
                            std::string_view statement_name = {}) noexcept override {
    evaluated.emplace_back(std::string(text), origin);
    evaluated_names.emplace_back(statement_name);
    policy::Decision d = policy ? policy(text, origin) : policy::Decision{};
    if (d.verdict == policy::Verdict::Allow && audit_refs) d.audit_ref = evaluated.size();  // 1-based
    return d;
  }
  bool audit_refs = true;  //!< allowed statements get audit_ref = their 1-based index
  //! statementResult() calls: (audit_ref = index into evaluated, 1-based; result).
  std::vector<std::pair<uint64_t, StatementResult>> results;
  void statementResult(uint64_t ref, const StatementResult& r) noexcept override {
    results.emplace_back(ref, r);
  }
  bool registerCancelKey(std::span<const uint8_t> key) noexcept override {
    registered_keys.emplace_back(key.begin(), key.end());
    events.push_back("register");
    return register_result ? register_result(key) : true;
  }
  bool requestCancel(std::span<const uint8_t> key) noexcept override {
    cancel_requests.emplace_back(key.begin(), key.end());
    events.push_back("cancel");
    return cancel_found;
  }
  bool cacheGet(std::string_view key, std::string& value) noexcept override {
    auto it = cache.find(key);
    if (it == cache.end()) return false;
    ++cache_hits;
    value = it->second;
    return true;
  }
  void cachePut(std::string_view key, std::string_view value) noexcept override {
    ++cache_puts;
    cache[std::string(key)] = std::string(value);
  }
  void log(LogLevel, std::string_view msg) noexcept override { logs.emplace_back(msg); }
};

//! A policy that denies statements containing `needle` (case-sensitive) with rule "no-drop".
inline PolicyFn denyContaining(std::string needle) {
  return [needle](std::string_view text, policy::StatementOrigin) {
    policy::Decision d;
    if (text.find(needle) != std::string_view::npos) {
      d.verdict = policy::Verdict::Deny;
      d.rule = "no-drop";
      d.message = "DROP is not allowed on " + std::string(kTargetName);
    }
    return d;
  };
}

// ------------------------------------------------------------------ frames
struct Frame {
  uint8_t type = 0;
  Bytes body;
  Bytes raw;
};

//! Splits typed frames ([type:1][len:4 incl. itself][body]); the input must hold whole frames.
inline std::vector<Frame> splitFrames(ByteView bytes) {
  std::vector<Frame> out;
  size_t at = 0;
  while (at < bytes.size()) {
    REQUIRE(bytes.size() - at >= 5);
    const uint32_t len = loadBe32(bytes.data() + at + 1);
    REQUIRE(len >= 4);
    REQUIRE(bytes.size() - at - 1 >= len);
    Frame f;
    f.type = bytes[at];
    f.raw.assign(bytes.begin() + at, bytes.begin() + at + 1 + len);
    f.body.assign(f.raw.begin() + 5, f.raw.end());
    out.push_back(std::move(f));
    at += 1 + len;
  }
  return out;
}

//! "SSKZ" for a ParameterStatus, ParameterStatus, BackendKeyData, ReadyForQuery run.
inline std::string types(const std::vector<Frame>& frames) {
  std::string s;
  for (const auto& f : frames) s.push_back(char(f.type));
  return s;
}

inline Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct PgError {
  std::string severity, code, message, detail;
};
inline PgError errorOf(const Frame& f) {
  REQUIRE(f.type == be::kErrorResponse);
  auto e = decodeErrorFields(f.body);
  REQUIRE(e);
  return {std::string(e->get('S')), std::string(e->get('C')), std::string(e->get('M')),
          std::string(e->get('D'))};
}

inline AuthRequest authOf(const Frame& f) {
  REQUIRE(f.type == be::kAuthentication);
  auto a = decodeAuthentication(f.body);
  REQUIRE(a);
  return a.value();
}

inline uint8_t rfqStatus(const Frame& f) {
  REQUIRE(f.type == be::kReadyForQuery);
  auto st = decodeReadyForQuery(f.body);
  REQUIRE(st);
  return st.value();
}

// ------------------------------------------------------------------ message builders
//! Appends body fields; frame() wraps them as [type][len][body].
class Body {
 public:
  Body& u8(uint8_t v) { b_.push_back(v); return *this; }
  Body& i16(int16_t v) { appendBe16(b_, uint16_t(v)); return *this; }
  Body& i32(int32_t v) { appendBe32(b_, uint32_t(v)); return *this; }
  Body& str(std::string_view s) { appendBytes(b_, s); b_.push_back(0); return *this; }
  Body& raw(std::string_view s) { appendBytes(b_, s); return *this; }
  Bytes frame(uint8_t type) const {
    Bytes out{type};
    appendBe32(out, uint32_t(b_.size() + 4));
    appendBytes(out, ByteView(b_));
    return out;
  }

 private:
  Bytes b_;
};

// Frontend (client → Warden).
inline Bytes startupMessage(std::vector<std::pair<std::string, std::string>> params,
                            uint16_t minor = 0) {
  StartupMessage m;
  m.minor = minor;
  m.params = std::move(params);
  Bytes out;
  encodeStartupMessage(out, m);
  return out;
}
inline Bytes defaultStartup() {
  return startupMessage({{"user", std::string(kUser)},
                         {"database", std::string(kDatabase)},
                         {"application_name", "psql"},
                         {"client_encoding", "UTF8"}});
}
inline Bytes sslRequest() { Bytes b; encodeSslRequest(b); return b; }
inline Bytes gssEncRequest() {
  Bytes b;
  appendBe32(b, 8);
  appendBe32(b, kGssEncRequestCode);
  return b;
}
inline Bytes query(std::string_view sql) { Bytes b; encodeQuery(b, sql); return b; }
inline Bytes parse(std::string_view name, std::string_view sql) {
  return Body().str(name).str(sql).i16(0).frame(fe::kParse);
}
inline Bytes bind(std::string_view portal, std::string_view stmt,
                  std::vector<std::string> text_params = {}) {
  Body b;
  b.str(portal).str(stmt).i16(0).i16(int16_t(text_params.size()));
  for (const auto& p : text_params) b.i32(int32_t(p.size())).raw(p);
  b.i16(0);
  return b.frame(fe::kBind);
}
inline Bytes describePortal(std::string_view portal) {
  return Body().u8('P').str(portal).frame(fe::kDescribe);
}
inline Bytes execute(std::string_view portal, int32_t max_rows = 0) {
  return Body().str(portal).i32(max_rows).frame(fe::kExecute);
}
inline Bytes sync() { Bytes b; encodeSync(b); return b; }
inline Bytes terminate() { Bytes b; encodeTerminate(b); return b; }
inline Bytes functionCall(int32_t oid) {
  return Body().i32(oid).i16(0).i16(0).i16(0).frame(fe::kFunctionCall);
}
//! Parse with explicit parameter type OIDs.
inline Bytes parseTyped(std::string_view name, std::string_view sql, std::vector<int32_t> oids) {
  Body b;
  b.str(name).str(sql).i16(int16_t(oids.size()));
  for (int32_t oid : oids) b.i32(oid);
  return b.frame(fe::kParse);
}
inline Bytes flush() { return Body().frame(fe::kFlush); }
inline Bytes copyData(std::string_view data) { return Body().raw(data).frame(fe::kCopyData); }
inline Bytes copyDone() { return Body().frame(fe::kCopyDone); }
inline Bytes copyFail(std::string_view why) { return Body().str(why).frame(fe::kCopyFail); }
//! Parse/Bind/Describe/Execute/Sync for one unnamed statement.
inline Bytes extendedRound(std::string_view sql) {
  return concat({parse("", sql), bind("", "", {"42"}), describePortal(""), execute(""), sync()});
}

// Backend (server → Warden).
inline Bytes authOk() { Bytes b; encodeAuthOk(b); return b; }
inline Bytes authCleartext() { Bytes b; encodeAuthCleartext(b); return b; }
inline Bytes authMd5(ByteView salt4) {
  Body b;
  b.i32(int32_t(AuthCode::Md5Password)).raw(asStringView(salt4));
  return b.frame(be::kAuthentication);
}
inline Bytes authSasl(std::vector<std::string_view> mechs) {
  Bytes b;
  encodeAuthSasl(b, mechs);
  return b;
}
inline Bytes authSaslContinue(std::string_view d) {
  Bytes b;
  encodeAuthSaslContinue(b, d);
  return b;
}
inline Bytes authSaslFinal(std::string_view d) {
  Bytes b;
  encodeAuthSaslFinal(b, d);
  return b;
}
inline Bytes parameterStatus(std::string_view k, std::string_view v) {
  Bytes b;
  encodeParameterStatus(b, k, v);
  return b;
}
inline Bytes backendKeyData(uint32_t pid, ByteView secret) {
  Bytes b;
  encodeBackendKeyData(b, pid, secret);
  return b;
}
inline Bytes readyForQuery(uint8_t status = kTxIdle) {
  Bytes b;
  encodeReadyForQuery(b, status);
  return b;
}
inline Bytes errorResponse(std::string_view severity, std::string_view code,
                           std::string_view msg) {
  Bytes b;
  encodeErrorResponse(b, {severity, code, msg, {}, {}});
  return b;
}
inline Bytes rowDescription(std::vector<std::string> columns) {
  Body b;
  b.i16(int16_t(columns.size()));
  for (const auto& c : columns) b.str(c).i32(0).i16(0).i32(23).i16(4).i32(-1).i16(0);
  return b.frame(be::kRowDescription);
}
inline Bytes dataRow(std::vector<std::string> values) {
  Body b;
  b.i16(int16_t(values.size()));
  for (const auto& v : values) b.i32(int32_t(v.size())).raw(v);
  return b.frame(be::kDataRow);
}
inline Bytes commandComplete(std::string_view tag) {
  return Body().str(tag).frame(be::kCommandComplete);
}
inline Bytes parseComplete() { return Body().frame(be::kParseComplete); }
inline Bytes bindComplete() { return Body().frame(be::kBindComplete); }

inline Bytes noData() { return Body().frame(be::kNoData); }
//! CopyInResponse: text format, `columns` columns.
inline Bytes copyInResponse(int16_t columns = 1) {
  Body b;
  b.u8(0).i16(columns);
  for (int16_t i = 0; i < columns; ++i) b.i16(0);
  return b.frame(be::kCopyInResponse);
}
inline Bytes notificationResponse(int32_t pid, std::string_view channel, std::string_view payload) {
  return Body().i32(pid).str(channel).str(payload).frame(be::kNotificationResponse);
}

//! A SELECT result: RowDescription, `rows` DataRows, CommandComplete, ReadyForQuery.
inline Bytes selectReply(int rows, uint8_t status = kTxIdle) {
  Bytes out = rowDescription({"id", "name"});
  for (int i = 0; i < rows; ++i) {
    Bytes r = dataRow({std::to_string(i), "row-" + std::string(size_t(i % 5) * 7, 'x')});
    out.insert(out.end(), r.begin(), r.end());
  }
  return concat({out, commandComplete("SELECT " + std::to_string(rows)), readyForQuery(status)});
}
//! The replies to one extendedRound(): ParseComplete, BindComplete, RowDescription, DataRow,
//! CommandComplete, ReadyForQuery.
inline Bytes extendedReply(uint8_t status = kTxIdle) {
  return concat({parseComplete(), bindComplete(), rowDescription({"v"}), dataRow({"42"}),
                 commandComplete("SELECT 1"), readyForQuery(status)});
}

// ------------------------------------------------------------------ denial stand-ins
//! A denied statement reaches the backend only as a stand-in whose text is one marker word,
//! "warden_denied_<16 hex>_<n>", that fails to parse; the server's error for it is swapped for
//! the denial. These helpers find the markers in what the session sent and play the server.
inline constexpr std::string_view kMarkerPrefix = "warden_denied_";

inline bool isDenialMarker(std::string_view s) {
  if (s.rfind(kMarkerPrefix, 0) != 0) return false;
  s.remove_prefix(kMarkerPrefix.size());
  if (s.size() < 16 + 2 || s[16] != '_') return false;
  for (size_t i = 0; i < 16; ++i)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
  for (size_t i = 17; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

//! The SQL text of a Query or Parse frame ("" for other frames).
inline std::string sqlOf(const Frame& f) {
  if (f.type == fe::kQuery) {
    auto q = decodeQuery(f.body);
    REQUIRE(q);
    return std::string(q.value());
  }
  if (f.type == fe::kParse) {
    auto p = decodeParse(f.body);
    REQUIRE(p);
    return std::string(p->query);
  }
  return {};
}

//! The markers of all stand-ins among `frames`, in order.
inline std::vector<std::string> markersIn(const std::vector<Frame>& frames) {
  std::vector<std::string> out;
  for (const auto& f : frames) {
    std::string sql = sqlOf(f);
    if (sql.rfind(kMarkerPrefix, 0) == 0) {
      CHECK(isDenialMarker(sql));
      out.push_back(std::move(sql));
    }
  }
  return out;
}

//! Re-joins frames (after splitFrames) into the bytes they came from.
inline Bytes joinFrames(const std::vector<Frame>& frames) {
  Bytes out;
  for (const auto& f : frames) out.insert(out.end(), f.raw.begin(), f.raw.end());
  return out;
}

//! Whether `text` occurs anywhere in `bytes`.
inline bool containsText(ByteView bytes, std::string_view text) {
  return std::search(bytes.begin(), bytes.end(), text.begin(), text.end()) != bytes.end();
}

//! What a server answers a stand-in: 42601 syntax error at or near "<marker>".
inline Bytes standInError(std::string_view marker) {
  Bytes b;
  std::string msg = "syntax error at or near \"" + std::string(marker) + "\"";
  encodeErrorResponse(b, {"ERROR", "42601", msg, {}, {}});
  return b;
}

// ------------------------------------------------------------------ the conversation
//! One PgSession on a FakeHost, with both peers played by the test.
class Conversation {
 public:
  explicit Conversation(const ConfigTweak& tweak = {}) : host(tweak) {
    session = std::make_unique<PgSession>(host);
    session->onStart();
  }

  FakeHost host;
  std::unique_ptr<PgSession> session;

  State state() const { return session->state(); }
  void fromClient(ByteView b) { session->onData(Side::Client, b); }
  void fromBackend(ByteView b) { session->onData(Side::Backend, b); }

  //! Bytes sent to the client / backend since the last take.
  Bytes clientBytes() { return take(host.client_out, host.client_read); }
  Bytes backendBytes() { return take(host.backend_out, host.backend_read); }
  std::vector<Frame> clientFrames() { return splitFrames(clientBytes()); }
  std::vector<Frame> backendFrames() { return splitFrames(backendBytes()); }

  //! The untyped StartupMessage the session sent the backend (consumed).
  StartupMessage backendStartup() {
    const Bytes& out = host.backend_out;
    size_t& at = host.backend_read;
    REQUIRE(out.size() - at >= 8);
    const uint32_t len = loadBe32(out.data() + at);
    REQUIRE(out.size() - at >= len);
    auto m = decodeStartupMessage(ByteView(out.data() + at + 4, len - 4));
    REQUIRE(m);
    at += len;
    return m.value();
  }

  // --- client side
  //! Sends the default StartupMessage; expects AuthenticationSASL.
  void clientStartup(ByteView startup) {
    fromClient(startup);
    auto f = clientFrames();
    REQUIRE(types(f) == "R");
    auto a = authOf(f[0]);
    REQUIRE(a.code == AuthCode::Sasl);
  }
  //! Runs the SCRAM exchange as `password` after AuthenticationSASL; returns what the session
  //! sent after the final client message. `continued` reports whether SASLContinue came.
  std::vector<Frame> clientScram(std::string_view password, bool* continued = nullptr) {
    crypto::ScramClient c{std::string(password)};
    Bytes first;
    encodeSaslInitialResponse(first, "SCRAM-SHA-256", c.clientFirst());
    fromClient(first);
    auto f = clientFrames();
    if (continued) *continued = false;
    if (types(f) != "R") return f;
    auto cont = authOf(f[0]);
    if (cont.code != AuthCode::SaslContinue) return f;
    if (continued) *continued = true;
    auto final_msg = c.handleServerFirst(asStringView(cont.data));
    REQUIRE(final_msg);
    Bytes resp;
    encodeSaslResponse(resp, final_msg.value());
    fromClient(resp);
    auto out = clientFrames();
    if (types(out).rfind("RR", 0) == 0) {
      auto fin = authOf(out[0]);
      REQUIRE(fin.code == AuthCode::SaslFinal);
      REQUIRE(c.handleServerFinal(asStringView(fin.data)));  // Warden proved it knows the verifier
      REQUIRE(authOf(out[1]).code == AuthCode::Ok);
    }
    return out;
  }
  //! Startup + SCRAM as alice; the session must then ask the host to connect the backend.
  void clientLogin(ByteView startup) {
    clientStartup(startup);
    auto f = clientScram(kPassword);
    REQUIRE(types(f) == "RR");
    REQUIRE(host.connects == 1);
    REQUIRE(state() == State::BackendConnect);
  }
  void clientLogin() { clientLogin(defaultStartup()); }

  // --- backend side
  //! onBackendConnected + the backend's SCRAM login with the target's password, up to (not
  //! including) the post-auth parameter stream. Returns the StartupMessage Warden sent.
  StartupMessage backendScramLogin() {
    session->onBackendConnected(true, "");
    StartupMessage sm = backendStartup();
    REQUIRE(backendBytes().empty());
    REQUIRE(state() == State::BackendAuth);
    fromBackend(authSasl({"SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"}));
    auto f = backendFrames();
    REQUIRE(types(f) == "p");
    auto init = decodeSaslInitialResponse(f[0].body);
    REQUIRE(init);
    REQUIRE(init->mechanism == "SCRAM-SHA-256");
    REQUIRE(init->data);
    crypto::ScramServer server(verifierFor(kBackendPassword));
    auto server_first = server.handleClientFirst(*init->data);
    REQUIRE(server_first);
    fromBackend(authSaslContinue(server_first.value()));
    f = backendFrames();
    REQUIRE(types(f) == "p");
    auto server_final = server.handleClientFinal(asStringView(ByteView(f[0].body)));
    REQUIRE(server_final);  // Warden proved the target's backend password
    backend_server_final_ = server_final.value();
    return sm;
  }
  //! The rest of a backend login: SASLFinal, AuthOk, ParameterStatus ×2, BackendKeyData, RFQ.
  Bytes backendLoginTail(uint8_t status = kTxIdle) {
    return concat({authSaslFinal(backend_server_final_), authOk(), backendParams(status)});
  }
  //! ParameterStatus ×2, BackendKeyData, ReadyForQuery.
  static Bytes backendParams(uint8_t status = kTxIdle) {
    return concat({parameterStatus("server_version", "16.2"),
                   parameterStatus("client_encoding", "UTF8"),
                   backendKeyData(kBackendPid, kBackendSecret), readyForQuery(status)});
  }

  //! Client login + backend login; streams drained; state Ready.
  void toReady(const PolicyFn& policy = {}) {
    host.policy = policy;
    clientLogin();
    backendScramLogin();
    fromBackend(backendLoginTail());
    auto f = clientFrames();
    REQUIRE(types(f) == "SSKZ");
    REQUIRE(state() == State::Ready);
    REQUIRE(backendBytes().empty());
  }

 private:
  static Bytes take(const Bytes& out, size_t& at) {
    Bytes b(out.begin() + long(at), out.end());
    at = out.size();
    return b;
  }
  std::string backend_server_final_;
};

//! The CancelRequest a backend expects for (pid, secret): [len 16][80877102][pid][secret].
inline Bytes cancelRequest(uint32_t pid, ByteView secret) {
  Bytes b;
  encodeCancelRequest(b, pid, secret);
  return b;
}

//! pid (big-endian) followed by the secret: the opaque key the session registers.
inline Bytes cancelKey(uint32_t pid, ByteView secret) {
  Bytes b;
  appendBe32(b, pid);
  appendBytes(b, secret);
  return b;
}


// ---- shared helpers for the session tests
inline bool startsWith(std::string_view s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

//! A StartupMessage parameter, or "<absent>".
inline std::string param(const StartupMessage& m, std::string_view key) {
  const std::string* v = m.find(key);
  return v ? *v : "<absent>";
}

//! The one frame a refused start-up produces: a FATAL ErrorResponse, then close().
inline PgError expectFatal(Conversation& c, std::string_view sqlstate) {
  auto f = c.clientFrames();
  REQUIRE(types(f) == "E");
  PgError e = errorOf(f[0]);
  CHECK(e.severity == "FATAL");
  CHECK(e.code == sqlstate);
  CHECK(startsWith(e.message, "warden: "));
  CHECK(c.host.closes.size() == 1);
  CHECK(c.state() == State::Closing);
  CHECK(c.host.sends_after_close == 0);
  return e;
}


//! ErrorResponse 42501 "warden: ..." (severity ERROR) followed by ReadyForQuery(status).
inline void checkDenial(const std::vector<Frame>& f, size_t at, uint8_t status) {
  REQUIRE(f.size() >= at + 2);
  PgError e = errorOf(f[at]);
  CHECK(e.severity == "ERROR");
  CHECK(e.code == "42501");
  CHECK(startsWith(e.message, "warden: "));
  CHECK(rfqStatus(f[at + 1]) == status);
}

}  // namespace warden::dialect::postgres::session_test
