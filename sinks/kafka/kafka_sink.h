// `type: kafka` sink: a librdkafka producer whose delivery reports acknowledge the batches, so
// a file offset is committed only once Kafka has every event before it.
//
//   sinks:
//     kafka:
//       type: kafka
//       inputs: [app]
//       bootstrap_servers: ${KAFKA_BOOTSTRAP}
//       topic: 'logs.{{ event.dataset }}'
//       librdkafka: {security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-512,
//                    sasl.username: shipper, sasl.password: '${KAFKA_PASSWORD}'}
//
// Each message is one encoded event (its event.id and dataset inside, where logship's kafka
// source finds them; `headers: true` also puts them in record headers, for consumers that route
// on headers, at ~15 % more CPU), keyed by default with the file's identity, so one file's lines
// stay in order within a partition. Idempotent, acks=all, zstd by default.
//
// The sink only produces and reports (core/delivery.h); the runtime's driver retries, bounds
// what is in flight (`buffer_bytes`) and routes refusals to dead letters. Messages never time
// out inside librdkafka: while the broker is down they wait in its queue, the driver's bound
// fills, and reading pauses (the log file is the buffer). What Kafka refuses for good (unknown
// topic with auto-creation off, not authorised, a record too large for the topic, an invalid
// record or topic name) is reported rejected with Kafka's error. An event larger than
// max_message_bytes keeps its parsed fields: its longest strings are cut to fit and it is
// flagged truncated (core/json_shrink.h).
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "core/component.h"
#include "core/metrics.h"
#include "clients/kafka/kafka_conf.h"
#include "clients/kafka/kafka_security.h"
#include "clients/templates/event_template.h"
#include "sinks/kafka/kafka_stats.h"

namespace logship {

struct KafkaCreateTopics {
  int64_t partitions = 3;
  int64_t replication_factor = 1;
  static const Schema<KafkaCreateTopics>& schema();
};

struct KafkaSinkConfig {
  std::string bootstrap_servers;
  std::string topic = "logs.{{ event.dataset }}";
  std::string key = "file";
  std::string compression = "zstd";
  std::string acks = "all";
  ByteSize max_message_bytes{1000000};
  ByteSize buffer_bytes{16 << 20};
  // 100 ms rather than librdkafka's 5: batches then fill to batch.size instead of leaving every
  // few milliseconds, and the producer's threads wake far less often. Measured file -> Kafka
  // (1 GiB JSON, local broker, zstd, 3 runs each): 114-119 -> 122-135 MB/s, logship's CPU
  // 11.4-13.3 -> 7.8-8.3 s/GB. A line waits at most 0.1 s more before it leaves, which
  // is within the batching delay log shippers add anyway.
  Duration linger{std::chrono::milliseconds(100)};
  std::optional<KafkaCreateTopics> create_topics;
  bool headers = false;
  // librdkafka's statistics, exposed as metrics (sinks/kafka/kafka_stats.h); 0 turns them off.
  Duration stats_interval{std::chrono::seconds(15)};
  std::optional<KafkaTls> tls;
  std::optional<KafkaSasl> sasl;
  StringMap librdkafka;

  static const Schema<KafkaSinkConfig>& schema();
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
  size_t batch_bytes() const { return 4 << 20; }
  size_t in_flight_bytes() const { return buffer_bytes.value; }
};

class KafkaSink final : public Sink, private KafkaClientContext {
 public:
  static Result<std::unique_ptr<KafkaSink>> create(const KafkaSinkConfig& config, const BuildContext& ctx);
  ~KafkaSink() override;

  void send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) override;
  void abort() override;

  struct InFlight;
  struct Message;

 private:
  KafkaSink(KafkaSinkConfig config, std::string name);
  Status start();
  void rebuild_producer();
  // Produces one event; false when the rest of the delivery cannot be produced now (queue full).
  bool produce_one(InFlight& f, size_t pos, rd_kafka_topic_t* topic, const std::string& key, const Batch& batch, uint32_t index);
  // The topic for a batch, or nullptr with `why` set (rejected: invalid name; retry: not created yet).
  rd_kafka_topic_t* topic_for(const Batch& batch, Outcome& why_outcome, std::string& why);
  bool ensure_topic(const std::string& name, std::string& error);
  void finished(InFlight* f);
  bool send_alone(Message& m, const rd_kafka_message_t* msg);
  void report_error(InFlight& f, size_t pos, rd_kafka_resp_err_t err, const char* topic);
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void on_throttle(rd_kafka_t* rk, const char* broker, int32_t broker_id, int throttle_ms, void* opaque);
  static int on_stats(rd_kafka_t* rk, char* json, size_t json_len, void* opaque);

  KafkaSinkConfig config_;
  EventTemplate topic_template_;
  std::optional<EventTemplate> key_template_;
  rd_kafka_t* rk_ = nullptr;
  std::atomic<rd_kafka_t*> solo_{nullptr};  // one record per batch, for records of a batch too large
  std::map<std::string, rd_kafka_topic_t*> topics_;
  struct PendingTopic {
    rd_kafka_queue_t* queue = nullptr;  // where the CreateTopics answer arrives
  };
  std::map<std::string, PendingTopic> creating_;
  std::string scratch_;
  std::string key_scratch_;
  std::atomic<bool> stop_poll_{false};
  std::thread poller_;
  std::atomic<int64_t> in_flight_{0};
  std::atomic<int> throttle_ms_{0};  // the last throttle time a broker asked for
  std::atomic<bool> fatal_{false};   // the producer failed for good: the next send replaces it
  std::atomic<bool> aborted_{false};  // abort() called: no more sends
  std::mutex live_mu_;
  std::set<InFlight*> live_;  // deliveries not yet reported, freed at exit if librdkafka drops them
  Counter& delivered_;
  Counter& failed_;
  Counter& truncated_;
  Gauge& in_flight_gauge_;
  Counter& delivery_nanos_;
  Counter& delivered_batches_;
  std::mutex stats_mu_;
  KafkaProducerStats stats_;  // the last statistics librdkafka gave; under stats_mu_
  bool have_stats_ = false;
  int stats_collector_ = 0;
};

// A Kafka topic name as brokers accept it: 1-249 of [a-zA-Z0-9._-], not "." or "..".
bool valid_kafka_topic_name(std::string_view name);

}  // namespace logship
