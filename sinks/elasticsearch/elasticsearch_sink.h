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
//   sinks:
//     refused: {type: file, inputs: [search.dead_letter], path: /var/lib/logship/refused.ndjson}
//
// Documents go into data streams `logs-<event.dataset>-<namespace>` with the `create` action
// and `_id` = the event id, so a replay after a crash answers 409 and stores no duplicate.
// Requests are gzip-compressed NDJSON, several in flight on kept-alive connections (libcurl
// multi). Per item: created or 409 (already there) is delivered; 429/5xx/no answer is reported
// "retry" (the runtime sends it again with backoff, never before Retry-After); a 400 (mapping
// conflict, parse error) is reported rejected with the cluster's reason and goes to the sink's
// dead-letter output. A failing endpoint is set aside for a while and the next one is used.
//
// Memory is bounded by `buffer_bytes` (the runtime's bound on what is in flight): when the
// cluster is slow or away, the pipeline's queues fill and the source pauses (Kafka offsets are
// not committed past what is indexed).
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
#include "clients/elasticsearch/es_connection.h"
#include "clients/templates/event_template.h"

namespace logship {

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

  static const Schema<ElasticsearchSinkConfig>& schema();
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
  size_t batch_bytes() const { return 4 << 20; }
  size_t in_flight_bytes() const { return buffer_bytes.value; }
  EsConnection connection() const;
};

// "logs-nginx.access-default" from a rendered name: lower case, and characters that index names
// cannot hold (\ / * ? " < > | , # : space) replaced by '_'.
void sanitize_index_name(std::string& name);

class ElasticsearchSink final : public Sink {
 public:
  static Result<std::unique_ptr<ElasticsearchSink>> create(const ElasticsearchSinkConfig& config, const BuildContext& ctx);
  ~ElasticsearchSink() override;

  void send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) override;
  void flush() override;
  void abort() override;

  struct Worker;  // the thread that owns the HTTP transfers (elasticsearch_worker.cc)

 private:
  ElasticsearchSink() = default;
  std::unique_ptr<Worker> worker_;
};

}  // namespace logship
