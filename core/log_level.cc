#include "core/log_level.h"

#include "core/json_writer.h"
#include "core/short_equal.h"

namespace logship {

// log.level as people search for it: lower case, common aliases folded, pino/bunyan numbers.
void append_normalised_level(std::string& out, std::string_view level) {
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"warning", "warn"}, {"err", "error"},   {"eror", "error"},  {"information", "info"}, {"informational", "info"},
      {"dbg", "debug"},    {"trc", "trace"},   {"panic", "fatal"}, {"crit", "critical"},    {"emerg", "emergency"},
      {"10", "trace"},     {"20", "debug"},    {"30", "info"},     {"40", "warn"},          {"50", "error"},
      {"60", "fatal"},
  };
  // Levels are short: lower-cased on the stack (this runs for every event that has one).
  char buffer[32];
  std::string long_level;
  char* lower = buffer;
  if (level.size() > sizeof(buffer)) {
    long_level.resize(level.size());
    lower = long_level.data();
  }
  for (size_t i = 0; i < level.size(); ++i) {
    char c = level[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  std::string_view result(lower, level.size());
  for (const auto& [from, to] : kAliases) {
    if (short_equal(result, from)) {
      result = to;
      break;
    }
  }
  append_json_string(out, result);
}

}  // namespace logship
