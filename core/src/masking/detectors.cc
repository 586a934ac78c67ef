// core/src/masking/detectors.cc
//! The value detectors (warden/masking/detectors.h) as one hand-rolled pass per value. A 256-entry
//! table maps each byte to the detectors it can start (or anchor) a candidate for; bytes no
//! enabled detector cares about are skipped 16 at a time (SSE2 compares against the trigger
//! bytes) or 4 per branch. At a trigger the candidate is parsed in place and validated (Luhn,
//! SSA, NANP, mod-97, base64url; detector_checks.h):
//!   '@'          email: local part scanned back (<= 64 bytes), domain forward (<= 253 bytes)
//!   digit        a numeric token (digit groups joined by single ' ', '-' or '.') is parsed once
//!                for cards, SSNs and NANP numbers; two uppercase letters just before it start
//!                an IBAN candidate
//!   '+' / '('    E.164 / "(NXX) NXX-XXXX" phone numbers
//!   'A'          AWS access key ids; 'k'/'K' ends a "secret access key" label
//!   'J'          the "eyJ" of a JWT
//!   '-'          "-----BEGIN ... PRIVATE KEY-----"
//! Every trigger does bounded work or parses a region no other trigger of its kind parses again
//! (numeric tokens are skipped whole, an E.164 parse stops at the next '+', a base64url run
//! starts at most one JWT and is read as at most three segments, the END line of a PEM block is
//! searched once per region), so a scan is linear in the value. Candidates go to a sink: scan()
//! resolves overlaps as they arrive (ResolveSink), any() stops at the first (AnySink).
#include "warden/masking/detectors.h"

#include <algorithm>
#include <array>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "detector_checks.h"

namespace warden::masking {

namespace {

using namespace detail;

constexpr std::string_view kNames[kDetectorCount] = {
    "email", "credit_card", "us_ssn", "iban", "phone", "aws_key", "jwt", "private_key"};

constexpr uint8_t bit(Detector d) { return static_cast<uint8_t>(1u << static_cast<unsigned>(d)); }
constexpr uint32_t kAllMask = (1u << kDetectorCount) - 1;

//! Byte → the detectors a candidate may start (or be anchored) at that byte for.
constexpr std::array<uint8_t, 256> kTriggers = [] {
  std::array<uint8_t, 256> t{};
  t['@'] = bit(Detector::Email);
  for (int c = '0'; c <= '9'; ++c)
    t[c] = bit(Detector::CreditCard) | bit(Detector::UsSsn) | bit(Detector::Phone) |
           bit(Detector::Iban);
  t['+'] = bit(Detector::Phone);
  t['('] = bit(Detector::Phone);
  t['A'] = bit(Detector::AwsKey);
  t['k'] = bit(Detector::AwsKey);
  t['K'] = bit(Detector::AwsKey);
  t['J'] = bit(Detector::Jwt);
  t['-'] = bit(Detector::PrivateKey);
  return t;
}();

constexpr size_t kMaxLocalPart = 64;  // RFC 5321 §4.5.3.1.1
constexpr size_t kMaxDomain = 253;    // RFC 1035, as text
constexpr size_t kMinJwtHeader = 16;  // base64url of {"alg":"none"} is 19
constexpr uint8_t kHigh = 0x80;       // UTF-8 lead and continuation bytes are >= 0x80

//! Email local part: the practical subset of RFC 5322 atext (without the characters that in
//! running text are far more often delimiters: "key=john@...", quotes).
bool isLocalChar(char c) {
  return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

//! A parsed numeric token group: digits [begin, end), `sep` the single separator before it.
//! No member initialisers: the scanner's ring of groups is written before it is read, and
//! zeroing it would cost more than scanning a short value.
struct Group {
  uint32_t begin;
  uint32_t end;
  char sep;
  uint32_t size() const { return end - begin; }
};

//! The pass over one value. `Sink::add(Finding)` returns false to stop the scan.
template <class Sink>
class Scanner {
 public:
  Scanner(std::string_view text, uint32_t mask, Sink& sink)
      : s_(text.data()),
        n_(std::min<size_t>(text.size(), std::numeric_limits<uint32_t>::max())),
        mask_(static_cast<uint8_t>(mask)),
        sink_(sink) {}

  void run() {
    size_t i = 0;
    while (!stop_) {
      i = nextTrigger(i);
      if (i >= n_) return;
      const char c = s_[i];
      if (isDigit(c)) {
        i = numericToken(i);
        continue;
      }
      switch (c) {
        case '@': email(i); break;
        case '+': e164(i); break;
        case '(': parenPhone(i); break;
        case 'A': awsKeyId(i); break;
        case 'k':
        case 'K': awsSecret(i); break;
        case 'J': jwt(i); break;
        case '-': privateKey(i); break;
        default: break;
      }
      ++i;
    }
  }

 private:
  //! The first position >= i whose byte triggers an enabled detector, or n_.
  size_t nextTrigger(size_t i) {
    const auto* u = reinterpret_cast<const uint8_t*>(s_);
#if defined(__SSE2__)
    // 16 bytes at a time: any trigger byte of any detector (digits, "@+(-AJKk"); the table and
    // the mask decide at the candidate positions. The candidates of the last block are kept, so
    // dense triggers do not recompute it.
    if (i - block_ < 16) {
      for (unsigned m = block_hits_ & (~0u << (i - block_)); m != 0; m &= m - 1) {
        const size_t k = block_ + static_cast<size_t>(__builtin_ctz(m));
        if ((kTriggers[u[k]] & mask_) != 0) return k;
      }
      i = block_ + 16;
    }
    const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
    while (i <= n_ && n_ - i >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u + i));
      const __m128i d = _mm_sub_epi8(v, zero);
      __m128i hit = _mm_cmpeq_epi8(_mm_min_epu8(d, nine), d);  // d <= 9 unsigned: a digit
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('+')));
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('(')));
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('A')));
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('J')));
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('K')));
      hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('k')));
      block_ = i;
      block_hits_ = static_cast<unsigned>(_mm_movemask_epi8(hit));
      for (unsigned m = block_hits_; m != 0; m &= m - 1) {
        const size_t k = i + static_cast<size_t>(__builtin_ctz(m));
        if ((kTriggers[u[k]] & mask_) != 0) return k;
      }
      i += 16;
    }
#endif
    // Four bytes per branch, then the exact position.
    while (n_ - i >= 4 &&
           ((kTriggers[u[i]] | kTriggers[u[i + 1]] | kTriggers[u[i + 2]] | kTriggers[u[i + 3]]) &
            mask_) == 0)
      i += 4;
    while (i < n_ && (kTriggers[u[i]] & mask_) == 0) ++i;
    return i;
  }

  bool on(Detector d) const { return (mask_ & bit(d)) != 0; }
  char at(size_t i) const { return i < n_ ? s_[i] : '\0'; }
  bool alnumAt(size_t i) const { return i < n_ && isAlnum(s_[i]); }
  //! No letter or digit just before `i` (a word starts at i).
  bool wordStart(size_t i) const { return i == 0 || !isAlnum(s_[i - 1]); }
  bool startsWith(size_t i, std::string_view w) const {
    return i <= n_ && n_ - i >= w.size() && std::string_view(s_ + i, w.size()) == w;
  }
  bool endsWithNoCase(size_t end, std::string_view w) const {
    if (end < w.size()) return false;
    for (size_t k = 0; k < w.size(); ++k)
      if (toLower(s_[end - w.size() + k]) != w[k]) return false;
    return true;
  }
  unsigned number(size_t begin, size_t end) const {
    unsigned v = 0;
    for (size_t k = begin; k < end; ++k) v = v * 10 + static_cast<unsigned>(s_[k] - '0');
    return v;
  }

  void emit(size_t begin, size_t end, Detector d) {
    if (!sink_.add(Finding{static_cast<uint32_t>(begin), static_cast<uint32_t>(end), d}))
      stop_ = true;
  }

  // ---- email ---------------------------------------------------------------------------------

  //! Bytes of the local-part character ending just before `b`: 1 for ASCII, 2 for a two-byte
  //! UTF-8 sequence from U+00C0 on (Latin, Greek, Cyrillic, ... letters: RFC 6531 addresses such
  //! as "müller@"; not the Latin-1 punctuation "«¿" nor "×÷"), 0 otherwise. Three- and four-byte
  //! sequences end the local part: CJK text often runs into an address without a space.
  size_t localCharBefore(size_t b) const {
    if (b == 0) return 0;
    const auto c = static_cast<uint8_t>(s_[b - 1]);
    if (c < kHigh) return isLocalChar(static_cast<char>(c)) ? 1 : 0;
    if (c <= 0xBF && b >= 2) {
      const auto lead = static_cast<uint8_t>(s_[b - 2]);
      if (lead >= 0xC3 && lead <= 0xDF && !(lead == 0xC3 && (c == 0x97 || c == 0xB7))) return 2;
    }
    return 0;
  }

  void email(size_t at) {
    if (!on(Detector::Email)) return;
    // Local part, scanned back.
    size_t b = at;
    while (b > 0 && at - b < kMaxLocalPart) {
      const size_t k = localCharBefore(b);
      if (k == 0) break;
      b -= k;
    }
    if (localCharBefore(b) != 0) {
      // Longer than 64 bytes: only an ASCII tail after non-ASCII letters can still be an
      // address; a 65-byte ASCII local part is not one.
      size_t t = at;
      while (t > b && static_cast<uint8_t>(s_[t - 1]) < kHigh) --t;
      if (t == b) return;
      b = t;
    }
    while (b < at && (s_[b] == '.' || s_[b] == '-' || s_[b] == '+' || s_[b] == '%')) ++b;
    if (b == at || s_[at - 1] == '.') return;
    for (size_t k = b + 1; k < at; ++k)
      if (s_[k] == '.' && s_[k - 1] == '.') return;
    // Domain: labels of letters, digits, '-' and UTF-8 (IDN); ends after the last ASCII
    // alphabetic label of 2+ letters that follows a dot (the TLD).
    size_t end = 0, label = 0, dots = 0;
    bool alpha = true;
    size_t p = at + 1;
    const size_t limit = std::min(n_, at + 1 + kMaxDomain);
    for (;; ++p) {
      const char c = p < limit ? s_[p] : '\0';
      const bool ascii_word = isAlnum(c) || c == '-';
      if (!ascii_word && dots > 0 && alpha && label >= 2) end = p;  // a TLD ends here
      if (ascii_word || (p < limit && static_cast<uint8_t>(c) >= kHigh)) {
        if (label == 0 && c == '-') break;
        alpha = alpha && isAlpha(c);
        ++label;
      } else if (c == '.' && label > 0 && s_[p - 1] != '-') {
        ++dots;
        label = 0;
        alpha = true;
      } else {
        break;
      }
    }
    if (end != 0) emit(b, end, Detector::Email);
  }

  // ---- numeric tokens: cards, SSNs, NANP phones; IBAN ----------------------------------------

  static bool isGroupSep(char c) { return c == ' ' || c == '-' || c == '.'; }

  //! Parses the token starting at digit `t`, reports what it holds, returns its end.
  size_t numericToken(size_t t) {
    if (t >= 2 && on(Detector::Iban) && isUpper(s_[t - 2]) && isUpper(s_[t - 1]) &&
        wordStart(t - 2))
      iban(t - 2);
    constexpr uint8_t kTokenDetectors =
        bit(Detector::CreditCard) | bit(Detector::UsSsn) | bit(Detector::Phone);
    size_t p = t;
    while (p < n_ && isDigit(s_[p])) ++p;
    if ((mask_ & kTokenDetectors) == 0 || stop_) return p;
    // The common case, one short number ("12", "2024", "62704"): nothing to find in it.
    const size_t run = p - t;
    if (run != 9 && (run < 13 || run > 19) &&
        !(p + 1 < n_ && isGroupSep(s_[p]) && isDigit(s_[p + 1])))
      return p;
    p = t;
    token_begin_ = t;
    groups_ = 0;
    char sep = 0;
    for (;;) {
      const size_t b = p;
      while (p < n_ && isDigit(s_[p])) ++p;
      ring_[groups_ % kRing] = Group{static_cast<uint32_t>(b), static_cast<uint32_t>(p), sep};
      ++groups_;
      // Candidates starting at group a use groups a..a+5 and the separator before a+6.
      if (groups_ >= kSpan + 1) evaluate(groups_ - kSpan - 1);
      if (stop_) return p;
      if (p + 1 < n_ && isGroupSep(s_[p]) && isDigit(s_[p + 1])) {
        sep = s_[p++];
        continue;
      }
      break;
    }
    token_end_ = p;
    token_done_ = true;
    for (size_t a = groups_ > kSpan ? groups_ - kSpan : 0; a < groups_ && !stop_; ++a) evaluate(a);
    token_done_ = false;
    return p;
  }

  const Group& group(size_t k) const { return ring_[k % kRing]; }
  bool hasGroup(size_t k) const { return k < groups_; }
  //! A candidate may start at group a: a word boundary before the token, or a space before a.
  bool groupStarts(size_t a) const {
    return a == 0 ? wordStart(token_begin_) : group(a).sep == ' ';
  }
  //! A candidate may end with group b: a space after it, or the token ends with it and no
  //! letter or digit follows.
  bool groupEnds(size_t b) const {
    if (hasGroup(b + 1)) return group(b + 1).sep == ' ';
    return token_done_ && !alnumAt(token_end_);
  }
  void evaluate(size_t a) {
    if (!groupStarts(a)) return;
    if (on(Detector::CreditCard)) card(a);
    if (!stop_ && on(Detector::UsSsn)) ssn(a);
    if (!stop_ && on(Detector::Phone)) nanp(a);
  }

  void card(size_t a) {
    uint8_t d[19];
    size_t n = 0;
    auto take = [&](const Group& g) {
      for (uint32_t k = g.begin; k < g.end; ++k) d[n++] = static_cast<uint8_t>(s_[k] - '0');
    };
    const Group& first = group(a);
    if (first.size() >= 13 && first.size() <= 19) {
      if (!groupEnds(a)) return;
      take(first);
      if (cardIssuerValid(d, n) && luhnValid(d, n))
        emit(first.begin, first.end, Detector::CreditCard);
      return;
    }
    // Grouped: a first group of 4, then groups of 3-6 joined by one kind of separator.
    if (first.size() != 4 || !hasGroup(a + 1)) return;
    const char sep = group(a + 1).sep;
    if (sep != ' ' && sep != '-') return;
    take(first);
    size_t best = 0;
    for (size_t b = a + 1; b <= a + kSpan - 1 && hasGroup(b); ++b) {
      const Group& g = group(b);
      if (g.sep != sep || g.size() < 3 || g.size() > 6 || n + g.size() > 19) break;
      take(g);
      if (n >= 13 && groupEnds(b) && cardIssuerValid(d, n) && luhnValid(d, n)) best = b;
    }
    if (best != 0) emit(first.begin, group(best).end, Detector::CreditCard);
  }

  void ssn(size_t a) {
    const Group& g0 = group(a);
    if (g0.size() == 9) {  // bare: only with an "ssn" / "social security" label just before
      if (groupEnds(a) && ssnLabelBefore(g0.begin) &&
          ssnValid(number(g0.begin, g0.begin + 3), number(g0.begin + 3, g0.begin + 5),
                   number(g0.begin + 5, g0.end)))
        emit(g0.begin, g0.end, Detector::UsSsn);
      return;
    }
    if (g0.size() != 3 || !hasGroup(a + 2)) return;
    const Group& g1 = group(a + 1);
    const Group& g2 = group(a + 2);
    if ((g1.sep != '-' && g1.sep != ' ') || g2.sep != g1.sep || g1.size() != 2 || g2.size() != 4 ||
        !groupEnds(a + 2))
      return;
    if (ssnValid(number(g0.begin, g0.end), number(g1.begin, g1.end), number(g2.begin, g2.end)))
      emit(g0.begin, g2.end, Detector::UsSsn);
  }

  //! "ssn" as a word, or "social security", within a few bytes before `b`.
  bool ssnLabelBefore(size_t b) const {
    const size_t from = b > 32 ? b - 32 : 0;
    for (size_t e = b; e >= from + 3; --e) {
      if (endsWithNoCase(e, "ssn") && (e == 3 || !isAlpha(s_[e - 4])) && !isAlpha(at(e)))
        return true;
      if (endsWithNoCase(e, "social security")) return true;
    }
    return false;
  }

  //! NXX-NXX-XXXX with '-' or '.', optionally after "1" joined the same way.
  void nanp(size_t a) {
    size_t k = a;
    const Group& g0 = group(a);
    if (g0.size() == 1 && s_[g0.begin] == '1' && hasGroup(a + 1)) k = a + 1;
    if (!hasGroup(k + 2)) return;
    const Group& area = group(k);
    const Group& exchange = group(k + 1);
    const Group& line = group(k + 2);
    const char sep = exchange.sep;
    if ((sep != '-' && sep != '.') || line.sep != sep || (k != a && area.sep != sep)) return;
    if (area.size() != 3 || exchange.size() != 3 || line.size() != 4 || !groupEnds(k + 2)) return;
    if (nanpValid(s_ + area.begin, s_ + exchange.begin)) emit(g0.begin, line.end, Detector::Phone);
  }

  //! `b`: the country code of a candidate "CCdd..." at a word start.
  void iban(size_t b) {
    const size_t length = ibanLength(s_[b], s_[b + 1]);
    if (length == 0 || !isDigit(at(b + 3))) return;
    char compact[34];
    for (size_t k = 0; k < 4; ++k) compact[k] = s_[b + k];
    size_t p = b + 4, count = 4;
    const bool grouped = at(p) == ' ';  // print form: groups of four separated by one space
    while (count < length) {
      if (grouped && count % 4 == 0) {
        if (at(p) != ' ') return;
        ++p;
      }
      const char c = at(p);
      if (!isDigit(c) && !isUpper(c)) return;
      compact[count++] = c;
      ++p;
    }
    if (alnumAt(p) || !ibanChecksumValid(std::string_view(compact, length))) return;
    emit(b, p, Detector::Iban);
  }

  // ---- phones outside numeric tokens -----------------------------------------------------------

  //! '+', a country code (1-9) and 8-15 digits in all, in groups joined by ' ', '-', '.' or
  //! wrapped in parentheses ("+44 (0)20 7946 0958", "+1 (415) 555-2671").
  void e164(size_t plus) {
    if (!on(Detector::Phone) || !wordStart(plus)) return;
    size_t p = plus + 1;
    if (!isDigit(at(p)) || at(p) == '0') return;
    size_t digits = 0, end = p;
    bool need_group = true;  // after '+' or a separator: digits or "(digits)" come next
    while (p < n_ && digits <= 15) {
      const char c = s_[p];
      if (isDigit(c)) {
        while (p < n_ && isDigit(s_[p])) ++p, ++digits;
        end = p;
      } else if (c == '(') {
        size_t q = p + 1;
        while (q < n_ && isDigit(s_[q])) ++q;
        if (q == p + 1 || at(q) != ')') break;
        digits += q - p - 1;
        p = end = q + 1;
      } else if (isGroupSep(c) && !need_group && (isDigit(at(p + 1)) || at(p + 1) == '(')) {
        ++p;
        need_group = true;
        continue;
      } else {
        break;
      }
      need_group = false;
    }
    if (digits < 8 || digits > 15 || alnumAt(end)) return;
    emit(plus, end, Detector::Phone);
  }

  //! "(NXX) NXX-XXXX", "(NXX)NXX.XXXX", "(NXX) NXXXXXX".
  void parenPhone(size_t open) {
    if (!on(Detector::Phone) || !wordStart(open)) return;
    auto digitsAt = [&](size_t p, size_t k) {
      for (size_t j = 0; j < k; ++j)
        if (!isDigit(at(p + j))) return false;
      return true;
    };
    if (!digitsAt(open + 1, 3) || at(open + 4) != ')') return;
    size_t p = open + 5;
    if (at(p) == ' ') ++p;
    if (!digitsAt(p, 3)) return;
    const size_t exchange = p;
    p += 3;
    if (at(p) == '-' || at(p) == '.' || at(p) == ' ') ++p;
    if (!digitsAt(p, 4)) return;
    p += 4;
    if (alnumAt(p) || (isGroupSep(at(p)) && isDigit(at(p + 1)))) return;
    if (nanpValid(s_ + open + 1, s_ + exchange)) emit(open, p, Detector::Phone);
  }

  // ---- AWS keys --------------------------------------------------------------------------------

  void awsKeyId(size_t i) {
    static constexpr std::string_view kPrefixes[] = {"AKIA", "ASIA", "AGPA", "AIDA", "AROA",
                                                     "AIPA", "ANPA", "ANVA", "ABIA", "ACCA"};
    if (!on(Detector::AwsKey) || !wordStart(i) || n_ - i < 20 || alnumAt(i + 20)) return;
    const std::string_view prefix(s_ + i, 4);
    if (std::find(std::begin(kPrefixes), std::end(kPrefixes), prefix) == std::end(kPrefixes))
      return;
    for (size_t k = i + 4; k < i + 20; ++k)
      if (!isUpper(s_[k]) && !(s_[k] >= '2' && s_[k] <= '7')) return;
    emit(i, i + 20, Detector::AwsKey);
  }

  //! 40 base64 characters after a "secret access key" label: secret[_-]access[_-]key (any case,
  //! SecretAccessKey too) or aws[_-]secret[_-]key, then up to 8 of  "':=> and blanks.
  void awsSecret(size_t k) {
    if (!on(Detector::AwsKey) || toLower(at(k + 1)) != 'e' || toLower(at(k + 2)) != 'y') return;
    size_t p = k + 3;
    if (alnumAt(p) || at(p) == '_') return;
    size_t q = k;
    auto skipSep = [&] {
      if (q > 0 && (s_[q - 1] == '_' || s_[q - 1] == '-')) --q;
    };
    skipSep();
    if (endsWithNoCase(q, "access")) {
      q -= 6;
      skipSep();
      if (!endsWithNoCase(q, "secret")) return;
    } else if (endsWithNoCase(q, "secret")) {
      q -= 6;
      skipSep();
      if (!endsWithNoCase(q, "aws")) return;
    } else {
      return;
    }
    for (size_t skipped = 0; skipped < 8 && p < n_; ++skipped, ++p) {
      const char c = s_[p];
      if (c != ' ' && c != '\t' && c != '"' && c != '\'' && c != ':' && c != '=' && c != '>') break;
    }
    auto secretChar = [](char c) { return isAlnum(c) || c == '/' || c == '+'; };
    if (n_ - p < 40) return;
    for (size_t j = p; j < p + 40; ++j)
      if (!secretChar(s_[j])) return;
    if (p + 40 < n_ && (secretChar(s_[p + 40]) || s_[p + 40] == '=')) return;
    emit(p, p + 40, Detector::AwsKey);
  }

  // ---- JWT -------------------------------------------------------------------------------------

  size_t base64UrlRun(size_t p) const {
    while (p < n_ && isBase64Url(s_[p])) ++p;
    return p;
  }

  //! `j`: the 'J' of "eyJ" ('{"' in base64url). Three segments: header (a JSON object with
  //! "alg"), payload (a JSON object), signature (base64url, may be empty: alg none).
  void jwt(size_t j) {
    if (!on(Detector::Jwt) || j < 2 || s_[j - 2] != 'e' || s_[j - 1] != 'y') return;
    const size_t b = j - 2;
    if (b > 0 && isBase64Url(s_[b - 1])) return;  // one start per base64url run
    const size_t e1 = base64UrlRun(j);
    if (e1 - b < kMinJwtHeader || at(e1) != '.' || !startsWith(e1 + 1, "eyJ")) return;
    const size_t e2 = base64UrlRun(e1 + 1);
    if (at(e2) != '.') return;
    const size_t e3 = base64UrlRun(e2 + 1);
    if ((e3 - e2 - 1) % 4 == 1) return;
    if (at(e3) == '.' && isBase64Url(at(e3 + 1))) return;  // more segments: not a JWS
    if (!jwtSegmentIsObject(std::string_view(s_ + b, e1 - b), true) ||
        !jwtSegmentIsObject(std::string_view(s_ + e1 + 1, e2 - e1 - 1), false))
      return;
    emit(b, e3, Detector::Jwt);
  }

  // ---- PEM private keys ------------------------------------------------------------------------

  //! Skips "RSA ", "EC ", "DSA ", "OPENSSH " or "ENCRYPTED " at p.
  size_t keyType(size_t p) const {
    for (std::string_view t : {"RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED "})
      if (startsWith(p, t)) return p + t.size();
    return p;
  }

  void privateKey(size_t i) {
    if (!on(Detector::PrivateKey) || !startsWith(i, "-----BEGIN ")) return;
    size_t p = keyType(i + 11);
    if (!startsWith(p, "PRIVATE KEY-----")) return;
    p += 16;
    const size_t end = pemEnd(p);
    emit(i, end, Detector::PrivateKey);
    if (end == n_) stop_ = true;  // the rest of the value is inside the block
  }

  //! End of the first "-----END [type ]PRIVATE KEY-----" at or after p, or n_ when none. The
  //! last search is remembered, so BEGIN lines in one region never rescan it.
  size_t pemEnd(size_t p) {
    if (pem_searched_ && p >= pem_from_ && p <= pem_found_) return pem_end_;
    const std::string_view text(s_, n_);
    size_t q = p;
    pem_searched_ = true;
    pem_from_ = p;
    for (;;) {
      const size_t found = text.find("-----END ", q);
      if (found == std::string_view::npos) {
        pem_found_ = pem_end_ = n_;
        return n_;
      }
      const size_t r = keyType(found + 9);
      if (startsWith(r, "PRIVATE KEY-----")) {
        pem_found_ = found;
        pem_end_ = r + 16;
        return pem_end_;
      }
      q = found + 1;
    }
  }

  static constexpr size_t kSpan = 6;  // groups a card can span
  static constexpr size_t kRing = 8;  // >= kSpan + 1

  const char* s_;
  const size_t n_;
  const uint8_t mask_;
  Sink& sink_;
  bool stop_ = false;
  // The numeric token being parsed.
  Group ring_[kRing];  // written before read (see Group)
  // The last 16-byte block of nextTrigger(): its start and its candidate bits.
  size_t block_ = static_cast<size_t>(-1) / 2;
  unsigned block_hits_ = 0;
  size_t groups_ = 0;
  size_t token_begin_ = 0;
  size_t token_end_ = 0;
  bool token_done_ = false;
  // The last PEM END search: from pem_from_, the END line at pem_found_ ends at pem_end_.
  bool pem_searched_ = false;
  size_t pem_from_ = 0, pem_found_ = 0, pem_end_ = 0;
};

//! Stops at the first candidate.
struct AnySink {
  bool found = false;
  bool add(const Finding&) {
    found = true;
    return false;
  }
};

//! Keeps out[base..] ordered and non-overlapping: a candidate that overlaps kept findings
//! replaces them when it is longer than each of them, and is dropped otherwise (ties keep the
//! earlier find). Stops once more than `max` would be kept.
class ResolveSink {
 public:
  ResolveSink(std::vector<Finding>& out, size_t max) : out_(out), base_(out.size()), max_(max) {}

  bool add(const Finding& c) {
    auto len = [](const Finding& f) { return f.end - f.begin; };
    size_t j = out_.size();
    while (j > base_ && out_[j - 1].end > c.begin) --j;  // out_[j..] end after c begins
    size_t k = j;
    for (; k < out_.size() && out_[k].begin < c.end; ++k)
      if (len(out_[k]) >= len(c)) return true;  // a kept finding at least as long: drop c
    if (k == j) {
      out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(j), c);
    } else {
      out_[j] = c;
      out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(j + 1),
                 out_.begin() + static_cast<std::ptrdiff_t>(k));
    }
    if (out_.size() - base_ <= max_) return true;
    out_.resize(base_ + max_);
    return false;
  }

  size_t added() const { return out_.size() - base_; }

 private:
  std::vector<Finding>& out_;
  const size_t base_;
  const size_t max_;
};

}  // namespace

std::string_view detectorName(Detector d) {
  const auto k = static_cast<size_t>(d);
  return k < kDetectorCount ? kNames[k] : std::string_view("unknown");
}

std::optional<Detector> detectorFromName(std::string_view name) {
  for (size_t k = 0; k < kDetectorCount; ++k)
    if (kNames[k] == name) return static_cast<Detector>(k);
  return std::nullopt;
}

DetectorSet::DetectorSet(uint32_t enabled_mask) : mask_(enabled_mask & kAllMask) {}

DetectorSet DetectorSet::all() { return DetectorSet(kAllMask); }

size_t DetectorSet::scan(std::string_view text, std::vector<Finding>& out,
                         size_t max_findings) const {
  if (mask_ == 0 || max_findings == 0 || text.empty()) return 0;
  ResolveSink sink(out, max_findings);
  Scanner<ResolveSink>(text, mask_, sink).run();
  return sink.added();
}

bool DetectorSet::any(std::string_view text) const {
  if (mask_ == 0 || text.empty()) return false;
  AnySink sink;
  Scanner<AnySink>(text, mask_, sink).run();
  return sink.found;
}

bool applyFindings(std::string_view text, const std::vector<Finding>& findings, Method method,
                   const HashKey& key, std::string& out) {
  if (method == Method::Null || findings.empty()) return false;
  uint32_t pos = 0;
  for (const Finding& f : findings) {  // fail closed on findings scan() would not produce
    if (f.begin < pos || f.end <= f.begin || f.end > text.size()) return false;
    pos = f.end;
  }
  pos = 0;
  for (const Finding& f : findings) {
    out.append(text.substr(pos, f.begin - pos));
    maskText(method, text.substr(f.begin, f.end - f.begin), key, out);
    pos = f.end;
  }
  out.append(text.substr(pos));
  return true;
}

}  // namespace warden::masking
