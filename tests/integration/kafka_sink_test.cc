// file -> Kafka through the logship binary, against a real broker.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <thread>

#include <filesystem>
#include <map>
#include <set>

#include "core/plain_encoder.h"
#include "clients/elasticsearch/es_connection.h"
#include "tests/integration/kafka_broker.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

std::string numbered(const std::string& prefix, int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) out += prefix + "-" + std::to_string(i) + " payload\n";
  return out;
}

std::string pipeline(const testing::TempDir& dir, const std::string& bootstrap, const std::string& extra = "") {
  return "data_dir: " + dir / "data" + "\nsources:\n  app:\n    type: file\n    include: ['" + dir.path() +
         "/logs/*.log']\n    dataset: app\n    checkpoint_interval: 100ms\nsinks:\n  kafka:\n    type: kafka\n    inputs: [app]\n"
         "    bootstrap_servers: " + bootstrap + "\n    topic: 'logs.{{ event.dataset }}'\n    create_topics: {partitions: 3}\n" + extra;
}

class KafkaSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = std::make_unique<testing::KafkaBroker>(dir_ / "kafka");
    ASSERT_TRUE(broker_->start()) << testing::read_file(dir_ / "kafka.start.err");
    std::filesystem::create_directories(dir_ / "logs");
  }
  testing::TempDir dir_;
  std::unique_ptr<testing::KafkaBroker> broker_;
};

TEST_F(KafkaSinkTest, EveryLineArrivesExactlyOnceInFileOrderPerKey) {
  std::map<std::string, std::string> files;
  for (int f = 0; f < 4; ++f) {
    std::string name = "f" + std::to_string(f);
    files[name] = numbered(name, 0, 2500);
    testing::write_file(dir_ / ("logs/" + name + ".log"), files[name]);
  }
  testing::write_file(dir_ / "p.yaml", pipeline(dir_, broker_->bootstrap()));
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  ASSERT_EQ(p.wait(std::chrono::seconds(120)), 0) << testing::read_file(dir_ / "logship.err");

  auto messages = testing::consume_all(broker_->bootstrap(), "logs.app", 10000, std::chrono::seconds(60));
  ASSERT_EQ(messages.size(), 10000u);
  std::map<std::string, std::vector<int64_t>> offsets_by_key;  // log.offset in arrival order, per key
  std::map<std::string, std::set<int32_t>> partitions_by_key;
  std::set<std::string> seen;
  for (const auto& m : messages) {
    size_t at = m.value.find("\"message\":\"");
    ASSERT_NE(at, std::string::npos) << m.value;
    std::string message = m.value.substr(at + 11, m.value.find('"', at + 11) - at - 11);
    EXPECT_TRUE(seen.insert(message).second) << "twice: " << message;
    size_t off = m.value.find("\"offset\":");
    offsets_by_key[m.key].push_back(std::stoll(m.value.substr(off + 9)));
    partitions_by_key[m.key].insert(m.partition);
    EXPECT_TRUE(m.headers.empty()) << "headers only when asked for";
    std::string_view id, dataset;
    ASSERT_TRUE(find_event_metadata(m.value, id, dataset)) << m.value;
    EXPECT_EQ(dataset, "app");
  }
  EXPECT_EQ(seen.size(), 10000u);
  ASSERT_EQ(offsets_by_key.size(), 4u);  // one key per file
  for (const auto& [key, offsets] : offsets_by_key) {
    EXPECT_EQ(partitions_by_key[key].size(), 1u) << "a file's lines stay in one partition";
    EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end())) << "file order kept for key " << key;
  }
}

TEST_F(KafkaSinkTest, MetricsShowTheProducersQueueBrokerRoundTripAndBatchSizes) {
  testing::write_file(dir_ / "logs/a.log", numbered("a", 0, 1000));
  testing::write_file(dir_ / "p.yaml", "api: {address: '127.0.0.1:0'}\n" + pipeline(dir_, broker_->bootstrap(), "    stats_interval: 200ms\n"));
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  auto log = [&] { return testing::read_file(dir_ / "logship.err"); };
  std::string url;
  ASSERT_TRUE(testing::eventually([&] { return !(url = testing::api_url_in_log(log())).empty(); }, std::chrono::seconds(20))) << log();
  EsConnection conn;
  conn.endpoints = {url};
  EsClient api(conn);
  // Lines keep coming, so every statistics window has requests and batches in it.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    for (int i = 1000; writing.load(); i += 100) {
      testing::append_file(dir_ / "logs/a.log", numbered("a", i, i + 100));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  // A gauge's value in the Prometheus text, or -1 when the series is absent.
  auto value = [](const std::string& body, const std::string& series) {
    size_t line = body.find("\n" + series + " ");
    return line == std::string::npos ? -1.0 : std::stod(body.substr(line + series.size() + 2));
  };
  std::string broker = "broker=\"" + broker_->bootstrap() + "/1\"";  // librdkafka's name: host:port/node id
  std::string body;
  bool seen = testing::eventually([&] {
    body = api.request("GET", "/metrics").body;
    return value(body, "logship_kafka_broker_rtt_seconds{component=\"kafka\"," + broker + ",stat=\"avg\"}") > 0 &&
           value(body, "logship_kafka_batch_messages{component=\"kafka\",topic=\"logs.app\"}") > 0 &&
           value(body, "logship_kafka_batch_bytes{component=\"kafka\",topic=\"logs.app\"}") > 0;
  }, std::chrono::seconds(60));
  writing.store(false);
  writer.join();
  EXPECT_TRUE(seen) << body;
  EXPECT_GE(value(body, "logship_kafka_broker_rtt_seconds{component=\"kafka\"," + broker + ",stat=\"p99\"}"), 0) << body;
  EXPECT_GE(value(body, "logship_kafka_broker_requests_in_flight{component=\"kafka\"," + broker + "}"), 0) << body;
  EXPECT_GE(value(body, "logship_kafka_producer_queue_messages{component=\"kafka\"}"), 0) << body;
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 0) << log();
}

TEST_F(KafkaSinkTest, OversizeEventIsTruncatedFlaggedAndTheRestFlows) {
  std::string huge(300000, 'x');
  testing::write_file(dir_ / "logs/a.log", "before\n" + huge + "\nafter\n");
  testing::write_file(dir_ / "p.yaml", pipeline(dir_, broker_->bootstrap(), "    max_message_bytes: 100KiB\n") +
                                           "" );
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  ASSERT_EQ(p.wait(std::chrono::seconds(120)), 0) << testing::read_file(dir_ / "logship.err");
  auto messages = testing::consume_all(broker_->bootstrap(), "logs.app", 3, std::chrono::seconds(60));
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_NE(messages[0].value.find("\"message\":\"before\""), std::string::npos);
  EXPECT_LT(messages[1].value.size(), 100u * 1024);
  EXPECT_NE(messages[1].value.find("\"truncated\""), std::string::npos);
  EXPECT_NE(messages[2].value.find("\"message\":\"after\""), std::string::npos);
}

TEST_F(KafkaSinkTest, BrokerDownMidStreamLosesNothingAndMemoryStaysBounded) {
  testing::write_file(dir_ / "logs/a.log", numbered("a", 0, 2000));
  testing::write_file(dir_ / "p.yaml", pipeline(dir_, broker_->bootstrap(), "    buffer_bytes: 256KiB\n"));
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  // Let the first lines through, then take the broker away while more are written.
  ASSERT_EQ(testing::consume_all(broker_->bootstrap(), "logs.app", 2000, std::chrono::seconds(60)).size(), 2000u);
  broker_->stop();
  // 20 MiB more while the broker is down: the producer queue is 256 KiB, so logship must pause.
  std::string big;
  for (int i = 2000; i < 200000; ++i) big += "a-" + std::to_string(i) + " payload that makes the line a little longer\n";
  testing::append_file(dir_ / "logs/a.log", big);
  ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir_ / "logship.err").find("sink blocked") != std::string::npos; },
                                  std::chrono::seconds(60)))
      << testing::read_file(dir_ / "logship.err");
  // Memory stayed bounded while blocked: the process's resident set, from /proc.
  std::string status = testing::read_file("/proc/" + std::to_string(p.pid()) + "/status");
  size_t rss_at = status.find("VmRSS:");
  ASSERT_NE(rss_at, std::string::npos);
  long rss_kb = std::stol(status.substr(rss_at + 6));
#if !defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's shadow and quarantine make RSS meaningless here (54 MiB release, 145-155 ASan).
  EXPECT_LT(rss_kb, 150 * 1024) << "RSS while the broker is down";
#endif
  std::cout << "RSS while the broker is down and logship blocked: " << rss_kb / 1024 << " MiB\n";
  ASSERT_TRUE(broker_->restart_same_port()) << testing::read_file(dir_ / "kafka.restart.err");
  auto messages = testing::consume_all(broker_->bootstrap(), "logs.app", 200000, std::chrono::seconds(180));
  std::set<std::string> seen;
  for (const auto& m : messages) {
    size_t at = m.value.find("\"message\":\"");
    seen.insert(m.value.substr(at + 11, m.value.find('"', at + 11) - at - 11));
  }
  EXPECT_EQ(seen.size(), 200000u) << "every line arrived after the broker came back";
  EXPECT_NE(testing::read_file(dir_ / "logship.err").find("sink unblocked"), std::string::npos);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 0);
}

TEST_F(KafkaSinkTest, HeadersWhenAskedCarryTheEventsIdAndDataset) {
  testing::write_file(dir_ / "logs/a.log", numbered("a", 0, 50));
  testing::write_file(dir_ / "p.yaml", pipeline(dir_, broker_->bootstrap(), "    headers: true\n"));
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  ASSERT_EQ(p.wait(std::chrono::seconds(120)), 0) << testing::read_file(dir_ / "logship.err");
  auto messages = testing::consume_all(broker_->bootstrap(), "logs.app", 50, std::chrono::seconds(60));
  ASSERT_EQ(messages.size(), 50u);
  for (const auto& m : messages) {
    std::string_view id, dataset;
    ASSERT_TRUE(find_event_metadata(m.value, id, dataset)) << m.value;
    EXPECT_EQ(m.headers.at("event.id"), id);
    EXPECT_EQ(m.headers.at("event.dataset"), "app");
  }
}

TEST_F(KafkaSinkTest, ShipperKilledMidStreamRedeliversWithTheSameEventIds) {
  const int kLines = 400000;
  std::string lines;
  for (int i = 0; i < kLines; ++i) lines += "line-" + std::to_string(i) + " with a payload to make it longer\n";
  testing::write_file(dir_ / "logs/a.log", lines);
  testing::write_file(dir_ / "p.yaml", pipeline(dir_, broker_->bootstrap()));
  {
    testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
    // Killed as soon as the first checkpoint shows progress: mid-stream, with batches in flight.
    ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir_ / "data/app.checkpoints.json").find("\"offset\":0,") == std::string::npos &&
                                                 testing::read_file(dir_ / "data/app.checkpoints.json").find("\"offset\"") != std::string::npos; },
                                    std::chrono::seconds(60)));
    p.signal(SIGKILL);
    p.wait();
  }
  testing::Process again({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "logship2.err");
  ASSERT_EQ(again.wait(std::chrono::seconds(180)), 0) << testing::read_file(dir_ / "logship2.err");
  auto messages = testing::consume_all(broker_->bootstrap(), "logs.app", 1000000, std::chrono::seconds(20));
  std::map<std::string, std::string> id_of;  // message -> event id of its first copy
  size_t duplicates = 0;
  for (const auto& m : messages) {
    size_t at = m.value.find("\"message\":\"");
    std::string message = m.value.substr(at + 11, m.value.find('"', at + 11) - at - 11);
    std::string_view id, dataset;
    ASSERT_TRUE(find_event_metadata(m.value, id, dataset)) << m.value;
    auto [it, first] = id_of.emplace(message, std::string(id));
    if (!first) {
      ++duplicates;
      EXPECT_EQ(it->second, id) << "a duplicate must carry the same id: " << message;
    }
  }
  EXPECT_EQ(id_of.size(), static_cast<size_t>(kLines)) << "every line arrived at least once";
  std::cout << "[ info ] " << duplicates << " duplicates after kill -9, each with its first copy's id\n";
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

// The file's checkpoint offset as written (0 when none).
uint64_t checkpoint_offset(const std::string& path) {
  std::string text = testing::read_file(path);
  size_t at = text.find("\"offset\":");
  return at == std::string::npos ? 0 : std::stoull(text.substr(at + 9));
}

TEST_F(KafkaSinkTest, SigtermWithTheBrokerDownEndsWithinShutdownTimeoutAndTheLinesComeNextTime) {
  // 40 MB waiting, the broker away: SIGTERM must end logship within shutdown_timeout, leave the
  // checkpoint behind what was not delivered, and the next start must deliver it.
  const int kLines = 400000;
  std::string lines;
  for (int i = 0; i < kLines; ++i) lines += "line-" + std::to_string(i) + " with a payload that makes the line a little longer than it was\n";
  testing::write_file(dir_ / "logs/a.log", lines);
  testing::write_file(dir_ / "p.yaml", "shutdown_timeout: 5s\n" + pipeline(dir_, broker_->bootstrap()));
  broker_->stop();
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  auto log = [&] { return testing::read_file(dir_ / "logship.err"); };
  ASSERT_TRUE(testing::eventually([&] { return log().find("sink blocked") != std::string::npos; }, std::chrono::seconds(60))) << log();
  auto start = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(std::chrono::seconds(30)), 0) << log();
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ info ] SIGTERM with the broker down: ended in " << took << " s (shutdown_timeout 5 s)\n";
  EXPECT_LT(took, 6.5) << log();
  EXPECT_NE(log().find("shutdown_timeout reached with events undelivered"), std::string::npos) << log();
  EXPECT_LT(checkpoint_offset(dir_ / "data/app.checkpoints.json"), lines.size()) << "nothing undelivered was acknowledged";

  ASSERT_TRUE(broker_->restart_same_port()) << testing::read_file(dir_ / "kafka.restart.err");
  testing::Process again({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "logship2.err");
  ASSERT_EQ(again.wait(std::chrono::seconds(180)), 0) << testing::read_file(dir_ / "logship2.err");
  auto messages = testing::consume_all(broker_->bootstrap(), "logs.app", kLines, std::chrono::seconds(120));
  std::set<std::string> seen;
  for (const auto& m : messages) {
    size_t at = m.value.find("\"message\":\"");
    seen.insert(m.value.substr(at + 11, m.value.find('"', at + 11) - at - 11));
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kLines));
}

TEST_F(KafkaSinkTest, RunOnceGivesUpAtShutdownTimeoutWithANonZeroExitAndSaysHowMany) {
  testing::write_file(dir_ / "logs/a.log", numbered("a", 0, 1000));
  testing::write_file(dir_ / "p.yaml", "shutdown_timeout: 2s\n" + pipeline(dir_, broker_->bootstrap()));
  broker_->stop();
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  EXPECT_EQ(p.wait(std::chrono::seconds(60)), 1);
  std::string log = testing::read_file(dir_ / "logship.err");
  EXPECT_NE(log.find("run --once gave up at shutdown_timeout\" undelivered_events=1000"), std::string::npos) << log;
  EXPECT_EQ(checkpoint_offset(dir_ / "data/app.checkpoints.json"), 0u);
}

TEST_F(KafkaSinkTest, LibrdkafkasOwnLogLinesGoThroughLogshipsLog) {
  testing::write_file(dir_ / "logs/a.log", numbered("a", 0, 10));
  testing::write_file(dir_ / "p.yaml", "shutdown_timeout: 1s\n" + pipeline(dir_, "127.0.0.1:1"));
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  p.wait(std::chrono::seconds(60));
  std::string log = testing::read_file(dir_ / "logship.err");
  // Every line is logship's key=value form; librdkafka's "%3|…|FAIL|…" lines are not there.
  for (const auto& line : testing::split_lines(log)) EXPECT_EQ(line.rfind("ts=", 0), 0u) << line;
  EXPECT_NE(log.find("msg=\"kafka: "), std::string::npos) << log;
}

}  // namespace
}  // namespace logship
