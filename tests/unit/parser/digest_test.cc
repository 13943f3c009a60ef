#include "parser/mysql_slowlog/digest.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

SlowlogEntry entry(std::string_view text, SlowlogEntry& e) {
  parse_slowlog_entry(text, e);
  return e;
}

TEST(LogHistogramTest, P95IsABucketValueNearTheTrueOne) {
  LogHistogram h;
  for (int i = 1; i <= 1000; ++i) h.add(i * 0.001);  // 1 ms .. 1 s
  EXPECT_GE(h.p95(), 0.95 / 1.1);
  EXPECT_LE(h.p95(), 0.95 * 1.05);
}

TEST(LogHistogramTest, FewOrEqualValuesGiveTheMaximum) {
  LogHistogram h;
  h.add(0.2);
  EXPECT_DOUBLE_EQ(h.p95(), 0.2);
  h.add(0.5);
  EXPECT_DOUBLE_EQ(h.p95(), 0.5);
}

TEST(QueryDigestTest, GroupsByFingerprintAndRanksByTotalTime) {
  QueryDigest d;
  SlowlogEntry e;
  auto add = [&](std::string_view text) { return d.add(entry(text, e)); };
  EXPECT_TRUE(add("# Query_time: 0.5  Lock_time: 0.1 Rows_sent: 1  Rows_examined: 10\nSET timestamp=100;\nSELECT * FROM t WHERE id = 1;"));
  EXPECT_TRUE(add("# Query_time: 1.5  Lock_time: 0.1 Rows_sent: 2  Rows_examined: 20\nSET timestamp=200;\nSELECT * FROM t WHERE id = 2;"));
  EXPECT_TRUE(add("# Query_time: 1.0  Lock_time: 0 Rows_sent: 0  Rows_examined: 5\nSET timestamp=150;\nUPDATE t SET a = 1;"));
  EXPECT_FALSE(add("mysqld, Version: 8.0.1 (x). started with:\nTcp port: 1\nTime Id Command Argument"));
  auto ranked = d.ranked();
  ASSERT_EQ(ranked.size(), 2u);
  const QueryClass& top = *ranked[0];
  EXPECT_EQ(top.fingerprint, "select * from t where id = ?");
  EXPECT_EQ(top.id, query_id(top.fingerprint));
  EXPECT_EQ(top.count, 2u);
  EXPECT_DOUBLE_EQ(top.total_time, 2.0);
  EXPECT_DOUBLE_EQ(top.max_time, 1.5);
  EXPECT_DOUBLE_EQ(top.p95_time(), 1.5);
  EXPECT_NEAR(top.total_lock, 0.2, 1e-12);
  EXPECT_EQ(top.rows_examined, 30u);
  EXPECT_EQ(top.first_seen, 100);
  EXPECT_EQ(top.last_seen, 200);
  EXPECT_EQ(top.sample, "SELECT * FROM t WHERE id = 2");  // the slowest
  EXPECT_EQ(d.total_queries(), 3u);
  EXPECT_EQ(d.skipped(), 1u);
}

}  // namespace
}  // namespace logship
