// core/src/crypto/scram_server_first.cc
#include <string>

#include "warden/crypto/scram.h"

namespace warden::crypto {

Result<ScramServerFirst> parseScramServerFirst(std::string_view msg) {
  ScramServerFirst out;
  bool have_r = false, have_s = false, have_i = false;
  size_t pos = 0;
  int index = 0;
  while (pos <= msg.size()) {
    size_t comma = msg.find(',', pos);
    std::string_view attr = msg.substr(pos, comma == std::string_view::npos ? msg.size() - pos : comma - pos);
    if (attr.size() < 2 || attr[1] != '=') return makeError("malformed server-first-message");
    std::string_view value = attr.substr(2);
    if (index == 0 && attr[0] == 'm') return makeError("unsupported SCRAM extension");
    if (index == 0 && attr[0] == 'r') {
      if (value.empty()) return makeError("empty server nonce");
      out.nonce = std::string(value);
      have_r = true;
    } else if (index == 1 && attr[0] == 's') {
      auto salt = base64Decode(value);
      if (!salt || salt->empty()) return makeError("invalid salt in server-first-message");
      out.salt = std::move(*salt);
      have_s = true;
    } else if (index == 2 && attr[0] == 'i') {
      if (value.empty() || value.size() > 9) return makeError("invalid iteration count");
      int n = 0;
      for (char c : value) {
        if (c < '0' || c > '9') return makeError("invalid iteration count");
        n = n * 10 + (c - '0');
      }
      if (n <= 0) return makeError("invalid iteration count");
      out.iterations = n;
      have_i = true;
    } else if (index < 3) {
      return makeError("malformed server-first-message");
    }
    ++index;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  if (!have_r || !have_s || !have_i) return makeError("incomplete server-first-message");
  return out;
}

}  // namespace warden::crypto
