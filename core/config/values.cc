#include "core/config/values.h"

#include <charconv>

namespace logship {
namespace {

// Splits "250ms" into 250 and "ms". False when there is no leading number.
bool split_number_unit(std::string_view text, double& number, std::string_view& unit) {
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc() || ptr != text.data() + i || number < 0) return false;
  unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  return true;
}

}  // namespace

bool parse_duration(std::string_view text, Duration& out) {
  double n = 0;
  std::string_view unit;
  if (!split_number_unit(text, n, unit)) return false;
  double ms;
  if (unit.empty() || unit == "s") ms = n * 1000;
  else if (unit == "ms") ms = n;
  else if (unit == "m") ms = n * 60'000;
  else if (unit == "h") ms = n * 3'600'000;
  else if (unit == "d") ms = n * 86'400'000;
  else return false;
  if (!(ms <= 1e15)) return false;  // ~31 000 years: past it the milliseconds would not fit
  out.value = std::chrono::milliseconds(static_cast<int64_t>(ms));
  return true;
}

bool parse_byte_size(std::string_view text, ByteSize& out) {
  double n = 0;
  std::string_view unit;
  if (!split_number_unit(text, n, unit)) return false;
  double mult;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "KiB") mult = 1024.0;
  else if (unit == "MiB") mult = 1024.0 * 1024;
  else if (unit == "GiB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "KB") mult = 1e3;
  else if (unit == "MB") mult = 1e6;
  else if (unit == "GB") mult = 1e9;
  else return false;
  out.value = static_cast<uint64_t>(n * mult);
  return true;
}

std::string format_duration(Duration d) {
  auto ms = d.value.count();
  if (ms != 0 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string format_byte_size(ByteSize b) {
  uint64_t v = b.value;
  if (v != 0 && v % (1ull << 30) == 0) return std::to_string(v >> 30) + "GiB";
  if (v != 0 && v % (1ull << 20) == 0) return std::to_string(v >> 20) + "MiB";
  if (v != 0 && v % (1ull << 10) == 0) return std::to_string(v >> 10) + "KiB";
  return std::to_string(v);
}

}  // namespace logship
