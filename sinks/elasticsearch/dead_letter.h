// Where documents the cluster refuses for good (a mapping conflict, a parse error: HTTP 400 on
// the item) go, so that they are kept with the reason and never stop the pipeline.
//
//   dead_letter: {type: file, path: /var/lib/logship/indexer.dead-letter.ndjson}
//   dead_letter: {type: kafka, bootstrap_servers: ${KAFKA_BOOTSTRAP}, topic: logs.dead-letter}
//   dead_letter: {type: index, index: logs-deadletter-default}
//
// Each record is one JSON object, ECS-shaped:
//   {"@timestamp":"…","event":{"id":"…","dataset":"…","original":"<the document, as text>"},
//    "error":{"code":"400","type":"mapper_parsing_exception","message":"…"},
//    "logship":{"index":"logs-app-default"}}
// The document is kept as text so the record itself can never conflict with a mapping.
// A write returns only once the record is durable (fsync, Kafka acknowledgement, index
// confirmation); the documents are acknowledged upstream after that.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/schema.h"
#include "core/error.h"
#include "sinks/elasticsearch/es_connection.h"

namespace logship {

struct DeadLetterConfig {
  std::string type = "file";
  std::string file_path;          // file ("path" in YAML)
  std::string bootstrap_servers;  // kafka
  std::string topic = "logs.dead-letter";
  StringMap librdkafka;
  std::string index = "logs-deadletter-default";  // index (on the sink's own cluster)
  static const Schema<DeadLetterConfig>& schema();
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

struct DeadLetter {
  std::string_view event_id;
  std::string_view dataset;
  std::string_view index;     // where the document was meant to go
  std::string_view document;  // the JSON line as sent
  int status = 0;
  std::string_view error_type;
  std::string_view error_reason;
};

// One JSON line (with '\n') describing a dead letter.
void append_dead_letter_record(std::string& out, const DeadLetter& letter);

class DeadLetterWriter {
 public:
  virtual ~DeadLetterWriter() = default;
  // Durable when it returns ok; on error nothing is assumed written (the caller retries later).
  virtual Status write(const std::vector<DeadLetter>& letters) = 0;
  virtual std::string describe() const = 0;  // "file /var/lib/…", for logs
};

// `default_path` is used by a file destination without a path (data_dir/<sink>.dead-letter.ndjson).
Result<std::unique_ptr<DeadLetterWriter>> make_dead_letter_writer(const DeadLetterConfig& config,
                                                                  const EsConnection& cluster,
                                                                  const std::string& default_path);

}  // namespace logship
