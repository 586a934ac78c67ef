// test/unit/crypto/primitives_test.cc
//! Hash/base64/hex helpers, pg_authid verifiers and PostgreSQL MD5 passwords.
#include <catch2/catch.hpp>

#include "warden/base/byte_io.h"
#include "warden/crypto/scram.h"

using namespace warden;
using namespace warden::crypto;

TEST_CASE("sha256 and hmacSha256 known answers", "[crypto]") {
  CHECK(toHex(sha256(asBytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(toHex(sha256({})) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231 test case 2.
  CHECK(toHex(hmacSha256(asBytes("Jefe"), "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("saltedPassword is PBKDF2-HMAC-SHA-256", "[crypto]") {
  // RFC 7914 section 11 (PBKDF2-HMAC-SHA256 "passwd"/"salt", c=1), first 32 bytes.
  std::vector<uint8_t> salt = {'s', 'a', 'l', 't'};
  CHECK(toHex(saltedPassword("passwd", salt, 1)) ==
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
  CHECK(saltedPassword("passwd", salt, 0) == Sha256Digest{});
}

TEST_CASE("base64 encode/decode", "[crypto]") {
  CHECK(base64Encode(asBytes("")) == "");
  CHECK(base64Encode(asBytes("n,,")) == "biws");
  CHECK(base64Encode(asBytes("y,,")) == "eSws");
  CHECK(base64Encode(asBytes("fo")) == "Zm8=");
  CHECK(base64Encode(asBytes("foobar")) == "Zm9vYmFy");
  auto d = base64Decode("Zm9vYg==");
  REQUIRE(d);
  CHECK(asStringView(*d) == "foob");
  REQUIRE(base64Decode(""));
  CHECK(base64Decode("")->empty());
  CHECK_FALSE(base64Decode("Zm9"));
  CHECK_FALSE(base64Decode("Zm9v YmFy"));
  CHECK_FALSE(base64Decode("Zm9v\nYmFy"));
  CHECK_FALSE(base64Decode("Zm=v"));
  CHECK_FALSE(base64Decode("!!!!"));
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = uint8_t(i);
  CHECK(*base64Decode(base64Encode(all)) == all);
}

TEST_CASE("constantTimeEqual and randomBytes", "[crypto]") {
  std::vector<uint8_t> a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  CHECK(constantTimeEqual(a, b));
  CHECK_FALSE(constantTimeEqual(a, c));
  CHECK_FALSE(constantTimeEqual(a, d));
  CHECK(constantTimeEqual({}, {}));
  std::vector<uint8_t> r1(32), r2(32);
  randomBytes(r1);
  randomBytes(r2);
  CHECK(r1 != r2);
}

TEST_CASE("hex helpers", "[crypto]") {
  CHECK(fromHex("51 00 00 00 0d") == Bytes{0x51, 0, 0, 0, 0x0d});
  CHECK(fromHex("DEADbeef\n\t01") == Bytes{0xde, 0xad, 0xbe, 0xef, 0x01});
  CHECK(fromHex("").empty());
  CHECK(fromHex("abc").empty());
  CHECK(fromHex("zz").empty());
  CHECK(fromHex("0x12").empty());
  CHECK(toHex(Bytes{0x00, 0xab, 0xff}) == "00abff");
  CHECK(toHex(Bytes{}) == "");
}

TEST_CASE("SCRAM verifier format/parse", "[crypto]") {
  SECTION("real PostgreSQL 15 verifier (initdb, password 'secret')") {
    const std::string pg =
        "SCRAM-SHA-256$4096:IpGPkvyw16znn8ZoX3g2qw==$U9wH2SVvnxh4jALAg+fn+0usrHBMq2bUs00A4BxqST8="
        ":WF5TNXmeh6PkYYdB/MLI8qUsR4yUBLOJjEZqWKX5isc=";
    auto v = parseScramVerifier(pg);
    REQUIRE(v.ok());
    CHECK(v->valid());
    CHECK(v->iterations == 4096);
    CHECK(v->salt.size() == 16);
    CHECK(formatScramVerifier(*v) == pg);
    ScramVerifier mine = makeScramVerifier("secret", v->salt, 4096);
    CHECK(formatScramVerifier(mine) == pg);
    // And a login against it works.
    ScramServer server(*v);
    ScramClient client("secret");
    auto sf = server.handleClientFirst(client.clientFirst());
    REQUIRE(sf.ok());
    auto cf = client.handleServerFirst(*sf);
    REQUIRE(cf.ok());
    auto sfin = server.handleClientFinal(*cf);
    REQUIRE(sfin.ok());
    CHECK(client.handleServerFinal(*sfin).ok());
  }
  SECTION("RFC 7677 verifier") {
    ScramVerifier v = makeScramVerifier("pencil", *base64Decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
    const std::string text = formatScramVerifier(v);
    CHECK(text ==
          "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
          ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
    auto back = parseScramVerifier(text);
    REQUIRE(back.ok());
    CHECK(back->stored_key == v.stored_key);
    CHECK(back->server_key == v.server_key);
    CHECK(back->salt == v.salt);
  }
  SECTION("makeScramVerifier refuses nonsense parameters") {
    CHECK_FALSE(makeScramVerifier("x", {}, 4096).valid());
    CHECK_FALSE(makeScramVerifier("x", {1}, 0).valid());
  }
  SECTION("malformed verifiers") {
    const char* bad[] = {
        "",
        "md5abcdef",
        "SCRAM-SHA-256$",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==",
        "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
        ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$-1:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
        ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$99999999999:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLm"
        "tbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
        ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
        ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQx",
        "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=",
        "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
        ":wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
    };
    for (const char* b : bad) {
      INFO("input: " << b);
      CHECK_FALSE(parseScramVerifier(b).ok());
    }
  }
}

TEST_CASE("PostgreSQL MD5 password", "[crypto]") {
  // Cross-checked with Python hashlib:
  //   "md5" + md5(md5(b"secretpostgres").hexdigest().encode() + bytes([1,2,3,4])).hexdigest()
  const uint8_t salt[4] = {1, 2, 3, 4};
  CHECK(pgMd5Password("postgres", "secret", salt) == "md5bb41a296aab6baccb36ff243a562abff");
}
