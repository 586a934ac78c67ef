// core/src/masking/detector_checks.cc
//! Validators behind the value detectors (see detector_checks.h).
#include "detector_checks.h"

#include <array>

namespace warden::masking::detail {

namespace {

struct IbanCountry {
  char code[3];
  uint8_t length;
};

//! The SWIFT IBAN registry as of 2024 (recent entries: BI, DJ, FK, HN, LY, MN, NI, OM, RU, SD,
//! SO, YE). A country missing here only means its IBANs go undetected.
constexpr IbanCountry kIbanCountries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26},
    {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20},
    {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25},
    {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20},
    {"YE", 30},
};

//! Country code → IBAN length, indexed by (c0 - 'A') * 26 + (c1 - 'A').
constexpr std::array<uint8_t, 26 * 26> kIbanLengths = [] {
  std::array<uint8_t, 26 * 26> t{};
  for (const auto& c : kIbanCountries) t[(c.code[0] - 'A') * 26 + (c.code[1] - 'A')] = c.length;
  return t;
}();

constexpr std::array<int8_t, 256> kBase64Url = [] {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<int8_t>(i);
    t['a' + i] = static_cast<int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(52 + i);
  t['-'] = 62;
  t['_'] = 63;
  return t;
}();

}  // namespace

bool luhnValid(const uint8_t* digits, size_t n) {
  unsigned sum = 0;
  bool twice = false;
  for (size_t i = n; i-- > 0;) {
    unsigned d = digits[i];
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return n > 0 && sum % 10 == 0;
}

bool cardIssuerValid(const uint8_t* d, size_t n) {
  if (n < 13 || n > 19) return false;
  const unsigned p2 = d[0] * 10u + d[1], p3 = p2 * 10 + d[2], p4 = p3 * 10 + d[3];
  if (d[0] == 4) return n == 13 || n == 16 || n == 19;                       // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16;  // Mastercard
  if (p2 == 34 || p2 == 37) return n == 15;                                  // Amex
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return n >= 16;    // Discover
  if (p4 >= 3528 && p4 <= 3589) return n >= 16;                              // JCB
  if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38) return n >= 14;      // Diners
  if (p2 == 62) return n >= 16;                                              // UnionPay
  return false;
}

bool ssnValid(unsigned area, unsigned group, unsigned serial) {
  return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
}

bool nanpValid(const char* area, const char* exchange) {
  auto nxx = [](const char* d) { return d[0] >= '2' && !(d[1] == '1' && d[2] == '1'); };
  return nxx(area) && area[1] != '9' && nxx(exchange);
}

size_t ibanLength(char c0, char c1) {
  if (!isUpper(c0) || !isUpper(c1)) return 0;
  return kIbanLengths[(c0 - 'A') * 26 + (c1 - 'A')];
}

bool ibanChecksumValid(std::string_view iban) {
  if (iban.size() < 5) return false;
  unsigned r = 0;
  for (size_t k = 0; k < iban.size(); ++k) {
    const char c = iban[(k + 4) % iban.size()];  // the first four characters go last
    if (isDigit(c))
      r = (r * 10 + static_cast<unsigned>(c - '0')) % 97;
    else if (isUpper(c))
      r = (r * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
    else
      return false;
  }
  return r == 1;
}

int base64UrlValue(char c) { return kBase64Url[static_cast<uint8_t>(c)]; }

bool jwtSegmentIsObject(std::string_view segment, bool want_alg) {
  if (segment.size() < 2 || segment.size() % 4 == 1) return false;
  constexpr uint64_t kAlg = 0x22616C6722;  // "alg" with its quotes
  uint32_t acc = 0;
  unsigned bits = 0;
  uint64_t window = 0;
  uint8_t last = 0;
  bool alg = !want_alg;
  for (char c : segment) {
    const int v = base64UrlValue(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      last = static_cast<uint8_t>(acc >> bits);
      window = ((window << 8) | last) & 0xFFFFFFFFFFULL;
      alg = alg || window == kAlg;
    }
  }
  return last == '}' && alg;
}

}  // namespace warden::masking::detail
