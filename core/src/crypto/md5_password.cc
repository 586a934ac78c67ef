// core/src/crypto/md5_password.cc
//! PostgreSQL's legacy MD5 password response (protocol AuthenticationMD5Password):
//! "md5" + md5hex(md5hex(password + user) + salt). Kept for backends still configured with md5.
#include <openssl/md5.h>

#include "warden/base/byte_io.h"
#include "warden/crypto/scram.h"

namespace warden::crypto {

namespace {

std::string md5Hex(std::span<const uint8_t> data) {
  uint8_t digest[MD5_DIGEST_LENGTH];
  MD5(data.data(), data.size(), digest);
  return toHex(ByteView(digest, sizeof(digest)));
}

}  // namespace

std::string pgMd5Password(std::string_view user, std::string_view password,
                          std::span<const uint8_t> salt4) {
  Bytes inner;
  inner.reserve(password.size() + user.size());
  appendBytes(inner, password);
  appendBytes(inner, user);
  Bytes outer;
  appendBytes(outer, md5Hex(inner));
  appendBytes(outer, salt4);
  return "md5" + md5Hex(outer);
}

}  // namespace warden::crypto
