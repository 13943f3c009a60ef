// A real Kafka broker for tests, started and stopped (by pid) with scripts/kafka-broker, and a
// small librdkafka consumer to read back what logship produced.
//
//   KafkaBroker broker(tmp.path() + "/kafka");
//   ASSERT_TRUE(broker.start());
//   auto messages = consume_all(broker.bootstrap(), "logs.app", 1000, std::chrono::seconds(60));
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace logship::testing {

class KafkaBroker {
 public:
  explicit KafkaBroker(std::string dir) : dir_(std::move(dir)) {}
  ~KafkaBroker() { stop(); }
  bool start();  // also restarts a stopped broker on its data, on a new port
  void stop();
  const std::string& bootstrap() const { return bootstrap_; }
  // Restart on the same port (clients keep their bootstrap address).
  bool restart_same_port();

 private:
  std::string dir_;
  std::string bootstrap_;
  bool running_ = false;
};

struct ConsumedMessage {
  std::string key;
  std::string value;
  int32_t partition;
  int64_t offset;
  std::map<std::string, std::string> headers;
};

// Produces `values` to `topic` (no key, no headers: a producer that is not logship).
void produce_plain(const std::string& bootstrap, const std::string& topic, const std::vector<std::string>& values);

// Reads `topic` from the beginning until `count` messages arrived or `timeout` passed.
std::vector<ConsumedMessage> consume_all(const std::string& bootstrap, const std::string& topic, size_t count,
                                         std::chrono::milliseconds timeout);

}  // namespace logship::testing
