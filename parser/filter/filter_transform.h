// `type: filter` transform: keeps or drops events by RE2 patterns on their raw text, like
// Filebeat's include_lines / exclude_lines.
//
//   transforms:
//     errors_only: {type: filter, inputs: [app], include: ['ERROR|FATAL'], exclude: ['healthcheck']}
//
// An event is kept when it matches any `include` pattern (or there are none) and no `exclude`
// pattern. Both lists are compiled into one RE2::Set each, so a line is scanned once per list
// whatever the number of patterns. Dropped events still count as delivered: a batch whose
// events are all dropped is acknowledged here, so checkpoints move on.
#pragma once

#include <re2/set.h>

#include <memory>
#include <string>
#include <vector>

#include "core/component.h"
#include "core/metrics.h"

namespace logship {

struct FilterConfig {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

class FilterTransform final : public Transform {
 public:
  static const Schema<FilterConfig>& schema();
  static Result<std::unique_ptr<FilterTransform>> create(const FilterConfig& config, const BuildContext& ctx);
  void process(BatchPtr batch, Emitter& out) override;

 private:
  FilterTransform(std::unique_ptr<RE2::Set> include, std::unique_ptr<RE2::Set> exclude, Counter& dropped);
  bool keep(std::string_view text) const;

  std::unique_ptr<RE2::Set> include_;  // null when empty
  std::unique_ptr<RE2::Set> exclude_;
  Counter& dropped_;
};

}  // namespace logship
