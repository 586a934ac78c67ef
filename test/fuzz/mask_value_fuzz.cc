// test/fuzz/mask_value_fuzz.cc
//! Fuzzes value masking (warden/masking/value.h) and JSON document masking (json_mask.h).
//! Input: byte 0 = method (% 4), byte 1 = ValueType (% 16), byte 2 = format (bit 0) and
//! detectors on/off for maskJson (bit 1); the rest is the value. Checked with __builtin_trap():
//!   - method null → Null; redact/partial on a non-text type → Null; Keep is never returned;
//!   - Replace keeps the wire encoding valid: binary int2/int4/int8 exactly 2/4/8 bytes, text
//!     ints a decimal in range; numeric a well-formed send encoding / digits; uuid 16 bytes /
//!     8-4-4-4-12 lowercase hex; bytea 32 bytes / "\x" + 64 hex; json a JSON document (jsonb:
//!     version byte 1 first); text valid UTF-8 when the input was;
//!   - hashing is deterministic (same input, same key → same bytes);
//!   - partialText's output is always valid UTF-8;
//!   - maskJson on the value never crashes; Replace output is valid JSON; on inputs too short to
//!     nest 65 levels, Null exactly when the input is not JSON, Keep only for valid JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "warden/masking/detectors.h"
#include "warden/masking/json_mask.h"
#include "warden/masking/value.h"

namespace {

using namespace warden::masking;

#define FUZZ_CHECK(cond)           \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)

const HashKey& fuzzKey() {
  static const HashKey k = [] {
    HashKey h;
    for (size_t i = 0; i < h.bytes.size(); ++i) h.bytes[i] = static_cast<uint8_t>(0x5A ^ i);
    return h;
  }();
  return k;
}

bool validUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    size_t n = c < 0x80             ? 1
               : (c & 0xE0) == 0xC0 ? 2
               : (c & 0xF0) == 0xE0 ? 3
               : (c & 0xF8) == 0xF0 ? 4
                                    : 0;
    if (n == 0 || i + n > s.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    const uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

bool allOf(std::string_view s, std::string_view chars) {
  return s.find_first_not_of(chars) == std::string_view::npos;
}

uint16_t be16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(s[at]) << 8 | static_cast<uint8_t>(s[at + 1]));
}

void checkReplace(ValueType type, Format format, std::string_view in, std::string_view out) {
  const bool bin = format == Format::Binary;
  switch (type) {
    case ValueType::Text: FUZZ_CHECK(!validUtf8(in) || validUtf8(out)); break;
    case ValueType::Json: {
      std::string_view doc = out;
      if (bin) {
        FUZZ_CHECK(!doc.empty() && doc[0] == '\x01');
        doc.remove_prefix(1);
      }
      FUZZ_CHECK(nlohmann::json::accept(doc));
      break;
    }
    case ValueType::Int2:
    case ValueType::Int4:
    case ValueType::Int8: {
      const size_t width = type == ValueType::Int2 ? 2 : type == ValueType::Int4 ? 4 : 8;
      if (bin) {
        FUZZ_CHECK(out.size() == width);
      } else {
        FUZZ_CHECK(!out.empty() && out.size() <= 19 && allOf(out, "0123456789"));
        const uint64_t v = std::stoull(std::string(out));
        FUZZ_CHECK(width == 8 || v < (uint64_t{1} << (8 * width - 1)));
      }
      break;
    }
    case ValueType::Numeric:
      if (bin) {
        FUZZ_CHECK(out.size() >= 8 && out.size() == 8 + 2 * size_t{be16(out, 0)});
        FUZZ_CHECK(be16(out, 4) == 0 && be16(out, 6) == 0);
        for (size_t i = 8; i < out.size(); i += 2) FUZZ_CHECK(be16(out, i) <= 9999);
      } else {
        FUZZ_CHECK(!out.empty() && out.size() <= 15 && allOf(out, "0123456789"));
      }
      break;
    case ValueType::Uuid:
      if (bin) {
        FUZZ_CHECK(out.size() == 16);
      } else {
        FUZZ_CHECK(out.size() == 36);
        for (size_t i = 0; i < 36; ++i) {
          const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
          FUZZ_CHECK(dash ? out[i] == '-' : allOf(out.substr(i, 1), "0123456789abcdef"));
        }
      }
      break;
    case ValueType::Bytea:
      if (bin) {
        FUZZ_CHECK(out.size() == 32);
      } else {
        FUZZ_CHECK(out.size() == 66 && out.substr(0, 2) == "\\x" &&
                   allOf(out.substr(2), "0123456789abcdef"));
      }
      break;
    default: FUZZ_CHECK(false);  // no other type has a masked form: they become NULL
  }
}

//! Masks members whose key has a length divisible by 3 ("ssn", "id_", "emails" ...), with
//! the method the input selected.
class FuzzKeys final : public JsonKeyPolicy {
 public:
  explicit FuzzKeys(Method m) : method_(m) {}
  bool masked(std::string_view key, Method& method) const override {
    if (key.size() % 3 != 0) return false;
    method = method_;
    return true;
  }

 private:
  Method method_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const auto method = static_cast<Method>(data[0] % 4);
  const auto type = static_cast<ValueType>(data[1] % 16);
  const auto format = (data[2] & 1) ? Format::Binary : Format::Text;
  const bool detect = (data[2] & 2) != 0;
  const std::string_view in(reinterpret_cast<const char*>(data + 3), size - 3);
  const HashKey& key = fuzzKey();

  std::string out = "sentinel";
  const Outcome o = maskValue(method, type, format, in, key, out);
  FUZZ_CHECK(o != Outcome::Keep);
  if (method == Method::Null) FUZZ_CHECK(o == Outcome::Null);
  if (method != Method::Hash && type != ValueType::Text && type != ValueType::Json)
    FUZZ_CHECK(o == Outcome::Null);
  if (type == ValueType::Text) FUZZ_CHECK((o == Outcome::Replace) == (method != Method::Null));
  if (o == Outcome::Replace) {
    checkReplace(type, format, in, out);
    std::string again;
    FUZZ_CHECK(maskValue(method, type, format, in, key, again) == Outcome::Replace);
    FUZZ_CHECK(again == out);
  }

  std::string partial;
  partialText(in, partial);
  FUZZ_CHECK(validUtf8(partial) && !partial.empty());

  static const DetectorSet kAll = DetectorSet::all();
  const FuzzKeys keys(method);
  std::string json_out = "sentinel";
  const JsonOutcome j = maskJson(in, keys, key, detect ? &kAll : nullptr, method, json_out);
  if (j == JsonOutcome::Replace) {
    FUZZ_CHECK(nlohmann::json::accept(json_out));
  } else {
    FUZZ_CHECK(json_out == "sentinel");
  }
  // Fewer than 65 bytes cannot nest 65 levels, so only validity decides Null there.
  if (in.size() <= 64) FUZZ_CHECK((j == JsonOutcome::Null) == !nlohmann::json::accept(in));
  if (j == JsonOutcome::Keep) FUZZ_CHECK(nlohmann::json::accept(in));
  return 0;
}
