// core/src/crypto/scram.cc
//! SCRAM-SHA-256 state machines (RFC 5802 section 7 grammar, RFC 7677) and pg_authid-style
//! verifiers. Parsing is strict and bounds-checked: every input is attacker-controlled (client
//! messages on the server role, backend messages on the client role).
#include <algorithm>
#include <charconv>
#include <climits>

#include "warden/crypto/scram.h"

namespace warden::crypto {

namespace {

// Hard caps (STYLE.md rule 2). Real messages are < 200 bytes; PostgreSQL caps SASL at 1 KB-ish.
constexpr size_t kMaxMessage = 2048;
// Client role: a hostile backend must not make us spin PBKDF2 for minutes.
constexpr int kMaxClientIterations = 10'000'000;
constexpr size_t kServerNonceBytes = 18;
constexpr size_t kClientNonceBytes = 24;
constexpr std::string_view kVerifierPrefix = "SCRAM-SHA-256$";

enum State : int { kStart = 0, kSentFirst = 1, kDone = 2, kFailed = -1 };
// Client role states.
enum ClientState : int { kClientStart = 0, kClientSentFirst = 1, kClientSentFinal = 2,
                         kClientDone = 3, kClientFailed = -1 };

Error scramError(ScramError code, std::string message) {
  return makeError("SCRAM: " + std::move(message), static_cast<int>(code));
}

std::vector<std::string_view> splitComma(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
}

//! True when `part` is "<name>=<value>"; sets `value`.
bool takeAttr(std::string_view part, char name, std::string_view& value) {
  if (part.size() < 2 || part[0] != name || part[1] != '=') return false;
  value = part.substr(2);
  return true;
}

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

//! RFC 5802 "printable": %x21-2B / %x2D-7E (no ',').
bool isValidNonce(std::string_view n) {
  if (n.empty()) return false;
  for (char ch : n) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  }
  return true;
}

//! Optional trailing extensions: attr-val = ALPHA "=" value; value has no NUL (',' was split).
bool areValidExtensions(const std::vector<std::string_view>& parts, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    std::string_view p = parts[i];
    if (p.size() < 2 || !isAlpha(p[0]) || p[1] != '=') return false;
    if (p.find('\0') != std::string_view::npos) return false;
  }
  return true;
}

//! saslname: "=2C" -> ',', "=3D" -> '='; other '=' and NUL are invalid. Empty is allowed
//! (PostgreSQL clients send "n=").
bool decodeSaslname(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\0') return false;
    if (c != '=') {
      out.push_back(c);
      continue;
    }
    std::string_view esc = in.substr(i + 1, 2);
    if (esc == "2C") {
      out.push_back(',');
    } else if (esc == "3D") {
      out.push_back('=');
    } else {
      return false;
    }
    i += 2;
  }
  return true;
}

std::string encodeSaslname(std::string_view in) {
  std::string out;
  for (char c : in) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

//! Strict positive decimal (no sign, no leading zeros besides none at all, no overflow).
bool parsePositiveInt(std::string_view s, int& out) {
  if (s.empty() || s.size() > 10 || s[0] == '0') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v <= 0) return false;
  out = v;
  return true;
}

std::span<const uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Sha256Digest clientKeyOf(const Sha256Digest& salted) { return hmacSha256(salted, "Client Key"); }
Sha256Digest serverKeyOf(const Sha256Digest& salted) { return hmacSha256(salted, "Server Key"); }

std::string randomNonce(size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  randomBytes(raw);
  return base64Encode(raw);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Verifiers

Result<ScramVerifier> parseScramVerifier(std::string_view text) {
  auto bad = [](const char* why) {
    return makeError(std::string("malformed SCRAM-SHA-256 verifier: ") + why);
  };
  if (text.size() > kMaxMessage) return bad("too long");
  if (text.substr(0, kVerifierPrefix.size()) != kVerifierPrefix) return bad("missing prefix");
  std::string_view rest = text.substr(kVerifierPrefix.size());
  size_t dollar = rest.find('$');
  if (dollar == std::string_view::npos) return bad("missing '$' before keys");
  std::string_view iter_salt = rest.substr(0, dollar);
  std::string_view keys = rest.substr(dollar + 1);
  size_t colon1 = iter_salt.find(':');
  size_t colon2 = keys.find(':');
  if (colon1 == std::string_view::npos || colon2 == std::string_view::npos) {
    return bad("missing ':'");
  }
  ScramVerifier v;
  if (!parsePositiveInt(iter_salt.substr(0, colon1), v.iterations)) {
    return bad("bad iteration count");
  }
  auto salt = base64Decode(iter_salt.substr(colon1 + 1));
  if (!salt || salt->empty()) return bad("bad salt");
  v.salt = std::move(*salt);
  auto stored = base64Decode(keys.substr(0, colon2));
  auto server = base64Decode(keys.substr(colon2 + 1));
  if (!stored || stored->size() != v.stored_key.size()) return bad("bad StoredKey");
  if (!server || server->size() != v.server_key.size()) return bad("bad ServerKey");
  std::copy(stored->begin(), stored->end(), v.stored_key.begin());
  std::copy(server->begin(), server->end(), v.server_key.begin());
  return v;
}

std::string formatScramVerifier(const ScramVerifier& v) {
  return std::string(kVerifierPrefix) + std::to_string(v.iterations) + ":" +
         base64Encode(v.salt) + "$" + base64Encode(v.stored_key) + ":" +
         base64Encode(v.server_key);
}

ScramVerifier makeScramVerifier(std::string_view password, std::vector<uint8_t> salt,
                                int iterations) {
  ScramVerifier v;
  if (iterations < 1 || salt.empty()) return v;  // !valid()
  Sha256Digest salted = saltedPassword(password, salt, iterations);
  v.iterations = iterations;
  v.salt = std::move(salt);
  v.stored_key = sha256(clientKeyOf(salted));
  v.server_key = serverKeyOf(salted);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Server role

ScramServer::ScramServer(const ScramVerifier& verifier, std::string server_nonce_for_test)
    : verifier_(verifier), server_nonce_fixed_(std::move(server_nonce_for_test)) {}

Result<std::string> ScramServer::handleClientFirst(std::string_view msg) {
  if (state_ != kStart) {
    state_ = kFailed;
    return scramError(ScramError::OutOfOrder, "client-first-message out of sequence");
  }
  state_ = kFailed;  // until this message is fully accepted
  if (!verifier_.valid()) return scramError(ScramError::NoVerifier, "no usable verifier");
  if (msg.empty() || msg.size() > kMaxMessage) {
    return scramError(ScramError::Malformed, "client-first-message empty or too long");
  }

  // gs2-header = gs2-cbind-flag "," [ authzid ] ","
  size_t pos = 0;
  if (msg[0] == 'p') {
    return scramError(ScramError::ChannelBindingRequired,
                      "client requires channel binding (SCRAM-SHA-256-PLUS), which is not "
                      "offered: TLS is terminated at the gateway");
  }
  // 'n': client does not support binding. 'y': client supports it but believes the server does
  // not — true here, we never advertise -PLUS, so this is not a downgrade.
  if ((msg[0] != 'n' && msg[0] != 'y') || msg.size() < 2 || msg[1] != ',') {
    return scramError(ScramError::Malformed, "bad gs2 channel-binding flag");
  }
  pos = 2;
  size_t comma = msg.find(',', pos);
  if (comma == std::string_view::npos) {
    return scramError(ScramError::Malformed, "truncated gs2 header");
  }
  std::string_view authzid = msg.substr(pos, comma - pos);
  if (!authzid.empty()) {
    std::string_view value;
    if (!takeAttr(authzid, 'a', value)) {
      return scramError(ScramError::Malformed, "bad gs2 authzid");
    }
    if (!value.empty()) {
      return scramError(ScramError::Unsupported, "authorization identity is not supported");
    }
  }
  std::string_view gs2 = msg.substr(0, comma + 1);
  std::string_view bare = msg.substr(comma + 1);

  // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
  auto parts = splitComma(bare);
  std::string_view value;
  if (takeAttr(parts[0], 'm', value)) {
    return scramError(ScramError::Unsupported, "unsupported mandatory extension");
  }
  if (parts.size() < 2) return scramError(ScramError::Malformed, "missing username or nonce");
  std::string user;
  if (!takeAttr(parts[0], 'n', value) || !decodeSaslname(value, user)) {
    return scramError(ScramError::Malformed, "bad username attribute");
  }
  std::string_view client_nonce;
  if (!takeAttr(parts[1], 'r', client_nonce) || !isValidNonce(client_nonce)) {
    return scramError(ScramError::Malformed, "bad client nonce");
  }
  if (!areValidExtensions(parts, 2, parts.size())) {
    return scramError(ScramError::Malformed, "bad extension attribute");
  }

  gs2_header_.assign(gs2);
  client_first_bare_.assign(bare);
  client_user_ = std::move(user);
  nonce_.assign(client_nonce);
  nonce_ += server_nonce_fixed_.empty() ? randomNonce(kServerNonceBytes) : server_nonce_fixed_;
  server_first_ = "r=" + nonce_ + ",s=" + base64Encode(verifier_.salt) +
                  ",i=" + std::to_string(verifier_.iterations);
  state_ = kSentFirst;
  return server_first_;
}

Result<std::string> ScramServer::handleClientFinal(std::string_view msg) {
  if (state_ != kSentFirst) {
    state_ = kFailed;
    return scramError(ScramError::OutOfOrder, "client-final-message out of sequence");
  }
  state_ = kFailed;
  if (msg.empty() || msg.size() > kMaxMessage) {
    return scramError(ScramError::Malformed, "client-final-message empty or too long");
  }
  // client-final-message = client-final-message-without-proof "," proof; proof is last.
  size_t last_comma = msg.rfind(',');
  if (last_comma == std::string_view::npos) {
    return scramError(ScramError::Malformed, "missing proof");
  }
  std::string_view without_proof = msg.substr(0, last_comma);
  std::string_view proof_b64;
  if (!takeAttr(msg.substr(last_comma + 1), 'p', proof_b64)) {
    return scramError(ScramError::Malformed, "missing proof");
  }
  auto parts = splitComma(without_proof);
  if (parts.size() < 2) return scramError(ScramError::Malformed, "missing attributes");
  std::string_view value;
  if (!takeAttr(parts[0], 'c', value)) {
    return scramError(ScramError::Malformed, "missing channel-binding attribute");
  }
  auto cbind = base64Decode(value);
  if (!cbind || !constantTimeEqual(*cbind, bytesOf(gs2_header_))) {
    return scramError(ScramError::Malformed, "channel-binding data does not match gs2 header");
  }
  if (!takeAttr(parts[1], 'r', value) || value != nonce_) {
    return scramError(ScramError::Malformed, "nonce does not match");
  }
  if (!areValidExtensions(parts, 2, parts.size())) {
    return scramError(ScramError::Malformed, "bad extension attribute");
  }
  auto proof = base64Decode(proof_b64);
  if (!proof || proof->size() != verifier_.stored_key.size()) {
    return scramError(ScramError::Malformed, "bad proof encoding");
  }

  std::string auth_message;
  auth_message.reserve(client_first_bare_.size() + server_first_.size() +
                       without_proof.size() + 2);
  auth_message.append(client_first_bare_).append(",").append(server_first_).append(",");
  auth_message.append(without_proof);

  Sha256Digest client_signature = hmacSha256(verifier_.stored_key, auth_message);
  Sha256Digest client_key{};
  for (size_t i = 0; i < client_key.size(); ++i) {
    client_key[i] = (*proof)[i] ^ client_signature[i];
  }
  if (!constantTimeEqual(sha256(client_key), verifier_.stored_key)) {
    return scramError(ScramError::InvalidProof, "invalid client proof (wrong password)");
  }
  Sha256Digest server_signature = hmacSha256(verifier_.server_key, auth_message);
  state_ = kDone;
  return "v=" + base64Encode(server_signature);
}

// ---------------------------------------------------------------------------------------------
// Client role

ScramClient::ScramClient(std::string password, std::string client_nonce_for_test)
    : password_(std::move(password)), client_nonce_(std::move(client_nonce_for_test)) {}

std::string ScramClient::clientFirst() { return clientFirst({}); }

std::string ScramClient::clientFirst(std::string_view username) {
  if (state_ != kClientStart) {
    state_ = kClientFailed;
    return {};
  }
  if (client_nonce_.empty()) client_nonce_ = randomNonce(kClientNonceBytes);
  client_first_bare_ = "n=" + encodeSaslname(username) + ",r=" + client_nonce_;
  state_ = kClientSentFirst;
  return "n,," + client_first_bare_;
}

Result<std::string> ScramClient::handleServerFirst(std::string_view msg,
                                                   const Sha256Digest* salted) {
  if (state_ != kClientSentFirst) {
    state_ = kClientFailed;
    return scramError(ScramError::OutOfOrder, "server-first-message out of sequence");
  }
  state_ = kClientFailed;
  if (msg.empty() || msg.size() > kMaxMessage) {
    return scramError(ScramError::Malformed, "server-first-message empty or too long");
  }
  // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," ext]
  auto parts = splitComma(msg);
  std::string_view value;
  if (takeAttr(parts[0], 'm', value)) {
    return scramError(ScramError::Unsupported, "unsupported mandatory extension");
  }
  if (parts.size() < 3) return scramError(ScramError::Malformed, "missing attributes");
  std::string_view nonce;
  if (!takeAttr(parts[0], 'r', nonce) || !isValidNonce(nonce) ||
      nonce.size() <= client_nonce_.size() ||
      nonce.substr(0, client_nonce_.size()) != client_nonce_) {
    return scramError(ScramError::Malformed, "server nonce does not extend the client nonce");
  }
  std::optional<std::vector<uint8_t>> salt;
  if (!takeAttr(parts[1], 's', value) || !(salt = base64Decode(value)) || salt->empty()) {
    return scramError(ScramError::Malformed, "bad salt");
  }
  int iterations = 0;
  if (!takeAttr(parts[2], 'i', value) || !parsePositiveInt(value, iterations)) {
    return scramError(ScramError::Malformed, "bad iteration count");
  }
  if (iterations > kMaxClientIterations) {
    return scramError(ScramError::Unsupported, "iteration count too high");
  }
  if (!areValidExtensions(parts, 3, parts.size())) {
    return scramError(ScramError::Malformed, "bad extension attribute");
  }

  salt_ = std::move(*salt);
  iterations_ = iterations;
  salted_ = salted ? *salted : saltedPassword(password_, salt_, iterations_);

  std::string without_proof = "c=biws,r=";  // base64("n,,"): we never bind
  without_proof.append(nonce);
  auth_message_.clear();
  auth_message_.append(client_first_bare_).append(",").append(msg).append(",");
  auth_message_.append(without_proof);

  Sha256Digest client_key = clientKeyOf(salted_);
  Sha256Digest client_signature = hmacSha256(sha256(client_key), auth_message_);
  Sha256Digest proof{};
  for (size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ client_signature[i];
  state_ = kClientSentFinal;
  return without_proof + ",p=" + base64Encode(proof);
}

Result<void> ScramClient::handleServerFinal(std::string_view msg) {
  if (state_ != kClientSentFinal) {
    state_ = kClientFailed;
    return scramError(ScramError::OutOfOrder, "server-final-message out of sequence");
  }
  state_ = kClientFailed;
  if (msg.empty() || msg.size() > kMaxMessage) {
    return scramError(ScramError::Malformed, "server-final-message empty or too long");
  }
  // server-final-message = (server-error / verifier) ["," extensions]
  auto parts = splitComma(msg);
  std::string_view value;
  if (takeAttr(parts[0], 'e', value)) {
    std::string shown;
    for (char c : value.substr(0, 128)) {
      auto u = static_cast<unsigned char>(c);
      shown.push_back(u >= 0x20 && u < 0x7f ? c : '?');
    }
    return scramError(ScramError::ServerError, "server reported error: " + shown);
  }
  if (!takeAttr(parts[0], 'v', value)) {
    return scramError(ScramError::Malformed, "missing server signature");
  }
  if (!areValidExtensions(parts, 1, parts.size())) {
    return scramError(ScramError::Malformed, "bad extension attribute");
  }
  auto signature = base64Decode(value);
  if (!signature) return scramError(ScramError::Malformed, "bad server signature encoding");
  Sha256Digest expected = hmacSha256(serverKeyOf(salted_), auth_message_);
  if (!constantTimeEqual(*signature, expected)) {
    return scramError(ScramError::InvalidProof, "server signature does not verify");
  }
  state_ = kClientDone;
  return {};
}

}  // namespace warden::crypto
