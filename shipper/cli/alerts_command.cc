// `logship alerts test` and `logship alerts list`: what an alerts sink would send for given
// events, without sending it; and what a pipeline's alerts sink holds (firing alerts, values
// remembered, messages waiting) from its state file.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <iostream>
#include <sstream>

#include "alerts/alerts_sink.h"
#include "alerts/notifier.h"
#include "alerts/rule_engine.h"
#include "alerts/schedule.h"
#include "core/component_registry.h"
#include "core/time_format.h"
#include "shipper/cli/commands.h"
#include "shipper/pipeline/pipeline_config.h"
#include "shipper/sources/register_sources.h"

namespace logship {

namespace {

struct AlertsArgs {
  std::string config;
  std::string sink;
  std::string rule;
  std::vector<std::string> events;
  bool json = false;
  std::string error;
};

AlertsArgs parse_alerts_args(const std::vector<std::string>& args, size_t from) {
  AlertsArgs a;
  for (size_t i = from; i < args.size() && a.error.empty(); ++i) {
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        a.error = args[i] + " needs a value";
        return "";
      }
      return args[++i];
    };
    if (args[i] == "-c" || args[i] == "--config") a.config = value();
    else if (args[i] == "--sink") a.sink = value();
    else if (args[i] == "--rule") a.rule = value();
    else if (args[i] == "--events") a.events.push_back(value());
    else if (args[i] == "--json") a.json = true;
    else a.error = "unknown argument '" + args[i] + "'";
  }
  if (a.error.empty() && a.config.empty()) a.error = "missing -c PIPELINE.yaml";
  return a;
}

struct FoundSink {
  std::string name;
  AlertsSinkConfig config;
  std::string data_dir;
  std::string host;
};

// The pipeline's alerts sink (the one named, or the only one).
std::optional<FoundSink> find_alerts_sink(const AlertsArgs& a) {
  ComponentRegistry registry;
  register_all_components(registry);
  ConfigErrors errors;
  auto pipeline = load_pipeline_file(a.config, registry, errors);
  for (const auto& e : errors.list()) std::cerr << e.to_string(a.config) << "\n";
  if (!pipeline) return std::nullopt;
  std::vector<const ComponentEntry*> sinks;
  for (const ComponentEntry& c : pipeline->components)
    if (c.kind == ComponentKind::kSink && c.type == "alerts" && (a.sink.empty() || c.name == a.sink)) sinks.push_back(&c);
  if (sinks.size() != 1) {
    std::cerr << "logship alerts: " << (sinks.empty() ? "no alerts sink" : "several alerts sinks: name one with --sink") << " in " << a.config << "\n";
    return std::nullopt;
  }
  FoundSink found;
  found.name = sinks[0]->name;
  found.data_dir = pipeline->global.data_dir;
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  found.host = pipeline->global.host_name.empty() ? host : pipeline->global.host_name;
  ConfigErrors again;  // the same text validated above: no problem expected
  AlertsSinkConfig::schema().parse(YAML::Load(sinks[0]->signature), "sinks." + found.name, found.config, again, common_component_keys());
  if (!a.rule.empty()) {
    std::erase_if(found.config.rules, [&](const auto& r) { return r.first != a.rule; });
    if (found.config.rules.empty()) {
      std::cerr << "logship alerts: no rule named '" << a.rule << "' in sink " << found.name << "\n";
      return std::nullopt;
    }
  }
  return found;
}

int alerts_test(const AlertsArgs& a) {
  auto sink = find_alerts_sink(a);
  if (!sink) return 2;
  RuleEngine engine(sink->config, sink->name);
  std::vector<AlertChange> changes;
  int64_t now = wall_unix_ms();
  size_t events = 0, not_json = 0;
  auto read = [&](std::istream& in) {
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      ++events;
      if (!engine.add_event(line, now, changes)) ++not_json;
    }
  };
  for (const std::string& file : a.events) {
    std::ifstream in(file);
    if (!in) {
      std::cerr << "logship alerts test: cannot read " << file << "\n";
      return 2;
    }
    read(in);
  }
  if (a.events.empty() && !::isatty(0)) read(std::cin);
  engine.evaluate(now, changes);
  for (const CompiledRule& rule : engine.rules())
    if (rule.config.is_query())
      std::cerr << rule.name << ": a query rule reads its view on the cluster, not these events (logship views run " << rule.config.view << ")\n";
  std::cerr << events << " events read" << (not_json ? " (" + std::to_string(not_json) + " not JSON objects, skipped)" : "") << "; "
            << changes.size() << " changes\n";
  MessageContext ctx{sink->host, sink->name};
  auto messages = into_messages(engine, std::move(changes));
  if (messages.empty()) {
    std::cout << "Nothing would be sent: no rule fires on these events.\n";
    if (events == 0) std::cout << "Give events as NDJSON (--events FILE, or on standard input: logship parse --format json app.log | logship alerts test -c " << a.config << ").\n";
    return 0;
  }
  for (const MessageChanges& m : messages) {
    for (const auto& [n, cfg] : sink->config.targets(m.rule->config.notify)) {
      std::cout << "── to " << n << " (" << cfg->type << ")\n";
      std::cout << (a.json ? render_message(*cfg, *m.rule, m.changes, ctx) + "\n" : render_text(cfg, *m.rule, m.changes, ctx)) << "\n";
    }
  }
  return 0;
}

int alerts_list(const AlertsArgs& a) {
  auto sink = find_alerts_sink(a);
  if (!sink) return 2;
  std::string path = AlertsSink::state_path(sink->data_dir, sink->name);
  std::error_code ec;
  std::string text = "{}";
  if (!std::filesystem::exists(path, ec)) {
    std::cout << "No state yet at " << path << " (the sink has not run, or nothing happened).\n";
  } else if (!std::filesystem::is_regular_file(path, ec)) {
    std::cerr << "logship alerts list: " << path << " is not a file (logship run moves it aside at start)\n";
    return 1;
  } else {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  simdjson::dom::parser parser;
  simdjson::dom::element state;
  if (parser.parse(text).get(state) != simdjson::SUCCESS || !state.is_object()) {
    std::cerr << "logship alerts list: " << path << " does not read as a JSON object (logship run moves it aside at start)\n";
    return 1;
  }
  RuleEngine engine(sink->config, sink->name);
  engine.load(state, wall_unix_ms());
  std::vector<AlertChange> firing = engine.firing();
  for (const CompiledRule& rule : engine.rules()) {
    if (rule.config.is_first_seen()) {
      std::cout << rule.name << ": first_seen " << rule.config.first_seen << ", " << engine.remembered(rule.name) << " values remembered\n";
      continue;
    }
    std::string what = rule.config.is_query() ? rule.config.value : rule.config.measure;
    size_t n = 0;
    for (const AlertChange& c : firing) n += c.rule == rule.name;
    std::cout << rule.name << ": " << (n == 0 ? "ok" : "FIRING (" + std::to_string(n) + (n == 1 ? " group)" : " groups)")) << "\n";
    for (const AlertChange& c : firing) {
      if (c.rule != rule.name) continue;
      std::string since;
      append_rfc3339_micros(since, c.since_ns);
      std::cout << "   •";
      for (const auto& [field, value] : c.group) std::cout << " " << field << "=" << value;
      std::cout << "  " << what << " " << c.value << "  since " << since << "\n";
    }
  }
  // When query rules and summaries last ran (and so when they run next).
  simdjson::dom::object runs;
  std::map<std::string, int64_t> last_run;
  if (state["last_run"].get_object().get(runs) == simdjson::SUCCESS)
    for (auto kv : runs) {
      int64_t ms = 0;
      if (kv.value.get_int64().get(ms) == simdjson::SUCCESS) last_run[std::string(kv.key)] = ms;
    }
  auto when = [](int64_t ms) {
    std::string t;
    append_rfc3339_micros(t, ms * 1'000'000);
    return t;
  };
  // When the first run comes, for a schedule that has not run (its start is not known here).
  int64_t first_started = 0;
  if (state["first_started_unix_ms"].get_int64().get(first_started)) {}
  auto first_time = [&](const Schedule& schedule, bool query_rule) -> std::string {
    if (schedule.is_cron()) return ", first " + when(schedule.next_ms(wall_unix_ms()));
    if (query_rule) return ", first at start";
    return first_started > 0 ? ", first " + when(schedule.next_ms(first_started)) : ", first " + schedule.text() + " after the first start";
  };
  auto schedule_of = [](const std::string& written, Duration every, const std::string& zone) {
    std::string why;
    auto s = Schedule::make(written, every, zone, why);
    return s ? *s : *Schedule::make("", every, "", why);
  };
  for (const CompiledRule& rule : engine.rules()) {
    if (!rule.config.is_query()) continue;
    Schedule schedule = schedule_of(rule.config.schedule, rule.config.every, rule.config.timezone);
    auto it = last_run.find("rule:" + rule.name);
    std::cout << rule.name << ": query rule on view " << rule.config.view << ", " << schedule.text() << ", "
              << (it == last_run.end() ? "not run yet" + first_time(schedule, true) : "last run " + when(it->second) + ", next " + when(schedule.next_ms(it->second)))
              << "\n";
  }
  for (const auto& [name, sc] : sink->config.summaries) {
    Schedule schedule = schedule_of(sc.schedule, sc.every, sc.timezone);
    auto it = last_run.find("summary:" + name);
    std::cout << "summary " << name << ": " << schedule.text() << ", "
              << (it == last_run.end() ? "not made yet" + first_time(schedule, false) : "last " + when(it->second) + ", next " + when(schedule.next_ms(it->second)))
              << "\n";
  }
  simdjson::dom::array pending, outbox;
  size_t waiting = state["pending"].get_array().get(pending) == simdjson::SUCCESS ? pending.size() : 0;
  size_t unsent = state["outbox"].get_array().get(outbox) == simdjson::SUCCESS ? outbox.size() : 0;
  std::cout << waiting << " changes waiting for group_wait, " << unsent << " messages not yet accepted by their receiver\n";
  if (unsent > 0) {  // (an outbox that is not an array cannot be walked)
    for (simdjson::dom::element m : outbox) {
      std::string_view notifier, title;
      int64_t attempts = 0;
      if (m["notifier"].get_string().get(notifier) || m["title"].get_string().get(title) || m["attempts"].get_int64().get(attempts)) continue;
      std::cout << "   → " << notifier << ": " << title << " (" << attempts << " attempts)\n";
    }
  }
  return 0;
}

}  // namespace

int command_alerts(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "test" && args[0] != "list")) {
    print_command_help("alerts");
    return 2;
  }
  AlertsArgs a = parse_alerts_args(args, 1);
  if (!a.error.empty()) {
    std::cerr << "logship alerts " << args[0] << ": " << a.error << "\n";
    return 2;
  }
  return args[0] == "test" ? alerts_test(a) : alerts_list(a);
}

}  // namespace logship
