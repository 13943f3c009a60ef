// libFuzzer target: every built-in rule set at once on arbitrary lines; output must be JSON.
// With $LOGSHIP_GEOIP_DIR (scripts/fuzz sets it) the captured addresses are looked up too.
#include <cstdlib>

#include "parser/rules/builtin_rules.h"
#include "parser/rules/rules_transform.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto transform = [] {
    logship::RulesTransformConfig config;
    for (const auto& [name, yaml] : logship::builtin_rule_files()) config.rules.emplace_back(name);
    config.keep_original = true;
    if (const char* dir = std::getenv("LOGSHIP_GEOIP_DIR")) {
      config.geoip = logship::GeoLookupConfig{};
      config.geoip->database = std::string(dir) + "/City.mmdb";
      config.geoip->asn_database = std::string(dir) + "/ASN.mmdb";
      config.geoip->cache_size = 16;  // small: the cache starts over often
    }
    return std::move(logship::RulesTransform::create(config, logship::BuildContext{"fuzz", "", ""}).value());
  }();
  auto batch = logship::fuzz::batch_of_lines(std::string_view(reinterpret_cast<const char*>(data), size));
  transform->encode(*batch);
  logship::fuzz::require_valid_json_lines(*batch);
  return 0;
}
