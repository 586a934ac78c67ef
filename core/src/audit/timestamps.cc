// core/src/audit/timestamps.cc
//! RFC 3339 parsing for audit search (search.h): the CLI/API `since`/`until` values, record
//! `ts` members (canonical "2024-05-01T12:34:56.123456Z" on a fast path) and file-name times.
#include <fmt/format.h>

#include "file_index.h"

namespace warden::audit {
namespace detail {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned daysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[pos]; advances pos.
bool digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  out = v;
  return true;
}

bool expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Full parse; `why` names the problem.
std::optional<Micros> parse(std::string_view s, std::string* why) {
  auto fail = [&](const char* what) -> std::optional<Micros> {
    if (why) *why = what;
    return std::nullopt;
  };
  size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, pos, 4, y) || !expect(s, pos, '-') || !digits(s, pos, 2, mo) ||
      !expect(s, pos, '-') || !digits(s, pos, 2, d))
    return fail("expected a date YYYY-MM-DD");
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > daysInMonth(y, mo))
    return fail("no such date");
  int64_t us = 0, offset_s = 0;
  if (pos < s.size()) {
    char t = s[pos++];
    if (t != 'T' && t != 't' && t != ' ') return fail("expected 'T' after the date");
    if (!digits(s, pos, 2, h) || !expect(s, pos, ':') || !digits(s, pos, 2, mi) ||
        !expect(s, pos, ':') || !digits(s, pos, 2, sec))
      return fail("expected a time hh:mm:ss");
    if (h > 23 || mi > 59 || sec > 60) return fail("time out of range");
    if (sec == 60) sec = 59;  // a leap second: close enough for a search bound
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t start = pos;
      int64_t frac = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (pos - start < 6) frac = frac * 10 + (s[pos] - '0');
        ++pos;
      }
      if (pos == start || pos - start > 9) return fail("expected 1 to 9 fraction digits");
      for (size_t k = pos - start; k < 6; ++k) frac *= 10;
      us = frac;
    }
    if (pos >= s.size()) return fail("missing time zone ('Z' or +hh:mm)");
    char z = s[pos++];
    if (z == 'Z' || z == 'z') {
      // UTC
    } else if (z == '+' || z == '-') {
      int oh, om;
      if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 ||
          om > 59)
        return fail("expected a time zone offset +hh:mm");
      offset_s = (oh * 3600 + om * 60) * (z == '+' ? 1 : -1);
    } else {
      return fail("expected 'Z' or +hh:mm after the time");
    }
  }
  if (pos != s.size()) return fail("unexpected characters after the time");
  int64_t secs = daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                 h * 3600 + mi * 60 + sec - offset_s;
  return secs * 1000000 + us;
}

}  // namespace

Micros toMicros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::optional<Micros> parseTsMicros(std::string_view s) {
  // Fast path: "YYYY-MM-DDThh:mm:ss.ffffffZ" with plausible fields.
  if (s.size() == 27 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
      s[16] == ':' && s[19] == '.' && s[26] == 'Z') {
    size_t p = 0;
    int y, mo, d, h, mi, sec, f1, f2;
    bool ok = digits(s, p, 4, y);
    p = 5, ok = ok && digits(s, p, 2, mo);
    p = 8, ok = ok && digits(s, p, 2, d);
    p = 11, ok = ok && digits(s, p, 2, h);
    p = 14, ok = ok && digits(s, p, 2, mi);
    p = 17, ok = ok && digits(s, p, 2, sec);
    p = 20, ok = ok && digits(s, p, 3, f1) && digits(s, p, 3, f2);
    if (ok && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && sec < 61) {
      int64_t secs =
          daysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
          h * 3600 + mi * 60 + sec;
      return secs * 1000000 + f1 * 1000 + f2;
    }
  }
  return parse(s, nullptr);
}

}  // namespace detail

namespace {
//! The system clock counts nanoseconds in 64 bits: about 1677-09-22 .. 2262-04-11.
bool representable(int64_t us) {
  constexpr int64_t kLimit =
      std::chrono::duration_cast<std::chrono::microseconds>(TimePoint::duration::max()).count();
  return us > -kLimit && us < kLimit;
}
}  // namespace

Result<TimePoint> parseRfc3339(std::string_view s) {
  std::string why;
  auto us = detail::parse(s, &why);
  if (us && !representable(*us)) {
    us.reset();
    why = "outside the years 1678..2261 this clock can represent";
  }
  if (!us)
    return makeError(fmt::format("'{}' is not an RFC 3339 time ({}); e.g. 2024-05-01T12:00:00Z",
                                 s, why));
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(*us)));
}

std::optional<TimePoint> fileNameTime(std::string_view name) {
  // audit-YYYYMMDDThhmmssZ-NNNNNN.jsonl
  if (name.size() < 22 || name.substr(0, 6) != "audit-" || name[14] != 'T' || name[21] != 'Z')
    return std::nullopt;
  std::string ts = fmt::format("{}-{}-{}T{}:{}:{}Z", name.substr(6, 4), name.substr(10, 2),
                               name.substr(12, 2), name.substr(15, 2), name.substr(17, 2),
                               name.substr(19, 2));
  auto us = detail::parse(ts, nullptr);
  if (!us || !representable(*us)) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(*us)));
}

}  // namespace warden::audit
