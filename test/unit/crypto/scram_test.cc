// test/unit/crypto/scram_test.cc
//! SCRAM-SHA-256 state machines: RFC 7677 section 3 vector in both roles, negative paths, and a
//! mutation sweep over malformed input (must be rejected, never crash).
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "warden/crypto/scram.h"

using namespace warden::crypto;

namespace {

// RFC 7677 section 3 (verified against the RFC text and an independent Python computation).
const std::string kUser = "user";
const std::string kPassword = "pencil";
const std::string kClientNonce = "rOprNGfwEbeRWgbNEkqO";
const std::string kServerNonceSuffix = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const std::string kSaltB64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
const std::string kClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
const std::string kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const std::string kClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const std::string kServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramVerifier rfcVerifier() {
  return makeScramVerifier(kPassword, *base64Decode(kSaltB64), 4096);
}

int codeOf(ScramError e) { return static_cast<int>(e); }

}  // namespace

TEST_CASE("SCRAM client reproduces the RFC 7677 exchange", "[crypto]") {
  ScramClient client(kPassword, kClientNonce);
  REQUIRE(client.clientFirst(kUser) == kClientFirst);
  auto final_msg = client.handleServerFirst(kServerFirst);
  REQUIRE(final_msg.ok());
  CHECK(*final_msg == kClientFinal);
  CHECK(client.iterations() == 4096);
  CHECK(base64Encode(client.salt()) == kSaltB64);
  CHECK(client.handleServerFinal(kServerFinal).ok());
}

TEST_CASE("SCRAM server verifies the RFC 7677 exchange", "[crypto]") {
  ScramServer server(rfcVerifier(), kServerNonceSuffix);
  auto first = server.handleClientFirst(kClientFirst);
  REQUIRE(first.ok());
  CHECK(*first == kServerFirst);
  CHECK(server.clientUser() == "user");
  auto final_msg = server.handleClientFinal(kClientFinal);
  REQUIRE(final_msg.ok());
  CHECK(*final_msg == kServerFinal);
}

TEST_CASE("SCRAM client with precomputed SaltedPassword gives the same proof", "[crypto]") {
  ScramClient first_client(kPassword, kClientNonce);
  (void)first_client.clientFirst(kUser);
  REQUIRE(first_client.handleServerFirst(kServerFirst).ok());
  Sha256Digest cached = first_client.salted();

  ScramClient client("not-the-password", kClientNonce);  // proves the cache is used
  (void)client.clientFirst(kUser);
  auto final_msg = client.handleServerFirst(kServerFirst, &cached);
  REQUIRE(final_msg.ok());
  CHECK(*final_msg == kClientFinal);
}

TEST_CASE("SCRAM round trip with random nonces, PostgreSQL style empty user", "[crypto]") {
  std::vector<uint8_t> salt(16);
  randomBytes(salt);
  ScramServer server(makeScramVerifier("s3cr=t,pw", salt, 4096));
  ScramClient client("s3cr=t,pw");
  std::string cf = client.clientFirst();
  CHECK(cf.rfind("n,,n=,r=", 0) == 0);
  CHECK(cf.size() == std::string("n,,n=,r=").size() + 32);  // base64 of 24 bytes
  auto sf = server.handleClientFirst(cf);
  REQUIRE(sf.ok());
  CHECK(server.clientUser().empty());
  // Server nonce = client nonce + base64(18 random bytes) = 24 chars.
  CHECK(sf->find(cf.substr(8)) == 2);
  auto cfin = client.handleServerFirst(*sf);
  REQUIRE(cfin.ok());
  auto sfin = server.handleClientFinal(*cfin);
  REQUIRE(sfin.ok());
  CHECK(client.handleServerFinal(*sfin).ok());
}

TEST_CASE("SCRAM usernames are saslname-escaped and decoded", "[crypto]") {
  ScramClient client(kPassword, kClientNonce);
  CHECK(client.clientFirst("a,b=c") == "n,,n=a=2Cb=3Dc,r=rOprNGfwEbeRWgbNEkqO");
  ScramServer server(rfcVerifier(), kServerNonceSuffix);
  REQUIRE(server.handleClientFirst("n,,n=a=2Cb=3Dc,r=abc").ok());
  CHECK(server.clientUser() == "a,b=c");
  ScramServer bad(rfcVerifier());
  CHECK_FALSE(bad.handleClientFirst("n,,n=a=2Xb,r=abc").ok());
  ScramServer bad2(rfcVerifier());
  CHECK_FALSE(bad2.handleClientFirst("n,,n=a=,r=abc").ok());
}

TEST_CASE("SCRAM server rejects a wrong password", "[crypto]") {
  ScramServer server(rfcVerifier(), kServerNonceSuffix);
  ScramClient client("pencil2", kClientNonce);
  auto sf = server.handleClientFirst(client.clientFirst(kUser));
  REQUIRE(sf.ok());
  auto cfin = client.handleServerFirst(*sf);
  REQUIRE(cfin.ok());
  auto r = server.handleClientFinal(*cfin);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == codeOf(ScramError::InvalidProof));
  // The failed exchange is terminal.
  CHECK(server.handleClientFinal(kClientFinal).error().code == codeOf(ScramError::OutOfOrder));
}

TEST_CASE("SCRAM server rejects a tampered nonce or channel-binding attribute", "[crypto]") {
  auto run = [](const std::string& client_final) {
    ScramServer server(rfcVerifier(), kServerNonceSuffix);
    REQUIRE(server.handleClientFirst(kClientFirst).ok());
    return server.handleClientFinal(client_final);
  };
  SECTION("nonce altered") {
    std::string m = kClientFinal;
    m[12] = 'X';
    auto r = run(m);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codeOf(ScramError::Malformed));
  }
  SECTION("nonce is just the client part") {
    CHECK_FALSE(run("c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
                    .ok());
  }
  SECTION("c= claims y,, while the client sent n,,") {
    CHECK_FALSE(run("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
                    .ok());
  }
  SECTION("proof bit flipped") {
    std::string m = kClientFinal;
    m[m.size() - 3] = m[m.size() - 3] == 'A' ? 'B' : 'A';
    auto r = run(m);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codeOf(ScramError::InvalidProof));
  }
  SECTION("proof too short") {
    CHECK_FALSE(run("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA").ok());
  }
}

TEST_CASE("SCRAM server gs2 header handling", "[crypto]") {
  SECTION("p= channel binding is rejected with a clear error") {
    ScramServer server(rfcVerifier());
    auto r = server.handleClientFirst("p=tls-server-end-point,,n=,r=abcdef");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codeOf(ScramError::ChannelBindingRequired));
    CHECK(r.error().message.find("channel binding") != std::string::npos);
  }
  SECTION("y,, is accepted and c=eSws is then required") {
    ScramServer server(rfcVerifier(), kServerNonceSuffix);
    REQUIRE(server.handleClientFirst("y,,n=user,r=rOprNGfwEbeRWgbNEkqO").ok());
    CHECK_FALSE(server.handleClientFinal(kClientFinal).ok());  // c=biws does not match y,,
    ScramServer server2(rfcVerifier(), kServerNonceSuffix);
    REQUIRE(server2.handleClientFirst("y,,n=user,r=rOprNGfwEbeRWgbNEkqO").ok());
    // Proof is over the AuthMessage containing c=eSws, so compute it with a client-side mirror.
    auto sf = "r=rOprNGfwEbeRWgbNEkqO" + kServerNonceSuffix + ",s=" + kSaltB64 + ",i=4096";
    Sha256Digest salted = saltedPassword(kPassword, *base64Decode(kSaltB64), 4096);
    Sha256Digest client_key = hmacSha256(salted, "Client Key");
    std::string without_proof = "c=eSws,r=rOprNGfwEbeRWgbNEkqO" + kServerNonceSuffix;
    std::string am = "n=user,r=rOprNGfwEbeRWgbNEkqO," + sf + "," + without_proof;
    Sha256Digest sig = hmacSha256(sha256(client_key), am);
    Sha256Digest proof{};
    for (size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ sig[i];
    CHECK(server2.handleClientFinal(without_proof + ",p=" + base64Encode(proof)).ok());
  }
  SECTION("empty authzid accepted, non-empty rejected") {
    ScramServer ok_server(rfcVerifier());
    CHECK(ok_server.handleClientFirst("n,a=,n=,r=abc").ok());
    ScramServer bad(rfcVerifier());
    auto r = bad.handleClientFirst("n,a=admin,n=,r=abc");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codeOf(ScramError::Unsupported));
  }
  SECTION("mandatory extension rejected, optional extension ignored") {
    ScramServer bad(rfcVerifier());
    auto r = bad.handleClientFirst("n,,m=foo,n=,r=abc");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codeOf(ScramError::Unsupported));
    ScramServer ok_server(rfcVerifier());
    CHECK(ok_server.handleClientFirst("n,,n=,r=abc,x=whatever").ok());
  }
}

TEST_CASE("SCRAM server rejects malformed client-first messages", "[crypto]") {
  const char* cases[] = {
      "",          "n",          "n,",         "n,,",          "n,,n=",       "n,,r=abc",
      "n,,n=,r=",  "n,,n=,r=a,b", "x,,n=,r=abc", "nn,,n=,r=abc", "n,,n=,x=abc", "n,x,n=,r=abc",
      "n,,n=,r=a b", ",,n=,r=abc", "n,,,n=,r=abc", "n,,n=,r=abc,", "n,,n=,r=abc,1=x",
  };
  for (const char* c : cases) {
    INFO("input: " << c);
    ScramServer server(rfcVerifier());
    auto r = server.handleClientFirst(c);
    CHECK_FALSE(r.ok());
  }
  std::string with_nul("n,,n=,r=ab\0c", 12);
  ScramServer server(rfcVerifier());
  CHECK_FALSE(server.handleClientFirst(with_nul).ok());
  ScramServer long_server(rfcVerifier());
  CHECK_FALSE(long_server.handleClientFirst("n,,n=,r=" + std::string(100000, 'a')).ok());
}

TEST_CASE("SCRAM server rejects malformed client-final messages", "[crypto]") {
  const char* cases[] = {
      "", ",", "p=", "c=biws", "c=biws,p=x", "c=biws,r=x", "r=x,c=biws,p=AAAA",
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=!!!!",
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=",
      "c=bi ws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=trailing",
  };
  for (const char* c : cases) {
    INFO("input: " << c);
    ScramServer server(rfcVerifier(), kServerNonceSuffix);
    REQUIRE(server.handleClientFirst(kClientFirst).ok());
    CHECK_FALSE(server.handleClientFinal(c).ok());
  }
  ScramServer server(rfcVerifier(), kServerNonceSuffix);
  REQUIRE(server.handleClientFirst(kClientFirst).ok());
  CHECK_FALSE(server.handleClientFinal(kClientFinal + std::string(100000, 'A')).ok());
}

TEST_CASE("SCRAM state machines refuse calls out of order", "[crypto]") {
  SECTION("server: final before first") {
    ScramServer server(rfcVerifier(), kServerNonceSuffix);
    auto r = server.handleClientFinal(kClientFinal);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codeOf(ScramError::OutOfOrder));
    CHECK_FALSE(server.handleClientFirst(kClientFirst).ok());  // poisoned
  }
  SECTION("server: first twice, and anything after completion") {
    ScramServer server(rfcVerifier(), kServerNonceSuffix);
    REQUIRE(server.handleClientFirst(kClientFirst).ok());
    CHECK_FALSE(server.handleClientFirst(kClientFirst).ok());
    ScramServer done(rfcVerifier(), kServerNonceSuffix);
    REQUIRE(done.handleClientFirst(kClientFirst).ok());
    REQUIRE(done.handleClientFinal(kClientFinal).ok());
    CHECK_FALSE(done.handleClientFinal(kClientFinal).ok());
  }
  SECTION("server: invalid verifier") {
    ScramServer server(ScramVerifier{});
    auto r = server.handleClientFirst(kClientFirst);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == codeOf(ScramError::NoVerifier));
  }
  SECTION("client") {
    ScramClient client(kPassword, kClientNonce);
    CHECK(client.handleServerFirst(kServerFirst).error().code == codeOf(ScramError::OutOfOrder));
    ScramClient c2(kPassword, kClientNonce);
    CHECK_FALSE(c2.handleServerFinal(kServerFinal).ok());
    ScramClient c3(kPassword, kClientNonce);
    REQUIRE_FALSE(c3.clientFirst(kUser).empty());
    CHECK(c3.clientFirst(kUser).empty());
    ScramClient c4(kPassword, kClientNonce);
    (void)c4.clientFirst(kUser);
    REQUIRE(c4.handleServerFirst(kServerFirst).ok());
    CHECK_FALSE(c4.handleServerFirst(kServerFirst).ok());
  }
}

TEST_CASE("SCRAM client rejects bad server messages", "[crypto]") {
  auto first = [](const std::string& sf) {
    ScramClient client(kPassword, kClientNonce);
    (void)client.clientFirst(kUser);
    return client.handleServerFirst(sf);
  };
  const char* bad_first[] = {
      "", "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // nonce not extended
      "r=XXprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",  // different prefix
      "r=rOprNGfwEbeRWgbNEkqOabc,s=,i=4096", "r=rOprNGfwEbeRWgbNEkqOabc,s=***,i=4096",
      "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0",
      "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1",
      "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999",
      "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000",
      "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x",
      "r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==",
      "m=x,r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      "s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOabc,i=4096",
  };
  for (const char* c : bad_first) {
    INFO("input: " << c);
    CHECK_FALSE(first(c).ok());
  }
  auto final_of = [](const std::string& sfin) {
    ScramClient client(kPassword, kClientNonce);
    (void)client.clientFirst(kUser);
    REQUIRE(client.handleServerFirst(kServerFirst).ok());
    return client.handleServerFinal(sfin);
  };
  CHECK(final_of("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").error().code ==
        codeOf(ScramError::InvalidProof));
  CHECK(final_of("e=invalid-proof").error().code == codeOf(ScramError::ServerError));
  CHECK_FALSE(final_of("").ok());
  CHECK_FALSE(final_of("v=").ok());
  CHECK_FALSE(final_of("v=!!").ok());
  CHECK_FALSE(final_of("x=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ok());
  CHECK(final_of(kServerFinal + ",x=ext").ok());
}

TEST_CASE("SCRAM parsers survive random mutations", "[crypto]") {
  std::mt19937 rng(12345);
  const std::string alphabet = "nyprmcsvieaNR=,, =2C3D\x01\xff" "AZaz09+/";
  auto mutate = [&](std::string s) {
    int edits = 1 + int(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0: if (pos < s.size()) s.erase(pos, 1 + rng() % 3); break;
        case 1: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
        case 2: if (pos < s.size()) s[pos] = alphabet[rng() % alphabet.size()]; break;
        case 3: s.resize(pos); break;
      }
    }
    return s;
  };
  ScramVerifier v = rfcVerifier();
  int accepted_final = 0;
  for (int i = 0; i < 3000; ++i) {
    ScramServer server(v, kServerNonceSuffix);
    if (server.handleClientFirst(mutate(kClientFirst)).ok()) {
      (void)server.handleClientFinal(mutate(kClientFinal));
    }
    ScramServer server2(v, kServerNonceSuffix);
    REQUIRE(server2.handleClientFirst(kClientFirst).ok());
    std::string m = mutate(kClientFinal);
    if (server2.handleClientFinal(m).ok() && m != kClientFinal) ++accepted_final;

    ScramClient client(kPassword, kClientNonce);
    (void)client.clientFirst(kUser);
    Sha256Digest salted = saltedPassword(kPassword, *base64Decode(kSaltB64), 4096);
    auto cf = client.handleServerFirst(mutate(kServerFirst), &salted);
    if (cf.ok()) (void)client.handleServerFinal(mutate(kServerFinal));
  }
  // Every edit of client-final changes either the signed AuthMessage or the proof.
  CHECK(accepted_final == 0);
}
