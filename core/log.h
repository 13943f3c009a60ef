// logship's own log: one key=value line per event of note, on stderr, with a level.
//
//   log(Level::kInfo, "file opened", {{"path", path}, {"offset", std::to_string(off)}});
//   -> ts=2026-11-26T01:02:03.456Z level=info msg="file opened" path=/var/log/app.log offset=0
//
// Never called per event on the hot path. Thread-safe: each line is written with one write(2).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace logship {

enum class Level { kDebug = 0, kInfo, kWarn, kError };

using LogField = std::pair<std::string_view, std::string>;

void log(Level level, std::string_view msg, std::initializer_list<LogField> fields = {});
void set_log_level(Level level);
bool parse_log_level(std::string_view text, Level& out);

inline void log_info(std::string_view msg, std::initializer_list<LogField> f = {}) { log(Level::kInfo, msg, f); }
inline void log_warn(std::string_view msg, std::initializer_list<LogField> f = {}) { log(Level::kWarn, msg, f); }
inline void log_error(std::string_view msg, std::initializer_list<LogField> f = {}) { log(Level::kError, msg, f); }
inline void log_debug(std::string_view msg, std::initializer_list<LogField> f = {}) { log(Level::kDebug, msg, f); }

}  // namespace logship
