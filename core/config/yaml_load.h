// Loading a config's YAML with the checks yaml-cpp does not make, each problem reported through
// ConfigErrors with its YAML path and line.
//
//   ConfigErrors errors;
//   std::optional<YAML::Node> root = load_yaml(text, errors);
//   if (!root) return;                  // not YAML, nested too deep, or a key that is no string
//   // errors may still hold duplicate keys: report them with the rest
//
// - A key given twice in one map is an error naming the key and both lines: yaml-cpp keeps both
//   entries, `node[key]` finds the first and iteration sees both, so one of them would be
//   ignored or applied twice without a word (`data_dir` twice, a second `sinks:` section).
// - Nesting deeper than kMaxYamlDepth levels is refused as "nesting deeper than N levels at
//   line L". yaml-cpp 0.7 (Debian 12) recurses once per level and stops itself at 500 levels
//   with a DeepRecursion whose message is just "bad file"; that is reported the same way. The
//   tree is walked only to kMaxYamlDepth, so nothing after the parse recurses deeper.
// - A key that is a list, a map or empty is refused (the loaders read keys as strings).
// - A second YAML document (after a `---`, or a `...` and more) is refused at the line where
//   it begins: YAML::Load would drop it without a word. `file_kind` names the file in that
//   message ("a pipeline file holds one YAML document; a second begins at line 12").
// Aliases (`*name`) share their anchor's node, which is checked once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/config/config_errors.h"

namespace logship {

inline constexpr int kMaxYamlDepth = 64;

std::optional<YAML::Node> load_yaml(const std::string& text, ConfigErrors& errors, std::string_view file_kind = "a pipeline file");

}  // namespace logship
