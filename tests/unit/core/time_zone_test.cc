// Times written without a zone, read in the zone the configuration names (`timezone:`).
#include "core/time_zone.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "core/timestamp_parse.h"

namespace logship {
namespace {

std::string read(std::string_view text, const std::string& format, const std::string& zone) {
  TimestampFormat f;
  EXPECT_TRUE(TimestampFormat::parse(format, f));
  std::string why;
  if (!zone.empty()) f.zone = TimeZone::load(zone, why);
  int64_t ns = 0;
  if (!parse_timestamp(text, f, ns)) return "unparsed";
  std::string out;
  append_rfc3339_micros(out, ns);
  return out;
}

TEST(TimeZoneTest, AZoneNameFollowsItsSummerAndWinterTime) {
  EXPECT_EQ(read("2026-07-01 09:00:00", "rfc3339", "Europe/Berlin"), "2026-07-01T07:00:00.000000Z");
  EXPECT_EQ(read("2026-12-01 09:00:00.5", "rfc3339", "Europe/Berlin"), "2026-12-01T08:00:00.500000Z");
  EXPECT_EQ(read("2026-07-01 09:00:00", "rfc3339", "America/New_York"), "2026-07-01T13:00:00.000000Z");
  EXPECT_EQ(read("01/Jul/2026:09:00:00", "%d/%b/%Y:%H:%M:%S", "Asia/Tokyo"), "2026-07-01T00:00:00.000000Z");
}

TEST(TimeZoneTest, ATimeThatNamesItsZoneKeepsIt) {
  EXPECT_EQ(read("2026-07-01T09:00:00Z", "rfc3339", "Europe/Berlin"), "2026-07-01T09:00:00.000000Z");
  EXPECT_EQ(read("2026-07-01T09:00:00+05:30", "rfc3339", "Europe/Berlin"), "2026-07-01T03:30:00.000000Z");
  EXPECT_EQ(read("01/Jul/2026:09:00:00 +0000", "%d/%b/%Y:%H:%M:%S %z", "Asia/Tokyo"), "2026-07-01T09:00:00.000000Z");
  EXPECT_EQ(read("2026-07-01 09:00:00 -0100", "%Y-%m-%d %H:%M:%S", "Asia/Tokyo"), "2026-07-01T10:00:00.000000Z");
}

TEST(TimeZoneTest, WithoutAZoneTimesAreUtc) {
  EXPECT_EQ(read("2026-07-01 09:00:00", "rfc3339", ""), "2026-07-01T09:00:00.000000Z");
  EXPECT_EQ(read("2026-07-01 09:00:00", "rfc3339", "UTC"), "2026-07-01T09:00:00.000000Z");
}

TEST(TimeZoneTest, FixedOffsetsAreZonesToo) {
  EXPECT_EQ(read("2026-07-01 09:00:00", "rfc3339", "+05:30"), "2026-07-01T03:30:00.000000Z");
  EXPECT_EQ(read("2026-07-01 09:00:00", "rfc3339", "-0800"), "2026-07-01T17:00:00.000000Z");
  EXPECT_EQ(read("2026-07-01 09:00:00", "rfc3339", "+01"), "2026-07-01T08:00:00.000000Z");
}

TEST(TimeZoneTest, TheHourSkippedInSpringAndTheOneRepeatedInAutumnHaveOneAnswerEach) {
  // Berlin, 29 March 2026: 02:00 -> 03:00. 02:30 does not exist: read with the winter offset.
  EXPECT_EQ(read("2026-03-29 02:30:00", "rfc3339", "Europe/Berlin"), "2026-03-29T01:30:00.000000Z");
  // 25 October 2026: 03:00 -> 02:00. 02:30 happens twice: the first one (summer time).
  EXPECT_EQ(read("2026-10-25 02:30:00", "rfc3339", "Europe/Berlin"), "2026-10-25T00:30:00.000000Z");
}

TEST(TimeZoneTest, AnUnknownNameIsRefusedRatherThanTakenForUtc) {
  std::string why;
  EXPECT_EQ(TimeZone::load("Europe/Atlantis", why), nullptr);
  EXPECT_NE(why.find("unknown time zone 'Europe/Atlantis'"), std::string::npos) << why;
  for (const char* bad : {"", "+25:00", "+01:99", "Berlin", "+1"}) EXPECT_EQ(TimeZone::load(bad, why), nullptr) << bad;
  EXPECT_NE(TimeZone::load("local", why), nullptr);
}

}  // namespace
}  // namespace logship
