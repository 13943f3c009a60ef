#include "sinks/kafka/kafka_stats.h"

#include <simdjson.h>

namespace logship {
namespace {

int64_t int_or_zero(simdjson::dom::element e, std::string_view key) {
  int64_t v = 0;
  return e[key].get_int64().get(v) == simdjson::SUCCESS ? v : 0;
}

// One statistic ("avg", "p99"...) of a librdkafka window (microseconds, or plain counts).
double window_stat(simdjson::dom::element e, std::string_view window, std::string_view stat) {
  int64_t v = 0;
  return e[window][stat].get_int64().get(v) == simdjson::SUCCESS ? static_cast<double>(v) : 0.0;
}

}  // namespace

bool parse_kafka_stats(std::string_view json, KafkaProducerStats& out, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root)) {
    error = simdjson::error_message(err);
    return false;
  }
  simdjson::dom::object brokers, topics;
  if (root["brokers"].get_object().get(brokers) || root["topics"].get_object().get(topics)) {
    error = "no brokers or topics object";
    return false;
  }
  out = KafkaProducerStats{};
  out.queue_messages = int_or_zero(root, "msg_cnt");
  out.queue_bytes = int_or_zero(root, "msg_size");
  for (auto [name, broker] : brokers) {
    if (int_or_zero(broker, "nodeid") < 0) continue;  // bootstrap entries before metadata, and the internal one
    KafkaBrokerStats b;
    b.name = std::string(name);
    b.rtt_avg_seconds = window_stat(broker, "rtt", "avg") / 1e6;
    b.rtt_p99_seconds = window_stat(broker, "rtt", "p99") / 1e6;
    b.requests_in_flight = int_or_zero(broker, "waitresp_cnt");
    b.requests_unsent = int_or_zero(broker, "outbuf_cnt");
    out.brokers.push_back(std::move(b));
  }
  for (auto [name, topic] : topics) {
    KafkaTopicStats t;
    t.name = std::string(name);
    t.batch_messages = window_stat(topic, "batchcnt", "avg");
    t.batch_bytes = window_stat(topic, "batchsize", "avg");
    out.topics.push_back(std::move(t));
  }
  return true;
}

void append_kafka_stats_samples(const KafkaProducerStats& s, const std::string& component, std::vector<Sample>& out) {
  auto gauge = [&](const char* name, const char* help, Labels labels, double value) {
    labels.insert(labels.begin(), {"component", component});
    out.push_back(Sample{name, help, MetricType::kGauge, std::move(labels), value});
  };
  gauge("logship_kafka_producer_queue_messages", "Messages in the producer's queue: produced, not yet acknowledged (librdkafka statistics).", {},
        static_cast<double>(s.queue_messages));
  gauge("logship_kafka_producer_queue_bytes", "Bytes of messages in the producer's queue (librdkafka statistics).", {}, static_cast<double>(s.queue_bytes));
  for (const auto& b : s.brokers) {
    const char* rtt_help = "Request round trip to the broker over the last statistics interval (avg and p99).";
    gauge("logship_kafka_broker_rtt_seconds", rtt_help, {{"broker", b.name}, {"stat", "avg"}}, b.rtt_avg_seconds);
    gauge("logship_kafka_broker_rtt_seconds", rtt_help, {{"broker", b.name}, {"stat", "p99"}}, b.rtt_p99_seconds);
    gauge("logship_kafka_broker_requests_in_flight", "Requests sent to the broker and waiting for its answer.", {{"broker", b.name}},
          static_cast<double>(b.requests_in_flight));
    gauge("logship_kafka_broker_requests_unsent", "Requests built and waiting to be written to the broker's socket.", {{"broker", b.name}},
          static_cast<double>(b.requests_unsent));
  }
  for (const auto& t : s.topics) {
    gauge("logship_kafka_batch_messages", "Messages per produced batch, mean over the last statistics interval.", {{"topic", t.name}}, t.batch_messages);
    gauge("logship_kafka_batch_bytes", "Bytes per produced batch as sent (compressed), mean over the last statistics interval.", {{"topic", t.name}},
          t.batch_bytes);
  }
}

}  // namespace logship
