// Deterministic inputs for the micro benchmarks, built in memory so that a run needs no files.
#pragma once

#include <string>

namespace logship::bench {

// ~400-byte JSON application log lines, `lines` of them.
std::string json_lines(int lines);
// nginx combined access log lines.
std::string nginx_lines(int lines);
// A MySQL 8 slow log with a few hundred query shapes, `entries` entries.
std::string slowlog(int entries);

}  // namespace logship::bench
