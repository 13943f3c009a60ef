#include "core/time_zone.h"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

namespace logship {

struct TimeZone::Impl {
  cctz::time_zone zone;
};

TimeZone::TimeZone(std::string name, std::unique_ptr<Impl> impl) : name_(std::move(name)), impl_(std::move(impl)) {}
TimeZone::~TimeZone() = default;

namespace {

// "+05:30", "-0800", "+01": seconds east of UTC; false for anything else.
bool fixed_offset(const std::string& s, int& seconds) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return false;
  auto two = [&](size_t at, int& out) {
    if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
    out = (s[at] - '0') * 10 + (s[at + 1] - '0');
    return true;
  };
  int h = 0, m = 0;
  if (!two(1, h) || h > 23) return false;
  size_t p = 3;
  if (p < s.size() && s[p] == ':') ++p;
  if (p < s.size() && (!two(p, m) || m > 59 || p + 2 != s.size())) return false;
  seconds = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return true;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::load(const std::string& name, std::string& why) {
  auto impl = std::make_unique<Impl>();
  int offset = 0;
  if (name == "local") {
    impl->zone = cctz::local_time_zone();
  } else if (fixed_offset(name, offset)) {
    impl->zone = cctz::fixed_time_zone(std::chrono::seconds(offset));
  } else if (name.empty() || !cctz::load_time_zone(name, &impl->zone)) {
    // cctz falls back to UTC for a name it does not know: that must be an error, not UTC.
    why = "unknown time zone '" + name + "' (an IANA name such as Europe/Berlin, UTC, local, or an offset such as +05:30; names come from /usr/share/zoneinfo)";
    return nullptr;
  }
  return std::shared_ptr<const TimeZone>(new TimeZone(name, std::move(impl)));
}

int64_t TimeZone::utc_seconds(int year, int month, int day, int hour, int minute, int second) const {
  const cctz::civil_second civil(year, month, day, hour, minute, second);
  const cctz::time_zone::civil_lookup lookup = impl_->zone.lookup(civil);
  // kSkipped: `pre` is the instant the wall clock would have shown it before the change.
  return std::chrono::duration_cast<std::chrono::seconds>(lookup.pre.time_since_epoch()).count();
}

int64_t TimeZone::local_seconds(int64_t unix_seconds) const {
  const auto instant = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>(std::chrono::seconds(unix_seconds));
  return unix_seconds + impl_->zone.lookup(instant).offset;
}

}  // namespace logship
