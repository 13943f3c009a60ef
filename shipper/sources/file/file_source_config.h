// Options of the `type: file` source (see docs/configuration.md for the generated reference).
//
//   sources:
//     app:
//       type: file
//       include: ['/var/log/app/**/*.log']
//       exclude: ['**/*.gz']
//       multiline: {preset: java}
//     pods:
//       type: file
//       include: ['/var/log/pods/*/*/*.log']
//       container: {format: auto}          # CRI / Docker framing off, kubernetes.* from the path
//       add_fields: {orchestrator.cluster.name: '${CLUSTER}'}
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/config/schema.h"
#include "parser/container/container_log.h"
#include "parser/multiline/multiline_config.h"

namespace logship {

struct FileSourceConfig {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::string read_from = "beginning";
  std::string dataset;  // defaults to the source's name
  ByteSize max_line_bytes{1 << 20};
  // 256 KiB rather than 128: half the hand-offs between threads at full speed; file -> null
  // JSON (1 GiB, 2 cores, 3 runs each) 942-976 -> 1003-1063 MB/s for 1-2 MiB more RSS.
  ByteSize batch_bytes{256 << 10};
  int64_t fingerprint_bytes = 1024;
  Duration scan_interval{std::chrono::seconds(1)};
  Duration rotate_wait{std::chrono::seconds(5)};
  Duration read_delay{std::chrono::milliseconds(100)};
  Duration checkpoint_interval{std::chrono::seconds(1)};
  int64_t max_open_files = 1024;
  bool follow_symlinks = false;
  std::optional<MultilineConfig> multiline;
  std::optional<ContainerLogConfig> container;
  StringMap add_fields;  // dotted name -> text, on every event of the source

  static const Schema<FileSourceConfig>& schema();
  std::string framing() const { return multiline && multiline->preset == "mysql_slowlog" ? "mysql_slowlog" : ""; }
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

}  // namespace logship
