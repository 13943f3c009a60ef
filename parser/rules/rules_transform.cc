#include "parser/rules/rules_transform.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_writer.h"
#include "core/log.h"
#include "core/plain_encoder.h"
#include "parser/rules/builtin_rules.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call

std::unique_ptr<RuleSet> load_rule_set(const std::vector<std::string>& names, ConfigErrors& errors, const YAML::Node& where,
                                       const std::string& path) {
  auto set = std::make_unique<RuleSet>();
  size_t before = errors.size();
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    std::string entry_path = path + "[" + std::to_string(i) + "]";
    YAML::Node at = where.IsSequence() && i < where.size() ? where[i] : where;
    std::string text;
    std::string file = name;
    bool found = false;
    for (const auto& [builtin, yaml] : builtin_rule_files()) {
      if (builtin == name) {
        text = std::string(yaml);
        file = "pipelines/rules/" + name + ".yaml (built in)";
        found = true;
      }
    }
    if (!found) {
      std::ifstream in(name);
      if (!in) {
        std::string known;
        for (const auto& [builtin, yaml] : builtin_rule_files()) known += (known.empty() ? "" : ", ") + std::string(builtin);
        errors.add(at, entry_path, "cannot read rule file '" + name + "' (built-in rule sets: " + known + ")");
        continue;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    ConfigErrors file_errors;
    set->add_file(text, file_errors);
    errors.add_from_file(file_errors, file);
  }
  if (errors.size() != before) return nullptr;
  std::string error;
  if (!set->compile(error)) {
    errors.add(where, path, error);
    return nullptr;
  }
  return set;
}

const Schema<UserAgentConfig>& UserAgentConfig::schema() {
  static const auto s =
      Schema<UserAgentConfig>()
          .field("regexes", &UserAgentConfig::regexes, "ua-parser's regexes.yaml (Debian's uap-core package installs it; a newer copy of uap-core's file works too).")
          .field("cache_size", &UserAgentConfig::cache_size, "Agents whose results each thread keeps (a site sees few distinct ones; past this many the cache starts again). Agents over 1 KiB are not kept, and only their first 512 bytes are read.");
  return s;
}

const Schema<RulesTransformConfig>& RulesTransform::schema() {
  static const auto s = Schema<RulesTransformConfig>()
                            .field("rules", &RulesTransformConfig::rules, "Rule sets, tried in order: built-in names (nginx, apache, syslog, auth, logfmt, mysql_error, rails, go, java, python; pipelines/rules/README.md) or paths to rule files.")
                            .required()
                            .field("keep_original", &RulesTransformConfig::keep_original, "Also keep the whole line in event.original.")
                            .field("timezone", &RulesTransformConfig::timezone, "Zone of times the lines write without one: an IANA name (Europe/Berlin), UTC, local (this machine's) or an offset (+05:30).")
                            .shown_default("UTC")
                            .nested("user_agent", &RulesTransformConfig::user_agent, UserAgentConfig::schema(),
                                    "Read user_agent.original into user_agent.name, version, os.name, os.version, os.full and device.name (`user_agent: {}` for the defaults).")
                            .nested("geoip", &RulesTransformConfig::geoip, GeoLookupConfig::schema(),
                                    "Look the address a rule captures (field, source.ip by default) up in MaxMind-format databases: <object>.geo.* and <object>.as.*, as the geoip transform adds them.")
                            .field("threads", &RulesTransformConfig::threads, "Threads parsing batches in parallel (output order is kept); 0: one per core, at most 4.");
  return s;
}

void RulesTransformConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (threads < 0 || threads > 64) errors.add(node["threads"], join_path(path, "threads"), "must be between 0 (one per core) and 64");
  std::string why;
  std::unique_ptr<RuleSet> set;
  if (rules.empty()) errors.add(node["rules"], join_path(path, "rules"), "must name at least one rule set");
  else set = load_rule_set(rules, errors, node["rules"], join_path(path, "rules"));
  if (geoip) {
    size_t before = errors.size();
    geoip->validate(node["geoip"], join_path(path, "geoip"), errors);
    if (set && user_agent) {
      // As create() does: the fields user_agent takes over are no address to look up.
      if (auto parser = UserAgentParser::shared(user_agent->regexes, why)) set->set_user_agent(std::move(parser), 1);
    }
    if (set && errors.size() == before && set->geoip_candidates(geoip->field) == 0)
      errors.add(node["geoip"], join_path(path, "geoip"),
                 "no rule of these rule sets captures " + geoip->field + " as an address (set geoip.field, or use a geoip transform)");
  }
  if (!timezone.empty() && !TimeZone::load(timezone, why)) errors.add(node["timezone"], join_path(path, "timezone"), why);
  if (user_agent) {
    if (user_agent->cache_size < 1 || user_agent->cache_size > 1'000'000)
      errors.add(node["user_agent"]["cache_size"], join_path(path, "user_agent.cache_size"), "must be between 1 and 1000000");
    auto parser = UserAgentParser::shared(user_agent->regexes, why);
    if (!parser) {
      errors.add(node["user_agent"]["regexes"] ? node["user_agent"]["regexes"] : node["user_agent"], join_path(path, "user_agent.regexes"), why);
    } else if (parser->skipped() > 0) {
      // Not an error: the other expressions still work. Said here too, so `validate` tells.
      log_warn("user_agent: some expressions of the file are not RE2's and are skipped",
               {{"path", join_path(path, "user_agent.regexes")}, {"file", user_agent->regexes}, {"skipped", std::to_string(parser->skipped())}});
    }
  }
}

RulesTransform::RulesTransform(std::unique_ptr<RuleSet> rules, bool keep_original, const std::string& name)
    : rules_(std::move(rules)),
      keep_original_(keep_original),
      matched_(metrics().counter("logship_parser_events_total", "Events a parser produced, by outcome.",
                                 {{"component", name}, {"outcome", "parsed"}})),
      unparsed_(metrics().counter("logship_parser_events_total", "Events a parser produced, by outcome.",
                                  {{"component", name}, {"outcome", "unparsed"}})) {}

Result<std::unique_ptr<RulesTransform>> RulesTransform::create(const RulesTransformConfig& config, const BuildContext& ctx) {
  ConfigErrors errors;
  auto set = load_rule_set(config.rules, errors);
  if (!set) return Error::invalid(errors.empty() ? "cannot load rules" : errors.list()[0].to_string("rules"));
  if (!config.timezone.empty()) {
    std::string why;
    auto zone = TimeZone::load(config.timezone, why);
    if (!zone) return Error::invalid("timezone: " + why);
    set->set_time_zone(std::move(zone));
  }
  if (config.user_agent) {
    std::string why;
    auto parser = UserAgentParser::shared(config.user_agent->regexes, why);
    if (!parser) return Error::invalid("user_agent: " + why);
    if (parser->skipped() > 0)
      log_warn("user_agent: some expressions of the file are not RE2's and are skipped",
               {{"component", ctx.name}, {"file", config.user_agent->regexes}, {"skipped", std::to_string(parser->skipped())}});
    set->set_user_agent(std::move(parser), static_cast<size_t>(config.user_agent->cache_size));
  }
  if (config.geoip) {
    auto lookup = GeoLookup::open(*config.geoip, ctx.name);
    if (!lookup) return Error::invalid("geoip: " + lookup.error().message);
    set->set_geoip(std::move(*lookup), config.geoip->field);
  }
  return std::unique_ptr<RulesTransform>(new RulesTransform(std::move(set), config.keep_original, ctx.name));
}

void RulesTransform::encode(Batch& batch) {
  // Counted per batch: the counters are shared by the transform's threads (see JsonTransform).
  uint64_t unparsed = 0;
  rules_->reload_geoip_if_changed();
  encode_each(batch, encoded_, [&](EventView& e, std::string& out) {
    std::string_view line = batch.raw_text(e);
    int rule = rules_->match(line);
    if (rule >= 0) {
      e.flags |= rules_->encode(rule, line, batch, e, keep_original_, out);
      return;
    }
    // RE2 reads UTF-8: one stray byte (a Latin-1 user agent) would cost the line every field.
    // Such a line gets a second chance with the bytes replaced by U+FFFD, and is flagged.
    thread_local std::string repaired;
    repaired.clear();
    if (!append_valid_utf8(repaired, line) && (rule = rules_->match(repaired)) >= 0) {
      e.flags |= kFlagInvalidUtf8;  // before encode, which writes log.flags from e
      e.flags |= rules_->encode(rule, repaired, batch, e, keep_original_, out);
      return;
    }
    e.flags |= kFlagUnparsed;
    ++unparsed;
    out.append("{\"@timestamp\":"sv);
    append_read_time(out, batch, e);
    out.append(",\"message\":"sv);
    if (!append_json_string(out, line)) e.flags |= kFlagInvalidUtf8;
    out.push_back(',');
    append_metadata_members(out, batch, e);
    out.append("}\n"sv);
  });
  matched_.add(batch.events.size() - unparsed);
  if (unparsed > 0) unparsed_.add(unparsed);
}

void RulesTransform::process(BatchPtr batch, Emitter& out) {
  encode(*batch);
  out.emit(std::move(batch));
}

}  // namespace logship
