// librdkafka's statistics (a JSON document every `statistics.interval.ms`), reduced to the
// numbers that explain a producer's throughput, and exposed as metrics at every scrape:
//
//   logship_kafka_producer_queue_messages / _bytes   produced, not yet acknowledged
//   logship_kafka_broker_rtt_seconds{broker,stat}     request round trip (avg, p99)
//   logship_kafka_broker_requests_in_flight{broker}   sent, waiting for the broker's answer
//   logship_kafka_broker_requests_unsent{broker}      built, waiting for the socket
//   logship_kafka_batch_messages{topic}               messages per produced batch (mean)
//   logship_kafka_batch_bytes{topic}                  bytes per batch on the wire (mean, compressed)
//
// With these a reader can tell a slow broker (rtt) from a producer sending one request at a
// time (in flight never above 1) or batches cut short (batch_bytes well under batch.size).
// Windowed values (rtt, batches) cover the last interval; 0 when nothing happened in it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"

namespace logship {

struct KafkaBrokerStats {
  std::string name;  // "host:port/nodeid"
  double rtt_avg_seconds = 0;
  double rtt_p99_seconds = 0;
  int64_t requests_in_flight = 0;
  int64_t requests_unsent = 0;
};

struct KafkaTopicStats {
  std::string name;
  double batch_messages = 0;
  double batch_bytes = 0;
};

struct KafkaProducerStats {
  int64_t queue_messages = 0;
  int64_t queue_bytes = 0;
  std::vector<KafkaBrokerStats> brokers;  // real brokers only (not the bootstrap or internal ones)
  std::vector<KafkaTopicStats> topics;
};

// False (and `error`) when `json` is not a librdkafka statistics document.
bool parse_kafka_stats(std::string_view json, KafkaProducerStats& out, std::string& error);

// The samples above, labelled with `component` (the sink's name).
void append_kafka_stats_samples(const KafkaProducerStats& stats, const std::string& component, std::vector<Sample>& out);

}  // namespace logship
