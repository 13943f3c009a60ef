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
  // Also restarts a stopped broker on its data, on a new port. `properties` are extra broker
  // properties, KEY=VALUE or KEY+=VALUE, with @PORT_<NAME>@ for more listeners' ports
  // (scripts/kafka-broker).
  bool start(const std::vector<std::string>& properties = {});
  // The port given to @PORT_<NAME>@ at start; 0 when there is none.
  int port(const std::string& name) const;
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
  int64_t timestamp_ms;  // the producer's CreateTime
  std::map<std::string, std::string> headers;
};

// Creates a topic through the admin API (as the broker's PLAINTEXT listener's principal), with
// topic configs such as {"max.message.bytes", "4096"}. Empty on success, else the error.
std::string create_topic(const std::string& bootstrap, const std::string& topic, int partitions,
                         const std::vector<std::pair<std::string, std::string>>& configs = {});

// Allows `principal` ("User:alice") `operation` ("WRITE", "DESCRIBE", "IDEMPOTENT_WRITE") on a
// topic (or, with an empty topic, on the cluster). Empty on success, else the error.
std::string allow(const std::string& bootstrap, const std::string& principal, const std::string& operation, const std::string& topic);

// Produces `values` to `topic` (no key, no headers: a producer that is not logship).
void produce_plain(const std::string& bootstrap, const std::string& topic, const std::vector<std::string>& values);

// Reads `topic` from the beginning until `count` messages arrived or `timeout` passed; with
// `quiet`, reads on past `count` until no message came for that long (duplicates included).
std::vector<ConsumedMessage> consume_all(const std::string& bootstrap, const std::string& topic, size_t count,
                                         std::chrono::milliseconds timeout, std::chrono::milliseconds quiet = {});

}  // namespace logship::testing
