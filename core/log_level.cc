#include "core/log_level.h"

#include "core/json_writer.h"

namespace logship {

// log.level as people search for it: lower case, common aliases folded, pino/bunyan numbers.
void append_normalised_level(std::string& out, std::string_view level) {
  std::string lower;
  for (char c : level) lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"warning", "warn"}, {"err", "error"},   {"eror", "error"},  {"information", "info"}, {"informational", "info"},
      {"dbg", "debug"},    {"trc", "trace"},   {"panic", "fatal"}, {"crit", "critical"},    {"emerg", "emergency"},
      {"10", "trace"},     {"20", "debug"},    {"30", "info"},     {"40", "warn"},          {"50", "error"},
      {"60", "fatal"},
  };
  std::string_view result = lower;
  for (const auto& [from, to] : kAliases)
    if (lower == from) result = to;
  append_json_string(out, result);
}

}  // namespace logship
