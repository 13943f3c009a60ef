// Kafka -> file through the logship binary: the indexer side, against a real broker.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "tests/integration/kafka_broker.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

std::string field(const std::string& json, const std::string& name) {
  size_t at = json.find("\"" + name + "\":\"");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return json.substr(at, json.find('"', at) - at);
}

class KafkaSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<testing::KafkaBroker>(dir_ / "kafka");
    ASSERT_TRUE(broker_->start()) << testing::read_file(dir_ / "kafka.start.err");
    std::filesystem::create_directories(dir_ / "logs");
  }
  std::string indexer(const std::string& out, const std::string& topics = "['^logs\\..*']") {
    return "data_dir: " + dir_ / "idx" + "\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " + broker_->bootstrap() +
           "\n    group_id: indexer\n    topics: " + topics +
           "\n    commit_interval: 200ms\n    librdkafka: {session.timeout.ms: '6000'}\nsinks:\n  out: {type: file, inputs: [logs], path: " +
           out + "}\n";
  }
  int run(const std::string& yaml_name, bool once = true) {
    std::vector<std::string> argv{testing::logship_binary(), "run", "-c", dir_ / yaml_name};
    if (once) argv.push_back("--once");
    testing::Process p(argv, dir_ / (yaml_name + ".err"));
    return p.wait(std::chrono::seconds(180));
  }
  testing::TempDir dir_;
  std::unique_ptr<testing::KafkaBroker> broker_;
};

TEST_F(KafkaSourceTest, SidecarToIndexerDeliversEveryEventOnceWithItsIdThenCommits) {
  std::string lines;
  for (int i = 0; i < 3000; ++i) lines += "line-" + std::to_string(i) + "\n";
  testing::write_file(dir_ / "logs/a.log", lines);
  testing::write_file(dir_ / "sidecar.yaml", "data_dir: " + dir_ / "sc" + "\nsources:\n  app: {type: file, include: ['" + dir_ / "logs/a.log" +
                                                 "'], dataset: app}\nsinks:\n  k:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: " +
                                                 broker_->bootstrap() + "\n    topic: 'logs.{{ event.dataset }}'\n    create_topics: {partitions: 3}\n");
  ASSERT_EQ(run("sidecar.yaml"), 0) << testing::read_file(dir_ / "sidecar.yaml.err");
  testing::write_file(dir_ / "indexer.yaml", indexer(dir_ / "out.ndjson"));
  ASSERT_EQ(run("indexer.yaml"), 0) << testing::read_file(dir_ / "indexer.yaml.err");

  auto out = testing::read_lines(dir_ / "out.ndjson");
  ASSERT_EQ(out.size(), 3000u);
  std::set<std::string> messages, ids;
  for (const auto& l : out) {
    messages.insert(field(l, "message"));
    ids.insert(field(l, "id"));
    EXPECT_EQ(field(l, "dataset"), "app");
  }
  EXPECT_EQ(messages.size(), 3000u);
  EXPECT_EQ(ids.size(), 3000u);  // the sidecar's ids came through untouched
  // The offsets were committed: the group has nothing more to read.
  ASSERT_EQ(run("indexer.yaml"), 0);
  EXPECT_EQ(testing::read_lines(dir_ / "out.ndjson").size(), 3000u);
}

TEST_F(KafkaSourceTest, MessagesFromOtherProducersBecomeEventsWithIdsFromTheirOffsets) {
  testing::produce_plain(broker_->bootstrap(), "logs.foreign", {"plain one", "{\"json\":\"two\"}", "three"});
  testing::write_file(dir_ / "indexer.yaml", indexer(dir_ / "out.ndjson", "[logs.foreign]"));
  ASSERT_EQ(run("indexer.yaml"), 0) << testing::read_file(dir_ / "indexer.yaml.err");
  auto out = testing::read_lines(dir_ / "out.ndjson");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(field(out[0], "message"), "plain one");
  EXPECT_EQ(field(out[0], "dataset"), "logs.foreign");
  EXPECT_EQ(field(out[0], "path"), "kafka:logs.foreign/0");
  EXPECT_EQ(field(out[0], "id").size(), 32u);
  EXPECT_NE(out[1].find("\"message\":\"{\\\"json\\\":\\\"two\\\"}\""), std::string::npos) << out[1];
}

TEST_F(KafkaSourceTest, IndexerKilledMidStreamLosesNothingAfterRestart) {
  std::vector<std::string> values;
  for (int i = 0; i < 50000; ++i) values.push_back("message-" + std::to_string(i) + " with some payload to carry along");
  testing::produce_plain(broker_->bootstrap(), "logs.load", values);
  testing::write_file(dir_ / "indexer.yaml", indexer(dir_ / "out.ndjson", "[logs.load]"));
  {
    testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "indexer.yaml"}, dir_ / "indexer.err");
    ASSERT_TRUE(testing::eventually([&] { return testing::read_lines(dir_ / "out.ndjson").size() > 5000; }, std::chrono::seconds(60)));
    p.signal(SIGKILL);
    p.wait();
  }
  ASSERT_EQ(run("indexer.yaml"), 0) << testing::read_file(dir_ / "indexer.yaml.err");
  std::map<std::string, int> seen;
  int not_json = 0;
  for (const auto& m : testing::messages_of(dir_ / "out.ndjson", &not_json)) ++seen[m];
  EXPECT_LE(not_json, 1);  // at most the line the kill cut in half
  EXPECT_EQ(seen.size(), 50000u) << "every message delivered at least once";
}

}  // namespace
}  // namespace logship
