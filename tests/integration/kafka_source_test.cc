// Kafka -> file through the logship binary: the indexer side, against a real broker.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

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
  // Three partitions, no key: the order across partitions is not defined. Find each message.
  std::map<std::string, std::string> by_message;
  for (const auto& l : out) {
    EXPECT_EQ(field(l, "dataset"), "logs.foreign");
    EXPECT_EQ(field(l, "path").rfind("kafka:logs.foreign/", 0), 0u) << l;
    EXPECT_EQ(field(l, "id").size(), 32u);
    by_message[field(l, "message")] = l;
  }
  EXPECT_EQ(by_message.count("plain one"), 1u);
  EXPECT_EQ(by_message.count("three"), 1u);
  bool json_kept_as_text = false;
  for (const auto& l : out) json_kept_as_text |= l.find("\"message\":\"{\\\"json\\\":\\\"two\\\"}\"") != std::string::npos;
  EXPECT_TRUE(json_kept_as_text) << "a JSON message from another producer is kept as its text";
}

// Whoever can write to the topic can dress a message up as logship's own event. Forwarded byte
// for byte, a line break in it put a bulk action of the writer's into the indexer's request
// (one 221-byte message deleted a document). Only one JSON object on one line whose own
// event.id is the id is forwarded; the rest is shipped as text, flagged.
TEST_F(KafkaSourceTest, AMessageDressedAsALogshipEventIsForwardedOnlyWhenItIsOneJsonObjectWithThatId) {
  const std::string id = "0123456789abcdef0123456789abcdef";
  const std::string meta = "},\"event\":{\"id\":\"" + id + "\",\"dataset\":\"app\"}}";
  const std::string with_action = "{\"message\":\"x\",\"log\":{\"offset\":1" + meta +
                                  "\n{\"delete\":{\"_index\":\"victim\",\"_id\":\"1\"}}\n{\"a\":1,\"log\":{\"offset\":2" + meta;
  const std::string nested_id = "{\"message\":\"y\",\"inner\":{\"log\":{\"offset\":1" + meta + "}";
  const std::string cr_inside = "{\"message\":\"z\",\r\"log\":{\"offset\":1" + meta;
  const std::string genuine = "{\"message\":\"real\",\"log\":{\"offset\":1" + meta;
  testing::produce_plain(broker_->bootstrap(), "logs.forged", {with_action, nested_id, cr_inside, genuine});
  testing::write_file(dir_ / "indexer.yaml", indexer(dir_ / "out.ndjson", "[logs.forged]"));
  ASSERT_EQ(run("indexer.yaml"), 0) << testing::read_file(dir_ / "indexer.yaml.err");
  auto out = testing::read_lines(dir_ / "out.ndjson");
  ASSERT_EQ(out.size(), 4u) << testing::read_file(dir_ / "out.ndjson");
  int wrapped = 0, forwarded = 0;
  for (const auto& l : out) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    EXPECT_FALSE(parser.parse(l).get(root)) << "not valid JSON: " << l;
    if (l == genuine) {
      ++forwarded;
      continue;
    }
    EXPECT_NE(l.find("\"flags\":[\"not_an_event\"]"), std::string::npos) << l;
    EXPECT_NE(field(l, "id"), id) << "a wrapped message gets an id of its own: " << l;
    ++wrapped;
  }
  EXPECT_EQ(wrapped, 3);
  EXPECT_EQ(forwarded, 1) << "logship's own events still pass through untouched";
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

TEST_F(KafkaSourceTest, TwoIndexersShareThePartitionsAndOneTakesOverWhenTheOtherIsKilled) {
  auto sidecar = [&](const std::string& name, const std::string& include) {
    testing::write_file(dir_ / (name + ".yaml"), "data_dir: " + dir_ / ("sc-" + name) + "\nsources:\n  app: {type: file, include: ['" + include +
                                                     "'], dataset: app}\nsinks:\n  k:\n    type: kafka\n    inputs: [app]\n"
                                                     "    bootstrap_servers: " + broker_->bootstrap() +
                                                     "\n    topic: logs.shared\n    key: none\n    create_topics: {partitions: 4}\n");
  };
  // The topic exists (4 partitions) before the indexers join.
  testing::write_file(dir_ / "first.log", "first\n");
  sidecar("first", dir_ / "first.log");
  ASSERT_EQ(run("first.yaml"), 0) << testing::read_file(dir_ / "first.yaml.err");

  // Two members of one group, each writing its own file; small batches, so they take a while.
  auto config = [&](const std::string& n) {
    return "data_dir: " + dir_ / ("idx" + n) + "\nbuffer_bytes: 64KiB\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " +
           broker_->bootstrap() + "\n    group_id: shared\n    topics: [logs.shared]\n    commit_interval: 100ms\n    batch_bytes: 4KiB\n"
           "    librdkafka: {session.timeout.ms: '6000'}\nsinks:\n  out: {type: file, inputs: [logs], path: " + dir_ / ("out" + n + ".ndjson") + "}\n";
  };
  testing::write_file(dir_ / "i1.yaml", config("1"));
  testing::write_file(dir_ / "i2.yaml", config("2"));
  testing::Process a({testing::logship_binary(), "run", "-c", dir_ / "i1.yaml"}, dir_ / "i1.err");
  ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir_ / "i1.err").find("partition assigned") != std::string::npos; },
                                  std::chrono::seconds(60)));
  testing::Process b({testing::logship_binary(), "run", "-c", dir_ / "i2.yaml"}, dir_ / "i2.err");
  ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir_ / "i2.err").find("partition assigned") != std::string::npos; },
                                  std::chrono::seconds(60)))
      << "the second member gets partitions";

  // Now the load: 200k events spread over the 4 partitions.
  std::string lines;
  for (int i = 0; i < 200000; ++i) lines += "line-" + std::to_string(i) + " payload\n";
  testing::write_file(dir_ / "logs/bulk.log", lines);
  sidecar("bulk", dir_ / "logs/bulk.log");
  ASSERT_EQ(run("bulk.yaml"), 0) << testing::read_file(dir_ / "bulk.yaml.err");
  ASSERT_TRUE(testing::eventually([&] { return testing::read_lines(dir_ / "out1.ndjson").size() > 1000 &&
                                               testing::read_lines(dir_ / "out2.ndjson").size() > 1000; },
                                  std::chrono::seconds(90)))
      << "both members consume";
  // While both run, no message goes to both.
  a.signal(SIGSTOP);  // freeze a for a consistent look at both outputs
  b.signal(SIGSTOP);
  {
    std::set<std::string> in_a;
    for (const auto& l : testing::read_lines(dir_ / "out1.ndjson")) in_a.insert(field(l, "id"));
    size_t both = 0;
    for (const auto& l : testing::read_lines(dir_ / "out2.ndjson")) both += in_a.count(field(l, "id"));
    EXPECT_EQ(both, 0u) << "messages consumed by both members";
  }
  b.signal(SIGCONT);
  a.signal(SIGKILL);
  a.wait();
  // b takes over a's partitions and reads everything that is left; redeliveries keep their ids.
  std::map<std::string, std::string> id_by_message;
  bool ids_kept = true;
  ASSERT_TRUE(testing::eventually([&] {
    id_by_message.clear();
    for (const auto& file : {dir_ / "out1.ndjson", dir_ / "out2.ndjson"})
      for (const auto& l : testing::read_lines(file)) {
        if (l.empty() || l.back() != '}') continue;  // the line the kill cut
        auto [it, first] = id_by_message.emplace(field(l, "message"), field(l, "id"));
        if (!first && it->second != field(l, "id")) ids_kept = false;
      }
    return id_by_message.size() == 200001u;
  }, std::chrono::seconds(180))) << "messages seen: " << id_by_message.size();
  EXPECT_TRUE(ids_kept) << "a redelivered message must carry the same event id";
  b.signal(SIGTERM);
  EXPECT_EQ(b.wait(std::chrono::seconds(60)), 0);
}

}  // namespace
}  // namespace logship
