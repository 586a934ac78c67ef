// test/unit/net/http_client_test_server.h
//! Test helpers for the HTTP client: a loopback server on 127.0.0.1 that runs a scripted
//! handler per connection in its own thread (plain sockets, or BoringSSL over the socket), a
//! throwaway PKI (test CA + leaf certificates) generated through BoringSSL, and fetch(), which
//! runs one request on a private uv loop and checks that `done` ran exactly once and that every
//! handle was closed afterwards.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "warden/net/http_client.h"
#include "warden/net/tls_channel.h"

namespace http_client_test {

using namespace std::chrono_literals;
using warden::Result;
using warden::net::HttpClient;
using warden::net::HttpRequestOptions;
using warden::net::HttpResponse;
using warden::net::TlsContext;

// ---------------------------------------------------------------------------------------------
// Server

//! One accepted connection, seen from the server thread.
class ServerConn {
 public:
  ServerConn(int fd, SSL* ssl, const std::atomic<bool>& stop) : fd_(fd), ssl_(ssl), stop_(stop) {}

  //! Reads until the end of the request head (or EOF/error/stop); returns what was read.
  std::string readRequest() {
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n") == std::string::npos && got.size() < 65536) {
      if (!waitReadable()) break;
      int n = ssl_ ? SSL_read(ssl_, buf, sizeof buf)
                   : static_cast<int>(::recv(fd_, buf, sizeof buf, 0));
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      if (got[0] == 0x16) break;  // a TLS handshake record is not a request: return it as is
    }
    return got;
  }

  //! Sends all of `data`; false when the peer is gone.
  bool send(std::string_view data) {
    while (!data.empty()) {
      int n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                   : static_cast<int>(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL));
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  //! Sends `data` one piece at a time with a short pause between pieces (exercises partial reads).
  bool sendSlowly(std::string_view data, size_t piece) {
    for (size_t pos = 0; pos < data.size(); pos += piece) {
      if (!send(data.substr(pos, piece))) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  //! TLS: queue and send close_notify (a plain connection just closes).
  void closeNotify() {
    if (ssl_) SSL_shutdown(ssl_);
  }

  //! Keeps the connection open until the client closes it or the server stops.
  void holdOpen() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, 20);
      if (r > 0) {
        char c;
        ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return;
        if (n > 0 && ::recv(fd_, &c, 1, 0) <= 0) return;  // drain anything else the client sends
      }
    }
  }

  int fd() const { return fd_; }

 private:
  bool waitReadable() {
    if (ssl_ && SSL_pending(ssl_) > 0) return true;
    for (int i = 0; i < 250 && !stop_; ++i) {  // at most ~5 s
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  int fd_;
  SSL* ssl_;
  const std::atomic<bool>& stop_;
};

//! Accepts on 127.0.0.1:<ephemeral> and runs `handler` for each connection, one at a time, in a
//! server thread. With `tls`, runs a BoringSSL server handshake first (connections whose
//! handshake fails are counted and closed without calling the handler). The destructor stops
//! the thread (handlers blocked in holdOpen() return) and joins it.
class LoopbackServer {
 public:
  using Handler = std::function<void(ServerConn&, const std::string& request)>;

  explicit LoopbackServer(Handler handler, std::shared_ptr<TlsContext> tls = nullptr,
                          bool handshake = true)
      : handler_(std::move(handler)), tls_(std::move(tls)), handshake_(handshake) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listen_fd_ >= 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listen_fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }

  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }
  int handshakeFailures() const { return handshake_failures_; }
  //! The request head of the last connection.
  std::string lastRequest() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++accepted_;
      timeval tv{5, 0};  // a broken test never hangs the server thread for long
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      serve(fd);
      ::close(fd);
    }
  }

  void serve(int fd) {
    SSL* ssl = nullptr;
    if (tls_) {
      if (!handshake_) {  // a server that never answers the ClientHello
        ServerConn conn(fd, nullptr, stop_);
        conn.holdOpen();
        return;
      }
      ssl = SSL_new(tls_->raw());
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {
        ++handshake_failures_;
        ERR_clear_error();
        SSL_free(ssl);
        return;
      }
    }
    ServerConn conn(fd, ssl, stop_);
    std::string request = conn.readRequest();
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_request_ = request;
    }
    handler_(conn, request);
    if (ssl) {
      ERR_clear_error();
      SSL_free(ssl);
    }
  }

  Handler handler_;
  std::shared_ptr<TlsContext> tls_;
  bool handshake_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0}, handshake_failures_{0};
  mutable std::mutex mu_;
  std::string last_request_;
  std::thread thread_;
};

//! A port nothing listens on (bound once, then closed).
inline uint16_t closedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// ---------------------------------------------------------------------------------------------
// Client driver

struct FetchOutcome {
  std::optional<Result<HttpResponse>> result;
  int calls = 0;
  std::chrono::milliseconds elapsed{0};
};

//! Runs one GET of `url` on a private loop until every handle is closed.
inline FetchOutcome fetchOutcome(const std::string& url, HttpRequestOptions opts = {}) {
  uv_loop_t loop;
  REQUIRE(uv_loop_init(&loop) == 0);
  auto parsed = warden::net::parseUrl(url);
  REQUIRE(parsed.ok());
  FetchOutcome out;
  auto start = std::chrono::steady_clock::now();
  auto req = HttpClient::get(&loop, *parsed, std::move(opts), [&](Result<HttpResponse> r) {
    ++out.calls;
    out.result.emplace(std::move(r));
  });
  CHECK(out.calls == 0);  // never from inside get()
  CHECK(req->active());
  uv_run(&loop, UV_RUN_DEFAULT);
  out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  CHECK(out.calls == 1);
  CHECK_FALSE(req->active());
  req.reset();
  CHECK(uv_loop_close(&loop) == 0);  // every handle closed
  REQUIRE(out.result.has_value());
  return out;
}

inline Result<HttpResponse> fetch(const std::string& url, HttpRequestOptions opts = {}) {
  return std::move(*fetchOutcome(url, std::move(opts)).result);
}

//! parseUrl that must succeed.
inline warden::net::Url mustParse(const std::string& url) {
  auto parsed = warden::net::parseUrl(url);
  REQUIRE(parsed.ok());
  return std::move(parsed).value();
}

inline std::string errorOf(const Result<HttpResponse>& r) {
  return r.ok() ? std::string("(no error: status ") + std::to_string(r->status) + ")"
                : r.error().message;
}

// ---------------------------------------------------------------------------------------------
// Certificates

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

inline PkeyPtr makeKey() {
  EC_KEY* ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  REQUIRE(ec);
  REQUIRE(EC_KEY_generate_key(ec) == 1);
  PkeyPtr key(EVP_PKEY_new());
  REQUIRE(EVP_PKEY_assign_EC_KEY(key.get(), ec) == 1);
  return key;
}

inline void addExt(X509* issuer, X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext);
  REQUIRE(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

//! A certificate for `key` named `cn`: self-signed CA when `issuer` is null, otherwise a leaf
//! with `san` signed by issuer/issuer_key.
inline X509Ptr makeCert(EVP_PKEY* key, const char* cn, const char* san, X509* issuer,
                        EVP_PKEY* issuer_key, long serial) {
  X509Ptr cert(X509_new());
  REQUIRE(X509_set_version(cert.get(), X509_VERSION_3) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600));
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400));
  X509_NAME* name = X509_get_subject_name(cert.get());
  REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const uint8_t*>(cn),
                                     -1, -1, 0) == 1);
  REQUIRE(X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name) == 1);
  REQUIRE(X509_set_pubkey(cert.get(), key) == 1);
  X509* signer = issuer ? issuer : cert.get();
  if (!issuer) {
    addExt(signer, cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    addExt(signer, cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    addExt(signer, cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    addExt(signer, cert.get(), NID_ext_key_usage, "serverAuth");
    addExt(signer, cert.get(), NID_subject_alt_name, san);
  }
  REQUIRE(X509_sign(cert.get(), issuer ? issuer_key : key, EVP_sha256()) > 0);
  return cert;
}

inline void writeCert(X509* cert, const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  REQUIRE(bio);
  REQUIRE(PEM_write_bio_X509(bio.get(), cert) == 1);
}

inline void writeKey(EVP_PKEY* key, const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  REQUIRE(bio);
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
}

//! Temp dir with a test CA (ca.pem), an unrelated CA (other_ca.pem), a leaf for localhost,
//! 127.0.0.1 and ::1 (leaf.pem/leaf_key.pem) and a leaf for another name only
//! (wrong.pem/wrong_key.pem), both issued by the test CA.
struct TestPki {
  std::string dir, ca, other_ca, leaf, leaf_key, wrong, wrong_key;
  TestPki() {
    char tmpl[] = "/tmp/warden_http_client_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
    ca = dir + "/ca.pem";
    other_ca = dir + "/other_ca.pem";
    leaf = dir + "/leaf.pem";
    leaf_key = dir + "/leaf_key.pem";
    wrong = dir + "/wrong.pem";
    wrong_key = dir + "/wrong_key.pem";
    PkeyPtr ca_key = makeKey();
    X509Ptr ca_cert = makeCert(ca_key.get(), "Warden Test CA", nullptr, nullptr, nullptr, 1);
    writeCert(ca_cert.get(), ca);
    PkeyPtr other_key = makeKey();
    writeCert(makeCert(other_key.get(), "Other CA", nullptr, nullptr, nullptr, 2).get(), other_ca);
    PkeyPtr k1 = makeKey();
    writeKey(k1.get(), leaf_key);
    writeCert(makeCert(k1.get(), "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", ca_cert.get(),
                       ca_key.get(), 3)
                  .get(),
              leaf);
    PkeyPtr k2 = makeKey();
    writeKey(k2.get(), wrong_key);
    writeCert(makeCert(k2.get(), "jwks.example.test", "DNS:jwks.example.test", ca_cert.get(),
                       ca_key.get(), 4)
                  .get(),
              wrong);
  }
  ~TestPki() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

//! Generated once per test run (key generation is cheap, but files are shared by cases).
inline const TestPki& pki() {
  static TestPki instance;
  return instance;
}

inline std::shared_ptr<TlsContext> serverContext(const std::string& cert, const std::string& key) {
  auto ctx = TlsContext::makeServer(cert, key);
  REQUIRE(ctx.ok());
  return *ctx;
}

inline std::shared_ptr<TlsContext> clientContext(const std::string& ca) {
  auto ctx = TlsContext::makeClient(true, ca);
  REQUIRE(ctx.ok());
  return *ctx;
}

}  // namespace http_client_test
