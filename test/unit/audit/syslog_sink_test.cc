// test/unit/audit/syslog_sink_test.cc
//! The syslog audit sink plugin (plugins/audit_syslog), dlopen-loaded through the plugin loader
//! from the binary directory exactly as warden loads it, delivering to loopback UDP and TCP
//! receivers owned by the test (127.0.0.1 only; every wait bounded).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "warden/audit/sink.h"
#include "warden/config/config.h"
#include "warden/plugin/loader.h"

namespace {

using warden::audit::AuditSink;

constexpr int kWaitMs = 3000;
const std::string kBom = "\xEF\xBB\xBF";

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

const warden::plugin::PluginSet& plugins() {
  static const warden::plugin::PluginSet set = [] {
    warden::plugin::PluginSet s;
    std::vector<std::string> errors;
    s.loadDir(WARDEN_PLUGIN_DIR, errors);
    for (const auto& e : errors) WARN(e);
    return s;
  }();
  return set;
}

warden::Result<std::unique_ptr<AuditSink>> tryMakeSink(const std::string& options_json) {
  warden::config::AuditSinkConfig c;
  c.type = "syslog";
  c.options_json = options_json;
  return warden::plugin::createAuditSink(plugins(), c, 0);
}

std::unique_ptr<AuditSink> makeSink(const std::string& options_json) {
  auto r = tryMakeSink(options_json);
  if (!r) FAIL(r.error().message);
  return std::move(r.value());
}

struct Fd {
  int fd = -1;
  explicit Fd(int f = -1) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&& o) noexcept {
    reset();
    fd = o.fd;
    o.fd = -1;
    return *this;
  }
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool waitReadable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

//! A socket bound to 127.0.0.1 (port 0: any free one, or the given one).
Fd bindLoopback(int type, uint16_t port = 0) {
  Fd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  REQUIRE(s.fd >= 0);
  int one = 1;
  setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return s;
}

uint16_t portOf(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  return ntohs(a.sin_port);
}

struct UdpReceiver {
  Fd sock = bindLoopback(SOCK_DGRAM);
  uint16_t port = portOf(sock.fd);
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  std::optional<std::string> receive(int ms = kWaitMs) {
    if (!waitReadable(sock.fd, ms)) return std::nullopt;
    std::string buf(70000, '\0');
    ssize_t n = ::recv(sock.fd, buf.data(), buf.size(), 0);
    if (n < 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    return buf;
  }
};

struct TcpReceiver {
  Fd listener;
  uint16_t port = 0;
  explicit TcpReceiver(uint16_t p = 0) : listener(bindLoopback(SOCK_STREAM, p)) {
    REQUIRE(::listen(listener.fd, 8) == 0);
    port = portOf(listener.fd);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
  Fd accept(int ms = kWaitMs) {
    if (!waitReadable(listener.fd, ms)) return Fd();
    return Fd(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
  }
};

//! Reads RFC 6587 octet-counted frames ("LEN SP MSG") from `fd` until `count` frames arrived
//! (or the deadline). Fails the test on a malformed frame or trailing bytes.
std::vector<std::string> readFrames(int fd, size_t count) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
  std::string stream;
  std::vector<std::string> frames;
  size_t pos = 0;
  while (frames.size() < count) {
    size_t sp = stream.find(' ', pos);
    if (sp != std::string::npos) {
      std::string len_text = stream.substr(pos, sp - pos);
      REQUIRE(!len_text.empty());
      REQUIRE(len_text.find_first_not_of("0123456789") == std::string::npos);
      REQUIRE(len_text[0] != '0');
      size_t len = std::stoul(len_text);
      if (stream.size() >= sp + 1 + len) {
        frames.push_back(stream.substr(sp + 1, len));
        pos = sp + 1 + len;
        continue;
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !waitReadable(fd, static_cast<int>(left.count()))) break;
    char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    stream.append(buf, static_cast<size_t>(n));
  }
  CHECK(pos == stream.size());  // nothing beyond the frames
  return frames;
}

bool deliver(AuditSink& sink, const std::vector<std::string>& lines, std::string& error) {
  std::vector<std::string_view> views(lines.begin(), lines.end());
  return sink.write(views, error);
}

const std::string kTs = "2024-05-01T12:34:56.123456Z";
const std::string kHash = std::string(64, 'a');

std::string statementLine(uint64_t seq, const std::string& action,
                          const std::string& text = "SELECT 1") {
  return R"({"decision":{"action":")" + action +
         R"(","reason":"r","rule":"r1"},"event":"statement","hash":")" + kHash +
         R"(","instance":"gw","prev":")" + kHash + R"(","seq":)" + std::to_string(seq) +
         R"(,"statement":{"text":")" + text + R"("},"ts":")" + kTs + R"("})";
}
std::string eventLine(uint64_t seq, const std::string& event) {
  return R"({"event":")" + event + R"(","hash":")" + kHash + R"(","instance":"gw","prev":")" +
         kHash + R"(","seq":)" + std::to_string(seq) + R"(,"ts":")" + kTs + R"("})";
}
std::string authLine(uint64_t seq, const std::string& action) {
  return R"({"decision":{"action":")" + action +
         R"(","reason":"bad password","rule":""},"event":"auth","seq":)" + std::to_string(seq) +
         R"(,"ts":")" + kTs + R"("})";
}

std::string header(int pri, const std::string& msgid, const std::string& sd) {
  return "<" + std::to_string(pri) + ">1 " + kTs + " gw-1 warden " + std::to_string(getpid()) +
         " " + msgid + " " + sd + " " + kBom;
}

std::string udpOptions(const UdpReceiver& r, const std::string& extra = "") {
  return R"({"type":"syslog","required":false,"address":")" + r.address() +
         R"(","hostname":"gw-1")" + extra + "}";
}
std::string tcpOptions(const std::string& address, const std::string& extra = "") {
  return R"({"type":"syslog","address":")" + address +
         R"(","transport":"tcp","hostname":"gw-1","timeout":1000)" + extra + "}";
}

}  // namespace

TEST_CASE("syslog sink: the plugin loads as an audit sink named syslog", "[audit][syslog]") {
  REQUIRE(plugins().findSinkFactory("syslog") != nullptr);
  bool listed = false;
  for (const auto& p : plugins().plugins())
    if (p.name == "syslog") {
      listed = true;
      CHECK(p.kind == WARDEN_PLUGIN_AUDIT_SINK);
      CHECK(contains(p.path, "libwarden_sink_syslog.so"));
    }
  CHECK(listed);
}

TEST_CASE("syslog sink: UDP sends one RFC 5424 message per record, exact header",
          "[audit][syslog]") {
  UdpReceiver rx;
  auto sink = makeSink(udpOptions(rx));
  const std::vector<std::string> lines = {statementLine(7, "allow"), eventLine(8, "session_start")};
  std::string error;
  REQUIRE(deliver(*sink, lines, error));
  CHECK(error.empty());

  auto first = rx.receive();
  REQUIRE(first);
  // local0 (16) * 8 + info (6) = 134; MSGID = event; MSG = BOM + the line itself.
  CHECK(*first ==
        header(134, "statement", R"([warden@32473 seq="7" event="statement" action="allow"])") +
            lines[0]);
  auto second = rx.receive();
  REQUIRE(second);
  CHECK(*second ==
        header(134, "session_start", R"([warden@32473 seq="8" event="session_start"])") + lines[1]);
  sink->close();
}

TEST_CASE("syslog sink: PRI is facility * 8 + severity", "[audit][syslog]") {
  struct Case {
    std::string facility;  // JSON value
    std::string line;
    int pri;
  };
  const std::vector<Case> cases = {
      {R"("kern")", statementLine(1, "allow"), 0 * 8 + 6},
      {R"("local7")", statementLine(2, "deny"), 23 * 8 + 4},
      {R"("local7")", statementLine(3, "deny_masked"), 23 * 8 + 4},
      {R"("daemon")", statementLine(4, "require_approval"), 3 * 8 + 4},
      {"4", authLine(5, "deny"), 4 * 8 + 5},  // refused login: notice
      {R"("auth")", authLine(6, "allow"), 4 * 8 + 6},
      {R"("authpriv")", statementLine(7, "dry_run_deny"), 10 * 8 + 6},  // not deny*
      {R"("12")", eventLine(8, "session_end"), 12 * 8 + 6},
  };
  UdpReceiver rx;
  for (const auto& c : cases) {
    INFO(c.facility << " " << c.line);
    auto sink = makeSink(udpOptions(rx, R"(,"facility":)" + c.facility));
    std::string error;
    REQUIRE(deliver(*sink, {c.line}, error));
    auto msg = rx.receive();
    REQUIRE(msg);
    CHECK(msg->substr(0, msg->find(' ')) == "<" + std::to_string(c.pri) + ">1");
  }
}

TEST_CASE("syslog sink: SD-PARAM values escape '\"', '\\' and ']'", "[audit][syslog]") {
  UdpReceiver rx;
  auto sink = makeSink(udpOptions(rx, R"(,"app_name":"warden-gw")"));
  // action a"b\c]d and event odd]"ev\ (JSON-escaped in the line).
  const std::string line =
      R"({"decision":{"action":"a\"b\\c]d"},"event":"odd]\"ev\\","seq":3,"ts":")" + kTs + R"("})";
  const std::string spaced = R"({"event":"has space","seq":4,"ts":"not a time"})";
  std::string error;
  REQUIRE(deliver(*sink, {line, spaced}, error));
  auto msg = rx.receive();
  REQUIRE(msg);
  const std::string pid = std::to_string(getpid());
  CHECK(*msg == "<134>1 " + kTs + " gw-1 warden-gw " + pid + R"( odd]"ev\ )" +
                    R"([warden@32473 seq="3" event="odd\]\"ev\\" action="a\"b\\c\]d"] )" + kBom +
                    line);
  // An event that is no valid MSGID (space) and a ts that is no TIMESTAMP become NILVALUE.
  auto msg2 = rx.receive();
  REQUIRE(msg2);
  CHECK(*msg2 == "<134>1 - gw-1 warden-gw " + pid +
                     R"( - [warden@32473 seq="4" event="has space"] )" + kBom + spaced);
}

TEST_CASE("syslog sink: TCP frames a batch with octet counting", "[audit][syslog]") {
  TcpReceiver rx;
  auto sink = makeSink(tcpOptions(rx.address(), R"(,"facility":"local1")"));
  const std::vector<std::string> lines = {statementLine(10, "allow", "SELECT 'é'"),
                                          statementLine(11, "deny"), eventLine(12, "session_end")};
  std::string error;
  REQUIRE(deliver(*sink, lines, error));
  Fd conn = rx.accept();
  REQUIRE(conn.fd >= 0);
  auto frames = readFrames(conn.fd, 3);
  REQUIRE(frames.size() == 3);
  CHECK(frames[0] == header(17 * 8 + 6, "statement",
                            R"([warden@32473 seq="10" event="statement" action="allow"])") +
                         lines[0]);
  CHECK(frames[1] == header(17 * 8 + 4, "statement",
                            R"([warden@32473 seq="11" event="statement" action="deny"])") +
                         lines[1]);
  CHECK(frames[2] ==
        header(17 * 8 + 6, "session_end", R"([warden@32473 seq="12" event="session_end"])") +
            lines[2]);

  // A second batch goes on the same connection.
  REQUIRE(deliver(*sink, {eventLine(13, "session_start")}, error));
  auto more = readFrames(conn.fd, 1);
  REQUIRE(more.size() == 1);
  CHECK(contains(more[0], R"(seq="13")"));
  CHECK_FALSE(waitReadable(rx.listener.fd, 100));  // no new connection
  sink->close();
}

TEST_CASE("syslog sink: TCP reconnects after the receiver closed the connection",
          "[audit][syslog]") {
  TcpReceiver rx;
  auto sink = makeSink(tcpOptions(rx.address()));
  std::string error;
  REQUIRE(deliver(*sink, {eventLine(1, "session_start")}, error));
  {
    Fd first = rx.accept();
    REQUIRE(first.fd >= 0);
    REQUIRE(readFrames(first.fd, 1).size() == 1);
  }  // the receiver closes the connection
  std::this_thread::sleep_for(std::chrono::milliseconds(50));

  // The next batch notices the close before sending and goes out on a new connection.
  const std::string line = eventLine(2, "session_end");
  REQUIRE(deliver(*sink, {line}, error));
  Fd second = rx.accept();
  REQUIRE(second.fd >= 0);
  auto frames = readFrames(second.fd, 1);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0] ==
        header(134, "session_end", R"([warden@32473 seq="2" event="session_end"])") + line);
}

TEST_CASE("syslog sink: TCP with nobody listening fails the batch, the retry reconnects",
          "[audit][syslog]") {
  uint16_t port;
  {
    TcpReceiver gone;
    port = gone.port;
  }  // closed: connecting is refused
  const std::string address = "127.0.0.1:" + std::to_string(port);
  auto sink = makeSink(tcpOptions(address));
  const std::vector<std::string> batch = {eventLine(5, "session_start")};
  std::string error;
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(deliver(*sink, batch, error));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  CHECK(contains(error, "syslog " + address + " (tcp): connect"));

  TcpReceiver back(port);  // the receiver comes back: the writer's retry of the same batch works
  error.clear();
  REQUIRE(deliver(*sink, batch, error));
  Fd conn = back.accept();
  REQUIRE(conn.fd >= 0);
  auto frames = readFrames(conn.fd, 1);
  REQUIRE(frames.size() == 1);
  CHECK(contains(frames[0], R"(seq="5")"));
}

TEST_CASE("syslog sink: a TCP receiver that stops reading fails the batch within the timeout",
          "[audit][syslog]") {
  TcpReceiver rx;  // accepts (backlog) but never reads: the socket buffers fill up
  auto sink = makeSink(R"({"type":"syslog","address":")" + rx.address() +
                       R"(","transport":"tcp","timeout":"300ms"})");
  std::vector<std::string> big;
  for (int i = 0; i < 48; ++i) big.push_back(statementLine(i, "allow", std::string(1 << 20, 'x')));
  std::string error;
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(deliver(*sink, big, error));
  auto took = std::chrono::steady_clock::now() - t0;
  CHECK(took >= std::chrono::milliseconds(250));
  CHECK(took < std::chrono::seconds(5));
  CHECK(contains(error, "made no progress for 300ms"));
}

TEST_CASE("syslog sink: options are checked when the sink is created", "[audit][syslog]") {
  auto unknown = tryMakeSink(R"({"type":"syslog","address":"127.0.0.1:514","colour":"red"})");
  REQUIRE_FALSE(unknown.ok());
  CHECK(contains(unknown.error().message,
                 "audit.sinks[0] (syslog): syslog sink: unknown option 'colour'"));

  auto no_address = tryMakeSink(R"({"type":"syslog","required":true})");
  REQUIRE_FALSE(no_address.ok());
  CHECK(contains(no_address.error().message, "address: required"));

  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"("address":"127.0.0.1")", "address '127.0.0.1'"},
      {R"("address":"::1:514")", "IPv6 literals in brackets"},
      {R"("address":"127.0.0.1:0")", "port in 1..65535"},
      {R"("address":"127.0.0.1:514","transport":"sctp")", "transport: expected udp or tcp"},
      {R"("address":"127.0.0.1:514","facility":"local8")", "facility: expected"},
      {R"("address":"127.0.0.1:514","facility":24)", "facility: 24 is out of range 0..23"},
      {R"("address":"127.0.0.1:514","app_name":"two words")", "app_name"},
      {R"("address":"127.0.0.1:514","timeout":0)", "timeout"},
      {R"("address":"127.0.0.1:514","max_message_bytes":70000)",
       "max_message_bytes: 70000 is out of range"},
      {R"("address":"127.0.0.1:514","oversize":"drop")", "oversize: expected error or truncate"},
  };
  for (const auto& [opts, expect] : bad) {
    INFO(opts);
    auto r = tryMakeSink(R"({"type":"syslog",)" + opts + "}");
    REQUIRE_FALSE(r.ok());
    CHECK(contains(r.error().message, expect));
  }
  CHECK(tryMakeSink(R"({"type":"syslog","address":"[::1]:514","transport":"tcp"})").ok());
}

TEST_CASE("syslog sink: an oversize UDP record fails the batch unless oversize: truncate",
          "[audit][syslog]") {
  UdpReceiver rx;
  const std::string small = eventLine(1, "session_start");
  const std::string big = statementLine(2, "allow", std::string(2000, 'x'));
  std::string error;

  auto strict = makeSink(udpOptions(rx, R"(,"max_message_bytes":600)"));
  CHECK_FALSE(deliver(*strict, {small, big}, error));
  CHECK(contains(error, "record seq 2 (" + std::to_string(big.size()) +
                            " bytes) does not fit max_message_bytes 600"));
  CHECK_FALSE(rx.receive(200));  // nothing of the batch was sent, not even the small record

  // The UDP default is 8192.
  auto defaults = makeSink(udpOptions(rx));
  CHECK_FALSE(deliver(*defaults, {statementLine(3, "allow", std::string(9000, 'y'))}, error));
  CHECK(contains(error, "max_message_bytes 8192"));
  CHECK_FALSE(rx.receive(200));

  auto cut = makeSink(udpOptions(rx, R"(,"max_message_bytes":600,"oversize":"truncate")"));
  REQUIRE(deliver(*cut, {big}, error));
  auto msg = rx.receive();
  REQUIRE(msg);
  CHECK(msg->size() == 600);
  const std::string head =
      header(134, "statement",
             R"([warden@32473 seq="2" event="statement" action="allow" truncated=")" +
                 std::to_string(big.size()) + R"("])");
  REQUIRE(msg->substr(0, head.size()) == head);
  CHECK(big.substr(0, msg->size() - head.size()) == msg->substr(head.size()));
}
