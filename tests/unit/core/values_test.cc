#include "core/config/values.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

TEST(ValuesTest, ParsesDurationsWithUnits) {
  Duration d;
  ASSERT_TRUE(parse_duration("250ms", d));
  EXPECT_EQ(d.value.count(), 250);
  ASSERT_TRUE(parse_duration("5s", d));
  EXPECT_EQ(d.value.count(), 5000);
  ASSERT_TRUE(parse_duration("2m", d));
  EXPECT_EQ(d.value.count(), 120000);
  ASSERT_TRUE(parse_duration("1.5", d));
  EXPECT_EQ(d.value.count(), 1500);
  EXPECT_FALSE(parse_duration("soon", d));
  EXPECT_FALSE(parse_duration("5 parsecs", d));
  EXPECT_FALSE(parse_duration("-1s", d));
}

TEST(ValuesTest, ParsesByteSizesBinaryAndDecimal) {
  ByteSize b;
  ASSERT_TRUE(parse_byte_size("1MiB", b));
  EXPECT_EQ(b.value, 1048576u);
  ASSERT_TRUE(parse_byte_size("64KiB", b));
  EXPECT_EQ(b.value, 65536u);
  ASSERT_TRUE(parse_byte_size("10MB", b));
  EXPECT_EQ(b.value, 10000000u);
  ASSERT_TRUE(parse_byte_size("4096", b));
  EXPECT_EQ(b.value, 4096u);
  EXPECT_FALSE(parse_byte_size("lots", b));
}

TEST(ValuesTest, FormatsDefaultsTheWayUsersWriteThem) {
  EXPECT_EQ(format_duration(Duration{std::chrono::milliseconds(30000)}), "30s");
  EXPECT_EQ(format_duration(Duration{std::chrono::milliseconds(250)}), "250ms");
  EXPECT_EQ(format_byte_size(ByteSize{1 << 20}), "1MiB");
  EXPECT_EQ(format_byte_size(ByteSize{1000}), "1000");
}

}  // namespace
}  // namespace logship
