// libFuzzer target, differential: the compiled strftime scanner must give exactly what
// strptime gives (or hand the value over to it) for every input, in the formats logs use; and
// the UTC RFC 3339 shortcut must write what parsing then formatting writes, when it takes one.
// Half the inputs are read in a time zone (Europe/Berlin, summer time and all), both ways.
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/time_format.h"
#include "core/timestamp_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* kPatterns[] = {"%d/%b/%Y:%H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%b %d %H:%M:%S", "%b %e %T",
                                    "%F %T",                "%y%m%d %H:%M:%S",   "%D %T %z",       "%d-%B-%Y %H.%M.%S",
                                    "%a %b %e %H:%M:%S %Y"};
  if (size == 0) return 0;
  const char* pattern = kPatterns[data[0] % (sizeof(kPatterns) / sizeof(kPatterns[0]))];
  std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (value.find('\0') != std::string_view::npos) return 0;  // strptime reads C strings
  logship::TimestampFormat fast;
  if (!logship::TimestampFormat::parse(pattern, fast) || fast.steps.empty()) std::abort();  // every pattern here compiles
  static const std::shared_ptr<const logship::TimeZone> berlin = [] {
    std::string why;
    return logship::TimeZone::load("Europe/Berlin", why);
  }();
  if (data[0] & 0x80) fast.zone = berlin;
  logship::TimestampFormat slow = fast;
  slow.steps.clear();
  int64_t a = 0, b = 0;
  bool ok_fast = logship::parse_timestamp(value, fast, a);
  bool ok_slow = logship::parse_timestamp(value, slow, b);
  if (ok_fast != ok_slow || (ok_fast && a != b)) std::abort();
  logship::TimestampFormat zoned_rfc3339;
  zoned_rfc3339.zone = berlin;
  (void)logship::parse_timestamp(value, zoned_rfc3339, a);
  std::string copied;
  if (logship::append_utc_rfc3339_as_micros(copied, value)) {
    int64_t ns = 0;
    std::string converted;
    if (!logship::parse_timestamp(value, logship::TimestampFormat{}, ns)) std::abort();
    logship::append_rfc3339_micros(converted, ns);
    if (copied != converted) std::abort();
  }
  return 0;
}
