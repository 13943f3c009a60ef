// logship digest against Debian's pt-query-digest on the same generated slow logs: the same
// query classes (ids), the same counts, the same total time and 95th percentile.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "tests/support/test_support.h"

namespace logship {
namespace {

struct ClassFigures {
  uint64_t count = 0;
  double total = 0;
  double p95 = 0;
};

class PtQueryDigestTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PtQueryDigestTest, SameClassesCountsTotalsAndPercentiles) {
  if (!std::filesystem::exists("/usr/bin/pt-query-digest")) GTEST_SKIP() << "percona-toolkit is not installed";
  testing::TempDir dir;
  std::string log = dir / "slow.log";
  testing::Process gen({"/usr/bin/python3", std::string(LOGSHIP_SOURCE_DIR) + "/bench/gen/gen_slowlog.py", "--flavor", GetParam(),
                        "--size", "2MiB", "--seed", "7"},
                       dir / "gen.err", log);
  ASSERT_EQ(gen.wait(), 0) << testing::read_file(dir / "gen.err");

  testing::Process pt({"/usr/bin/pt-query-digest", "--output", "json", "--limit", "100%", log}, dir / "pt.err", dir / "pt.json");
  ASSERT_EQ(pt.wait(std::chrono::seconds(300)), 0) << testing::read_file(dir / "pt.err");
  testing::Process ours({testing::logship_binary(), "digest", "--format", "json", "--limit", "100000", log}, dir / "ours.err",
                        dir / "ours.json");
  ASSERT_EQ(ours.wait(), 0) << testing::read_file(dir / "ours.err");

  simdjson::dom::parser p1, p2;
  std::map<std::string, ClassFigures> theirs, mine;
  for (auto c : p1.load(dir / "pt.json")["classes"]) {
    auto q = c["metrics"]["Query_time"];
    theirs[std::string(std::string_view(c["checksum"]))] = {uint64_t(c["query_count"]), std::stod(std::string(std::string_view(q["sum"]))),
                                                            std::stod(std::string(std::string_view(q["pct_95"])))};
  }
  for (auto c : p2.load(dir / "ours.json")) {
    mine[std::string(std::string_view(c["id"]))] = {uint64_t(c["count"]), double(c["total_time_sec"]), double(c["p95_time_sec"])};
  }
  ASSERT_GT(theirs.size(), 100u);
  ASSERT_EQ(mine.size(), theirs.size());
  for (const auto& [id, t] : theirs) {
    auto it = mine.find(id);
    ASSERT_NE(it, mine.end()) << "class " << id << " missing";
    EXPECT_EQ(it->second.count, t.count) << id;
    EXPECT_NEAR(it->second.total, t.total, 1e-5 + t.total * 1e-6) << id;
    EXPECT_NEAR(it->second.p95, t.p95, t.p95 * 1e-5 + 1e-6) << id;  // pt prints 6 decimals
  }
}

INSTANTIATE_TEST_SUITE_P(Flavours, PtQueryDigestTest, ::testing::Values("mysql8", "percona", "mariadb"));

}  // namespace
}  // namespace logship
