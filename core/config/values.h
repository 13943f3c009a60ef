// Value types that configs use beyond the YAML scalars, with their parsers and printers.
//
//   Duration d;   parse "250ms", "5s", "2m", "1h" (a bare number means seconds)
//   ByteSize b;   parse "64KiB", "1MiB", "2GiB", "10MB" (KB/MB/GB are powers of 1000), or bytes
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logship {

struct Duration {
  std::chrono::milliseconds value{0};
  auto operator<=>(const Duration&) const = default;
};

struct ByteSize {
  uint64_t value = 0;
  auto operator<=>(const ByteSize&) const = default;
};

bool parse_duration(std::string_view text, Duration& out);
bool parse_byte_size(std::string_view text, ByteSize& out);
std::string format_duration(Duration d);
std::string format_byte_size(ByteSize b);

}  // namespace logship
