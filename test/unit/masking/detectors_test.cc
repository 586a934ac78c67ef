// test/unit/masking/detectors_test.cc
//! The value detectors (warden/masking/detectors.h): true and false positives per detector,
//! word boundaries, overlaps, UTF-8 around findings, applyFindings per method, the findings
//! limit, any() against scan(), and linear time on adversarial inputs.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "warden/masking/detectors.h"
#include "warden/masking/value.h"

using namespace warden::masking;

namespace Catch {
template <>
struct StringMaker<std::pair<std::string, Detector>> {
  static std::string convert(const std::pair<std::string, Detector>& f) {
    return "(" + f.first + ", " + std::string(detectorName(f.second)) + ")";
  }
};
}  // namespace Catch

namespace {

using Found = std::vector<std::pair<std::string, Detector>>;

uint32_t maskOf(Detector d) { return 1u << static_cast<unsigned>(d); }

//! The findings as (text, kind), after checking the invariants every scan must keep.
Found find(std::string_view text, DetectorSet set = DetectorSet::all()) {
  std::vector<Finding> findings;
  const size_t n = set.scan(text, findings);
  REQUIRE(n == findings.size());
  CHECK(set.any(text) == (n > 0));
  Found out;
  uint32_t pos = 0;
  for (const Finding& f : findings) {
    REQUIRE(f.begin >= pos);
    REQUIRE(f.end > f.begin);
    REQUIRE(f.end <= text.size());
    pos = f.end;
    out.emplace_back(std::string(text.substr(f.begin, f.end - f.begin)), f.kind);
  }
  return out;
}

Found one(std::string_view text, Detector kind) { return Found{{std::string(text), kind}}; }

HashKey testKey() {
  HashKey k;
  for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(i * 7 + 1);
  return k;
}

std::string hashed(std::string_view s) {
  std::string out;
  hashText(s, testKey(), out);
  return out;
}

std::string partial(std::string_view s) {
  std::string out;
  partialText(s, out);
  return out;
}

std::string repeat(std::string_view unit, size_t bytes) {
  std::string s;
  s.reserve(bytes + unit.size());
  while (s.size() < bytes) s += unit;
  return s;
}

const std::string kJwtHeader =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";  // {"alg":"HS256","typ":"JWT"}
const std::string kJwtPayload =
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ";
const std::string kJwt =
    kJwtHeader + "." + kJwtPayload + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

const std::string kPemBody =
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n";

}  // namespace

TEST_CASE("detector names", "[masking]") {
  const char* names[] = {"email", "credit_card", "us_ssn", "iban",
                         "phone", "aws_key",     "jwt",    "private_key"};
  for (size_t k = 0; k < kDetectorCount; ++k) {
    CHECK(detectorName(static_cast<Detector>(k)) == names[k]);
    CHECK(detectorFromName(names[k]) == static_cast<Detector>(k));
  }
  CHECK_FALSE(detectorFromName("emial").has_value());
  CHECK_FALSE(detectorFromName("").has_value());
  CHECK_FALSE(detectorFromName("EMAIL").has_value());
  CHECK(DetectorSet::all().mask() == 0xFFu);
  CHECK(DetectorSet(0xFFFFFFFFu).mask() == 0xFFu);  // unknown bits dropped
  CHECK(DetectorSet().empty());
  CHECK(DetectorSet(maskOf(Detector::Jwt)).enabled(Detector::Jwt));
  CHECK_FALSE(DetectorSet(maskOf(Detector::Jwt)).enabled(Detector::Email));
}

TEST_CASE("email", "[masking]") {
  CHECK(find("Contact john.doe@example.com for details.") ==
        one("john.doe@example.com", Detector::Email));
  CHECK(find("mail: <alice+tag@mail.example.co.uk>, thanks") ==
        one("alice+tag@mail.example.co.uk", Detector::Email));
  CHECK(find("john@example.com") == one("john@example.com", Detector::Email));
  CHECK(find("at the end: bob_smith@sub-domain.example.org.") ==
        one("bob_smith@sub-domain.example.org", Detector::Email));
  // Delimiters that RFC 5322 would allow in a local part but that in text delimit it.
  CHECK(find("key=john@example.com&x=1") == one("john@example.com", Detector::Email));
  CHECK(find("'john@example.com'") == one("john@example.com", Detector::Email));
  CHECK(find("\"john@example.com\"") == one("john@example.com", Detector::Email));
  CHECK(find("..john@example.com") == one("john@example.com", Detector::Email));
  CHECK(find("two: a@example.com,b@example.net") ==
        Found{{"a@example.com", Detector::Email}, {"b@example.net", Detector::Email}});
  // Not addresses: no dot, numeric or 1-letter TLD, empty parts, double dots.
  for (const char* no :
       {"user@localhost", "a@b.c", "@example.com", "john@example", "x@123.456", "john@.example.com",
        "john.@example.com", "jo..hn@example.com", "john@example..com", "john@-example.com", "@@@",
        "a@b@c", "email me @ home.", "price: 5@3.50"})
    CHECK(find(no).empty());
  // The TLD ends before other characters.
  CHECK(find("john@example.com123") == Found{});
  CHECK(find("john@example.com-x") == Found{});
  CHECK(find("(john@example.com)") == one("john@example.com", Detector::Email));
  // A 65-byte ASCII local part is not an address; 64 is.
  CHECK(find(std::string(65, 'a') + "@example.com").empty());
  CHECK(find(std::string(64, 'a') + "@example.com") ==
        one(std::string(64, 'a') + "@example.com", Detector::Email));
}

TEST_CASE("email: UTF-8 around and inside", "[masking]") {
  CHECK(find("Grüße an müller@example.de – danke") == one("müller@example.de", Detector::Email));
  CHECK(find("écrivez à élodie@exemple.fr") == one("élodie@exemple.fr", Detector::Email));
  // CJK text runs into addresses without spaces: three-byte sequences end the local part and
  // a TLD ends before non-ASCII bytes.
  CHECK(find("请联系john@example.com谢谢") == one("john@example.com", Detector::Email));
  CHECK(find("«john@example.com»") == one("john@example.com", Detector::Email));
  CHECK(find("5×john@example.com") == one("john@example.com", Detector::Email));
  // Internationalised host names keep their labels; the TLD is ASCII letters.
  CHECK(find("info@bücher.de") == one("info@bücher.de", Detector::Email));
}

TEST_CASE("credit_card: Luhn, issuers, grouping", "[masking]") {
  CHECK(find("4242 4242 4242 4242") == one("4242 4242 4242 4242", Detector::CreditCard));
  CHECK(find("4242 4242 4242 4241").empty());  // Luhn fails
  CHECK(find("card 4242424242424242 exp 12/29") == one("4242424242424242", Detector::CreditCard));
  CHECK(find("4242424242424241").empty());
  CHECK(find("4242-4242-4242-4242") == one("4242-4242-4242-4242", Detector::CreditCard));
  // Issuers.
  for (const char* card : {"378282246310005",    // Amex
                           "3782 822463 10005",  // Amex 4-6-5
                           "5555555555554444",   // Mastercard
                           "2223003122003222",   // Mastercard 2-series
                           "6011111111111117",   // Discover
                           "3530111333300000",   // JCB
                           "30569309025904",     // Diners, 14 digits
                           "6200000000000005",   // UnionPay
                           "4222222222222"})     // Visa, 13 digits
    CHECK(find(card) == one(card, Detector::CreditCard));
  // Luhn-valid without a known issuer prefix or with a length the issuer does not use.
  CHECK(find("1234567812345670").empty());
  CHECK(find("0000000000000000").empty());
  CHECK(find("37828224631000").empty());     // Amex prefix, 14 digits
  CHECK(find("42424242424242428").empty());  // Visa prefix, 17 digits
}

TEST_CASE("credit_card: word boundaries", "[masking]") {
  // Inside a longer digit run, glued to letters, a decimal, a longer dashed number.
  CHECK(find("99424242424242424242").empty());
  CHECK(find("14242424242424242").empty());
  CHECK(find("ref4242424242424242").empty());
  CHECK(find("4242424242424242x").empty());
  CHECK(find("1.4242424242424242").empty());
  CHECK(find("4242424242424242.50").empty());
  CHECK(find("4242-4242-4242-4242-1234").empty());
  CHECK(find("4242 4242-4242 4242").empty());     // mixed separators
  CHECK(find("4242  4242  4242  4242").empty());  // double spaces: four short numbers
  // Words around it are fine, and so are other numbers separated by a space.
  CHECK(find("order 12 4242424242424242 paid") == one("4242424242424242", Detector::CreditCard));
  CHECK(find("(4242424242424242)") == one("4242424242424242", Detector::CreditCard));
  CHECK(find("4242424242424242, 4000056655665556") ==
        Found{{"4242424242424242", Detector::CreditCard},
              {"4000056655665556", Detector::CreditCard}});
}

TEST_CASE("us_ssn: SSA rules, not any 9 digits", "[masking]") {
  CHECK(find("SSN 123-45-6789") == one("123-45-6789", Detector::UsSsn));
  CHECK(find("123 45 6789") == one("123 45 6789", Detector::UsSsn));
  CHECK(find("id 536-90-4399.") == one("536-90-4399", Detector::UsSsn));
  for (const char* bad : {"000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567",
                          "123-45-0000", "123-45-67890", "1123-45-6789", "123-45-6789-1",
                          "123-45 6789", "123.45.6789", "x123-45-6789"})
    CHECK(find(bad).empty());
  // Bare 9 digits: order numbers and ids are not SSNs; with an SSN label they are.
  for (const char* plain : {"order 123456789", "id: 987654321", "123456789", "lessn 123456789",
                            "tracking 536904399 shipped"})
    CHECK(find(plain).empty());
  CHECK(find("SSN: 123456789") == one("123456789", Detector::UsSsn));
  CHECK(find("ssn#536904399") == one("536904399", Detector::UsSsn));
  CHECK(find("Social Security Number 536904399") == one("536904399", Detector::UsSsn));
  CHECK(find("SSN: 666123456").empty());   // labelled but invalid
  CHECK(find("SSN: 1234567890").empty());  // 10 digits
  // Dates and phone numbers are not SSNs.
  CHECK(find("2024-01-05").empty());
  CHECK(find("415-555-2671") == one("415-555-2671", Detector::Phone));
}

TEST_CASE("iban: country length and mod-97", "[masking]") {
  CHECK(find("GB82 WEST 1234 5698 7654 32") == one("GB82 WEST 1234 5698 7654 32", Detector::Iban));
  CHECK(find("GB82WEST12345698765432") == one("GB82WEST12345698765432", Detector::Iban));
  CHECK(find("DE89 3704 0044 0532 0130 00") == one("DE89 3704 0044 0532 0130 00", Detector::Iban));
  CHECK(find("IBAN: DE89370400440532013000, thanks") ==
        one("DE89370400440532013000", Detector::Iban));
  CHECK(find("NO9386011117947") == one("NO9386011117947", Detector::Iban));  // shortest (15)
  CHECK(find("MT84 MALT 0110 0001 2345 MTLC AST0 01S") ==
        one("MT84 MALT 0110 0001 2345 MTLC AST0 01S", Detector::Iban));
  // Wrong check digits, wrong length for the country, unknown country, glued to letters.
  for (const char* bad :
       {"GB83 WEST 1234 5698 7654 32", "DE88 3704 0044 0532 0130 00", "GB82 WEST 1234 5698 7654 3",
        "GB82WEST1234569876543", "GB82WEST123456987654321", "ZZ82WEST12345698765432",
        "XDE89370400440532013000", "DE89370400440532013000X", "GB82 WEST 1234 5698 765432",
        "gb82 west 1234 5698 7654 32"})
    CHECK(find(bad).empty());
}

TEST_CASE("phone: E.164 and NANP", "[masking]") {
  for (const char* phone : {"+1 415 555 2671", "+44 20 7946 0958", "+14155552671", "+49-30-1234567",
                            "+1 (415) 555-2671", "+44 (0)20 7946 0958", "415-555-2671",
                            "415.555.2671", "(415) 555-2671", "(415)555-2671", "1-800-555-0199"})
    CHECK(find(phone) == one(phone, Detector::Phone));
  CHECK(find("call me at 415-555-2671.") == one("415-555-2671", Detector::Phone));
  CHECK(find("tel:+33 1 42 68 53 00;") == one("+33 1 42 68 53 00", Detector::Phone));
  // Dates, versions, IP addresses, arithmetic, short or long digit strings.
  for (const char* no :
       {"2024-01-05", "05/01/2024", "2024.01.05", "1.2.3", "10.15.7", "v2.300.1000",
        "192.168.100.200", "10.0.0.1", "255.255.255.0", "+5", "x+12345678", "+1234567",
        "+1234567890123456", "+0 415 555 2671", "3+4155552671", "12:30:45"})
    CHECK(find(no).empty());
  // NANP validity: area and exchange start with 2-9, no N11, no N9X area.
  for (const char* bad : {"123-456-7890", "415-155-2671", "911-555-1234", "495-555-1234",
                          "415-911-2671", "(123) 555-2671"})
    CHECK(find(bad).empty());
  // Spaces alone do not make a NANP number (lists of numbers); a longer dashed run is no phone.
  CHECK(find("415 555 2671").empty());
  CHECK(find("415-555-2671-12").empty());
  CHECK(find("1-415-555-2671-9").empty());
}

TEST_CASE("aws_key: access key ids and labelled secrets", "[masking]") {
  CHECK(find("AKIAIOSFODNN7EXAMPLE") == one("AKIAIOSFODNN7EXAMPLE", Detector::AwsKey));
  CHECK(find("key=AKIAIOSFODNN7EXAMPLE;") == one("AKIAIOSFODNN7EXAMPLE", Detector::AwsKey));
  CHECK(find("ASIAY34FZKBOKMUTVV7A") == one("ASIAY34FZKBOKMUTVV7A", Detector::AwsKey));
  for (const char* no : {"akiaiosfodnn7example", "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX",
                         "XAKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN1EXAMPLE", "AKIBIOSFODNN7EXAMPLE",
                         "AKIAiosfodnn7example"})
    CHECK(find(no).empty());
  const std::string secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  CHECK(find("aws_secret_access_key = " + secret) == one(secret, Detector::AwsKey));
  CHECK(find("AWS_SECRET_ACCESS_KEY=" + secret + "\n") == one(secret, Detector::AwsKey));
  CHECK(find("{\"SecretAccessKey\": \"" + secret + "\"}") == one(secret, Detector::AwsKey));
  CHECK(find("aws-secret-key: '" + secret + "'") == one(secret, Detector::AwsKey));
  // No label, a label for something else, a secret of the wrong length.
  CHECK(find(secret).empty());
  CHECK(find("my_key = " + secret).empty());
  CHECK(find("aws_secret_access_key_id = " + secret).empty());
  CHECK(find("aws_secret_access_key = " + secret.substr(1)).empty());
  CHECK(find("aws_secret_access_key = " + secret + "A").empty());
}

TEST_CASE("jwt: three base64url segments around JSON objects", "[masking]") {
  CHECK(find("Authorization: Bearer " + kJwt) == one(kJwt, Detector::Jwt));
  CHECK(find(kJwt + ", next") == one(kJwt, Detector::Jwt));
  const std::string unsecured = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";  // alg none, empty sig
  CHECK(find(unsecured) == one(unsecured, Detector::Jwt));
  // Random "eyJ" strings.
  for (const std::string& no :
       {std::string("eyJustin"), std::string("eyJeyJeyJ.eyJ.eyJ"), kJwtHeader,
        kJwtHeader + ".notjson.sig", kJwtHeader + "." + kJwtPayload,
        std::string("eyJhYmMiOiJkZWYifQ.") + kJwtPayload + ".sig",  // header {"abc":"def"}
        "x" + kJwt, kJwt + ".extra", kJwtHeader + "." + kJwtPayload.substr(0, 20) + ".sig",
        std::string("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9X.") + kJwtPayload + ".sig"})
    CHECK(find(no, DetectorSet(maskOf(Detector::Jwt))).empty());
}

TEST_CASE("private_key: PEM blocks", "[masking]") {
  for (const char* type : {"", "RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED "}) {
    const std::string pem = std::string("-----BEGIN ") + type + "PRIVATE KEY-----\n" + kPemBody +
                            "-----END " + type + "PRIVATE KEY-----";
    CHECK(find("key: " + pem + "\ndone") == one(pem, Detector::PrivateKey));
  }
  // No END line: to the end of the value.
  const std::string open = "-----BEGIN RSA PRIVATE KEY-----\n" + kPemBody;
  CHECK(find("x " + open) == one(open, Detector::PrivateKey));
  // An END line of another kind does not end it.
  const std::string mixed =
      "-----BEGIN PRIVATE KEY-----\n" + kPemBody + "-----END CERTIFICATE-----\nmore";
  CHECK(find(mixed) == one(mixed, Detector::PrivateKey));
  // Two blocks.
  const std::string a = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
  const std::string b = "-----BEGIN EC PRIVATE KEY-----\nBBBB\n-----END EC PRIVATE KEY-----";
  CHECK(find(a + "\n" + b) == Found{{a, Detector::PrivateKey}, {b, Detector::PrivateKey}});
  // Public material and lookalikes.
  for (const char* no : {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
                         "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
                         "----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY----",
                         "-----BEGIN private key-----", "-- a - b --- c -----"})
    CHECK(find(no).empty());
}

TEST_CASE("overlapping candidates: the longer wins", "[masking]") {
  // A card number as an email local part: one email.
  CHECK(find("4242424242424242@example.com") ==
        one("4242424242424242@example.com", Detector::Email));
  // With only cards enabled the card is found.
  CHECK(find("4242424242424242@example.com", DetectorSet(maskOf(Detector::CreditCard))) ==
        one("4242424242424242", Detector::CreditCard));
  // E.164 around a NANP number: one phone.
  CHECK(find("+1 415-555-2671") == one("+1 415-555-2671", Detector::Phone));
  // An AWS key id as a local part, an email inside a PEM block.
  CHECK(find("AKIAIOSFODNN7EXAMPLE@example.com") ==
        one("AKIAIOSFODNN7EXAMPLE@example.com", Detector::Email));
  const std::string pem =
      "-----BEGIN PRIVATE KEY-----\nops@example.com 4242424242424242\n"
      "-----END PRIVATE KEY-----";
  CHECK(find(pem) == one(pem, Detector::PrivateKey));
  // Every kind in one value, in order.
  const std::string text =
      "mail john@example.com, card 4242 4242 4242 4242, ssn 123-45-6789, "
      "iban GB82WEST12345698765432, tel +44 20 7946 0958, key "
      "AKIAIOSFODNN7EXAMPLE, token " +
      kJwt + ", " + "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----";
  CHECK(find(text) == Found{{"john@example.com", Detector::Email},
                            {"4242 4242 4242 4242", Detector::CreditCard},
                            {"123-45-6789", Detector::UsSsn},
                            {"GB82WEST12345698765432", Detector::Iban},
                            {"+44 20 7946 0958", Detector::Phone},
                            {"AKIAIOSFODNN7EXAMPLE", Detector::AwsKey},
                            {kJwt, Detector::Jwt},
                            {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                             Detector::PrivateKey}});
}

TEST_CASE("disabled detectors find nothing", "[masking]") {
  const std::string text = "john@example.com 4242424242424242 123-45-6789 " + kJwt;
  CHECK(find(text, DetectorSet()).empty());
  CHECK(find(text, DetectorSet(maskOf(Detector::Jwt))) == one(kJwt, Detector::Jwt));
  CHECK(find(text, DetectorSet(maskOf(Detector::UsSsn))) == one("123-45-6789", Detector::UsSsn));
  CHECK(find(text, DetectorSet(maskOf(Detector::Iban) | maskOf(Detector::Phone))).empty());
  // Everything but email.
  auto f = find(text, DetectorSet(0xFFu & ~maskOf(Detector::Email)));
  REQUIRE(f.size() == 3);
  CHECK(f[0].second == Detector::CreditCard);
}

TEST_CASE("UTF-8 text around findings", "[masking]") {
  const std::string text =
      "Ünïcödé 4242 4242 4242 4242 – ✓ 日本語 GB82WEST12345698765432 🙂";
  CHECK(find(text) == Found{{"4242 4242 4242 4242", Detector::CreditCard},
                            {"GB82WEST12345698765432", Detector::Iban}});
  std::string out;
  std::vector<Finding> findings;
  DetectorSet::all().scan(text, findings);
  REQUIRE(applyFindings(text, findings, Method::Redact, testKey(), out));
  CHECK(out == "Ünïcödé **** – ✓ 日本語 **** 🙂");
}

TEST_CASE("applyFindings per method", "[masking]") {
  const std::string text = "Card 4242 4242 4242 4242, mail john@example.com.";
  std::vector<Finding> findings;
  REQUIRE(DetectorSet::all().scan(text, findings) == 2);
  const HashKey key = testKey();
  std::string out = "prefix:";  // appended to, not replaced
  REQUIRE(applyFindings(text, findings, Method::Redact, key, out));
  CHECK(out == "prefix:Card ****, mail ****.");
  out.clear();
  REQUIRE(applyFindings(text, findings, Method::Partial, key, out));
  CHECK(out == "Card **** **** **** 4242, mail j***@example.com.");
  CHECK(out ==
        "Card " + partial("4242 4242 4242 4242") + ", mail " + partial("john@example.com") + ".");
  out.clear();
  REQUIRE(applyFindings(text, findings, Method::Hash, key, out));
  CHECK(out ==
        "Card " + hashed("4242 4242 4242 4242") + ", mail " + hashed("john@example.com") + ".");
  CHECK(out.find("4242") == std::string::npos);
  // Null: the caller nulls the value; out untouched.
  out = "untouched";
  CHECK_FALSE(applyFindings(text, findings, Method::Null, key, out));
  CHECK(out == "untouched");
  // No findings.
  CHECK_FALSE(applyFindings(text, {}, Method::Redact, key, out));
  CHECK(out == "untouched");
  // A finding at the very start and end of the value.
  out.clear();
  REQUIRE(applyFindings("john@example.com", {{0, 16, Detector::Email}}, Method::Redact, key, out));
  CHECK(out == "****");
  // Findings scan() never produces fail closed, out untouched: overlapping, unordered, past the
  // end, empty.
  for (const std::vector<Finding>& bad :
       {std::vector<Finding>{{0, 10, Detector::Email}, {5, 12, Detector::Email}},
        std::vector<Finding>{{20, 24, Detector::Email}, {0, 4, Detector::Email}},
        std::vector<Finding>{{0, 1000, Detector::Email}},
        std::vector<Finding>{{3, 3, Detector::Email}}}) {
    out = "untouched";
    CHECK_FALSE(applyFindings(text, bad, Method::Redact, key, out));
    CHECK(out == "untouched");
  }
}

TEST_CASE("findings never exceed max_findings; scan appends", "[masking]") {
  std::string many;
  for (int i = 0; i < 1000; ++i) many += "u" + std::to_string(i) + "@example.com ";
  std::vector<Finding> out{{1, 2, Detector::Jwt}, {7, 9, Detector::Jwt}};  // kept as they are
  CHECK(DetectorSet::all().scan(many, out, 10) == 10);
  REQUIRE(out.size() == 12);
  CHECK(out[0].begin == 1);
  CHECK(out[1].begin == 7);
  CHECK(many.substr(out[2].begin, out[2].end - out[2].begin) == "u0@example.com");
  CHECK(many.substr(out[11].begin, out[11].end - out[11].begin) == "u9@example.com");
  out.clear();
  CHECK(DetectorSet::all().scan(many, out) == 256);  // the default limit
  CHECK(out.size() == 256);
  out.clear();
  CHECK(DetectorSet::all().scan(many, out, 1000) == 1000);
  CHECK(DetectorSet::all().scan(many, out, 0) == 0);
  CHECK(out.size() == 1000);
  // Below the limit, a limited scan equals the full one.
  std::vector<Finding> limited, full;
  const std::string few = "a@example.com 4242424242424242 415-555-2671";
  CHECK(DetectorSet::all().scan(few, limited, 4) == 3);
  DetectorSet::all().scan(few, full);
  REQUIRE(full.size() == 3);
  for (size_t k = 0; k < 3; ++k) {
    CHECK(limited[k].begin == full[k].begin);
    CHECK(limited[k].end == full[k].end);
  }
}

TEST_CASE("any() agrees with scan()", "[masking]") {
  const std::vector<std::string> samples = {"",
                                            "Alice Smith",
                                            "1234 Elm Street, Springfield, IL 62704",
                                            "john@example.com",
                                            "order 123456789",
                                            "4242 4242 4242 4241",
                                            "4242 4242 4242 4242",
                                            kJwt,
                                            kJwtHeader,
                                            "AKIAIOSFODNN7EXAMPLE",
                                            "-----BEGIN PRIVATE KEY-----",
                                            "GB82 WEST 1234 5698 7654 32",
                                            "+1 415 555 2671",
                                            "v1.2.3 on 10.0.0.1 at 2024-01-05"};
  for (const auto& s : samples) {
    std::vector<Finding> f;
    const size_t n = DetectorSet::all().scan(s, f);
    CHECK(DetectorSet::all().any(s) == (n > 0));
    for (size_t d = 0; d < kDetectorCount; ++d) {
      const DetectorSet one_kind(1u << d);
      f.clear();
      CHECK(one_kind.any(s) == (one_kind.scan(s, f) > 0));
    }
  }
  CHECK_FALSE(DetectorSet::all().any("Alice Smith, 1234 Elm Street"));
  CHECK(DetectorSet::all().any("ping john@example.com"));
}

TEST_CASE("empty and huge values", "[masking]") {
  CHECK(find("").empty());
  std::vector<Finding> out;
  CHECK(DetectorSet::all().scan(std::string_view(), out) == 0);
  CHECK_FALSE(DetectorSet::all().any(std::string_view()));
  // A finding at the end of 4 MiB of text.
  std::string big = repeat("The quick brown fox jumps over the lazy dog 42 times. ", 4 << 20);
  const size_t at = big.size();
  big += "john@example.com";
  out.clear();
  REQUIRE(DetectorSet::all().scan(big, out) == 1);
  CHECK(out[0].begin == at);
  CHECK(out[0].end == big.size());
}

TEST_CASE("linear time on adversarial inputs", "[masking]") {
  const std::string jwt_unit = kJwtHeader + ".";
  const std::vector<std::string> units = {"@",
                                          "a@",
                                          "a.",
                                          "1",
                                          "1 ",
                                          "1-",
                                          "1.",
                                          "12 ",
                                          "+1",
                                          "+",
                                          "(",
                                          "(415) ",
                                          "A",
                                          "AKIA",
                                          "key ",
                                          "secret_access_key ",
                                          "eyJ",
                                          "eyJa.",
                                          jwt_unit,
                                          "-",
                                          "-----BEGIN PRIVATE KEY-----",
                                          "-----END ",
                                          "GB82 ",
                                          "GB",
                                          "ssn 1",
                                          "\xC3\xA9",
                                          "\xE6\x97\xA5",
                                          "a.b@",
                                          "x@a.bc@"};
  const size_t kSize = 1 << 20;
  for (const auto& unit : units) {
    const std::string s = repeat(unit, kSize);
    std::vector<Finding> out;
    const auto start = std::chrono::steady_clock::now();
    DetectorSet::all().scan(s, out, 1 << 20);
    DetectorSet::all().any(s);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    INFO("unit '" << unit << "' took " << std::chrono::duration<double>(elapsed).count() << " s");
    CHECK(elapsed < std::chrono::seconds(1));
  }
}
