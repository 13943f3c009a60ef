// Wall-clock helpers shared by the logger and the encoders.
#pragma once

#include <cstdint>
#include <string>

namespace logship {

int64_t now_unix_nanos();
// 2026-11-26T01:02:03.456Z
void append_rfc3339_millis(std::string& out, int64_t unix_nanos);
// 2026-11-26T01:02:03.456789Z (what @timestamp carries)
void append_rfc3339_micros(std::string& out, int64_t unix_nanos);

}  // namespace logship
