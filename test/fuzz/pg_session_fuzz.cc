// test/fuzz/pg_session_fuzz.cc
//! Fuzzes the whole PostgreSQL session state machine through a minimal host: arbitrary client
//! bytes from the first byte on (startup, TLS/GSS requests, SASL), or — after a scripted login —
//! arbitrary interleavings of client and backend bytes in the Ready state. The session must
//! never crash, and must never write to a side after closing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "protocol/messages.h"
#include "session/pg_session.h"
#include "warden/config/config.h"
#include "warden/crypto/scram.h"

using namespace warden;
using namespace warden::dialect;
using namespace warden::dialect::postgres;

namespace {

config::Config makeConfig() {
  config::Config c;
  c.limits.max_message_bytes = 64 * 1024;
  config::Target t;
  t.name = "pg";
  t.dialect = "postgres";
  t.backend.user = "app";
  t.backend.password = "backend-pw";
  t.backend.database = "app";
  t.backend.tls = config::BackendTls::Disable;
  c.targets.push_back(t);
  config::User u;
  u.name = "alice";
  u.password = "alice-pw";
  u.scram = crypto::makeScramVerifier("alice-pw", {1, 2, 3, 4, 5, 6, 7, 8}, 16);
  c.identity.users.push_back(u);
  return c;
}

const config::Config& cfg() {
  static const config::Config c = makeConfig();
  return c;
}

class Host final : public SessionHost {
 public:
  std::vector<uint8_t> to_client, to_backend;
  bool closed = false;
  policy::Identity id;

  void send(Side side, std::span<const uint8_t> d) noexcept override {
    if (closed) abort();  // writing after close is a bug
    auto& v = side == Side::Client ? to_client : to_backend;
    v.insert(v.end(), d.begin(), d.end());
  }
  void pauseReading(Side, bool) noexcept override {}
  void connectBackend() noexcept override {}
  bool startTls(Side) noexcept override { return false; }
  bool tlsAvailable(Side) const noexcept override { return false; }
  bool tlsActive(Side) const noexcept override { return false; }
  void sendOutOfBand(std::span<const uint8_t>) noexcept override {}
  void close(std::string_view) noexcept override { closed = true; }
  void armTimer(std::chrono::milliseconds) noexcept override {}
  void disarmTimer() noexcept override {}
  const config::Config& config() const noexcept override { return cfg(); }
  const config::Target& target() const noexcept override { return cfg().targets[0]; }
  uint64_t sessionId() const noexcept override { return 1; }
  std::string_view clientAddress() const noexcept override { return "127.0.0.1:1"; }
  bool draining() const noexcept override { return false; }
  bool overloaded() const noexcept override { return false; }
  const config::User* findUser(std::string_view n) const noexcept override {
    return cfg().identity.findUser(n);
  }
  void setIdentity(policy::Identity i) noexcept override { id = std::move(i); }
  const policy::Identity& identity() const noexcept override { return id; }
  policy::Decision evaluate(std::string_view text, policy::StatementOrigin,
                            std::string_view = {}) noexcept override {
    policy::Decision d;
    if (text.find("DROP") != std::string_view::npos) d.verdict = policy::Verdict::Deny;
    else d.audit_ref = ++refs;
    return d;
  }
  uint64_t refs = 0;
  void statementResult(uint64_t, const StatementResult&) noexcept override {}
  LoginGate loginGate(std::string_view) noexcept override { return {}; }
  std::string clientCertificateUser() const noexcept override { return {}; }
  std::chrono::milliseconds loginFailed(std::string_view, std::string_view,
                                        std::string_view) noexcept override {
    return std::chrono::milliseconds(0);
  }
  void verifyToken(std::string token, std::function<void(TokenOutcome)> done) noexcept override {
    TokenOutcome out;
    out.ok = token == "good-token";
    out.identity.user = "tok";
    out.identity.method = "jwt";
    done(std::move(out));
  }
  bool registerCancelKey(std::span<const uint8_t>) noexcept override { return true; }
  bool requestCancel(std::span<const uint8_t>) noexcept override { return false; }
  bool cacheGet(std::string_view, std::string&) noexcept override { return false; }
  void cachePut(std::string_view, std::string_view) noexcept override {}
  void log(LogLevel, std::string_view) noexcept override {}
};

//! Reads whole frames the session sent to the client (type + length), returns the bodies of
//! frames of `type`.
std::vector<Bytes> framesOf(const std::vector<uint8_t>& out, uint8_t type) {
  std::vector<Bytes> r;
  size_t i = 0;
  while (i + 5 <= out.size()) {
    uint32_t len = loadBe32(&out[i + 1]);
    if (len < 4 || i + 1 + len > out.size()) break;
    if (out[i] == type) r.emplace_back(out.begin() + long(i) + 5, out.begin() + long(i) + 1 + long(len));
    i += 1 + len;
  }
  return r;
}

//! Logs in as alice (SCRAM) and lets the backend accept cleartext; true when Ready.
bool login(PgSession& s, Host& h) {
  Bytes b;
  StartupMessage m;
  m.params = {{"user", "alice"}, {"database", "app"}, {"application_name", "fuzz"}};
  encodeStartupMessage(b, m);
  s.onData(Side::Client, b);
  crypto::ScramClient c("alice-pw", "fuzznonce");
  b.clear();
  encodeSaslInitialResponse(b, "SCRAM-SHA-256", c.clientFirst());
  s.onData(Side::Client, b);
  auto cont = framesOf(h.to_client, 'R');
  if (cont.size() < 2) return false;
  std::string_view sf(reinterpret_cast<const char*>(cont[1].data() + 4), cont[1].size() - 4);
  auto fin = c.handleServerFirst(sf);
  if (!fin.ok()) return false;
  b.clear();
  encodeSaslResponse(b, fin.value());
  s.onData(Side::Client, b);
  s.onBackendConnected(true, {});
  b.clear();
  appendBytes(b, asBytes(std::string_view("R\0\0\0\x08\0\0\0\x03", 9)));  // cleartext request
  s.onData(Side::Backend, b);
  b.clear();
  encodeAuthOk(b);
  encodeParameterStatus(b, "server_version", "15.0");
  uint8_t secret[4] = {1, 2, 3, 4};
  encodeBackendKeyData(b, 42, secret);
  encodeReadyForQuery(b, 'I');
  s.onData(Side::Backend, b);
  return s.state() == State::Ready;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Host h;
  PgSession s(h);
  s.onStart();
  uint8_t mode = data[0] & 1;
  data++;
  size--;
  if (mode == 1 && !login(s, h)) abort();  // the scripted login must always work
  // Records: [side:1][len:1][bytes...]; the side's low bit picks client/backend, bit 1 injects
  // an event (cancel, drain, peer close) instead.
  size_t i = 0;
  while (i + 2 <= size && !h.closed) {
    uint8_t side = data[i];
    size_t len = std::min<size_t>(data[i + 1], size - i - 2);
    std::span<const uint8_t> chunk(data + i + 2, len);
    i += 2 + len;
    if (side & 2) {
      switch ((side >> 2) & 3) {
        case 0: s.onCancelRequested(); break;
        case 1: s.onDrain(); break;
        case 2: s.onTimer(); break;
        default: s.onPeerClosed((side & 1) ? Side::Backend : Side::Client, "fuzz"); break;
      }
      continue;
    }
    if (chunk.empty()) continue;
    s.onData((side & 1) && mode == 1 ? Side::Backend : Side::Client, chunk);
  }
  return 0;
}
