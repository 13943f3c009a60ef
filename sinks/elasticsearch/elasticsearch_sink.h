// `type: elasticsearch` sink: bulk-indexes events into Elasticsearch 7/8 or OpenSearch, and
// acknowledges a batch only once the cluster confirmed every one of its documents.
//
//   sinks:
//     search:
//       type: elasticsearch
//       inputs: [kafka_logs]
//       endpoints: [https://es-1:9200, https://es-2:9200]
//       auth: {user: logship, password: '${ES_PASSWORD}'}
//       tls: {ca_file: /etc/logship/ca.pem}
//       dead_letter: {type: file}
//
// Documents go into data streams `logs-<event.dataset>-<namespace>` with the `create` action
// and `_id` = the event id, so a replay after a crash answers 409 and stores no duplicate.
// Requests are gzip-compressed NDJSON, several in flight on kept-alive connections (libcurl
// multi). Per item: 409 counts as done, 429/5xx are sent again with exponential backoff and
// jitter, a 400 (mapping conflict, parse error) goes to the dead-letter destination with its
// reason. A failing endpoint is set aside for a while and the next one is used.
//
// Memory is bounded by `buffer_bytes`: when the cluster is slow or away, write() blocks, the
// pipeline's queues fill, and the source pauses (Kafka offsets are not committed past what
// is indexed).
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/component.h"
#include "core/metrics.h"
#include "sinks/elasticsearch/dead_letter.h"
#include "sinks/elasticsearch/es_connection.h"
#include "sinks/kafka/event_template.h"

namespace logship {

struct ElasticsearchRetry {
  Duration initial_backoff{std::chrono::milliseconds(100)};
  Duration max_backoff{std::chrono::seconds(30)};
  static const Schema<ElasticsearchRetry>& schema();
};

struct ElasticsearchSinkConfig {
  std::vector<std::string> endpoints;
  std::string data_stream_namespace = "default";
  std::string index;
  std::optional<EsAuth> auth;
  std::optional<EsTls> tls;
  int64_t max_documents = 5000;
  ByteSize max_bytes{5 << 20};
  Duration flush_interval{std::chrono::seconds(1)};
  int64_t max_in_flight = 4;
  std::string compression = "gzip";
  Duration request_timeout{std::chrono::seconds(60)};
  ByteSize buffer_bytes{32 << 20};
  std::optional<ElasticsearchRetry> retry;
  std::optional<DeadLetterConfig> dead_letter;

  static const Schema<ElasticsearchSinkConfig>& schema();
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
  size_t batch_bytes() const { return 4 << 20; }
  EsConnection connection() const;
};

// "logs-nginx.access-default" from a rendered name: lower case, and characters that index names
// cannot hold (\ / * ? " < > | , # : space) replaced by '_'.
void sanitize_index_name(std::string& name);

class ElasticsearchSink final : public Sink {
 public:
  static Result<std::unique_ptr<ElasticsearchSink>> create(const ElasticsearchSinkConfig& config, const BuildContext& ctx);
  ~ElasticsearchSink() override;

  SinkResult write(std::span<const BatchPtr> batches) override;
  void drain(const Deadline& deadline) override;

  struct Worker;  // the thread that owns the HTTP transfers (elasticsearch_worker.cc)

 private:
  ElasticsearchSink() = default;
  std::unique_ptr<Worker> worker_;
};

}  // namespace logship
