// What a real broker refuses for good, class by class: each refused event ends in the kafka
// sink's dead letters with Kafka's own error, the rest is delivered, and the file checkpoint
// moves past both (nothing is acknowledged that was neither delivered nor dead-lettered).
// One broker for the suite: auto-creation off, an authorizer, and a SASL/PLAIN listener for
// users with (alice) and without (bob) rights.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>

#include "core/plain_encoder.h"
#include "tests/integration/kafka_broker.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;

class KafkaRefusalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    broker_ = new testing::KafkaBroker(*dir_ / "kafka");
    bool ok = broker_->start({
        "auto.create.topics.enable=false",
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users=User:ANONYMOUS",  // the PLAINTEXT and controller listeners: the test's admin
        "listeners+=SASL_PLAINTEXT://127.0.0.1:@PORT_SASL@",
        "advertised.listeners+=SASL_PLAINTEXT://127.0.0.1:@PORT_SASL@",
        "listener.security.protocol.map+=SASL_PLAINTEXT:SASL_PLAINTEXT",
        "sasl.enabled.mechanisms=PLAIN",
        "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        "user_alice=\"alice-secret\" user_bob=\"bob-secret\";",
    });
    ASSERT_TRUE(ok) << testing::read_file(*dir_ / "kafka.start.err") << testing::read_file(*dir_ / "kafka/stdout.log");
    const std::string& b = broker_->bootstrap();
    for (const char* t : {"logs.allowed", "logs.denied"}) ASSERT_EQ(testing::create_topic(b, t, 1), "");
    ASSERT_EQ(testing::create_topic(b, "logs.small", 1, {{"max.message.bytes", "4096"}}), "");
    ASSERT_EQ(testing::create_topic(b, "logs.compacted", 1, {{"cleanup.policy", "compact"}}), "");
    // alice may write logs.allowed (which also lets her producer get an id), nothing else.
    ASSERT_EQ(testing::allow(b, "User:alice", "WRITE", "logs.allowed"), "");
    ASSERT_EQ(testing::allow(b, "User:alice", "DESCRIBE", "logs.allowed"), "");
  }
  static void TearDownTestSuite() {
    delete broker_;
    delete dir_;
  }

  // Ships `lines` from a file of its own through a kafka sink with `sink_extra` (YAML, indented
  // 4) and `--once`; returns the exit code.
  int ship(const std::string& name, const std::string& lines, const std::string& sink_extra, const std::string& dataset,
           const std::string& bootstrap = "") {
    std::filesystem::create_directories(*dir_ / (name + "/logs"));
    testing::write_file(*dir_ / (name + "/logs/a.log"), lines);
    testing::write_file(*dir_ / (name + "/p.yaml"),
                        "data_dir: " + *dir_ / (name + "/data") + "\nshutdown_timeout: 20s\nsources:\n  app: {type: file, include: ['" +
                            *dir_ / (name + "/logs/*.log") + "'], dataset: " + dataset + "}\nsinks:\n  kafka:\n    type: kafka\n"
                            "    inputs: [app]\n    bootstrap_servers: " + (bootstrap.empty() ? broker_->bootstrap() : bootstrap) + "\n" +
                            sink_extra);
    testing::Process p({testing::logship_binary(), "run", "--once", "-c", *dir_ / (name + "/p.yaml")}, *dir_ / (name + "/logship.err"));
    return p.wait(std::chrono::seconds(120));
  }
  std::string log_of(const std::string& name) { return testing::read_file(*dir_ / (name + "/logship.err")); }
  // The dead letters of a run: error.type of each, and the originals' messages.
  std::vector<std::pair<std::string, std::string>> dead_letters(const std::string& name) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string path = *dir_ / (name + "/data/dead-letter/kafka.ndjson");
    if (!std::filesystem::exists(path)) return out;
    simdjson::dom::parser parser;
    for (const auto& line : testing::read_lines(path)) {
      simdjson::dom::element rec = parser.parse(line);
      simdjson::dom::parser inner;
      std::string original{std::string_view(rec["event"]["original"])};
      simdjson::dom::element ev = inner.parse(original);
      out.emplace_back(std::string(std::string_view(rec["error"]["type"])), std::string(std::string_view(ev["message"])));
    }
    return out;
  }
  // Whether the file checkpoint reached the end of the log (everything resolved).
  bool checkpoint_at_end(const std::string& name) {
    auto size = std::filesystem::file_size(*dir_ / (name + "/logs/a.log"));
    return testing::read_file(*dir_ / (name + "/data/app.checkpoints.json")).find("\"offset\":" + std::to_string(size) + ",") !=
           std::string::npos;
  }
  std::string sasl(const std::string& user) {
    return "    librdkafka: {security.protocol: SASL_PLAINTEXT, sasl.mechanism: PLAIN, sasl.username: " + user + ", sasl.password: " + user +
           "-secret}\n";
  }
  std::string sasl_bootstrap() { return "127.0.0.1:" + std::to_string(broker_->port("SASL")); }
  static std::string lines(const std::string& prefix, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += prefix + " " + std::to_string(i) + "\n";
    return out;
  }

  static testing::TempDir* dir_;
  static testing::KafkaBroker* broker_;
};

testing::TempDir* KafkaRefusalTest::dir_ = nullptr;
testing::KafkaBroker* KafkaRefusalTest::broker_ = nullptr;

TEST_F(KafkaRefusalTest, UnknownTopicWithAutoCreationOffIsDeadLettered) {
  // librdkafka gives up on a topic the cluster does not know after topic.metadata.propagation.max.ms.
  ASSERT_EQ(ship("unknown", lines("lost?", 20), "    topic: logs.nowhere\n    librdkafka: {topic.metadata.propagation.max.ms: '3000'}\n", "x"), 0)
      << log_of("unknown");
  auto dead = dead_letters("unknown");
  ASSERT_EQ(dead.size(), 20u) << log_of("unknown");
  EXPECT_TRUE(dead[0].first == "_UNKNOWN_TOPIC" || dead[0].first == "UNKNOWN_TOPIC_OR_PART") << dead[0].first;
  EXPECT_TRUE(checkpoint_at_end("unknown"));
  EXPECT_NE(log_of("unknown").find("refused events for good"), std::string::npos);
}

TEST_F(KafkaRefusalTest, TopicAuthorizationFailedIsDeadLetteredWhileAnAllowedTopicIsDelivered) {
  ASSERT_EQ(ship("allowed", lines("fine", 30), "    topic: logs.allowed\n" + sasl("alice"), "x", sasl_bootstrap()), 0) << log_of("allowed");
  EXPECT_TRUE(dead_letters("allowed").empty()) << log_of("allowed");
  EXPECT_EQ(testing::consume_all(broker_->bootstrap(), "logs.allowed", 30, 60s).size(), 30u);

  ASSERT_EQ(ship("denied", lines("secret", 30), "    topic: logs.denied\n" + sasl("alice"), "x", sasl_bootstrap()), 0) << log_of("denied");
  auto dead = dead_letters("denied");
  ASSERT_EQ(dead.size(), 30u) << log_of("denied");
  EXPECT_EQ(dead[0].first, "TOPIC_AUTHORIZATION_FAILED");
  EXPECT_TRUE(checkpoint_at_end("denied"));
}

TEST_F(KafkaRefusalTest, ClusterAuthorizationFailedIsDeadLettered) {
  // bob may do nothing: his idempotent producer cannot even get a producer id.
  ASSERT_EQ(ship("cluster", lines("nobody", 10), "    topic: logs.allowed\n" + sasl("bob"), "x", sasl_bootstrap()), 0) << log_of("cluster");
  auto dead = dead_letters("cluster");
  ASSERT_EQ(dead.size(), 10u) << log_of("cluster");
  EXPECT_NE(dead[0].first.find("AUTHORIZATION_FAILED"), std::string::npos) << dead[0].first;
  EXPECT_TRUE(checkpoint_at_end("cluster"));
}

TEST_F(KafkaRefusalTest, ARecordTooLargeForTheTopicIsDeadLetteredAndItsNeighboursAreDelivered) {
  // The topic takes 4 KiB records; one line of ~12 KiB that does not compress.
  std::string big;
  for (int i = 0; big.size() < 12000; ++i) big += std::to_string(static_cast<uint64_t>(i) * 2654435761u % 1000003) + "x";
  std::string text = lines("before", 50) + big + "\n" + lines("after", 50);
  ASSERT_EQ(ship("small", text, "    topic: logs.small\n", "x"), 0) << log_of("small");
  auto dead = dead_letters("small");
  ASSERT_EQ(dead.size(), 1u) << log_of("small");
  EXPECT_EQ(dead[0].first, "MSG_SIZE_TOO_LARGE");
  EXPECT_EQ(dead[0].second, big);
  EXPECT_EQ(testing::consume_all(broker_->bootstrap(), "logs.small", 100, 60s).size(), 100u);
  EXPECT_TRUE(checkpoint_at_end("small"));
}

TEST_F(KafkaRefusalTest, AnInvalidRecordIsDeadLettered) {
  // A compacted topic takes only records with a key.
  ASSERT_EQ(ship("keyless", lines("no key", 5), "    topic: logs.compacted\n    key: none\n", "x"), 0) << log_of("keyless");
  auto dead = dead_letters("keyless");
  ASSERT_EQ(dead.size(), 5u) << log_of("keyless");
  EXPECT_EQ(dead[0].first, "INVALID_RECORD");
  EXPECT_TRUE(checkpoint_at_end("keyless"));
}

TEST_F(KafkaRefusalTest, AnInvalidTopicNameFromATemplateIsDeadLettered) {
  ASSERT_EQ(ship("badname", lines("where", 5), "    topic: 'logs.{{ event.dataset }}'\n", "'has spaces/and slashes'"), 0) << log_of("badname");
  auto dead = dead_letters("badname");
  ASSERT_EQ(dead.size(), 5u) << log_of("badname");
  EXPECT_EQ(dead[0].first, "invalid_topic");
  EXPECT_TRUE(checkpoint_at_end("badname"));
}

}  // namespace
}  // namespace logship
