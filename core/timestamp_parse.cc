#include "core/timestamp_parse.h"

#include <cstdint>
#include <string>
#include <ctime>

namespace logship {
namespace {

// Unix seconds that fit in int64 nanoseconds (years 1678 to 2261).
constexpr int64_t kMaxSeconds = INT64_MAX / 1'000'000'000 - 1;
constexpr int64_t kMinSeconds = INT64_MIN / 1'000'000'000 + 1;

bool to_nanos(int64_t secs, int64_t ns, int64_t& out) {
  if (secs > kMaxSeconds || secs < kMinSeconds) return false;
  out = secs * 1'000'000'000 + ns;
  return true;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian), after Howard Hinnant's algorithm.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// ".123456789" at pos: nanoseconds; advances pos.
int64_t fraction(std::string_view s, size_t& pos) {
  if (pos >= s.size() || (s[pos] != '.' && s[pos] != ',')) return 0;
  ++pos;
  int64_t ns = 0;
  int n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (n < 9) {
      ns = ns * 10 + (s[pos] - '0');
      ++n;
    }
    ++pos;
  }
  while (n++ < 9) ns *= 10;
  return ns;
}

// "Z", "+01:00", "-0530" at pos: offset in seconds east of UTC; false when malformed.
bool zone(std::string_view s, size_t& pos, int64_t& offset) {
  offset = 0;
  if (pos >= s.size()) return true;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
    return true;
  }
  if (s[pos] != '+' && s[pos] != '-') return false;
  int sign = s[pos] == '-' ? -1 : 1;
  int h = 0, m = 0;
  // Offsets in use run from -12:00 to +14:00; ±18:00 is where ISO 8601 readers (Java's
  // ZoneOffset) stop. Anything past it is not a zone.
  if (!digits(s, pos + 1, 2, h) || h > 18) return false;
  size_t p = pos + 3;
  if (p < s.size() && s[p] == ':') ++p;
  if (!digits(s, p, 2, m) || m > 59) return false;  // strptime's %z refuses "+0265" too
  pos = p + 2;
  offset = sign * (h * 3600 + m * 60);
  return true;
}

// Days in a month of a year (the proleptic Gregorian calendar): 31st February is no date.
int days_in_month(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return kDays[month - 1] + (month == 2 && leap);
}

bool parse_rfc3339(std::string_view s, const TimeZone* local, int64_t& out) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, sec))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60) return false;
  size_t pos = 19;
  int64_t ns = fraction(s, pos);
  int64_t offset = 0;
  bool zoned = pos < s.size();
  if (!zone(s, pos, offset) || pos != s.size()) return false;
  int64_t secs = !zoned && local != nullptr
                     ? local->utc_seconds(y, mo, d, h, mi, sec)
                     : days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec - offset;
  return to_nanos(secs, ns, out);
}

// "1764147600", "1764147600.25", "-5": integer arithmetic, so nanoseconds stay exact.
bool parse_unix(std::string_view s, int64_t unit_ns, int64_t& out) {
  size_t pos = 0;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) ++pos;
  size_t start = pos;
  int64_t whole = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (whole > (INT64_MAX / 10 - 9) / unit_ns) return false;  // would overflow
    whole = whole * 10 + (s[pos++] - '0');
  }
  if (pos == start) return false;
  int64_t frac_ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = unit_ns;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      scale /= 10;
      frac_ns += (s[pos++] - '0') * scale;
    }
  }
  if (pos != s.size()) return false;
  out = whole * unit_ns + frac_ns;
  if (negative) out = -out;
  return true;
}

// What a pattern says about the time, before it becomes seconds.
struct CivilTime {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t offset = 0;  // seconds east of UTC, from %z
  int64_t nanos = 0;   // from %f
  bool zoned = false;  // the text named its zone: `offset` holds, whatever TimestampFormat::zone says
};

// Seconds since the epoch, fraction and trailing zone handled the same way for both readers:
// "12:00:00.250" and "12:00:00 +0100" after the pattern are accepted.
bool finish(std::string_view s, size_t pos, CivilTime t, const TimestampFormat& f, int64_t& out) {
  bool has_year = f.has_year;
  int64_t ns = t.nanos + fraction(s, pos);
  if (pos < s.size()) {
    while (pos < s.size() && s[pos] == ' ') ++pos;
    if (pos < s.size()) {  // trailing blanks alone leave a zone read by %z as it was
      int64_t extra = 0;
      if (!zone(s, pos, extra) || pos != s.size()) return false;
      t.zoned = true;
      t.offset = extra;
    }
  }
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 || t.second > 61) return false;
  auto seconds = [&](int year) -> int64_t {
    if (!t.zoned && f.zone) return f.zone->utc_seconds(year, t.month, t.day, t.hour, t.minute, t.second);
    return days_from_civil(year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day)) * 86400 + t.hour * 3600 + t.minute * 60 +
           t.second - t.offset;
  };
  int64_t secs = 0;
  if (has_year) {
    if (t.day > days_in_month(t.year, t.month)) return false;
    secs = seconds(t.year);
  }
  // Formats without a year (syslog's "Nov 26 09:00:00") get the year that puts them closest
  // before now (below).
  if (!has_year) {
    // This year, asked of gmtime_r once a day per thread: it takes glibc's time zone lock,
    // which parsing threads reading syslog lines would otherwise queue on for every line.
    thread_local int64_t cached_day = -1;
    thread_local int this_year = 1970;
    time_t now = ::time(nullptr);
    if (now / 86400 != cached_day) {
      struct tm now_tm;
      gmtime_r(&now, &now_tm);
      cached_day = now / 86400;
      this_year = now_tm.tm_year + 1900;
    }
    // The latest of next year, this year and last year that is not more than a day ahead:
    // "Jan 1 00:30" read at 23:45 UTC on December 31st in a zone already past midnight is
    // next year's, and a December line read in January last year's.
    int year = this_year + 1;
    for (; year > this_year - 1; --year)
      if (t.day <= days_in_month(year, t.month) && seconds(year) <= static_cast<int64_t>(now) + 86400) break;
    if (t.day > days_in_month(year, t.month)) return false;  // 29th February, not a leap year
    secs = seconds(year);
  }
  return to_nanos(secs, ns, out);
}

bool parse_with_strptime(std::string_view s, const TimestampFormat& f, int64_t& out) {
  std::string text(s);  // strptime needs a terminated string
  struct tm tm {};
  tm.tm_mday = 1;
  const char* end = ::strptime(text.c_str(), f.pattern.c_str(), &tm);
  if (!end) return false;
  CivilTime t;
  t.year = tm.tm_year + 1900;
  t.month = tm.tm_mon + 1;
  t.day = tm.tm_mday;
  t.hour = tm.tm_hour;
  t.minute = tm.tm_min;
  t.second = tm.tm_sec;
  t.offset = tm.tm_gmtoff;  // %z fills it; otherwise 0 (UTC)
  if (t.offset > 18 * 3600 || t.offset < -18 * 3600) return false;  // as zone(): no such zone
  t.zoned = f.pattern.find("%z") != std::string::npos;
  return finish(text, static_cast<size_t>(end - text.c_str()), t, f, out);
}

// One or two digits (strptime's %d, %m, %H…), no leading space.
bool number(std::string_view s, size_t& pos, int& out) {
  if (pos >= s.size() || s[pos] < '0' || s[pos] > '9') return false;
  out = s[pos++] - '0';
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') out = out * 10 + (s[pos++] - '0');
  return true;
}

constexpr const char* kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                   "july",    "august",   "september", "october", "november", "december"};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

constexpr const char* kWeekdays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

// The index in `names` of the name at s[pos], written in full or as its first three letters,
// any case (what glibc's %b, %B, %a and %A take); -1 when none is there.
template <size_t N>
int name_at(std::string_view s, size_t& pos, const char* const (&names)[N]) {
  for (size_t i = 0; i < N; ++i) {
    std::string_view name = names[i];
    size_t n = 0;
    while (n < name.size() && pos + n < s.size() && lower(s[pos + n]) == name[n]) ++n;
    if (n == name.size() || n == 3) {
      pos += n;
      return static_cast<int>(i);
    }
  }
  return -1;
}

// A weekday (%a, %A): the date says the rest, so which day it names is not checked.
bool weekday_name(std::string_view s, size_t& pos) { return name_at(s, pos, kWeekdays) >= 0; }

bool month_name(std::string_view s, size_t& pos, int& month) {
  int m = name_at(s, pos, kMonths);
  if (m < 0) return false;
  month = m + 1;
  return true;
}

// The compiled pattern; false means "not in the shape it usually has": ask strptime.
bool parse_with_steps(std::string_view s, const TimestampFormat& f, int64_t& out) {
  CivilTime t;
  size_t pos = 0;
  size_t literal = 0;
  for (size_t i = 0; i < f.steps.size(); ++i) {
    char step = f.steps[i];
    bool ok = true;
    switch (step) {
      case ' ':
        while (pos < s.size() && s[pos] == ' ') ++pos;
        break;
      case 'L': {
        size_t n = static_cast<unsigned char>(f.steps[++i]);
        ok = s.substr(pos, n) == std::string_view(f.literals).substr(literal, n);
        pos += n;
        literal += n;
        break;
      }
      case 'Y':
        ok = digits(s, pos, 4, t.year);
        pos += 4;
        break;
      case 'y':
        ok = digits(s, pos, 2, t.year);
        pos += 2;
        t.year += t.year < 69 ? 2000 : 1900;
        break;
      case 'm': ok = number(s, pos, t.month); break;
      case 'e':
        if (pos < s.size() && s[pos] == ' ') ++pos;
        ok = number(s, pos, t.day);
        break;
      case 'd': ok = number(s, pos, t.day); break;
      case 'H': ok = number(s, pos, t.hour); break;
      case 'M': ok = number(s, pos, t.minute); break;
      case 'S': ok = number(s, pos, t.second); break;
      case 'b': ok = month_name(s, pos, t.month); break;
      case 'a': ok = weekday_name(s, pos); break;
      case 'f': {  // the fraction's digits alone, wherever the pattern puts them ("%S.%f %Y")
        size_t start = pos;
        int64_t scale = 100'000'000;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          t.nanos += (s[pos++] - '0') * scale;
          scale /= 10;
        }
        ok = pos > start;
        break;
      }
      case 'z':
        ok = pos < s.size() && s[pos] != 'Z' && s[pos] != 'z' && zone(s, pos, t.offset);
        t.zoned = true;
        break;
      default: ok = false;
    }
    if (!ok) return false;
  }
  return finish(s, pos, t, f, out);
}

// Turns a strftime pattern into steps; false when it holds a directive the scanner lacks.
bool compile_steps(std::string_view pattern, std::string& steps, std::string& literals) {
  std::string expanded;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 == pattern.size()) {
      expanded += pattern[i];
      continue;
    }
    char d = pattern[++i];
    if (d == 'T') expanded += "%H:%M:%S";
    else if (d == 'F') expanded += "%Y-%m-%d";
    else if (d == 'D') expanded += "%m/%d/%y";
    else expanded += std::string("%") + d;
  }
  for (size_t i = 0; i < expanded.size(); ++i) {
    char c = expanded[i];
    if (c == '%') {
      char d = i + 1 < expanded.size() ? expanded[++i] : '\0';
      if (d == 'h' || d == 'B') d = 'b';
      if (d == 'A') d = 'a';
      if (std::string_view("YymdeHMSbzaf").find(d) == std::string_view::npos) return false;
      steps += d;
    } else if (c == ' ' || c == '\t') {
      if (steps.empty() || steps.back() != ' ') steps += ' ';
    } else {
      size_t start = i;
      while (i + 1 < expanded.size() && expanded[i + 1] != '%' && expanded[i + 1] != ' ' && expanded[i + 1] != '\t' && i + 1 - start < 200) ++i;
      steps += 'L';
      steps += static_cast<char>(i + 1 - start);
      literals.append(expanded, start, i + 1 - start);
    }
  }
  return true;
}

}  // namespace

bool TimestampFormat::parse(std::string_view text, TimestampFormat& out) {
  out = TimestampFormat{};
  if (text == "rfc3339" || text == "iso8601") out.kind = Kind::kRfc3339;
  else if (text == "unix") out.kind = Kind::kUnixSeconds;
  else if (text == "unix_ms") out.kind = Kind::kUnixMillis;
  else if (text == "unix_us") out.kind = Kind::kUnixMicros;
  else if (text == "unix_ns") out.kind = Kind::kUnixNanos;
  else if (text == "syslog") {
    // Either of the two times syslog files carry: BSD's "Nov 26 09:00:00" (no year, no zone)
    // or rsyslog's RSYSLOG_FileFormat "2026-11-26T09:00:00.123456+01:00".
    out.kind = Kind::kSyslog;
    out.pattern = "%b %e %H:%M:%S";
    compile_steps(out.pattern, out.steps, out.literals);
  } else if (text.find('%') != std::string_view::npos) {
    // Every directive must be one strptime knows (or the scanner's %f): a typo such as %Q would
    // otherwise pass validation and fail on every line.
    // %G, %g and %V are read by glibc and then ignored (the date would silently be wrong);
    // %E and %O take only the letters glibc gives them a meaning with. %Z is read and ignored:
    // the zone is then `timezone:`'s.
    static constexpr std::string_view kDirectives = "aAbBcCdDeFhHIjklmMnprRsStTuUwWxXyYzZ%f";
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '%') continue;
      if (++i >= text.size()) return false;
      std::string_view allowed = kDirectives;
      if (text[i] == 'E') allowed = "cCxXyY";
      else if (text[i] == 'O') allowed = "deHImMSUwWy";
      if (allowed != kDirectives && ++i >= text.size()) return false;
      if (allowed.find(text[i]) == std::string_view::npos) return false;
    }
    out.kind = Kind::kStrftime;
    out.pattern = std::string(text);
    for (const char* y : {"%Y", "%y", "%s", "%G", "%F", "%D"}) out.has_year |= out.pattern.find(y) != std::string::npos;
    if (!compile_steps(out.pattern, out.steps, out.literals)) {
      out.steps.clear();
      out.literals.clear();
    }
  } else {
    return false;
  }
  return true;
}

bool append_utc_rfc3339_as_micros(std::string& out, std::string_view s) {
  if (s.size() < 20 || s.size() > 30 || (s.back() != 'Z' && s.back() != 'z')) return false;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':') return false;
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) || !digits(s, 14, 2, mi) ||
      !digits(s, 17, 2, sec))
    return false;
  if (y < 1700 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
    return false;
  char text[27];
  s.copy(text, 19);
  text[10] = 'T';
  text[19] = '.';
  size_t digits_end = s.size() - 1;  // the Z
  size_t n = 0;
  if (digits_end > 19) {
    if (s[19] != '.' && s[19] != ',') return false;
    for (size_t i = 20; i < digits_end; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      if (n < 6) text[20 + n++] = s[i];
    }
  }
  while (n < 6) text[20 + n++] = '0';
  text[26] = 'Z';
  out.append(text, sizeof(text));
  return true;
}

bool parse_timestamp(std::string_view value, const TimestampFormat& f, int64_t& out) {
  switch (f.kind) {
    case TimestampFormat::Kind::kRfc3339: return parse_rfc3339(value, f.zone.get(), out);
    case TimestampFormat::Kind::kUnixSeconds: return parse_unix(value, 1'000'000'000, out);
    case TimestampFormat::Kind::kUnixMillis: return parse_unix(value, 1'000'000, out);
    case TimestampFormat::Kind::kUnixMicros: return parse_unix(value, 1'000, out);
    case TimestampFormat::Kind::kUnixNanos: return parse_unix(value, 1, out);
    case TimestampFormat::Kind::kSyslog:
      if (!value.empty() && value[0] >= '0' && value[0] <= '9') return parse_rfc3339(value, f.zone.get(), out);
      [[fallthrough]];
    case TimestampFormat::Kind::kStrftime:
      if (!f.steps.empty() && parse_with_steps(value, f, out)) return true;
      return parse_with_strptime(value, f, out);
  }
  return false;
}

}  // namespace logship
