// The pipelines `scripts/demo` runs, on the bundled logs, through a real local broker: every
// parser reads its file cleanly and every event comes back from Kafka.
#include <gtest/gtest.h>

#include "tests/integration/kafka_broker.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(DemoPipelineTest, BundledLogsParseCleanlyAndComeBackFromKafka) {
  testing::TempDir dir;
  testing::KafkaBroker broker(dir / "kafka");
  ASSERT_TRUE(broker.start()) << testing::read_file(dir / "kafka.start.err");
  auto run = [&](const std::string& pipeline) {
    testing::Process p({"/bin/sh", "-c",
                        "cd '" + std::string(LOGSHIP_SOURCE_DIR) + "' && LOGSHIP_DEMO_DIR='" + dir.path() + "' KAFKA_BOOTSTRAP='" +
                            broker.bootstrap() + "' exec '" + testing::logship_binary() + "' run --once -c " + pipeline},
                       dir / "stderr");
    return p.wait(std::chrono::seconds(180));
  };
  ASSERT_EQ(run("pipelines/demo.yaml"), 0) << testing::read_file(dir / "stderr");
  ASSERT_EQ(run("pipelines/demo-indexer.yaml"), 0) << testing::read_file(dir / "stderr");
  std::string events = testing::read_file(dir / "events.ndjson");
  EXPECT_EQ(count(events, "\n"), 300 + 300 + 120 + 29);  // app, access, service (traces joined), slow log (27 + 2 headers)
  EXPECT_EQ(count(events, "json_parse_error"), 0);
  EXPECT_EQ(count(events, "unparsed"), 0);
  EXPECT_EQ(count(events, "slowlog_fragment"), 0);
  EXPECT_EQ(count(events, "\"fingerprint\":"), 27);
  EXPECT_EQ(count(events, "\"dataset\":\"nginx.access\""), 300);
  EXPECT_GT(testing::split_lines(testing::read_file(dir / "errors.ndjson")).size(), 0u);
  // The indexer read every event back, ids and all.
  auto shipped = testing::split_lines(events, true);
  auto indexed = testing::split_lines(testing::read_file(dir / "indexed.ndjson"), true);
  EXPECT_EQ(indexed, shipped);
}

}  // namespace
}  // namespace logship
