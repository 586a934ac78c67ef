// core/include/warden/crypto/scram.h
//! SCRAM-SHA-256 (RFC 5802 / RFC 7677) without channel binding, both roles, as pure state
//! machines over message strings. Used by dialects that carry SASL (PostgreSQL) and by the
//! identity store (verifiers). Channel binding (-PLUS) cannot survive TLS termination, so the
//! server role never offers it and rejects a client that demands it ("p=" gs2 flag).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "warden/base/result.h"

namespace warden::crypto {

using Sha256Digest = std::array<uint8_t, 32>;

//! Error::code values set by ScramServer / ScramClient, so callers can map them to the
//! protocol-native error (e.g. PostgreSQL: protocol violation vs. password authentication failed).
enum class ScramError : int {
  Malformed = 1,               //!< syntax error, bad base64, nonce mismatch, over-long message
  ChannelBindingRequired = 2,  //!< client sent gs2 flag "p=": -PLUS cannot survive TLS termination
  Unsupported = 3,             //!< mandatory extension ("m="), non-empty authzid ("a=")
  InvalidProof = 4,            //!< wrong password (server) / wrong server signature (client)
  OutOfOrder = 5,              //!< call out of sequence, or the exchange already failed
  ServerError = 6,             //!< client role: server-final was "e=..."
  NoVerifier = 7,              //!< server role: the verifier given to the constructor is invalid
};

//! A stored verifier, as in PostgreSQL's pg_authid: "SCRAM-SHA-256$<iter>:<salt b64>$<StoredKey b64>:<ServerKey b64>".
struct ScramVerifier {
  int iterations = 0;
  std::vector<uint8_t> salt;
  Sha256Digest stored_key{};
  Sha256Digest server_key{};
  bool valid() const { return iterations > 0 && !salt.empty(); }
};

Result<ScramVerifier> parseScramVerifier(std::string_view text);
std::string formatScramVerifier(const ScramVerifier& v);
//! Derives a verifier from a password (SASLprep: ASCII passwords pass unchanged; non-ASCII is
//! used as raw UTF-8, as PostgreSQL does when SASLprep fails). Cost: `iterations` HMACs.
ScramVerifier makeScramVerifier(std::string_view password, std::vector<uint8_t> salt,
                                int iterations = 4096);

Sha256Digest saltedPassword(std::string_view password, const std::vector<uint8_t>& salt,
                            int iterations);
Sha256Digest hmacSha256(std::span<const uint8_t> key, std::string_view data);
Sha256Digest sha256(std::span<const uint8_t> data);
std::string base64Encode(std::span<const uint8_t> data);
std::optional<std::vector<uint8_t>> base64Decode(std::string_view text);
//! Constant-time comparison of equal-length buffers (false when lengths differ).
bool constantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b);
//! Cryptographically secure random bytes (BoringSSL RAND_bytes).
void randomBytes(std::span<uint8_t> out);

//! Server role. Feed client-first, get server-first; feed client-final, get server-final.
class ScramServer {
 public:
  //! `nonce_bytes_for_test`: fixed server nonce (tests only); empty = random 18 bytes.
  explicit ScramServer(const ScramVerifier& verifier, std::string server_nonce_for_test = {});
  //! Returns server-first-message ("r=...,s=...,i=...") or an error (malformed, channel binding
  //! required by client, unsupported extension).
  Result<std::string> handleClientFirst(std::string_view client_first);
  //! Returns server-final-message ("v=...") when the proof verifies; error otherwise.
  Result<std::string> handleClientFinal(std::string_view client_final);
  //! The username in client-first ("n=..."), possibly empty (PostgreSQL sends it empty).
  const std::string& clientUser() const { return client_user_; }

 private:
  ScramVerifier verifier_;
  std::string server_nonce_fixed_;
  std::string client_first_bare_, server_first_, nonce_, client_user_;
  std::string gs2_header_;  // verbatim, e.g. "n,,"; client-final's c= must decode to it
  int state_ = 0;
};

//! Client role (Warden logging in to a backend).
class ScramClient {
 public:
  //! `salted_cache`: optional hook so callers can cache SaltedPassword per (salt, iterations)
  //! and avoid repeating PBKDF2 on every backend login.
  ScramClient(std::string password, std::string client_nonce_for_test = {});
  //! "n,,n=,r=<nonce>"
  std::string clientFirst();
  //! "n,,n=<saslname(username)>,r=<nonce>" (RFC 5802 style; PostgreSQL ignores the name and
  //! libpq sends it empty). Returns an empty string when called out of order.
  std::string clientFirst(std::string_view username);
  //! Parses server-first, returns client-final-message with proof. Computes SaltedPassword
  //! unless `salted` is given (precomputed for this salt/iterations).
  Result<std::string> handleServerFirst(std::string_view server_first,
                                        const Sha256Digest* salted = nullptr);
  //! Salt and iteration count seen in server-first (valid after handleServerFirst).
  const std::vector<uint8_t>& salt() const { return salt_; }
  int iterations() const { return iterations_; }
  const Sha256Digest& salted() const { return salted_; }
  //! Verifies the server signature in server-final ("v=..."); error if it does not match or
  //! the server sent "e=...".
  Result<void> handleServerFinal(std::string_view server_final);

 private:
  std::string password_, client_nonce_, client_first_bare_, auth_message_;
  std::vector<uint8_t> salt_;
  int iterations_ = 0;
  Sha256Digest salted_{};
  int state_ = 0;
};

//! The parts of a server-first-message ("r=<nonce>,s=<salt>,i=<iterations>[,ext]"), so a
//! client can look up a cached SaltedPassword before answering.
struct ScramServerFirst {
  std::string nonce;
  std::vector<uint8_t> salt;
  int iterations = 0;
};
Result<ScramServerFirst> parseScramServerFirst(std::string_view server_first);

//! PostgreSQL MD5 password: "md5" + md5hex(md5hex(password + user) + salt).
std::string pgMd5Password(std::string_view user, std::string_view password,
                          std::span<const uint8_t> salt4);

}  // namespace warden::crypto
