// `type: kafka` source: a consumer group member for indexers, committing offsets only once the
// sinks acknowledged every message before them (manual, per partition, contiguous).
//
//   sources:
//     logs:
//       type: kafka
//       bootstrap_servers: ${KAFKA_BOOTSTRAP}
//       group_id: indexer
//       topics: ['^logs\..*']          # names, or regular expressions starting with ^
//
// Messages produced by logship's kafka sink are already encoded events (their event.id header
// says so) and pass through untouched, keeping their ids. Others become plain events whose id
// comes from topic, partition and offset. A new group starts at the earliest offsets. Offsets
// are committed every commit_interval, when partitions are revoked in a rebalance, and at
// shutdown. With `logship run --once` the source reads up to the end offsets it saw when its
// partitions were assigned, then the pipeline finishes.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/component.h"
#include "core/metrics.h"
#include "clients/kafka/kafka_conf.h"
#include "clients/kafka/kafka_security.h"
#include "shipper/sources/kafka/partition_progress.h"

namespace simdjson::dom {
class parser;
}

namespace logship {

struct KafkaSourceConfig {
  std::string bootstrap_servers;
  std::string group_id;
  std::vector<std::string> topics;
  std::string dataset;
  ByteSize batch_bytes{1 << 20};
  Duration commit_interval{std::chrono::seconds(1)};
  ByteSize fetch_buffer_bytes{16 << 20};
  std::optional<KafkaTls> tls;
  std::optional<KafkaSasl> sasl;
  StringMap librdkafka;

  static const Schema<KafkaSourceConfig>& schema();
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

class KafkaSource final : public Source, private KafkaClientContext {
 public:
  static Result<std::unique_ptr<KafkaSource>> create(const KafkaSourceConfig& config, const BuildContext& ctx);
  ~KafkaSource() override;
  Status run(Emitter& out, const RunContext& ctx) override;
  void finish() override;

 private:
  KafkaSource(KafkaSourceConfig config, const BuildContext& ctx);
  struct Partition {
    std::shared_ptr<PartitionProgress> progress;
    std::shared_ptr<Origin> origin;  // for messages from other producers
    int64_t end_offset = -1;         // --once: where to stop; -1 when not known
    int64_t next_offset = -1;        // next offset to read
    BatchPtr pending;
  };
  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque);
  void assigned(rd_kafka_topic_partition_list_t* parts);
  void revoked(rd_kafka_topic_partition_list_t* parts);
  void add_message(const rd_kafka_message_t* m, Emitter& out);
  bool is_event_with_id(std::string_view value, std::string_view id);
  void send(Partition& p, Emitter& out);
  void send_all(Emitter& out);
  void commit(bool force);
  bool reached_end() const;
  // --once: asks again, at most once a second, where the partitions whose end is unknown end
  // (the question asked at assignment can fail while a leader moves).
  void learn_missing_ends();
  std::chrono::steady_clock::time_point last_end_query_{};
  std::string key(const std::string& topic, int32_t partition) const { return topic + "/" + std::to_string(partition); }

  KafkaSourceConfig config_;
  std::string name_;
  std::string host_;
  bool once_ = false;
  rd_kafka_t* rk_ = nullptr;
  std::map<std::string, Partition> partitions_;
  bool assigned_once_ = false;
  std::chrono::steady_clock::time_point last_commit_;
  std::unique_ptr<simdjson::dom::parser> json_;  // checks messages that claim to be events
  std::string padded_;
  Counter& received_;
  Counter& committed_total_;
};

}  // namespace logship
