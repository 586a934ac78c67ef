// core/src/masking/detector_checks.h
//! Validators behind the value detectors (detectors.cc): byte classes, Luhn and card issuer
//! prefixes, SSA rules for SSNs, NANP area/exchange rules, the IBAN country length table and
//! ISO 7064 mod-97-10, base64url. Pure functions on small inputs, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace warden::masking::detail {

inline bool isDigit(char c) { return c >= '0' && c <= '9'; }
inline bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool isAlnum(char c) { return isDigit(c) || isAlpha(c); }
inline char toLower(char c) { return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
//! The base64url alphabet (RFC 4648 §5), no padding.
inline bool isBase64Url(char c) { return isAlnum(c) || c == '-' || c == '_'; }

//! Luhn (ISO/IEC 7812-1 annex B) over `n` decimal digit values.
bool luhnValid(const uint8_t* digits, size_t n);

//! A known issuer prefix for a card of `n` digits (13-19), with the lengths that issuer uses:
//! Visa 4 (13, 16, 19), Mastercard 51-55 / 2221-2720 (16), Amex 34/37 (15), Discover
//! 6011/65/644-649 (16-19), JCB 3528-3589 (16-19), Diners 300-305/36/38 (14-19), UnionPay 62
//! (16-19).
bool cardIssuerValid(const uint8_t* digits, size_t n);

//! SSA rules for AAA-GG-SSSS: area not 000, 666 or 900-999, group not 00, serial not 0000.
bool ssnValid(unsigned area, unsigned group, unsigned serial);

//! NANP (3-digit area code, 3-digit exchange): both start with 2-9 and are not N11 service
//! codes; area codes N9X are reserved for expansion.
bool nanpValid(const char* area, const char* exchange);

//! Total IBAN length for an ISO 3166 country code (SWIFT IBAN registry), 0 when the country does
//! not issue IBANs.
size_t ibanLength(char c0, char c1);

//! ISO 13616 check: `iban` is the compact form (uppercase letters and digits, no spaces); the
//! first four characters moved to the end, letters as 10-35, the number mod 97 is 1.
bool ibanChecksumValid(std::string_view iban);

//! Value of a base64url character (0-63), -1 for anything else.
int base64UrlValue(char c);

//! Checks a JWT segment the cheap way: a valid unpadded base64url length and a last decoded
//! byte of '}' (a JSON object ends there). `want_alg`: the decoded text must also contain
//! "alg" as a quoted key (JWS/JWE headers always do). Linear in the segment, no allocation.
bool jwtSegmentIsObject(std::string_view segment, bool want_alg);

}  // namespace warden::masking::detail
