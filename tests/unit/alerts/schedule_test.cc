// When summaries and query rules run: cron schedules in a zone (weekdays, steps, names, both day
// fields, summer time, leap days), intervals, and the errors validate shows.
#include "alerts/schedule.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

constexpr int64_t kMs = 1000;

Schedule cron(const std::string& text, const std::string& zone = "UTC") {
  std::string why;
  auto s = Schedule::make(text, Duration{std::chrono::hours(1)}, zone, why);
  EXPECT_TRUE(s) << text << ": " << why;
  return s ? *s : *Schedule::make("", Duration{std::chrono::hours(1)}, "", why);
}

TEST(ScheduleTest, WeekdaysAtNineInTokyoSkipTheWeekendAndThePreviousRunOfMondaysIsFridays) {
  Schedule s = cron("0 9 * * 1-5", "Asia/Tokyo");
  EXPECT_TRUE(s.is_cron());
  EXPECT_EQ(s.text(), "0 9 * * 1-5 (Asia/Tokyo)");
  const int64_t friday_10_jst = 1796346000, friday_9_jst = 1796342400, monday_9_jst = 1796601600;
  EXPECT_EQ(s.next_ms(friday_10_jst * kMs), monday_9_jst * kMs);
  EXPECT_EQ(s.next_ms(friday_9_jst * kMs), monday_9_jst * kMs);  // strictly after
  EXPECT_EQ(s.next_ms(friday_9_jst * kMs - 1), friday_9_jst * kMs);
  // A summary made Monday 09:00:00.250 (or late, at 11:00) is Monday 09:00's, and covers the
  // time since Friday 09:00.
  EXPECT_EQ(s.latest_ms(monday_9_jst * kMs + 250), monday_9_jst * kMs);
  EXPECT_EQ(s.latest_ms((monday_9_jst + 7200) * kMs), monday_9_jst * kMs);
  EXPECT_EQ(s.previous_ms(monday_9_jst * kMs + 250), friday_9_jst * kMs);
  EXPECT_EQ(s.previous_ms(monday_9_jst * kMs), friday_9_jst * kMs);
}

TEST(ScheduleTest, StepsListsNamesAndMacrosReadAsCronReadsThem) {
  const int64_t at_10_07 = 1796465220;  // Saturday 2026-12-05 10:07 UTC
  EXPECT_EQ(cron("*/15 * * * *").next_ms(at_10_07 * kMs), 1796465700 * kMs);           // 10:15
  EXPECT_EQ(cron("30,0 10-11 * * SAT").next_ms(at_10_07 * kMs), 1796466600 * kMs);     // 10:30
  EXPECT_EQ(cron("@hourly").next_ms(at_10_07 * kMs), 1796468400 * kMs);                // 11:00
  EXPECT_EQ(cron("@hourly").previous_ms(1796468400 * kMs), 1796464800 * kMs);          // 10:00
  EXPECT_EQ(cron("0 0 1 jan,JUL *").next_ms(at_10_07 * kMs), 1798761600 * kMs);        // 2027-01-01
  EXPECT_EQ(cron("0 0 1 jan,JUL *").next_ms(1798761600 * kMs), 1814400000 * kMs);      // 2027-07-01
  EXPECT_EQ(cron("5/20 * * * *").next_ms(at_10_07 * kMs), (at_10_07 + 18 * 60) * kMs);  // 5, 25, 45: 10:25
  EXPECT_EQ(cron("0 0 * * 7").next_ms(at_10_07 * kMs), cron("0 0 * * 0").next_ms(at_10_07 * kMs));  // 7 is Sunday
}

TEST(ScheduleTest, BothDayFieldsRestrictedMatchEitherAndALeapDayIsFoundYearsAhead) {
  Schedule s = cron("0 0 1 * MON");
  const int64_t monday_dec_28 = 1798416000, friday_jan_1 = 1798761600, monday_jan_4 = 1799020800;
  EXPECT_EQ(s.next_ms(monday_dec_28 * kMs), friday_jan_1 * kMs);
  EXPECT_EQ(s.next_ms(friday_jan_1 * kMs), monday_jan_4 * kMs);
  EXPECT_EQ(cron("0 0 29 2 *").next_ms(1796428800 * kMs), 1835395200 * kMs);  // 2028-02-29
}

TEST(ScheduleTest, SummerTimeRunsASkippedTimeAnHourLaterAndARepeatedOneOnce) {
  Schedule s = cron("30 2 * * *", "Europe/Berlin");
  // 2026-03-29: 02:00 jumps to 03:00, so 02:30 runs at 03:30 CEST.
  EXPECT_EQ(s.next_ms(1774738800 * kMs), 1774747800 * kMs);
  // 2026-10-25: 02:30 happens twice; it runs at the first, then the next day.
  const int64_t first = 1792888200, second = 1792891800, next_day = 1792978200;
  EXPECT_EQ(s.next_ms((first - 60) * kMs), first * kMs);
  EXPECT_EQ(s.next_ms(first * kMs), next_day * kMs);
  EXPECT_EQ(s.next_ms(second * kMs), next_day * kMs);
}

TEST(ScheduleTest, AnIntervalRunsThatLongAfterTheLastRunWrittenAsEveryOrAsTheSchedule) {
  std::string why;
  auto every = Schedule::make("", Duration{std::chrono::minutes(5)}, "", why);
  ASSERT_TRUE(every);
  EXPECT_FALSE(every->is_cron());
  EXPECT_EQ(every->next_ms(1000), 301'000);
  EXPECT_EQ(every->previous_ms(301'000), 1000);
  EXPECT_EQ(every->text(), "every 5m");
  auto written = Schedule::make("2h", Duration{std::chrono::minutes(5)}, "", why);
  ASSERT_TRUE(written);
  EXPECT_EQ(written->next_ms(0), 7'200'000);
}

TEST(ScheduleTest, WhatIsNotASchedulePointsAtItsFieldAndWhy) {
  struct Case {
    std::string text, zone, says;
  };
  for (const Case& c : {Case{"0 9 * * * *", "", "seconds are not taken"}, Case{"61 * * * *", "", "minute field '61': '61' is outside 0-59"},
                        Case{"0 5-1 * * *", "", "runs backwards"}, Case{"0 0 31 2 *", "", "never runs"},
                        Case{"0 9 * * MON", "Mars/Olympus", "unknown time zone"}, Case{"@reboot", "", "not one of @hourly"},
                        Case{"*/0 * * * *", "", "step"}, Case{"0 9 * * monday", "", "day of week field"}, Case{"0s", "", "from 1s to 3650d"},
                        Case{"every hour", "", "5 fields"}}) {
    std::string why;
    EXPECT_FALSE(Schedule::make(c.text, Duration{std::chrono::hours(1)}, c.zone, why)) << c.text;
    EXPECT_NE(why.find(c.says), std::string::npos) << c.text << " said: " << why;
  }
}

}  // namespace
}  // namespace logship
