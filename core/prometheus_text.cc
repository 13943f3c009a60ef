#include "core/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/json_writer.h"
#include "core/redact.h"

namespace logship {

void append_label_value(std::string& out, const std::string& value) {
  // A label may name a URL (an endpoint, a broker): never with its password. It may name a
  // file whose name is not UTF-8, which Prometheus refuses for the whole scrape: such bytes
  // become U+FFFD.
  std::string text;
  append_valid_utf8(text, redact_url_credentials(value));
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

namespace {

void append_number(std::string& out, double v) {
  char buf[64];
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::fabs(v) < 9e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
    out += buf;
  } else {
    // Shortest text that reads back as the same double: unix times in seconds keep their
    // sub-second part (a fixed %g precision would round them to tens of seconds).
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
  }
}

struct Family {
  std::string help;
  MetricType type;
  std::vector<std::pair<Labels, double>> samples;
};

}  // namespace

std::string render_prometheus(const MetricsRegistry& registry) {
  std::map<std::string, Family> families;  // sorted by name: stable output
  auto add = [&](const std::string& name, const std::string& help, MetricType type, const Labels& labels, double value) {
    Family& f = families[name];
    if (f.samples.empty()) {
      f.help = help;
      f.type = type;
    }
    f.samples.emplace_back(labels, value);
  };
  registry.for_each([&](const MetricInfo& m) { add(m.name, m.help, m.type, m.labels, m.exposed()); });
  for (const Sample& s : registry.collect()) add(s.name, s.help, s.type, s.labels, s.value);

  std::string out;
  for (const auto& [name, f] : families) {
    out += "# HELP " + name + " ";
    for (char c : f.help) {  // HELP escapes only \ and newline
      if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else out.push_back(c);
    }
    out += "\n# TYPE " + name + (f.type == MetricType::kCounter ? " counter\n" : " gauge\n");
    for (const auto& [labels, value] : f.samples) {
      out += name;
      if (!labels.empty()) {
        out.push_back('{');
        for (size_t i = 0; i < labels.size(); ++i) {
          if (i) out.push_back(',');
          out += labels[i].first + "=\"";
          append_label_value(out, labels[i].second);
          out.push_back('"');
        }
        out.push_back('}');
      }
      out.push_back(' ');
      append_number(out, value);
      out.push_back('\n');
    }
  }
  return out;
}

}  // namespace logship
