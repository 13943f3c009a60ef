#include "shipper/sources/register_sources.h"

#include "parser/register_parsers.h"
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
}

}  // namespace logship
