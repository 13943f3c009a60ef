// The zone a log's times are in when they do not say (`timezone:` on the json and rules
// transforms): "2026-11-26 09:00:00" written by a server in Berlin is 08:00 UTC in winter and
// 07:00 in summer. IANA names come from the system's tz database (Debian's tzdata) through
// Google's cctz, so daylight saving time follows the zone's rules for that date.
//
//   std::string why;
//   auto berlin = TimeZone::load("Europe/Berlin", why);   // also "UTC", "local", "+05:30"
//   int64_t utc = berlin->utc_seconds(2026, 7, 1, 9, 0, 0);  // 07:00 UTC
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace logship {

class TimeZone {
 public:
  // nullptr (and `why`) for a name the tz database does not know.
  static std::shared_ptr<const TimeZone> load(const std::string& name, std::string& why);
  ~TimeZone();

  // Seconds since the epoch of a wall-clock time in this zone. A time the change to summer time
  // skips is read with the offset before the change (02:30 becomes 03:30 summer time); one the
  // change back shows twice is its first occurrence.
  int64_t utc_seconds(int year, int month, int day, int hour, int minute, int second) const;
  // The wall-clock time in this zone of an instant, as seconds since 1970-01-01 00:00:00 on
  // that wall clock (the instant plus the zone's offset then): calendar arithmetic on it is
  // the zone's calendar.
  int64_t local_seconds(int64_t unix_seconds) const;
  const std::string& name() const { return name_; }

 private:
  struct Impl;
  TimeZone(std::string name, std::unique_ptr<Impl> impl);
  std::string name_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace logship
