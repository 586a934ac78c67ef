// core/src/net/tls_channel.cc
//! BoringSSL over memory BIOs. Every BoringSSL call is preceded by ERR_clear_error() and every
//! failure drains the thread's error queue into `error_`, so one connection's errors never leak
//! into another's diagnostics on the same loop thread.
#include "warden/net/tls_channel.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#ifndef OPENSSL_IS_BORINGSSL
#error "BoringSSL headers expected (/usr/include/android): never mix in system OpenSSL"
#endif

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

namespace warden::net {

namespace {

constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";
constexpr size_t kReadChunk = 16 * 1024;

//! Drains the thread's ERR queue into "reason; reason; ...". Empty when the queue was empty.
std::string drainErrors() {
  std::string out;
  char buf[256];
  while (uint32_t e = ERR_get_error()) {
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Error fileError(const char* what, const std::string& file) {
  std::string reason = drainErrors();
  return makeError(std::string("TLS: ") + what + " '" + file + "': " +
                   (reason.empty() ? "unknown error" : reason));
}

//! Checks the file can be opened, so "No such file or directory" reads better than the
//! ERR_LIB_SYS chain BoringSSL would report.
bool readable(const std::string& file, std::string& why) {
  FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) {
    why = std::strerror(errno);
    return false;
  }
  std::fclose(f);
  return true;
}

bool isIpLiteral(const std::string& name) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

SSL_CTX* newContext(std::string& err) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (!ctx) {
    err = "TLS: SSL_CTX_new failed: " + drainErrors();
    return nullptr;
  }
  if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
    err = "TLS: cannot set minimum version TLS 1.2: " + drainErrors();
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// TlsContext

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

Result<std::shared_ptr<TlsContext>> TlsContext::makeServer(const std::string& cert_file,
                                                           const std::string& key_file,
                                                           const std::string& client_ca_file) {
  std::string why;
  if (!readable(cert_file, why)) {
    return makeError("TLS: cannot read certificate chain '" + cert_file + "': " + why);
  }
  if (!readable(key_file, why)) {
    return makeError("TLS: cannot read private key '" + key_file + "': " + why);
  }
  std::string err;
  SSL_CTX* ctx = newContext(err);
  if (!ctx) return makeError(err);
  std::shared_ptr<TlsContext> holder(new TlsContext(ctx, /*server=*/true, /*verify=*/false));

  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    return fileError("cannot load certificate chain from", cert_file);
  }
  ERR_clear_error();
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // BoringSSL already compares the key with the loaded certificate here.
    uint32_t e = ERR_peek_last_error();
    if (ERR_GET_LIB(e) == ERR_LIB_X509 && ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
      return makeError("TLS: private key '" + key_file + "' does not match certificate '" +
                       cert_file + "': " + drainErrors());
    }
    return fileError("cannot load private key from", key_file);
  }
  ERR_clear_error();
  if (SSL_CTX_check_private_key(ctx) != 1) {
    std::string reason = drainErrors();
    return makeError("TLS: private key '" + key_file + "' does not match certificate '" +
                     cert_file + "': " + (reason.empty() ? "key mismatch" : reason));
  }
  if (!client_ca_file.empty()) {
    if (!readable(client_ca_file, why))
      return makeError("TLS: cannot read client CA bundle '" + client_ca_file + "': " + why);
    ERR_clear_error();
    if (SSL_CTX_load_verify_locations(ctx, client_ca_file.c_str(), nullptr) != 1)
      return fileError("cannot load client CA bundle from", client_ca_file);
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx, names);
    // Ask for a certificate; verify it when one comes (a bad one fails the handshake), but let
    // clients without one continue to password / token login.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    holder->verify_ = true;
  }
  return holder;
}

Result<std::shared_ptr<TlsContext>> TlsContext::makeClient(bool verify,
                                                           const std::string& ca_file) {
  std::string err;
  SSL_CTX* ctx = newContext(err);
  if (!ctx) return makeError(err);
  std::shared_ptr<TlsContext> holder(new TlsContext(ctx, /*server=*/false, verify));
  if (!verify) {
    // Encrypt-only (PostgreSQL sslmode=require semantics): the peer is not authenticated.
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    return holder;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  std::string bundle = ca_file;
  std::string why;
  if (bundle.empty() && readable(kSystemCaBundle, why)) bundle = kSystemCaBundle;
  ERR_clear_error();
  if (!bundle.empty()) {
    if (!readable(bundle, why)) {
      return makeError("TLS: cannot read CA file '" + bundle + "': " + why);
    }
    if (SSL_CTX_load_verify_locations(ctx, bundle.c_str(), nullptr) != 1) {
      return fileError("cannot load CA certificates from", bundle);
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
    return makeError("TLS: no CA file given and the system trust store is unavailable: " +
                     drainErrors());
  }
  ERR_clear_error();
  return holder;
}

// ---------------------------------------------------------------------------------------------
// TlsChannel

TlsChannel::TlsChannel(std::shared_ptr<TlsContext> ctx, const std::string& server_name)
    : ctx_(std::move(ctx)) {
  ERR_clear_error();
  if (!ctx_ || !ctx_->raw()) {
    error_ = "TLS: no context";
    return;
  }
  ssl_ = SSL_new(ctx_->raw());
  if (!ssl_) {
    error_ = "TLS: SSL_new failed: " + drainErrors();
    return;
  }
  BIO* rbio = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(BIO_s_mem());
  if (!rbio || !wbio) {
    BIO_free(rbio);
    BIO_free(wbio);
    error_ = "TLS: BIO_new failed: " + drainErrors();
    return;
  }
  SSL_set_bio(ssl_, rbio, wbio);  // ssl_ owns both

  if (ctx_->isServer()) {
    SSL_set_accept_state(ssl_);
    return;
  }
  SSL_set_connect_state(ssl_);
  if (server_name.empty()) return;  // verifying context: chain only (verify-ca semantics)
  const bool ip = isIpLiteral(server_name);
  if (!ip && SSL_set_tlsext_host_name(ssl_, server_name.c_str()) != 1) {
    error_ = "TLS: cannot set SNI '" + server_name + "': " + drainErrors();
    return;
  }
  if (ctx_->verifies()) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    int ok;
    if (ip) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(param, server_name.c_str());
    } else {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      // Length must be passed: BoringSSL treats 0 as an empty name and fails.
      ok = X509_VERIFY_PARAM_set1_host(param, server_name.data(), server_name.size());
    }
    if (ok != 1) {
      error_ = "TLS: cannot set expected peer name '" + server_name + "': " + drainErrors();
      return;
    }
  }
  ERR_clear_error();
}

TlsChannel::~TlsChannel() { SSL_free(ssl_); }

void TlsChannel::feedCiphertext(std::span<const uint8_t> data) {
  if (!ssl_) return;
  BIO* rbio = SSL_get_rbio(ssl_);
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), INT_MAX);
    int w = BIO_write(rbio, data.data(), static_cast<int>(n));
    if (w <= 0) {
      error_ = "TLS: BIO_write failed";
      ERR_clear_error();
      return;
    }
    data = data.subspan(static_cast<size_t>(w));
  }
}

namespace {

//! Describes a failed SSL_* call: queued reasons plus, for the client role, the verify result.
std::string describeFailure(SSL* ssl, bool verifies, int ssl_error, const char* op) {
  std::string reasons = drainErrors();
  std::string msg = std::string("TLS ") + op + " failed";
  // Without SSL_VERIFY_PEER a verify error is recorded but ignored: do not report it then.
  long verify = verifies ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify != X509_V_OK) {
    msg += ": certificate verify failed: ";
    msg += X509_verify_cert_error_string(verify);
  }
  if (!reasons.empty()) {
    msg += ": " + reasons;
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    msg += ": unexpected end of stream";
  } else if (verify == X509_V_OK) {
    msg += ": SSL error " + std::to_string(ssl_error);
  }
  return msg;
}

}  // namespace

TlsChannel::Status TlsChannel::handshake() {
  if (!ssl_ || !error_.empty()) {
    if (error_.empty()) error_ = "TLS: channel not initialised";
    return Status::Error;
  }
  if (done_) return Status::Ok;
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    done_ = true;
    return Status::Ok;
  }
  int e = SSL_get_error(ssl_, rc);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    ERR_clear_error();
    return Status::WantMore;
  }
  error_ = describeFailure(ssl_, ctx_->verifies(), e, "handshake");
  return Status::Error;
}

TlsChannel::Status TlsChannel::readPlaintext(std::vector<uint8_t>& out) {
  if (!done_) {
    Status st = handshake();
    if (st != Status::Ok) return st;
  }
  if (!error_.empty()) return Status::Error;
  uint8_t buf[kReadChunk];
  while (true) {
    ERR_clear_error();
    int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n > 0) {
      out.insert(out.end(), buf, buf + n);
      continue;
    }
    int e = SSL_get_error(ssl_, n);
    switch (e) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE:
        ERR_clear_error();
        return Status::Ok;
      case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        return Status::Closed;
      default:
        error_ = describeFailure(ssl_, ctx_->verifies(), e, "read");
        return Status::Error;
    }
  }
}

TlsChannel::Status TlsChannel::writePlaintext(std::span<const uint8_t> data) {
  if (!ssl_ || !error_.empty()) {
    if (error_.empty()) error_ = "TLS: channel not initialised";
    return Status::Error;
  }
  if (!done_) {
    error_ = "TLS: write before the handshake completed";
    return Status::Error;
  }
  while (!data.empty()) {
    ERR_clear_error();
    size_t n = std::min<size_t>(data.size(), INT_MAX);
    int w = SSL_write(ssl_, data.data(), static_cast<int>(n));
    if (w <= 0) {
      int e = SSL_get_error(ssl_, w);
      if (e == SSL_ERROR_ZERO_RETURN) {
        ERR_clear_error();
        return Status::Closed;
      }
      // WANT_WRITE cannot happen with a growable memory BIO; treat anything else as fatal.
      error_ = describeFailure(ssl_, ctx_->verifies(), e, "write");
      return Status::Error;
    }
    data = data.subspan(static_cast<size_t>(w));
  }
  return Status::Ok;
}

size_t TlsChannel::takeCiphertext(std::vector<uint8_t>& out) {
  if (!ssl_) return 0;
  BIO* wbio = SSL_get_wbio(ssl_);
  size_t pending = BIO_ctrl_pending(wbio);
  if (pending == 0) return 0;
  size_t old = out.size();
  out.resize(old + pending);
  size_t got = 0;
  while (got < pending) {
    size_t n = std::min<size_t>(pending - got, INT_MAX);
    int r = BIO_read(wbio, out.data() + old + got, static_cast<int>(n));
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(old + got);
  ERR_clear_error();
  return got;
}

size_t TlsChannel::pendingCiphertext() const {
  return ssl_ ? BIO_ctrl_pending(SSL_get_wbio(ssl_)) : 0;
}

void TlsChannel::shutdown() {
  // SSL_shutdown during the handshake is an error in BoringSSL; there is nothing to close then.
  if (!ssl_ || !done_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // queues close_notify into the write BIO; we do not wait for the peer's
  ERR_clear_error();
}

TlsChannel::PeerIdentity TlsChannel::peerIdentity() const {
  PeerIdentity id;
  if (!done_ || !ctx_->isServer() || !ctx_->verifies()) return id;
  X509* cert = SSL_get_peer_certificate(ssl_);
  if (cert == nullptr) return id;
  if (SSL_get_verify_result(ssl_) == X509_V_OK) {
    id.verified = true;
    auto text = [](ASN1_STRING* s) {
      unsigned char* utf8 = nullptr;
      int n = ASN1_STRING_to_UTF8(&utf8, s);
      std::string out = n > 0 ? std::string(reinterpret_cast<char*>(utf8), size_t(n)) : std::string();
      OPENSSL_free(utf8);
      return out;
    };
    X509_NAME* subject = X509_get_subject_name(cert);
    int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (i >= 0) id.common_name = text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i)));
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (sans != nullptr) {
      for (size_t k = 0; k < sk_GENERAL_NAME_num(sans) && id.email.empty(); ++k) {
        GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, k);
        if (g->type == GEN_EMAIL) id.email = text(g->d.rfc822Name);
      }
      GENERAL_NAMES_free(sans);
    }
    if (id.email.empty()) {
      int e = X509_NAME_get_index_by_NID(subject, NID_pkcs9_emailAddress, -1);
      if (e >= 0) id.email = text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, e)));
    }
    // Embedded NULs or control characters never name a user.
    for (std::string* f : {&id.common_name, &id.email})
      for (char c : *f)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          f->clear();
          break;
        }
  }
  X509_free(cert);
  return id;
}

std::string TlsChannel::version() const { return ssl_ ? SSL_get_version(ssl_) : ""; }

std::string TlsChannel::cipher() const {
  if (!ssl_) return {};
  const SSL_CIPHER* c = SSL_get_current_cipher(ssl_);
  return c ? SSL_CIPHER_get_name(c) : "";
}

}  // namespace warden::net
