// libFuzzer target: the json transform on arbitrary lines; its output must be valid JSON.
#include "parser/json/json_transform.h"
#include "tests/fuzz/fuzz_support.h"

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
  return 0;
}
