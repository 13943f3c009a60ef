// Settings for joining several lines into one event (stack traces, wrapped messages), with
// presets for Java, Python and Go. The modes are Vector's:
//
//   continue_through  the start line, then every following line matching condition_pattern
//   continue_past     like continue_through, plus the first line that does not match
//   halt_before       every following line until one matches condition_pattern (not included)
//   halt_with         every following line up to and including one matching condition_pattern
//
//   multiline: {preset: java}
//   multiline: {start_pattern: '^\d{4}-', mode: halt_before, condition_pattern: '^\d{4}-'}
#pragma once

#include <optional>
#include <string>

#include "core/config/schema.h"

namespace logship {

struct MultilineConfig {
  std::string preset;
  std::string start_pattern;
  std::string condition_pattern;
  std::string mode = "continue_through";
  int64_t max_lines = 500;
  // 0: the preset's default (event_byte_limit()).
  ByteSize max_event_bytes{0};
  Duration timeout{std::chrono::milliseconds(1000)};

  static const Schema<MultilineConfig>& schema();
  // Fills the patterns and mode from `preset` where the user left them empty.
  void apply_preset();
  // Most bytes in one event: max_event_bytes, else 1 MiB, or 4 MiB for mysql_slowlog (an
  // entry carries its whole query: multi-line bulk statements run to megabytes). Parsing a slow
  // log entry takes about 10 times its size at peak, and the Kubernetes example gives the
  // sidecar 192 MiB, which 16 MiB entries would exceed (bench/hostile-inputs).
  size_t event_byte_limit() const;
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

}  // namespace logship
