// libFuzzer target: the json transform on arbitrary lines; its output must be valid JSON, the
// raw members it copies must be exactly those simdjson On-Demand finds, and StructuralWalk
// must accept only what the DOM parser accepts, slicing the same members.
#include <cstdlib>

#include "parser/json/json_transform.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/raw_members_reference.h"
#include "tests/fuzz/structural_walk_reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = [] {
    logship::JsonTransformConfig config;
    config.timestamp_field = "ts";
    config.level_field = "level";
    config.rename = {{"msg", "message"}};
    config.drop = {"secret"};
    config.max_depth = 16;
    return std::move(logship::JsonTransform::create(config, logship::BuildContext{"fuzz", "", ""}).value());
  }();
  auto batch = logship::fuzz::batch_of_lines(std::string_view(reinterpret_cast<const char*>(data), size));
  transform->encode(*batch);
  logship::fuzz::require_valid_json_lines(*batch);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!logship::testing::raw_members_difference(text).empty()) std::abort();
  bool accepted = false;
  for (size_t max_depth : {3, 64}) {
    if (!logship::testing::structural_walk_difference(text, max_depth, accepted).empty()) std::abort();
  }
  return 0;
}
