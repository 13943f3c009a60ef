// The rule files of pipelines/rules/, compiled into the binary so that `rules: [nginx]` works
// wherever logship runs. Generated at build time by embed_rules.cmake.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace logship {

// (name, YAML text) for every built-in rule file, sorted by name.
const std::vector<std::pair<std::string_view, std::string_view>>& builtin_rule_files();

}  // namespace logship
