// When a summary or a query rule runs: an interval (`every: 1h`: an hour after the last run)
// or a cron schedule (`schedule: '0 9 * * 1-5'`: at 09:00 on weekdays, in `timezone`).
//
// Cron as Vixie cron reads it: five fields (minute 0-59, hour 0-23, day of month 1-31, month
// 1-12 or JAN-DEC, day of week 0-7 or SUN-SAT, 0 and 7 both Sunday); each a list of `*`, `n`,
// `a-b`, with `/step`; @hourly, @daily (@midnight), @weekly, @monthly, @yearly (@annually).
// When both day fields are restricted (neither starts with `*`), a day matching either runs.
// Times in the zone's wall clock: a time skipped by the change to summer time runs an hour
// later (02:30 becomes 03:30), one the change back shows twice runs once, the first time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/config/values.h"
#include "core/time_zone.h"

namespace logship {

class Schedule {
 public:
  // `schedule` empty: every `every`. Else cron, or an interval written there ("15m"). Null (and
  // `why`) for text that is neither, an unknown zone, or a cron schedule that never runs.
  static std::optional<Schedule> make(const std::string& schedule, Duration every, const std::string& timezone, std::string& why);

  bool is_cron() const { return zone_ != nullptr; }
  // The first run after `after_ms` (Unix ms): an interval after it, or the next cron time.
  int64_t next_ms(int64_t after_ms) const;
  // The time of the run at `at_ms`: itself for an interval, the last cron time at or before it.
  int64_t latest_ms(int64_t at_ms) const;
  // The run before the one at `at_ms`: an interval before it, or the cron time before
  // latest_ms(at_ms) (Friday 09:00 for Monday 09:00 of a weekday schedule).
  int64_t previous_ms(int64_t at_ms) const;
  // "every 1h", "0 9 * * 1-5 (Asia/Tokyo)".
  std::string text() const;

 private:
  // Local minute (minutes since 1970-01-01 00:00 on the zone's wall clock) of the next match
  // after `from` or the last one before it, and the instant it is; none within 8 years.
  std::optional<int64_t> search(int64_t unix_seconds, bool forward) const;
  bool day_matches(int64_t local_day) const;

  std::string text_;
  int64_t every_ms_ = 0;
  std::shared_ptr<const TimeZone> zone_;  // cron only
  uint64_t minutes_ = 0;   // bit n: minute n
  uint32_t hours_ = 0;
  uint32_t days_ = 0;      // bit n: day of month n (1..31)
  uint16_t months_ = 0;    // bit n: month n (1..12)
  uint8_t weekdays_ = 0;   // bit n: 0 Sunday .. 6 Saturday
  bool any_day_of_month_ = true;  // the field started with `*`
  bool any_weekday_ = true;
};

}  // namespace logship
