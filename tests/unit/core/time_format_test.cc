// RFC 3339 formatting against libc's gmtime_r, over dates that trip calendar code.
#include "core/time_format.h"

#include <gtest/gtest.h>

#include <ctime>

namespace logship {
namespace {

std::string by_libc(int64_t unix_nanos, int digits) {
  int64_t secs = unix_nanos / 1000000000, frac = unix_nanos % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char frac_text[16];
  std::snprintf(frac_text, sizeof(frac_text), ".%09lld", static_cast<long long>(frac));
  return std::string(buf) + std::string(frac_text).substr(0, 1 + digits) + "Z";
}

TEST(TimeFormatTest, MatchesGmtimeAcrossLeapYearsCenturiesAndNegativeTimes) {
  const int64_t seconds[] = {0, -1, 951782400 /* 2000-02-29 */, 951868799, 4107542400 /* 2100-03-01 */, 1795683600,
                             -2208988800 /* 1900-01-01 */, 1709164800 /* 2024-02-29 */, 9223372035 /* 2262, the last second in int64 nanoseconds */};
  for (int64_t s : seconds) {
    for (int64_t frac : {0LL, 1LL, 123456789LL, 999999999LL}) {
      int64_t ns = s * 1000000000 + frac;
      std::string millis, micros;
      append_rfc3339_millis(millis, ns);
      append_rfc3339_micros(micros, ns);
      EXPECT_EQ(millis, by_libc(ns, 3)) << s;
      EXPECT_EQ(micros, by_libc(ns, 6)) << s;
    }
  }
  // Every day of four years, so each month length and leap day is crossed.
  for (int64_t s = 1704067200; s < 1704067200 + 4 * 366 * 86400LL; s += 86400 - 7) {
    std::string text;
    append_rfc3339_millis(text, s * 1000000000);
    ASSERT_EQ(text, by_libc(s * 1000000000, 3)) << s;
  }
}

}  // namespace
}  // namespace logship
