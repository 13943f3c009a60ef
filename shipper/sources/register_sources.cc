#include "shipper/sources/register_sources.h"

#include "alerts/alerts_sink.h"
#include "parser/register_parsers.h"
#include "shipper/schemas/builtin_views.h"
#include "shipper/sources/file/file_source.h"
#include "shipper/sources/kafka/kafka_source.h"
#include "sinks/register_sinks.h"

namespace logship {

void register_sources(ComponentRegistry& registry) {
  registry.add(std::make_unique<TypedFactory<ComponentKind::kSource, FileSourceConfig, FileSource>>(
      "file", "Tails files matched by globs, follows rotation, and checkpoints acknowledged offsets.",
      FileSourceConfig::schema()));
  registry.add(std::make_unique<TypedFactory<ComponentKind::kSource, KafkaSourceConfig, KafkaSource>>(
      "kafka", "Reads topics as a consumer group; commits offsets once the sinks acknowledged.", KafkaSourceConfig::schema()));
}

void register_all_components(ComponentRegistry& registry) {
  register_sources(registry);
  register_parsers(registry);
  register_sinks(registry);
  // A sink of its own folder: it builds on delivery/ (dead letters), which sinks/ does not.
  // Its query rules and summaries name the saved views compiled in here.
  set_saved_views(builtin_views);
  registry.add(std::make_unique<TypedFactory<ComponentKind::kSink, AlertsSinkConfig, AlertsSink>>(
      "alerts", "Alert rules on the events it reads (thresholds over windows, first-seen values); posts what changes to Slack or webhooks.",
      AlertsSink::schema()));
}

}  // namespace logship
