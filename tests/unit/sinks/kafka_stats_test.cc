#include "sinks/kafka/kafka_stats.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/support/test_support.h"

namespace logship {
namespace {

// Written by Debian's librdkafka 2.0.2 while logship shipped a JSON log to a local broker at
// full speed (the producer queue full, one request in flight at a time).
std::string recorded_stats() {
  return testing::read_file(std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/kafka/librdkafka-2.0.2-producer-stats.json");
}

std::map<std::string, double> by_series(const std::vector<Sample>& samples) {
  std::map<std::string, double> out;
  for (const auto& s : samples) {
    std::string key = s.name;
    for (const auto& [k, v] : s.labels) key += "," + k + "=" + v;
    out[key] = s.value;
  }
  return out;
}

TEST(KafkaStatsTest, ReadsQueueBrokerAndBatchFiguresFromARecordedDocument) {
  KafkaProducerStats stats;
  std::string error;
  ASSERT_TRUE(parse_kafka_stats(recorded_stats(), stats, error)) << error;
  EXPECT_EQ(stats.queue_messages, 26167);
  EXPECT_EQ(stats.queue_bytes, 16776659);
  ASSERT_EQ(stats.brokers.size(), 1u);
  EXPECT_EQ(stats.brokers[0].name, "127.0.0.1:53749/1");
  EXPECT_DOUBLE_EQ(stats.brokers[0].rtt_avg_seconds, 0.001123);
  EXPECT_DOUBLE_EQ(stats.brokers[0].rtt_p99_seconds, 0.002031);
  EXPECT_EQ(stats.brokers[0].requests_in_flight, 0);
  EXPECT_EQ(stats.brokers[0].requests_unsent, 1);
  ASSERT_EQ(stats.topics.size(), 1u);
  EXPECT_EQ(stats.topics[0].name, "bench.t30330");
  EXPECT_DOUBLE_EQ(stats.topics[0].batch_messages, 1501);
  EXPECT_DOUBLE_EQ(stats.topics[0].batch_bytes, 138061);
}

TEST(KafkaStatsTest, SkipsBootstrapAndInternalBrokerEntries) {
  std::string doc = R"({"msg_cnt": 3, "msg_size": 300, "topics": {},
    "brokers": {"127.0.0.1:9092/bootstrap": {"nodeid": -1, "rtt": {"avg": 5}},
                ":0/internal": {"nodeid": -1},
                "127.0.0.1:9092/7": {"nodeid": 7, "rtt": {"avg": 2500, "p99": 9000}, "waitresp_cnt": 2, "outbuf_cnt": 0}}})";
  KafkaProducerStats stats;
  std::string error;
  ASSERT_TRUE(parse_kafka_stats(doc, stats, error)) << error;
  ASSERT_EQ(stats.brokers.size(), 1u);
  EXPECT_EQ(stats.brokers[0].name, "127.0.0.1:9092/7");
  EXPECT_DOUBLE_EQ(stats.brokers[0].rtt_avg_seconds, 0.0025);
  EXPECT_EQ(stats.brokers[0].requests_in_flight, 2);
}

TEST(KafkaStatsTest, RefusesWhatIsNotAStatisticsDocument) {
  KafkaProducerStats stats;
  std::string error;
  EXPECT_FALSE(parse_kafka_stats("{\"msg_cnt\": 1", stats, error));
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_FALSE(parse_kafka_stats("{\"msg_cnt\": 1}", stats, error));
  EXPECT_EQ(error, "no brokers or topics object");
}

TEST(KafkaStatsTest, BecomesGaugesLabelledWithTheSinkBrokerAndTopic) {
  KafkaProducerStats stats;
  std::string error;
  ASSERT_TRUE(parse_kafka_stats(recorded_stats(), stats, error)) << error;
  std::vector<Sample> samples;
  append_kafka_stats_samples(stats, "kafka", samples);
  for (const auto& s : samples) EXPECT_EQ(s.type, MetricType::kGauge) << s.name;
  auto series = by_series(samples);
  EXPECT_EQ(series.size(), 8u);
  EXPECT_EQ(series["logship_kafka_producer_queue_messages,component=kafka"], 26167);
  EXPECT_EQ(series["logship_kafka_producer_queue_bytes,component=kafka"], 16776659);
  EXPECT_DOUBLE_EQ((series["logship_kafka_broker_rtt_seconds,component=kafka,broker=127.0.0.1:53749/1,stat=avg"]), 0.001123);
  EXPECT_DOUBLE_EQ((series["logship_kafka_broker_rtt_seconds,component=kafka,broker=127.0.0.1:53749/1,stat=p99"]), 0.002031);
  EXPECT_EQ((series["logship_kafka_broker_requests_in_flight,component=kafka,broker=127.0.0.1:53749/1"]), 0);
  EXPECT_EQ((series["logship_kafka_broker_requests_unsent,component=kafka,broker=127.0.0.1:53749/1"]), 1);
  EXPECT_EQ((series["logship_kafka_batch_messages,component=kafka,topic=bench.t30330"]), 1501);
  EXPECT_EQ((series["logship_kafka_batch_bytes,component=kafka,topic=bench.t30330"]), 138061);
}

}  // namespace
}  // namespace logship
