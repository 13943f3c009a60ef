// Parsing event times written by applications into Unix nanoseconds.
//
//   int64_t ns;
//   parse_timestamp("2026-11-26T09:00:00.5+01:00", TimestampFormat::rfc3339(), ns);
//   parse_timestamp("1764147600123", TimestampFormat::parse("unix_ms"), ns);
//   parse_timestamp("26/Nov/2026:09:00:00 +0000", TimestampFormat::parse("%d/%b/%Y:%H:%M:%S %z"), ns);
//
// Formats: rfc3339 (also ISO 8601 with a space for T, any fraction, Z, ±HH:MM or ±HHMM; no zone
// means TimestampFormat::zone, UTC unless set), syslog (BSD's "Nov 26 09:00:00" or an rfc3339
// time, whichever the value is), unix / unix_ms / unix_us / unix_ns (integers or decimals), or a strftime pattern
// (strptime; seconds may be followed by a fraction, `%z` reads the zone, none means `zone`).
// Patterns made only of %Y %y %m %d %e %H %M %S %b %h %B %a %A %z %T %F %D, spaces and literal
// text (every common log format) are read by a compiled scanner; a value it does not take in its
// usual shape, and every other pattern, goes to strptime, so the results are strptime's. The
// scanner alone knows %f, a fraction's digits where the pattern puts them (Apache's error log:
// "%a %b %d %H:%M:%S.%f %Y"), which strptime refuses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/time_zone.h"

namespace logship {

struct TimestampFormat {
  enum class Kind { kRfc3339, kUnixSeconds, kUnixMillis, kUnixMicros, kUnixNanos, kStrftime, kSyslog };
  Kind kind = Kind::kRfc3339;
  std::string pattern;  // kStrftime
  bool has_year = false;
  // kStrftime: the pattern as scanner steps (a directive letter, or ' ' for "any spaces", or
  // 'L' followed by the literal in `literals`); empty when the pattern needs strptime.
  std::string steps;
  std::string literals;
  // The zone of times that do not name one (rfc3339 and strftime formats); null: UTC.
  std::shared_ptr<const TimeZone> zone;

  // false when `text` names no known format (a strftime pattern must hold a '%').
  static bool parse(std::string_view text, TimestampFormat& out);
};

bool parse_timestamp(std::string_view value, const TimestampFormat& format, int64_t& unix_nanos);

// The usual application timestamp, "YYYY-MM-DDTHH:MM:SS[.fraction]Z" naming a real date and a
// second below 60, appended as append_rfc3339_micros(parse_timestamp(value)) would write it,
// by copying its digits instead of converting. False, with nothing appended, for any other
// form (an offset, a leap second, February 30th...): those take the conversion.
bool append_utc_rfc3339_as_micros(std::string& out, std::string_view value);

}  // namespace logship
