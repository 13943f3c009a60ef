#include "sinks/register_sinks.h"

#include "sinks/elasticsearch/elasticsearch_sink.h"
#include "sinks/file/file_sink.h"
#include "sinks/kafka/kafka_sink.h"
#include "sinks/null/null_sink.h"
#include "sinks/stdout/stdout_sink.h"

namespace logship {

void register_sinks(ComponentRegistry& registry) {
  constexpr auto kSink = ComponentKind::kSink;
  registry.add(std::make_unique<TypedFactory<kSink, ElasticsearchSinkConfig, ElasticsearchSink>>(
      "elasticsearch", "Bulk-indexes events into Elasticsearch or OpenSearch data streams; acknowledges only what the cluster confirmed.",
      ElasticsearchSinkConfig::schema()));
  registry.add(std::make_unique<TypedFactory<kSink, FileSinkConfig, FileSink>>(
      "file", "Appends events as NDJSON to a file and fsyncs before acknowledging.", FileSink::schema()));
  registry.add(std::make_unique<TypedFactory<kSink, KafkaSinkConfig, KafkaSink>>(
      "kafka", "Produces events to Kafka (librdkafka); Kafka's acknowledgements drive the file checkpoints.", KafkaSinkConfig::schema()));
  registry.add(std::make_unique<TypedFactory<kSink, StdoutSinkConfig, StdoutSink>>(
      "stdout", "Writes events as NDJSON to standard output.", StdoutSink::schema()));
  registry.add(std::make_unique<TypedFactory<kSink, NullSinkConfig, NullSink>>(
      "null", "Discards events (and acknowledges them); for benchmarks and dry runs.", NullSink::schema()));
}

}  // namespace logship
