// core/include/warden/masking/detectors.h
//! Value detectors (SPEC `detectors`): a backstop that finds PII and secrets in text values the
//! column rules did not select. One pass per value, linear time, validated matches only:
//!   email        local@domain.tld: local part of [A-Za-z0-9._%+-] and two-byte UTF-8 letters
//!                (U+00C0 on), at most 64 bytes, not starting/ending with '.', no ".."; domain
//!                labels of letters, digits, '-' and UTF-8 (IDN); the finding ends after an ASCII
//!                alphabetic TLD of 2+ letters that follows a dot ("john@example.com谢谢" and
//!                "john@example.com." end at "com")
//!   credit_card  13-19 digits, either one bare run or a first group of 4 then groups of 3-6
//!                joined by one kind of separator (single spaces or single dashes), Luhn-valid,
//!                with a known issuer prefix and a length that issuer uses (Visa 4: 13/16/19,
//!                Mastercard 51-55/2221-2720: 16, Amex 34/37: 15, Discover 6011/65/644-649:
//!                16-19, JCB 3528-3589: 16-19, Diners 300-305/36/38: 14-19, UnionPay 62: 16-19)
//!   us_ssn       AAA-GG-SSSS (dashes, or single spaces, the same both times), or 9 bare digits
//!                only when "ssn" (as a word) or "social security" (any case) is within 32
//!                bytes before them; SSA validity: area not 000/666/9xx, group not 00, serial
//!                not 0000
//!   iban         2 uppercase letters + 2 check digits + 11-30 uppercase alphanumerics, compact
//!                or in groups of exactly 4 separated by single spaces, the exact length of the
//!                country's SWIFT registry entry, ISO 13616 mod-97 == 1
//!   phone        E.164: '+', a country code 1-9, 8-15 digits in all, in groups joined by single
//!                ' ', '-' or '.' or wrapped in parentheses ("+44 (0)20 7946 0958"); NANP:
//!                NXX-NXX-XXXX or NXX.NXX.XXXX (optionally after "1" joined the same way) and
//!                "(NXX) NXX-XXXX"; area and exchange start with 2-9 and are not N11, areas N9X
//!                are reserved. Space-only "415 555 2671" is not taken (lists of numbers)
//!   aws_key      AKIA/ASIA/AGPA/AIDA/AROA/AIPA/ANPA/ANVA/ABIA/ACCA + 16 [A-Z2-7], word-bounded;
//!                also 40-char secret keys ([A-Za-z0-9/+]) after a secret[_-]access[_-]key or
//!                aws[_-]secret[_-]key label (any case, SecretAccessKey too) and up to 8 of
//!                blanks and "':=>; the finding is the secret only, the label stays
//!   jwt          eyJ... three base64url segments, the first at a base64url word start: the
//!                header (16+ chars) decodes to a JSON object text with an "alg" key, the payload
//!                to a JSON object text (starts '{"', ends '}'), the signature may be empty
//!                (alg none); a fourth ".segment" means it is not a JWS
//!   private_key  -----BEGIN [RSA |EC |DSA |OPENSSH |ENCRYPTED ]PRIVATE KEY----- through the
//!                first private-key END line (or to the end of the value when there is none:
//!                an END line of another kind does not end it)
//! Numbers (cards, SSNs, NANP) are read as tokens of digit groups joined by single ' ', '-' or
//! '.'; a match is whole groups, with no letter or digit glued to it, and is not part of a longer
//! dashed or dotted number ("4242424242424242.50", "123-45-6789-1" hold nothing).
//! Part of warden_base; pure and thread-safe (a DetectorSet is immutable after construction).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "warden/masking/value.h"

namespace warden::masking {

enum class Detector : uint8_t { Email, CreditCard, UsSsn, Iban, Phone, AwsKey, Jwt, PrivateKey };
inline constexpr size_t kDetectorCount = 8;

std::string_view detectorName(Detector d);  // "email", "credit_card", ... (SPEC names)
std::optional<Detector> detectorFromName(std::string_view name);

//! A detected span [begin, end) of the scanned text.
struct Finding {
  uint32_t begin = 0;
  uint32_t end = 0;
  Detector kind = Detector::Email;
};

class DetectorSet {
 public:
  DetectorSet() = default;                      // nothing enabled
  explicit DetectorSet(uint32_t enabled_mask);  // bit (1 << Detector)
  static DetectorSet all();

  bool empty() const { return mask_ == 0; }
  uint32_t mask() const { return mask_; }
  bool enabled(Detector d) const { return (mask_ >> static_cast<unsigned>(d)) & 1u; }

  //! Appends the findings in `text` (ordered by begin, non-overlapping; when two overlap the
  //! longer wins, ties keep the one found first) to `out`, leaving what `out` held before
  //! untouched; returns how many were added. At most `max_findings` are reported: the scan stops
  //! once it has more, so a result of exactly `max_findings` may leave findings unreported
  //! (callers that mask must then treat the value as a whole, e.g. make it NULL). Offsets are
  //! 32-bit: only the first 4 GiB - 1 bytes of a value are scanned.
  size_t scan(std::string_view text, std::vector<Finding>& out, size_t max_findings = 256) const;
  //! True when scan() would find something; stops at the first candidate, allocates nothing.
  bool any(std::string_view text) const;

 private:
  uint32_t mask_ = 0;
};

//! Appends `text` to `out` with every finding masked by `method` (redact → "****", partial →
//! the shape kept as partialText does for that span, hash → hashText of the span). Returns false,
//! `out` untouched, for Method::Null (the caller makes the whole value NULL), when `findings` is
//! empty, or when they are not what scan() gives (ordered, non-overlapping, non-empty, inside
//! `text`): fail closed, the caller nulls the value.
bool applyFindings(std::string_view text, const std::vector<Finding>& findings, Method method,
                   const HashKey& key, std::string& out);

}  // namespace warden::masking
