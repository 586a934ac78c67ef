// test/fuzz/mask_detectors_fuzz.cc
//! Fuzzes the value detectors (warden/masking/detectors.h). Input: byte 0 = the detector mask
//! (0: all), byte 1 = the limit of a second, limited scan (1 + byte % 8); the rest is the value.
//! Checked with __builtin_trap():
//!   - findings are ordered, non-overlapping, non-empty, inside the value, of enabled kinds, and
//!     scan() returns how many it appended (entries already in `out` untouched);
//!   - any() is true exactly when scan() finds something, for the set and for each detector
//!     alone;
//!   - a limited scan reports at most its limit, and when it reports fewer it equals the full
//!     scan;
//!   - applyFindings: false for Null (out untouched), true otherwise; redact/hash outputs have
//!     the expected length and never contain the text of a finding of 8+ bytes that occurs only
//!     once in the value (for redact: one without '*'); every finding begins and ends on a UTF-8
//!     boundary, so partial output of valid UTF-8 stays valid UTF-8.
//! Time is checked by libFuzzer's -timeout: a scan is linear in the value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "warden/masking/detectors.h"
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
    for (size_t i = 0; i < h.bytes.size(); ++i) h.bytes[i] = static_cast<uint8_t>(0xA5 ^ i);
    return h;
  }();
  return k;
}

bool validUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    const size_t n = c < 0x80             ? 1
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

bool continuationByte(std::string_view s, size_t at) {
  return at < s.size() && (static_cast<uint8_t>(s[at]) & 0xC0) == 0x80;
}

//! Ordered, non-overlapping, inside `text`, of enabled kinds.
void checkFindings(const DetectorSet& set, std::string_view text, const Finding* f, size_t n) {
  uint32_t pos = 0;
  for (size_t k = 0; k < n; ++k) {
    FUZZ_CHECK(f[k].begin >= pos);
    FUZZ_CHECK(f[k].end > f[k].begin);
    FUZZ_CHECK(f[k].end <= text.size());
    FUZZ_CHECK(set.enabled(f[k].kind));
    pos = f[k].end;
  }
}

void checkApply(std::string_view text, const std::vector<Finding>& findings) {
  const HashKey& key = fuzzKey();
  std::string out = "sentinel";
  FUZZ_CHECK(!applyFindings(text, findings, Method::Null, key, out));
  FUZZ_CHECK(out == "sentinel");
  if (findings.empty()) {
    FUZZ_CHECK(!applyFindings(text, findings, Method::Redact, key, out));
    FUZZ_CHECK(out == "sentinel");
    return;
  }
  size_t covered = 0;
  for (const Finding& f : findings) covered += f.end - f.begin;
  const size_t kept = text.size() - covered;

  std::string redacted, hashed, partial;
  FUZZ_CHECK(applyFindings(text, findings, Method::Redact, key, redacted));
  FUZZ_CHECK(redacted.size() == kept + 4 * findings.size());
  FUZZ_CHECK(applyFindings(text, findings, Method::Hash, key, hashed));
  FUZZ_CHECK(hashed.size() == kept + 16 * findings.size());
  FUZZ_CHECK(applyFindings(text, findings, Method::Partial, key, partial));

  const bool utf8 = validUtf8(text);
  for (const Finding& f : findings) {
    const std::string_view span = text.substr(f.begin, f.end - f.begin);
    if (utf8) FUZZ_CHECK(!continuationByte(text, f.begin) && !continuationByte(text, f.end));
    if (span.size() < 8) continue;
    const size_t first = text.find(span);
    if (text.find(span, first + 1) != std::string_view::npos) continue;  // occurs twice
    FUZZ_CHECK(hashed.find(span) == std::string::npos);
    if (span.find('*') == std::string_view::npos)
      FUZZ_CHECK(redacted.find(span) == std::string::npos);
  }
  if (utf8) FUZZ_CHECK(validUtf8(partial) && validUtf8(redacted) && validUtf8(hashed));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const DetectorSet set = data[0] == 0 ? DetectorSet::all() : DetectorSet(data[0]);
  const size_t limit = 1 + data[1] % 8;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  // Full scan, appended after entries that must survive.
  const Finding marker{7, 3, Detector::Jwt};
  std::vector<Finding> out{marker};
  const size_t n = set.scan(text, out, size_t{1} << 20);
  FUZZ_CHECK(out.size() == 1 + n);
  FUZZ_CHECK(out[0].begin == marker.begin && out[0].end == marker.end);
  checkFindings(set, text, out.data() + 1, n);
  FUZZ_CHECK(set.any(text) == (n > 0));
  const std::vector<Finding> full(out.begin() + 1, out.end());

  // Each detector alone.
  for (size_t d = 0; d < kDetectorCount; ++d) {
    if (!set.enabled(static_cast<Detector>(d))) continue;
    const DetectorSet one(1u << d);
    std::vector<Finding> only;
    const size_t m = one.scan(text, only);
    checkFindings(one, text, only.data(), m);
    FUZZ_CHECK(one.any(text) == (m > 0));
  }

  // A limited scan.
  std::vector<Finding> limited;
  const size_t l = set.scan(text, limited, limit);
  FUZZ_CHECK(l == limited.size() && l <= limit);
  checkFindings(set, text, limited.data(), l);
  if (l < limit) {
    FUZZ_CHECK(l == n);
    for (size_t k = 0; k < l; ++k)
      FUZZ_CHECK(limited[k].begin == full[k].begin && limited[k].end == full[k].end &&
                 limited[k].kind == full[k].kind);
  }
  FUZZ_CHECK(set.scan(text, limited, 0) == 0 && limited.size() == l);

  checkApply(text, full);
  return 0;
}
