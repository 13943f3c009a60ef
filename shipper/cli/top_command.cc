// `logship top`: a live view of a running logship's /metrics, per component, every second —
// what `vector top` gives. It reads the same endpoint Prometheus scrapes, so it needs nothing
// the operator does not already have.
#include <unistd.h>

#include <httplib.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <thread>

#include "core/component_registry.h"
#include "shipper/cli/commands.h"
#include "shipper/pipeline/pipeline_config.h"
#include "shipper/sources/register_sources.h"

namespace logship {
namespace {

// name -> (labels text -> value), from the Prometheus text format.
struct Scrape {
  std::map<std::string, std::vector<std::pair<std::map<std::string, std::string>, double>>> series;
  double value(const std::string& name, const std::string& component = "") const {
    auto it = series.find(name);
    if (it == series.end()) return 0;
    double sum = 0;
    for (const auto& [labels, v] : it->second) {
      auto c = labels.find("component");
      if (component.empty() || (c != labels.end() && c->second == component)) sum += v;
    }
    return sum;
  }
};

bool parse_scrape(const std::string& text, Scrape& out) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty() || line[0] == '#') continue;
    size_t name_end = line.find_first_of("{ ");
    if (name_end == std::string::npos) return false;
    std::string name = line.substr(0, name_end);
    std::map<std::string, std::string> labels;
    size_t i = name_end;
    if (line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return false;
        std::string key = line.substr(i, eq - i);
        std::string value;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\' && j + 1 < line.size()) {
            ++j;
            value.push_back(line[j] == 'n' ? '\n' : line[j]);
          } else {
            value.push_back(line[j]);
          }
        }
        labels[key] = value;
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;
    }
    out.series[name].emplace_back(std::move(labels), std::strtod(line.c_str() + i, nullptr));
  }
  return true;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (std::fabs(b) >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
  return buf;
}

std::string fixed(double v, int decimals) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

// One frame: a header and a row per component, rates from the scrape before.
std::string render(const std::string& url, const Scrape& now, const Scrape* before, double seconds) {
  auto rate = [&](const std::string& name, const std::string& component) {
    if (!before || seconds <= 0) return 0.0;
    return std::max(0.0, (now.value(name, component) - before->value(name, component)) / seconds);
  };
  std::string out;
  double cpu = rate("process_cpu_seconds_total", "") * 100;
  out += "logship at " + url + "   CPU " + (before ? fixed(cpu, 1) + " %" : std::string("-")) + "   RSS " +
         human_bytes(now.value("process_resident_memory_bytes")) + "\n\n";
  std::vector<std::vector<std::string>> rows{{"COMPONENT", "KIND", "EVENTS/S", "MB/S", "EVENTS", "QUEUE", "LAG", "ERRORS", "STATE"}};
  auto up = now.series.find("logship_component_up");
  if (up != now.series.end()) {
    for (const auto& [labels, v] : up->second) {
      std::string c = labels.at("component");
      std::string kind = labels.count("kind") ? labels.at("kind") : "";
      bool sink = kind == "sink";
      std::string events_metric = sink ? "logship_sink_acknowledged_events_total" : "logship_component_sent_events_total";
      double capacity = now.value("logship_queue_capacity_bytes", c);
      std::string queue = capacity > 0 ? fixed(100 * now.value("logship_queue_bytes", c) / capacity, 0) + " %" : "-";
      double file_lag = now.value("logship_file_lag_bytes", c);
      double kafka_lag = now.value("logship_kafka_consumer_lag_messages", c);
      std::string lag = file_lag > 0 ? human_bytes(file_lag) : kafka_lag > 0 ? fixed(kafka_lag, 0) + " msgs" : "0";
      // Parser outcomes other than "parsed" and "server_header" are problems, as are events a
      // destination refused for good (dead-lettered).
      double errors = 0;
      auto parser = now.series.find("logship_parser_events_total");
      if (parser != now.series.end())
        for (const auto& [l, val] : parser->second)
          if (l.count("component") && l.at("component") == c && l.count("outcome") && l.at("outcome") != "parsed" && l.at("outcome") != "server_header")
            errors += val;
      errors += now.value("logship_sink_dead_lettered_events_total", c);
      std::string state = v > 0 ? "running" : "stopped";
      if (rate("logship_queue_blocked_seconds_total", c) > 0.5 || now.value("logship_sink_blocked", c) > 0) state = "blocked";
      double mbs = sink ? 0 : rate("logship_component_sent_bytes_total", c) / 1e6;
      rows.push_back({c, kind, before ? fixed(rate(events_metric, c), 0) : "-", sink ? "-" : before ? fixed(mbs, 2) : "-",
                      fixed(now.value(events_metric, c), 0), queue, lag, fixed(errors, 0), state});
    }
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      bool left = i < 2 || i + 1 == r.size();
      std::string pad(width[i] - r[i].size(), ' ');
      out += (i ? "  " : "") + (left ? r[i] + (i + 1 < r.size() ? pad : "") : pad + r[i]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

int command_top(const std::vector<std::string>& args) {
  std::string url;
  std::string config;
  double interval = 1.0;
  long iterations = -1;
  for (size_t i = 0; i < args.size(); ++i) {
    auto value = [&]() -> std::string { return i + 1 < args.size() ? args[++i] : ""; };
    if (args[i] == "--api") url = value();
    else if (args[i] == "-c" || args[i] == "--config") config = value();
    else if (args[i] == "--interval") interval = std::strtod(value().c_str(), nullptr);
    else if (args[i] == "--iterations") iterations = std::strtol(value().c_str(), nullptr, 10);
    else {
      std::cerr << "logship top: unknown argument '" << args[i] << "'\n";
      print_command_help("top");
      return 2;
    }
  }
  if (url.empty() && !config.empty()) {
    ComponentRegistry registry;
    register_all_components(registry);
    ConfigErrors errors;
    auto pipeline = load_pipeline_file(config, registry, errors);
    if (!pipeline) {
      for (const auto& e : errors.list()) std::cerr << e.to_string(config) << "\n";
      return 2;
    }
    if (!pipeline->global.api) {
      std::cerr << "logship top: " << config << " has no api: section, so the pipeline serves no metrics (add api: {address: 127.0.0.1:9598})\n";
      return 2;
    }
    url = "http://" + pipeline->global.api->address;
  }
  if (url.empty()) {
    std::cerr << "logship top: needs --api URL or -c PIPELINE.yaml\n";
    print_command_help("top");
    return 2;
  }
  if (interval <= 0) interval = 1.0;
  bool tty = ::isatty(STDOUT_FILENO);
  if (iterations < 0 && !tty) iterations = 2;  // piped: two frames (the second has rates), then exit
  httplib::Client client(url);
  client.set_connection_timeout(std::chrono::seconds(2));
  client.set_read_timeout(std::chrono::seconds(5));
  std::optional<Scrape> before;
  auto before_time = std::chrono::steady_clock::now();
  for (long n = 0; iterations < 0 || n < iterations; ++n) {
    if (n) std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(interval * 1000)));
    auto res = client.Get("/metrics");
    Scrape now;
    if (!res || res->status != 200 || !parse_scrape(res->body, now)) {
      std::cerr << "logship top: cannot read " << url << "/metrics"
                << (res ? " (HTTP " + std::to_string(res->status) + ")" : " (" + httplib::to_string(res.error()) + ")") << "\n";
      return 1;
    }
    auto t = std::chrono::steady_clock::now();
    double seconds = std::chrono::duration<double>(t - before_time).count();
    std::string frame = render(url, now, before ? &*before : nullptr, seconds);
    if (tty) std::cout << "\x1b[H\x1b[2J";
    std::cout << frame << (tty ? "" : "\n") << std::flush;
    before = std::move(now);
    before_time = t;
  }
  return 0;
}

}  // namespace logship
