#include "core/timestamp_parse.h"

#include <gtest/gtest.h>

#include <ctime>

#include "core/time_format.h"

namespace logship {
namespace {

int64_t parse(std::string_view value, std::string_view format) {
  TimestampFormat f;
  EXPECT_TRUE(TimestampFormat::parse(format, f));
  int64_t ns = -1;
  EXPECT_TRUE(parse_timestamp(value, f, ns)) << value;
  return ns;
}

TEST(TimestampParseTest, Rfc3339WithZonesAndFractions) {
  EXPECT_EQ(parse("1970-01-01T00:00:00Z", "rfc3339"), 0);
  EXPECT_EQ(parse("2026-11-26T09:00:00Z", "rfc3339"), 1795683600LL * 1'000'000'000);
  EXPECT_EQ(parse("2026-11-26T10:00:00+01:00", "rfc3339"), 1795683600LL * 1'000'000'000);
  EXPECT_EQ(parse("2026-11-26T04:30:00-0430", "rfc3339"), 1795683600LL * 1'000'000'000);
  EXPECT_EQ(parse("2026-11-26 09:00:00.123456789", "rfc3339"), 1795683600123456789LL);
  TimestampFormat f;
  ASSERT_TRUE(TimestampFormat::parse("rfc3339", f));
  int64_t ns;
  EXPECT_FALSE(parse_timestamp("2026-13-01T00:00:00Z", f, ns));
  EXPECT_FALSE(parse_timestamp("2026-11-26T09:00:00Zjunk", f, ns));
  EXPECT_FALSE(parse_timestamp("", f, ns));
  // Beyond what int64 nanoseconds hold: an error, not an overflow (found by fuzz_json).
  EXPECT_FALSE(parse_timestamp("9999-12-31T23:59:59Z", f, ns));
  EXPECT_FALSE(parse_timestamp("1000-01-01T00:00:00Z", f, ns));
  EXPECT_TRUE(parse_timestamp("2261-12-31T23:59:59Z", f, ns));
}

TEST(TimestampParseTest, UnixEpochsStayExact) {
  EXPECT_EQ(parse("1764147600", "unix"), 1764147600LL * 1'000'000'000);
  EXPECT_EQ(parse("1764147600.000001", "unix"), 1764147600000001000LL);
  EXPECT_EQ(parse("1764147600123", "unix_ms"), 1764147600123000000LL);
  EXPECT_EQ(parse("1764147600123456", "unix_us"), 1764147600123456000LL);
  EXPECT_EQ(parse("1764147600123456789", "unix_ns"), 1764147600123456789LL);
  TimestampFormat f;
  ASSERT_TRUE(TimestampFormat::parse("unix", f));
  int64_t ns;
  EXPECT_FALSE(parse_timestamp("99999999999999999999", f, ns));  // overflow is an error, not garbage
  EXPECT_FALSE(parse_timestamp("12abc", f, ns));
}

TEST(TimestampParseTest, StrftimePatterns) {
  EXPECT_EQ(parse("26/Nov/2026:10:00:00 +0100", "%d/%b/%Y:%H:%M:%S %z"), 1795683600LL * 1'000'000'000);
  EXPECT_EQ(parse("2026-11-26 09:00:00.25", "%Y-%m-%d %H:%M:%S"), 1795683600250000000LL);
  TimestampFormat f;
  EXPECT_FALSE(TimestampFormat::parse("yyyy-mm-dd", f));
}

TEST(TimestampParseTest, CompiledStrftimePatternsAgreeWithStrptime) {
  struct Case {
    const char* pattern;
    const char* value;
  };
  const Case cases[] = {
      {"%d/%b/%Y:%H:%M:%S %z", "26/Nov/2026:10:00:00 +0100"}, {"%d/%b/%Y:%H:%M:%S %z", "26/nov/2026:10:00:00 -05:30"},
      {"%d/%b/%Y:%H:%M:%S %z", "6/Nov/2026:10:00:00 +0000"},  {"%d/%b/%Y:%H:%M:%S %z", "26/Nov/2026:10:00:00 Z"},
      {"%d/%b/%Y:%H:%M:%S %z", "26/Foo/2026:10:00:00 +0000"}, {"%d/%b/%Y:%H:%M:%S %z", "26/Nov/2026:24:00:00 +0000"},
      {"%Y-%m-%d %H:%M:%S", "2026-11-26 09:00:00.25"},        {"%Y-%m-%d %H:%M:%S", "2026-11-26   09:00:00"},
      {"%Y-%m-%d %H:%M:%S", "2026-13-26 09:00:00"},           {"%Y-%m-%d %H:%M:%S", "2026-11-26 09:00:00 +0200"},
      {"%F %T", "2026-02-31 23:59:60"},                       {"%D %T", "11/26/26 09:00:00"},
      {"%y%m%d %H:%M:%S", "691126 09:00:00"},                 {"%d-%B-%Y", "26-November-2026"},
      {"%d-%B-%Y", "26-Nov-2026"},                            {"%d/%b/%Y:%H:%M:%S %z", " 26/Nov/2026:10:00:00 +0100"},
      {"%D %T %z", "11/26/26 09:00:00 -0265"},  // found by fuzz_timestamp: minutes past 59
      {"%a %b %d %H:%M:%S %Y", "Thu Nov 26 09:00:00 2026"},   {"%A %d %B %Y", "thursday 26 November 2026"},
      {"%a %b %e %H:%M:%S %Y", "Wed Oct  1 14:32:52 2000"},   {"%a %b %d %H:%M:%S %Y", "Thx Nov 26 09:00:00 2026"},
  };
  for (const auto& c : cases) {
    TimestampFormat fast;
    ASSERT_TRUE(TimestampFormat::parse(c.pattern, fast));
    ASSERT_FALSE(fast.steps.empty()) << c.pattern << " should compile";
    TimestampFormat slow = fast;
    slow.steps.clear();  // strptime only
    int64_t a = -1, b = -1;
    bool ok_fast = parse_timestamp(c.value, fast, a);
    bool ok_slow = parse_timestamp(c.value, slow, b);
    EXPECT_EQ(ok_fast, ok_slow) << c.pattern << " on " << c.value;
    if (ok_fast && ok_slow) {
      EXPECT_EQ(a, b) << c.pattern << " on " << c.value;
    }
  }
  TimestampFormat weekday;
  ASSERT_TRUE(TimestampFormat::parse("%a %b %d %H:%M:%S %Y", weekday));
  int64_t ns = 0;
  EXPECT_TRUE(parse_timestamp("Thu Nov 26 09:00:00 2026", weekday, ns));
  EXPECT_EQ(ns, 1795683600LL * 1'000'000'000);
}

// From the hostile review: a blank after the zone reset it to UTC, and impossible dates rolled over.
TEST(TimestampParseTest, ABlankAfterTheZoneKeepsItAndImpossibleDatesAreRefused) {
  TimestampFormat f;
  ASSERT_TRUE(TimestampFormat::parse("%d/%b/%Y:%H:%M:%S %z", f));
  int64_t ns = 0;
  ASSERT_TRUE(parse_timestamp("26/Nov/2026:09:00:00 +0100 ", f, ns));
  EXPECT_EQ(ns, 1795680000LL * 1'000'000'000);
  EXPECT_FALSE(parse_timestamp("31/Feb/2026:09:00:00 +0000", f, ns));
  EXPECT_TRUE(parse_timestamp("29/Feb/2028:09:00:00 +0000", f, ns));
  EXPECT_FALSE(parse_timestamp("29/Feb/2026:09:00:00 +0000", f, ns));
  EXPECT_FALSE(parse_timestamp("2026-04-31T00:00:00Z", TimestampFormat{}, ns));
}

// Apache 2.4's error log writes the fraction between the seconds and the year.
TEST(TimestampParseTest, PercentFReadsAFractionWhereThePatternPutsIt) {
  TimestampFormat f;
  ASSERT_TRUE(TimestampFormat::parse("%a %b %e %H:%M:%S.%f %Y", f));
  ASSERT_FALSE(f.steps.empty());
  int64_t ns = 0;
  ASSERT_TRUE(parse_timestamp("Wed Oct 11 14:32:52.123456 2000", f, ns));
  EXPECT_EQ(ns, 971274772123456000LL);
  EXPECT_FALSE(parse_timestamp("Wed Oct 11 14:32:52. 2000", f, ns)) << "no digits";
  EXPECT_FALSE(parse_timestamp("Wed Oct 11 14:32:52 2000", f, ns)) << "the pattern asks for a fraction";
}

TEST(TimestampParseTest, PatternsWithoutAYearTakeThisYear) {
  TimestampFormat f;
  ASSERT_TRUE(TimestampFormat::parse("%b %d %H:%M:%S", f));
  time_t now = ::time(nullptr);
  struct tm tm;
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%b %d %H:%M:%S", &tm);
  int64_t ns = 0;
  ASSERT_TRUE(parse_timestamp(text, f, ns));
  EXPECT_EQ(ns / 1'000'000'000, static_cast<int64_t>(now));
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

std::string converted(std::string_view value) {
  int64_t ns = 0;
  std::string out;
  if (parse_timestamp(value, TimestampFormat{}, ns)) append_rfc3339_micros(out, ns);
  return out;
}

// The copying shortcut writes what parsing then formatting writes, and declines the rest.
TEST(TimestampParseTest, UtcShortcutWritesWhatTheConversionWrites) {
  for (const char* taken : {"2026-11-26T10:00:00Z", "2026-11-26T10:00:00.1Z", "2026-11-26t23:59:59,123456789z",
                            "2024-02-29 00:00:00.000Z", "2026-12-31T23:59:59.9999999Z", "2026-01-01T00:00:00.Z"}) {
    std::string out;
    ASSERT_TRUE(append_utc_rfc3339_as_micros(out, taken)) << taken;
    EXPECT_EQ(out, converted(taken)) << taken;
  }
  for (const char* declined : {"2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-26T10:00:60Z", "2026-11-26T10:00:00+01:00",
                               "2026-11-26T10:00:00", "2026-11-26T24:00:00Z", "2026-13-01T00:00:00Z", "2026-11-26T10:00:00.12345678901Z",
                               "2026-11-26T10:00:00.1a2Z", "2026-11-26X10:00:00Z", "1600-01-01T00:00:00Z", " 026-11-26T10:00:00Z"}) {
    std::string out;
    EXPECT_FALSE(append_utc_rfc3339_as_micros(out, declined)) << declined;
    EXPECT_EQ(out, "");
  }
  // Every byte of a timestamp swapped for a few others: whatever the shortcut takes, it gets right.
  std::string base = "2024-02-29T23:59:59.123456Z";
  int taken = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    for (char c : std::string("0123456789Zz.,:- Tt+x")) {
      std::string v = base;
      v[i] = c;
      for (std::string w : {v, v.substr(0, i), v.substr(0, i) + "Z"}) {
        std::string out;
        if (!append_utc_rfc3339_as_micros(out, w)) continue;
        ++taken;
        EXPECT_EQ(out, converted(w)) << w;
      }
    }
  }
  EXPECT_GT(taken, 200);
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

TEST(TimestampParseTest, ZoneOffsetsPastEighteenHoursAreNoZoneEitherWay) {
  int64_t ns = 0;
  TimestampFormat scanned, strptime_only;
  ASSERT_TRUE(TimestampFormat::parse("%d/%b/%Y:%H:%M:%S %z", scanned));
  EXPECT_FALSE(parse_timestamp("04/Dec/2026:10:00:00 +2500", scanned, ns));
  EXPECT_TRUE(parse_timestamp("04/Dec/2026:10:00:00 +1400", scanned, ns));
  EXPECT_FALSE(parse_timestamp("2026-12-04T10:00:00+25:00", TimestampFormat{}, ns));
  // %j makes the pattern strptime's alone: the same bound applies there.
  ASSERT_TRUE(TimestampFormat::parse("%Y %j %H:%M:%S %z", strptime_only));
  EXPECT_TRUE(strptime_only.steps.empty());
  EXPECT_FALSE(parse_timestamp("2026 338 10:00:00 +9959", strptime_only, ns));
  EXPECT_TRUE(parse_timestamp("2026 338 10:00:00 -0500", strptime_only, ns));
}

TEST(TimestampParseTest, PatternsWithDirectivesStrptimeIgnoresOrLacksAreRefused) {
  TimestampFormat f;
  for (const char* bad : {"%Y-%m-%d %Q", "%G-W%V-%u", "%g %V", "%Ez", "%Ey %Oz", "%Y-%m-%d %", "%E"}) EXPECT_FALSE(TimestampFormat::parse(bad, f)) << bad;
  for (const char* good : {"%Y-%m-%d %k:%M:%S", "%d %b %Y %l:%M %p", "%Ey %OH", "%Y%%%m", "%Y-%m-%d %H:%M:%S %Z", "%s"})
    EXPECT_TRUE(TimestampFormat::parse(good, f)) << good;
}

}  // namespace
}  // namespace logship
