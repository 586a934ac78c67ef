// test/unit/identity/base64url_test.cc
//! Strict unpadded base64url: RFC 4648 vectors, alphabet, padding, canonical trailing bits.
#include <catch2/catch.hpp>

#include "warden/base/byte_io.h"
#include "warden/identity/base64url.h"

using namespace warden;
using namespace warden::identity;

TEST_CASE("base64url encodes RFC 4648 vectors without padding", "[identity]") {
  CHECK(base64UrlEncode(std::string_view("")) == "");
  CHECK(base64UrlEncode(std::string_view("f")) == "Zg");
  CHECK(base64UrlEncode(std::string_view("fo")) == "Zm8");
  CHECK(base64UrlEncode(std::string_view("foo")) == "Zm9v");
  CHECK(base64UrlEncode(std::string_view("foobar")) == "Zm9vYmFy");
  Bytes b = {0xfb, 0xff, 0xfe};
  CHECK(base64UrlEncode(b) == "-__-");
}

TEST_CASE("base64url round-trips every length and byte", "[identity]") {
  Bytes all;
  for (int len = 0; len < 300; ++len) {
    auto text = base64UrlEncode(all);
    auto back = base64UrlDecode(text);
    REQUIRE(back);
    CHECK(*back == all);
    all.push_back(uint8_t(len * 37 + 11));
  }
}

TEST_CASE("base64url decoding is strict", "[identity]") {
  REQUIRE(base64UrlDecode(""));
  CHECK(base64UrlDecode("")->empty());
  CHECK(asStringView(*base64UrlDecode("Zm8")) == "fo");
  CHECK(asStringView(*base64UrlDecode("-__-")) == asStringView(Bytes{0xfb, 0xff, 0xfe}));
  CHECK_FALSE(base64UrlDecode("Zm8="));    // padding
  CHECK_FALSE(base64UrlDecode("Zg=="));
  CHECK_FALSE(base64UrlDecode("+//+"));    // standard alphabet
  CHECK_FALSE(base64UrlDecode("Zm9v YmFy"));
  CHECK_FALSE(base64UrlDecode("Zm9v\nYmFy"));
  CHECK_FALSE(base64UrlDecode("Zm9vY"));   // 4k+1 characters can never be valid
  CHECK_FALSE(base64UrlDecode(std::string_view("Zm\0v", 4)));
  CHECK_FALSE(base64UrlDecode("Zm9v\xc3\xa9"));
}

TEST_CASE("base64url rejects non-canonical trailing bits", "[identity]") {
  // "Zg" is 'f'; "Zh".."Zv" carry the same byte with non-zero unused bits.
  CHECK(base64UrlDecode("Zg"));
  CHECK_FALSE(base64UrlDecode("Zh"));
  CHECK_FALSE(base64UrlDecode("Zv"));
  CHECK(base64UrlDecode("Zm8"));
  CHECK_FALSE(base64UrlDecode("Zm9"));
  CHECK_FALSE(base64UrlDecode("Zm-"));
}
