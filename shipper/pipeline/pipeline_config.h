// A pipeline file: global settings plus named sources, transforms and sinks wired by `inputs`.
//
//   data_dir: /var/lib/logship
//   sources:
//     app: {type: file, include: ['/var/log/app/*.log']}
//   transforms:
//     errors: {type: filter, inputs: [app], include: [ERROR]}
//   sinks:
//     out: {type: file, inputs: [errors], path: /tmp/errors.ndjson}
//
//   ConfigErrors errors;
//   auto pipeline = load_pipeline_file("pipeline.yaml", registry, errors);
//   if (!pipeline) for (auto& e : errors.list()) ...   // every problem, with path and line
//
// Loading is pure: it reads the one file and opens nothing else.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/component_registry.h"
#include "core/config/schema.h"
#include "delivery/retry_policy.h"
#include "shipper/api/api_config.h"

namespace logship {

struct GlobalConfig {
  std::string data_dir = "/var/lib/logship";
  Duration shutdown_timeout{std::chrono::seconds(30)};
  ByteSize buffer_bytes{1 << 20};
  std::string host_name;
  std::optional<ApiConfig> api;
  static const Schema<GlobalConfig>& schema();
};

struct ComponentEntry {
  std::string name;
  ComponentKind kind;
  std::string type;
  std::vector<std::string> inputs;
  const ComponentFactory* factory = nullptr;
  std::unique_ptr<ComponentConfig> config;
  std::string signature;  // the component's YAML, normalised: equal signatures = same component (reload)
  RetryPolicy retry;      // sinks: `retry:`
};

// The name under which a sink's dead letters are read: "search" -> "search.dead_letter".
inline std::string dead_letter_output_name(const std::string& sink) { return sink + ".dead_letter"; }
inline constexpr std::string_view kDeadLetterSuffix = ".dead_letter";

struct PipelineConfig {
  std::string file;
  GlobalConfig global;
  std::vector<ComponentEntry> components;
  std::vector<std::string> warnings;  // not fatal: an output nobody reads, …
  std::string global_signature;       // the global keys, normalised

  const ComponentEntry* find(const std::string& name) const;
};

// A pipeline file larger than this is refused before it is parsed. yaml-cpp reads 8-10 MB/s and
// takes over 1 KB of memory per key (a 120 MB file of 2 million keys: 25 s and 2.4 GB in
// YAML::Load alone), while real pipelines are a few KB: the bound keeps `validate` and a reload
// to about a second and 200 MB whatever file they are given.
inline constexpr size_t kMaxPipelineBytes = size_t{8} << 20;

// Parses YAML text (after ${VAR} interpolation). Returns nullopt when `errors` is not empty.
std::optional<PipelineConfig> load_pipeline(const std::string& yaml_text, const std::string& file_name,
                                            const ComponentRegistry& registry, ConfigErrors& errors);
std::optional<PipelineConfig> load_pipeline_file(const std::string& path, const ComponentRegistry& registry,
                                                 ConfigErrors& errors);

}  // namespace logship
