// Parsing event times written by applications into Unix nanoseconds.
//
//   int64_t ns;
//   parse_timestamp("2026-11-26T09:00:00.5+01:00", TimestampFormat::rfc3339(), ns);
//   parse_timestamp("1764147600123", TimestampFormat::parse("unix_ms"), ns);
//   parse_timestamp("26/Nov/2026:09:00:00 +0000", TimestampFormat::parse("%d/%b/%Y:%H:%M:%S %z"), ns);
//
// Formats: rfc3339 (also ISO 8601 with a space for T, any fraction, Z, ±HH:MM or ±HHMM; no zone
// means UTC), unix / unix_ms / unix_us / unix_ns (integers or decimals), or a strftime pattern
// (strptime; seconds may be followed by a fraction, `%z` reads the zone, none means UTC).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logship {

struct TimestampFormat {
  enum class Kind { kRfc3339, kUnixSeconds, kUnixMillis, kUnixMicros, kUnixNanos, kStrftime };
  Kind kind = Kind::kRfc3339;
  std::string pattern;  // kStrftime

  // false when `text` names no known format (a strftime pattern must hold a '%').
  static bool parse(std::string_view text, TimestampFormat& out);
};

bool parse_timestamp(std::string_view value, const TimestampFormat& format, int64_t& unix_nanos);

}  // namespace logship
