// libFuzzer target: the json transform on arbitrary lines; its output must be valid JSON, and
// the raw members it copies must be exactly those simdjson On-Demand finds.
#include <cstdlib>

#include "parser/json/json_transform.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/raw_members_reference.h"

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
  if (!logship::testing::raw_members_difference(std::string_view(reinterpret_cast<const char*>(data), size)).empty()) std::abort();
  return 0;
}
