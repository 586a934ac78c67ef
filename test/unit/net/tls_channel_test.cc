// test/unit/net/tls_channel_test.cc
//! TlsContext/TlsChannel: server and client channels pumped against each other in memory, with
//! throwaway EC P-256 certificates generated through BoringSSL at test time.
#include <catch2/catch.hpp>

#include <openssl/bio.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "warden/net/tls_channel.h"

using warden::net::TlsChannel;
using warden::net::TlsContext;
using Status = TlsChannel::Status;

namespace {

struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct X509Free { void operator()(X509* p) const { X509_free(p); } };
struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

PkeyPtr makeKey() {
  EC_KEY* ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  REQUIRE(ec);
  REQUIRE(EC_KEY_generate_key(ec) == 1);
  PkeyPtr key(EVP_PKEY_new());
  REQUIRE(EVP_PKEY_assign_EC_KEY(key.get(), ec) == 1);
  return key;
}

void addExt(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext);
  REQUIRE(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

//! Self-signed certificate (CA:TRUE, so it can be its own trust anchor) with the given SANs.
X509Ptr makeCert(EVP_PKEY* key, const char* cn, const char* san) {
  X509Ptr cert(X509_new());
  REQUIRE(X509_set_version(cert.get(), X509_VERSION_3) == 1);
  REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1) == 1);
  REQUIRE(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600));
  REQUIRE(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400));
  X509_NAME* name = X509_get_subject_name(cert.get());
  REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const uint8_t*>(cn), -1, -1, 0) == 1);
  REQUIRE(X509_set_issuer_name(cert.get(), name) == 1);
  REQUIRE(X509_set_pubkey(cert.get(), key) == 1);
  addExt(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExt(cert.get(), NID_subject_alt_name, san);
  REQUIRE(X509_sign(cert.get(), key, EVP_sha256()) > 0);
  return cert;
}

void writeCert(X509* cert, const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  REQUIRE(bio);
  REQUIRE(PEM_write_bio_X509(bio.get(), cert) == 1);
}

void writeKey(EVP_PKEY* key, const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "w"));
  REQUIRE(bio);
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
}

//! Temp dir with: cert.pem/key.pem (localhost, 127.0.0.1, ::1), other_key.pem (unrelated key),
//! other_cert.pem (an unrelated self-signed cert, used as a wrong trust anchor).
struct Fixture {
  std::string dir, cert, key, other_key, other_cert;
  Fixture() {
    char tmpl[] = "/tmp/warden_tls_test.XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    dir = tmpl;
    cert = dir + "/cert.pem";
    key = dir + "/key.pem";
    other_key = dir + "/other_key.pem";
    other_cert = dir + "/other_cert.pem";
    PkeyPtr k = makeKey();
    writeKey(k.get(), key);
    writeCert(makeCert(k.get(), "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1").get(), cert);
    PkeyPtr k2 = makeKey();
    writeKey(k2.get(), other_key);
    writeCert(makeCert(k2.get(), "other", "DNS:localhost").get(), other_cert);
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

//! Moves pending ciphertext from `from` to `to`. Returns bytes moved.
size_t transfer(TlsChannel& from, TlsChannel& to) {
  std::vector<uint8_t> buf;
  size_t n = from.takeCiphertext(buf);
  if (n) to.feedCiphertext(buf);
  return n;
}

//! Drives both handshakes to completion or failure.
std::pair<Status, Status> handshakeBoth(TlsChannel& client, TlsChannel& server) {
  Status c = client.handshake();
  Status s = Status::WantMore;
  for (int round = 0; round < 20; ++round) {
    transfer(client, server);
    s = server.handshake();
    transfer(server, client);
    c = client.handshake();
    if (c == Status::Error || s == Status::Error) break;
    if (c == Status::Ok && s == Status::Ok && client.pendingCiphertext() == 0 &&
        server.pendingCiphertext() == 0) {
      break;
    }
  }
  // Deliver any trailing bytes (e.g. the client's alert after a verify failure).
  transfer(client, server);
  transfer(server, client);
  return {c, s};
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 31 + seed + (i >> 12));
  return v;
}

std::shared_ptr<TlsContext> serverCtx(const Fixture& f) {
  auto r = TlsContext::makeServer(f.cert, f.key);
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

std::shared_ptr<TlsContext> clientCtx(bool verify, const std::string& ca) {
  auto r = TlsContext::makeClient(verify, ca);
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("TLS handshake and bidirectional data over memory BIOs", "[tls]") {
  Fixture f;
  auto sctx = serverCtx(f);
  auto cctx = clientCtx(true, f.cert);
  CHECK(sctx->isServer());
  CHECK_FALSE(cctx->isServer());
  CHECK(cctx->verifies());
  TlsChannel server(sctx);
  TlsChannel client(cctx, "localhost");
  auto [c, s] = handshakeBoth(client, server);
  INFO("client: " << client.lastError() << " server: " << server.lastError());
  REQUIRE(c == Status::Ok);
  REQUIRE(s == Status::Ok);
  CHECK(client.handshakeDone());
  CHECK(server.handshakeDone());
  CHECK(client.version() == "TLSv1.3");
  CHECK(server.version() == "TLSv1.3");
  CHECK_FALSE(client.cipher().empty());
  CHECK(client.handshake() == Status::Ok);  // idempotent once done

  SECTION("small messages both ways") {
    std::string hello = "SELECT 1";
    REQUIRE(client.writePlaintext(std::span(reinterpret_cast<const uint8_t*>(hello.data()),
                                            hello.size())) == Status::Ok);
    CHECK(client.pendingCiphertext() > hello.size());
    transfer(client, server);
    std::vector<uint8_t> got;
    REQUIRE(server.readPlaintext(got) == Status::Ok);
    CHECK(std::string(got.begin(), got.end()) == hello);

    std::vector<uint8_t> reply = {1, 2, 3, 0, 255};
    REQUIRE(server.writePlaintext(reply) == Status::Ok);
    transfer(server, client);
    std::vector<uint8_t> back;
    REQUIRE(client.readPlaintext(back) == Status::Ok);
    CHECK(back == reply);
    // Nothing pending: Ok with nothing appended.
    back.clear();
    CHECK(client.readPlaintext(back) == Status::Ok);
    CHECK(back.empty());
  }

  SECTION("1 MB each way, delivered in odd-sized fragments") {
    auto up = pattern(1 << 20, 7);
    auto down = pattern(1 << 20, 99);
    REQUIRE(client.writePlaintext(up) == Status::Ok);
    REQUIRE(server.writePlaintext(down) == Status::Ok);
    std::vector<uint8_t> c2s, s2c;
    client.takeCiphertext(c2s);
    server.takeCiphertext(s2c);
    CHECK(client.pendingCiphertext() == 0);
    std::vector<uint8_t> got_up, got_down;
    for (size_t off = 0; off < c2s.size(); off += 1000) {
      size_t n = std::min<size_t>(1000, c2s.size() - off);
      server.feedCiphertext(std::span(c2s.data() + off, n));
      REQUIRE(server.readPlaintext(got_up) == Status::Ok);
    }
    for (size_t off = 0; off < s2c.size(); off += 7777) {
      size_t n = std::min<size_t>(7777, s2c.size() - off);
      client.feedCiphertext(std::span(s2c.data() + off, n));
      REQUIRE(client.readPlaintext(got_down) == Status::Ok);
    }
    CHECK(got_up == up);
    CHECK(got_down == down);
  }

  SECTION("client close_notify reaches the server as Closed") {
    std::vector<uint8_t> last = {42};
    REQUIRE(client.writePlaintext(last) == Status::Ok);
    client.shutdown();
    transfer(client, server);
    std::vector<uint8_t> got;
    CHECK(server.readPlaintext(got) == Status::Closed);
    CHECK(got == last);  // data before close_notify is still delivered
  }

  SECTION("server close_notify reaches the client as Closed") {
    server.shutdown();
    CHECK(server.pendingCiphertext() > 0);
    transfer(server, client);
    std::vector<uint8_t> got;
    CHECK(client.readPlaintext(got) == Status::Closed);
  }

  SECTION("garbage after the handshake is a TLS error") {
    std::vector<uint8_t> junk(64, 0x17);
    server.feedCiphertext(junk);
    std::vector<uint8_t> got;
    CHECK(server.readPlaintext(got) == Status::Error);
    CHECK_FALSE(server.lastError().empty());
    CHECK(ERR_peek_error() == 0);
  }
}

TEST_CASE("TLS client verification: hostname, IP SAN, wrong name, wrong CA", "[tls]") {
  Fixture f;
  auto sctx = serverCtx(f);
  auto verifying = clientCtx(true, f.cert);

  auto attempt = [&](std::shared_ptr<TlsContext> cctx, const std::string& name,
                     std::string* error = nullptr) {
    TlsChannel server(sctx);
    TlsChannel client(std::move(cctx), name);
    auto [c, s] = handshakeBoth(client, server);
    if (error) *error = client.lastError();
    CHECK(ERR_peek_error() == 0);  // nothing left on this thread's error queue
    return c == Status::Ok && s == Status::Ok;
  };

  CHECK(attempt(verifying, "localhost"));
  CHECK(attempt(verifying, "127.0.0.1"));
  CHECK(attempt(verifying, "::1"));

  std::string err;
  CHECK_FALSE(attempt(verifying, "example.com", &err));
  CHECK(err.find("certificate verify failed") != std::string::npos);
  INFO(err);
  CHECK(err.find("ostname") != std::string::npos);

  CHECK_FALSE(attempt(verifying, "10.1.2.3", &err));
  CHECK(err.find("certificate verify failed") != std::string::npos);

  // Trust anchor is an unrelated certificate.
  CHECK_FALSE(attempt(clientCtx(true, f.other_cert), "localhost", &err));
  CHECK(err.find("certificate verify failed") != std::string::npos);

  // Encrypt-only mode does not authenticate the peer.
  CHECK(attempt(clientCtx(false, {}), "example.com"));
  CHECK(attempt(clientCtx(false, {}), ""));
}

TEST_CASE("TLS client certificates: verified identity, wrong CA refused, none allowed", "[tls]") {
  Fixture f;
  // A client certificate for "alice" (self-signed, so it is its own CA) and an unrelated one.
  PkeyPtr ak = makeKey();
  std::string alice_cert = f.dir + "/alice.pem", alice_key = f.dir + "/alice_key.pem";
  writeKey(ak.get(), alice_key);
  writeCert(makeCert(ak.get(), "alice", "email:alice@example.com").get(), alice_cert);
  auto server = TlsContext::makeServer(f.cert, f.key, alice_cert);
  INFO((server.ok() ? std::string() : server.error().message));
  REQUIRE(server.ok());

  auto clientWith = [&](const std::string& cert, const std::string& key) {
    auto c = clientCtx(false, "");
    if (!cert.empty()) {
      REQUIRE(SSL_CTX_use_certificate_file(c->raw(), cert.c_str(), SSL_FILETYPE_PEM) == 1);
      REQUIRE(SSL_CTX_use_PrivateKey_file(c->raw(), key.c_str(), SSL_FILETYPE_PEM) == 1);
    }
    return c;
  };
  SECTION("a certificate from the client CA identifies the client") {
    TlsChannel client(clientWith(alice_cert, alice_key), "localhost");
    TlsChannel srv(*server);
    auto [c, s] = handshakeBoth(client, srv);
    REQUIRE(c == Status::Ok);
    REQUIRE(s == Status::Ok);
    auto id = srv.peerIdentity();
    CHECK(id.verified);
    CHECK(id.common_name == "alice");
    CHECK(id.email == "alice@example.com");
  }
  SECTION("a certificate from another CA fails the handshake") {
    TlsChannel client(clientWith(f.other_cert, f.other_key), "localhost");
    TlsChannel srv(*server);
    auto [c, s] = handshakeBoth(client, srv);
    CHECK(s == Status::Error);
    CHECK_FALSE(srv.peerIdentity().verified);
  }
  SECTION("no certificate: the handshake completes without an identity") {
    TlsChannel client(clientWith("", ""), "localhost");
    TlsChannel srv(*server);
    auto [c, s] = handshakeBoth(client, srv);
    REQUIRE(s == Status::Ok);
    auto id = srv.peerIdentity();
    CHECK_FALSE(id.verified);
    CHECK(id.common_name.empty());
  }
  SECTION("without a client CA no identity is ever reported") {
    TlsChannel client(clientWith(alice_cert, alice_key), "localhost");
    TlsChannel srv(serverCtx(f));
    auto [c, s] = handshakeBoth(client, srv);
    REQUIRE(s == Status::Ok);
    CHECK_FALSE(srv.peerIdentity().verified);
  }
}

TEST_CASE("TLS server refuses clients below TLS 1.2", "[tls]") {
  Fixture f;
  auto sctx = serverCtx(f);
  auto cctx = clientCtx(false, {});
  // Test-only: widen the client to legacy versions through the raw context.
  REQUIRE(SSL_CTX_set_min_proto_version(cctx->raw(), TLS1_VERSION) == 1);
  REQUIRE(SSL_CTX_set_max_proto_version(cctx->raw(), TLS1_1_VERSION) == 1);
  TlsChannel server(sctx);
  TlsChannel client(cctx);
  auto [c, s] = handshakeBoth(client, server);
  CHECK(s == Status::Error);
  CHECK_FALSE(server.lastError().empty());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("TLS 1.2 is still negotiated", "[tls]") {
  Fixture f;
  auto sctx = serverCtx(f);
  auto cctx = clientCtx(true, f.cert);
  REQUIRE(SSL_CTX_set_max_proto_version(cctx->raw(), TLS1_2_VERSION) == 1);
  TlsChannel server(sctx);
  TlsChannel client(cctx, "localhost");
  auto [c, s] = handshakeBoth(client, server);
  REQUIRE(c == Status::Ok);
  REQUIRE(s == Status::Ok);
  CHECK(server.version() == "TLSv1.2");
  std::vector<uint8_t> msg = pattern(100000, 3), got;
  REQUIRE(server.writePlaintext(msg) == Status::Ok);
  transfer(server, client);
  REQUIRE(client.readPlaintext(got) == Status::Ok);
  CHECK(got == msg);
}

TEST_CASE("TLS context construction errors name the file", "[tls]") {
  Fixture f;
  SECTION("key does not match the certificate") {
    auto r = TlsContext::makeServer(f.cert, f.other_key);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().message.find(f.other_key) != std::string::npos);
    CHECK(r.error().message.find("does not match") != std::string::npos);
  }
  SECTION("missing files") {
    auto r = TlsContext::makeServer(f.dir + "/nope.pem", f.key);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("nope.pem") != std::string::npos);
    CHECK(r.error().message.find("No such file") != std::string::npos);
    auto r2 = TlsContext::makeServer(f.cert, f.dir + "/nokey.pem");
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().message.find("nokey.pem") != std::string::npos);
    auto r3 = TlsContext::makeClient(true, f.dir + "/noca.pem");
    REQUIRE_FALSE(r3.ok());
    CHECK(r3.error().message.find("noca.pem") != std::string::npos);
  }
  SECTION("files that are not PEM") {
    std::string junk = f.dir + "/junk.pem";
    FILE* fp = std::fopen(junk.c_str(), "w");
    REQUIRE(fp);
    std::fputs("not a certificate\n", fp);
    std::fclose(fp);
    auto r = TlsContext::makeServer(junk, f.key);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    CHECK(r.error().message.find(junk) != std::string::npos);
    CHECK(r.error().message.find("certificate chain") != std::string::npos);
    auto r2 = TlsContext::makeServer(f.cert, junk);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().message.find("private key") != std::string::npos);
    auto r3 = TlsContext::makeClient(true, junk);
    REQUIRE_FALSE(r3.ok());
    CHECK(r3.error().message.find(junk) != std::string::npos);
  }
  CHECK(ERR_peek_error() == 0);
  SECTION("system trust store loads") {
    auto r = TlsContext::makeClient(true, {});
    INFO((r.ok() ? std::string() : r.error().message));
    CHECK(r.ok());
  }
}

TEST_CASE("TLS channel misuse is reported, not crashed on", "[tls]") {
  Fixture f;
  auto sctx = serverCtx(f);
  TlsChannel server(sctx);
  std::vector<uint8_t> data = {1, 2, 3};
  CHECK(server.writePlaintext(data) == Status::Error);  // before the handshake
  CHECK_FALSE(server.lastError().empty());
  server.shutdown();  // no-op during the handshake
  TlsChannel garbage(sctx);
  std::vector<uint8_t> junk(200, 'G');
  garbage.feedCiphertext(junk);
  CHECK(garbage.handshake() == Status::Error);
  CHECK_FALSE(garbage.lastError().empty());
  CHECK(ERR_peek_error() == 0);
  TlsChannel no_ctx(nullptr);
  CHECK(no_ctx.handshake() == Status::Error);
  CHECK(no_ctx.pendingCiphertext() == 0);
}
