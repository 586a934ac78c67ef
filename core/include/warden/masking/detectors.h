// core/include/warden/masking/detectors.h
//! Value detectors (SPEC `detectors`): a backstop that finds PII and secrets in text values the
//! column rules did not select. One pass per value, linear time, validated matches only:
//!   email        local@domain.tld (RFC 5321-ish local part, dotted domain, alpha TLD >= 2)
//!   credit_card  13-19 digits, optionally grouped by single spaces/dashes, Luhn-valid, with a
//!                known issuer prefix (Visa 4, Mastercard 51-55/2221-2720, Amex 34/37,
//!                Discover 6011/65/644-649, JCB 3528-3589, Diners 300-305/36/38, UnionPay 62)
//!   us_ssn       AAA-GG-SSSS (dashes or spaces, or 9 bare digits only when the text
//!                around says ssn?) with SSA validity: area not 000/666/9xx, group not 00,
//!                serial not 0000; not inside a longer digit run
//!   iban         2 letters + 2 check digits + 11-30 alphanumerics (optionally in groups of 4
//!                separated by spaces), country length table, ISO 13616 mod-97 == 1
//!   phone        E.164 (+ and 8-15 digits, separators allowed) or NANP (xxx) xxx-xxxx /
//!                xxx-xxx-xxxx with valid area/exchange digits
//!   aws_key      AKIA/ASIA/AGPA/AIDA/AROA/AIPA/ANPA/ANVA/ABIA/ACCA + 16 [A-Z2-7], word-bounded;
//!                also 40-char secret keys after "aws_secret_access_key" style labels
//!   jwt          eyJ... three base64url segments (header and payload decode to JSON objects)
//!   private_key  -----BEGIN [RSA |EC |DSA |OPENSSH |ENCRYPTED ]PRIVATE KEY----- through its END
//!                line (or to the end of the value when the END line is missing)
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
  DetectorSet() = default;  // nothing enabled
  explicit DetectorSet(uint32_t enabled_mask);  // bit (1 << Detector)
  static DetectorSet all();

  bool empty() const { return mask_ == 0; }
  uint32_t mask() const { return mask_; }
  bool enabled(Detector d) const { return (mask_ >> static_cast<unsigned>(d)) & 1u; }

  //! Appends the findings in `text` (ordered by begin, non-overlapping; when two overlap the
  //! longer wins) to `out`; returns how many were added. At most `max_findings` are reported.
  size_t scan(std::string_view text, std::vector<Finding>& out, size_t max_findings = 256) const;
  //! True when scan() would find something (may stop at the first finding).
  bool any(std::string_view text) const;

 private:
  uint32_t mask_ = 0;
};

//! Rewrites `text` with every finding masked by `method` (redact → "****", partial → the shape
//! kept as partialText does for that span, hash → hashText of the span). Returns false for
//! Method::Null (the caller makes the whole value NULL) or when `findings` is empty.
bool applyFindings(std::string_view text, const std::vector<Finding>& findings, Method method,
                   const HashKey& key, std::string& out);

}  // namespace warden::masking
