// `type: rules` transform: lines into fields with RE2 rule sets (see rule_set.h for the file
// format), from the built-in library (pipelines/rules/, compiled into the binary) or files.
//
//   transforms:
//     access:
//       type: rules
//       inputs: [nginx_files]
//       rules: [nginx]                 # built-in names or paths to rule files, tried in order
//       keep_original: false           # true: the line also goes to event.original
//       threads: 0                     # parsing threads, output order kept; 0: one per core (≤ 4)
//       user_agent: {}                 # user_agent.original read into name, os, device
//       geoip: {database: /var/lib/GeoIP/GeoLite2-City.mmdb, asn_database: …}  # source.geo, source.as
//
// `geoip:` does what a geoip transform after this one would (same options and fields), on the
// address as the rule captured it: no second parse of the encoded event. It reads captures of
// type ip, client_ip, maybe_ip and string; a rule that writes any <object>.geo.* or
// <object>.as.* field itself gets neither from the database, and a static or quoted address is
// not looked up (a geoip transform after the rules covers those).
//
// A line no rule matches is kept as `message`, flagged `unparsed`, and counted.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/component.h"
#include "core/metrics.h"
#include "parser/rules/rule_set.h"

namespace logship {

// `user_agent:` on a rules transform: user_agent.original read into name, version, os.* and
// device.name with uap-core's expressions.
struct UserAgentConfig {
  std::string regexes = "/usr/share/uap-core/regexes.yaml";
  int64_t cache_size = 10000;
  static const Schema<UserAgentConfig>& schema();
};

struct RulesTransformConfig {
  std::vector<std::string> rules;
  bool keep_original = false;
  std::string timezone;  // of times without a zone; empty: UTC
  std::optional<UserAgentConfig> user_agent;
  std::optional<GeoLookupConfig> geoip;
  int64_t threads = 0;
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

// Loads rule files by built-in name or path into one set; every problem goes to `errors`
// (with the rule file's name and line). Returns nullptr on any problem.
std::unique_ptr<RuleSet> load_rule_set(const std::vector<std::string>& names, ConfigErrors& errors,
                                       const YAML::Node& where = YAML::Node(), const std::string& path = "");

class RulesTransform final : public Transform {
 public:
  static const Schema<RulesTransformConfig>& schema();
  static Result<std::unique_ptr<RulesTransform>> create(const RulesTransformConfig& config, const BuildContext& ctx);
  void process(BatchPtr batch, Emitter& out) override;
  void encode(Batch& batch);

 private:
  RulesTransform(std::unique_ptr<RuleSet> rules, bool keep_original, const std::string& name);
  std::unique_ptr<RuleSet> rules_;
  bool keep_original_;
  std::shared_ptr<StringPool> encoded_ = std::make_shared<StringPool>();  // encode_each buffers
  Counter& matched_;
  Counter& unparsed_;
};

}  // namespace logship
