#include "parser/multiline/multiline_config.h"

#include <re2/re2.h>

namespace logship {
namespace {

struct Preset {
  const char* name;
  const char* start;
  const char* condition;
  const char* mode;
};

// Java: a line that does not start with white space begins an event; frames ("\tat …"),
// "... 12 more", "Caused by:", "Suppressed:" and the exception's own line continue it (a dotted
// class name, or a name with Exception, Error or Throwable in it, then ':' or the end).
// Python: "Traceback (most recent call last):", the indented frames, then the exception line,
// as an uncaught exception prints it; python_logging: a logging line and the traceback under it.
// Go: a panic or fatal error, the goroutine headers, function lines and indented file lines.
constexpr Preset kPresets[] = {
    {"java", R"(^[^\s])",
     R"(^(\s+at |\s+\.\.\. \d+ (more|common frames omitted)|Caused by: |\s+Suppressed: |\s+|([\w$]+\.)+[\w$]+(:|$)|[\w$]+(Exception|Error|Throwable)[\w$]*(:|$)))",
     "continue_through"},
    {"python", R"(^Traceback \(most recent call last\):)", R"(^\s+)", "continue_past"},
    // logging's lines: each begins with its asctime or with basicConfig's "LEVEL:"; everything
    // up to the next such line (a traceback from logger.exception()) belongs to it.
    {"python_logging", R"(^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|(DEBUG|INFO|WARNING|ERROR|CRITICAL|NOTSET):))",
     R"(^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|(DEBUG|INFO|WARNING|ERROR|CRITICAL|NOTSET):))", "halt_before"},
    {"go", R"(^(panic: |fatal error: |http: panic serving))",
     R"(^(\s|$|goroutine \d+ \[|\[signal |created by |[\w./*()\[\]-]+\(.*\)$|exit status ))", "continue_through"},
};

}  // namespace

const Schema<MultilineConfig>& MultilineConfig::schema() {
  static const auto s =
      Schema<MultilineConfig>()
          .choice("preset", &MultilineConfig::preset, {"java", "python", "python_logging", "go", "mysql_slowlog"},
                  "Ready-made rules: stack traces (java, python, python_logging, go; explicit patterns below override them) or MySQL slow log entries (mysql_slowlog).")
          .field("start_pattern", &MultilineConfig::start_pattern, "RE2 pattern of a line that begins an event.")
          .field("condition_pattern", &MultilineConfig::condition_pattern, "RE2 pattern that `mode` applies to the lines after the start line.")
          .choice("mode", &MultilineConfig::mode, {"continue_through", "continue_past", "halt_before", "halt_with"},
                  "How condition_pattern decides where an event ends.")
          .field("max_lines", &MultilineConfig::max_lines, "Most lines in one event; the event is cut there and flagged max_lines.")
          .field("max_event_bytes", &MultilineConfig::max_event_bytes,
                 "Most bytes in one event; the event is cut there (at a character boundary), flagged truncated and counted, and the lines left of it are skipped.")
          .shown_default("1MiB; 4MiB with preset mysql_slowlog")
          .field("timeout", &MultilineConfig::timeout, "An incomplete event is sent after this long without a new line.");
  return s;
}

void MultilineConfig::apply_preset() {
  for (const auto& p : kPresets) {
    if (preset != p.name) continue;
    if (start_pattern.empty()) start_pattern = p.start;
    if (condition_pattern.empty()) {
      condition_pattern = p.condition;
      mode = p.mode;
    }
  }
}

size_t MultilineConfig::event_byte_limit() const {
  if (max_event_bytes.value > 0) return max_event_bytes.value;
  return preset == "mysql_slowlog" ? size_t{4} << 20 : size_t{1} << 20;
}

namespace {

void validate_limits(const MultilineConfig& c, const YAML::Node& node, const std::string& path, ConfigErrors& errors) {
  if (c.max_lines < 1) errors.add(node["max_lines"], join_path(path, "max_lines"), "must be at least 1");
  if (node["max_event_bytes"] && c.max_event_bytes.value < 1024)
    errors.add(node["max_event_bytes"], join_path(path, "max_event_bytes"), "must be at least 1KiB");
  if (c.max_event_bytes.value > (size_t{1} << 30))
    errors.add(node["max_event_bytes"], join_path(path, "max_event_bytes"), "must be at most 1GiB");
}

}  // namespace

void MultilineConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (preset == "mysql_slowlog") {
    if (!start_pattern.empty() || !condition_pattern.empty())
      errors.add(node, path, "the mysql_slowlog preset assembles entries by itself; remove start_pattern and condition_pattern");
    validate_limits(*this, node, path, errors);
    return;
  }
  MultilineConfig resolved = *this;
  resolved.apply_preset();
  if (resolved.start_pattern.empty()) errors.add(node, join_path(path, "start_pattern"), "missing: give start_pattern or a preset");
  if (resolved.condition_pattern.empty())
    errors.add(node, join_path(path, "condition_pattern"), "missing: give condition_pattern or a preset");
  for (auto [key, pattern] : {std::pair{"start_pattern", &start_pattern}, std::pair{"condition_pattern", &condition_pattern}}) {
    if (pattern->empty()) continue;
    RE2 re(*pattern, RE2::Quiet);
    if (!re.ok()) errors.add(node[key], join_path(path, key), "invalid RE2 pattern: " + re.error());
  }
  validate_limits(*this, node, path, errors);
}

}  // namespace logship
