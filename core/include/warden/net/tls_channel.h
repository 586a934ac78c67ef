// core/include/warden/net/tls_channel.h
//! TLS over BoringSSL memory BIOs, independent of sockets: the owner feeds ciphertext read from
//! the network in, takes ciphertext to write out, and reads/writes plaintext. Used for both
//! client-facing (server role) and backend-facing (client role) TLS.
//! Threading: one channel is used by one loop thread; contexts are immutable once built and may
//! be shared across threads (SSL_CTX is reference counted and thread-safe for SSL_new).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "warden/base/result.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace warden::net {

//! Shared TLS context (wraps SSL_CTX*).
class TlsContext {
 public:
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  //! Server role: certificate chain + private key (PEM files). TLS 1.2+.
  //! `client_ca_file` (optional): request a client certificate and verify it against this CA
  //! bundle (mTLS). A client without a certificate still connects; one whose certificate does
  //! not verify fails the handshake.
  static Result<std::shared_ptr<TlsContext>> makeServer(const std::string& cert_file,
                                                        const std::string& key_file,
                                                        const std::string& client_ca_file = {});
  //! Client role. verify=false: encrypt only (backend.tls prefer/require). verify=true: verify
  //! the chain against `ca_file` (or the system bundle when empty); hostname checked per channel.
  static Result<std::shared_ptr<TlsContext>> makeClient(bool verify, const std::string& ca_file);

  SSL_CTX* raw() const { return ctx_; }
  bool isServer() const { return server_; }
  bool verifies() const { return verify_; }

 private:
  TlsContext(SSL_CTX* ctx, bool server, bool verify) : ctx_(ctx), server_(server), verify_(verify) {}
  SSL_CTX* ctx_;
  bool server_;
  bool verify_;
};

class TlsChannel {
 public:
  enum class Status { Ok, WantMore, Closed, Error };

  //! `server_name`: client role only — SNI and, when the context verifies, the hostname (or IP)
  //! the peer certificate must match.
  TlsChannel(std::shared_ptr<TlsContext> ctx, const std::string& server_name = {});
  ~TlsChannel();
  TlsChannel(const TlsChannel&) = delete;
  TlsChannel& operator=(const TlsChannel&) = delete;

  //! Ciphertext from the network.
  void feedCiphertext(std::span<const uint8_t> data);
  //! Drives the handshake. Ok when finished; WantMore when it needs more input (check
  //! pendingCiphertext() first: there may be bytes to send); Error with lastError().
  Status handshake();
  bool handshakeDone() const { return done_; }
  bool isServerRole() const { return ctx_->isServer(); }
  //! Reads decrypted bytes into `out` (appends). Ok if anything was read or nothing is pending;
  //! Closed on close_notify; Error on a TLS failure.
  Status readPlaintext(std::vector<uint8_t>& out);
  //! Encrypts plaintext; the ciphertext becomes available through takeCiphertext().
  Status writePlaintext(std::span<const uint8_t> data);
  //! Moves all pending outgoing ciphertext into `out` (appends). Returns bytes moved.
  size_t takeCiphertext(std::vector<uint8_t>& out);
  size_t pendingCiphertext() const;
  //! Queue a close_notify alert (take it with takeCiphertext()).
  void shutdown();

  const std::string& lastError() const { return error_; }
  std::string version() const;  // "TLSv1.3"
  //! Server role, after the handshake: the client certificate's identity when one was presented
  //! and verified against the context's client CA; empty otherwise.
  struct PeerIdentity {
    bool verified = false;
    std::string common_name;  // subject CN (UTF-8)
    std::string email;        // first rfc822Name SAN, else the subject emailAddress
  };
  PeerIdentity peerIdentity() const;
  std::string cipher() const;

 private:
  std::shared_ptr<TlsContext> ctx_;
  SSL* ssl_ = nullptr;
  bool done_ = false;
  std::string error_;
};

}  // namespace warden::net
