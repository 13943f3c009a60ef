// libFuzzer target: librdkafka's statistics reader must take any bytes without crashing, refuse
// what is not a statistics document with a reason, and turn what it accepts into gauges that
// all carry the sink's name first and a finite value.
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sinks/kafka/kafka_stats.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  logship::KafkaProducerStats stats;
  std::string error;
  if (!logship::parse_kafka_stats(json, stats, error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  std::vector<logship::Sample> samples;
  logship::append_kafka_stats_samples(stats, "kafka", samples);
  if (samples.size() != 2 + 4 * stats.brokers.size() + 2 * stats.topics.size()) std::abort();
  for (const auto& s : samples) {
    if (s.name.rfind("logship_kafka_", 0) != 0 || s.labels.empty() || s.labels[0].first != "component") std::abort();
    if (!std::isfinite(s.value)) std::abort();
  }
  return 0;
}
