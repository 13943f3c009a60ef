#include "shipper/sources/register_sources.h"

#include "parser/register_parsers.h"
#include "shipper/sources/file/file_source.h"
#include "sinks/register_sinks.h"

namespace logship {

void register_sources(ComponentRegistry& registry) {
  registry.add(std::make_unique<TypedFactory<ComponentKind::kSource, FileSourceConfig, FileSource>>(
      "file", "Tails files matched by globs, follows rotation, and checkpoints acknowledged offsets.",
      FileSourceConfig::schema()));
}

void register_all_components(ComponentRegistry& registry) {
  register_sources(registry);
  register_parsers(registry);
  register_sinks(registry);
}

}  // namespace logship
