#include "alerts/schedule.h"

#include <array>
#include <charconv>
#include <chrono>
#include <vector>

namespace logship {

namespace {

constexpr int64_t kMinutesPerDay = 1440;
constexpr int64_t kSearchDays = 366 * 8;  // (a 29 February falls at least once in 8 years)

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return s;
}

struct FieldSpec {
  const char* name;
  int min;
  int max;
  std::vector<std::string> names;  // for min, min+1, …
};

const FieldSpec kFields[] = {
    {"minute", 0, 59, {}},
    {"hour", 0, 23, {}},
    {"day of month", 1, 31, {}},
    {"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
    {"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
};

bool read_value(const FieldSpec& spec, const std::string& text, int& out) {
  for (size_t i = 0; i < spec.names.size(); ++i)
    if (lower(text) == spec.names[i]) {
      out = spec.min + static_cast<int>(i);
      return true;
    }
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && p == text.data() + text.size() && !text.empty();
}

// One field into bits (bit n: value n); false and `why` for anything else.
bool read_field(const FieldSpec& spec, const std::string& field, uint64_t& bits, std::string& why) {
  auto fail = [&](const std::string& item, const std::string& problem) {
    why = std::string(spec.name) + " field '" + field + "': " + (item.empty() ? "" : "'" + item + "' ") + problem;
    return false;
  };
  size_t start = 0;
  while (true) {
    size_t comma = field.find(',', start);
    std::string item = field.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::string range = item;
    int step = 1;
    if (size_t slash = item.find('/'); slash != std::string::npos) {
      range = item.substr(0, slash);
      std::string step_text = item.substr(slash + 1);
      auto [p, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
      if (ec != std::errc() || p != step_text.data() + step_text.size() || step_text.empty() || step < 1 || step > spec.max)
        return fail(item, "has a step that is not a number from 1 to " + std::to_string(spec.max));
    }
    int low = spec.min, high = spec.max;
    if (range != "*") {
      size_t dash = range.find('-', 1);
      std::string a = range.substr(0, dash), b = dash == std::string::npos ? "" : range.substr(dash + 1);
      if (!read_value(spec, a, low) || (dash != std::string::npos && !read_value(spec, b, high)))
        return fail(item, "is not a number" + std::string(spec.names.empty() ? "" : " or a name (" + spec.names[0] + ", …)") + ", a range a-b, or *");
      if (dash == std::string::npos) high = item.find('/') != std::string::npos ? spec.max : low;  // "5/15": from 5 on
      if (low < spec.min || high > spec.max || low > high)
        return fail(item, "is outside " + std::to_string(spec.min) + "-" + std::to_string(spec.max) + (low > high ? " or runs backwards" : ""));
    }
    for (int v = low; v <= high; v += step) bits |= uint64_t{1} << v;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

std::chrono::year_month_day civil_day(int64_t local_day) { return std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(local_day))); }

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::optional<Schedule> Schedule::make(const std::string& schedule, Duration every, const std::string& timezone, std::string& why) {
  Schedule s;
  Duration interval = every;
  if (schedule.empty() || parse_duration(schedule, interval)) {
    s.every_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(interval.value).count();
    s.text_ = "every " + format_duration(interval);
    if (s.every_ms_ < 1000 || s.every_ms_ > 3650LL * 86'400'000) {
      why = "'" + format_duration(interval) + "': an interval from 1s to 3650d";
      return std::nullopt;
    }
    return s;
  }
  std::string text = schedule;
  // As shown in messages: control characters (a newline from a YAML block) made visible.
  std::string shown;
  for (char c : schedule) shown += static_cast<unsigned char>(c) < 0x20 ? std::string("\\x") + "0123456789abcdef"[(c >> 4) & 0xF] + "0123456789abcdef"[c & 0xF] : std::string(1, c);
  bool looks_like_interval = !schedule.empty() && schedule.find_first_not_of("0123456789.smhd") == std::string::npos && schedule[0] >= '0' && schedule[0] <= '9';
  if (looks_like_interval) {
    why = "'" + shown + "': not an interval logship reads (a number and s, m, h or d, from 1s to 3650d)";
    return std::nullopt;
  }
  static const std::array<std::pair<const char*, const char*>, 7> kMacros = {{{"@yearly", "0 0 1 1 *"},
                                                                              {"@annually", "0 0 1 1 *"},
                                                                              {"@monthly", "0 0 1 * *"},
                                                                              {"@weekly", "0 0 * * 0"},
                                                                              {"@daily", "0 0 * * *"},
                                                                              {"@midnight", "0 0 * * *"},
                                                                              {"@hourly", "0 * * * *"}}};
  if (text.starts_with("@")) {
    bool known = false;
    for (const auto& [name, fields] : kMacros)
      if (lower(text) == name) {
        text = fields;
        known = true;
      }
    if (!known) {
      why = "'" + shown + "': not one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually";
      return std::nullopt;
    }
  }
  std::vector<std::string> fields;
  for (size_t i = 0; i < text.size();) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    if (j > i) fields.push_back(text.substr(i, j - i));
    i = j;
  }
  if (fields.size() != 5) {
    why = "'" + shown + "': a cron schedule has 5 fields (minute hour day-of-month month day-of-week), or write an interval such as 1h";
    if (fields.size() == 6) why += "; seconds are not taken";
    return std::nullopt;
  }
  uint64_t bits[5] = {};
  for (size_t k = 0; k < 5; ++k)
    if (!read_field(kFields[k], fields[k], bits[k], why)) return std::nullopt;
  s.minutes_ = bits[0];
  s.hours_ = static_cast<uint32_t>(bits[1]);
  s.days_ = static_cast<uint32_t>(bits[2]);
  s.months_ = static_cast<uint16_t>(bits[3]);
  s.weekdays_ = static_cast<uint8_t>((bits[4] | (bits[4] >> 7)) & 0x7F);  // 7 is Sunday too
  s.any_day_of_month_ = fields[2].starts_with("*");
  s.any_weekday_ = fields[4].starts_with("*");
  s.zone_ = TimeZone::load(timezone.empty() ? "UTC" : timezone, why);
  if (!s.zone_) return std::nullopt;
  s.text_ = schedule + " (" + s.zone_->name() + ")";
  if (!s.search(0, true)) {
    why = "'" + shown + "' never runs (no such day)";
    return std::nullopt;
  }
  return s;
}

bool Schedule::day_matches(int64_t local_day) const {
  auto ymd = civil_day(local_day);
  if (!(months_ >> static_cast<unsigned>(ymd.month()) & 1)) return false;
  bool dom = days_ >> static_cast<unsigned>(ymd.day()) & 1;
  bool dow = weekdays_ >> std::chrono::weekday(std::chrono::sys_days(std::chrono::days(local_day))).c_encoding() & 1;
  if (!any_day_of_month_ && !any_weekday_) return dom || dow;
  return dom && dow;
}

std::optional<int64_t> Schedule::search(int64_t unix_seconds, bool forward) const {
  int64_t local = zone_->local_seconds(unix_seconds);
  // The first local minute to try: the one after `local`'s (forward), the one before it (back).
  int64_t minute = forward ? floor_div(local, 60) + 1 : floor_div(local + 59, 60) - 1;
  int64_t first_day = floor_div(minute, kMinutesPerDay);
  while (std::abs(floor_div(minute, kMinutesPerDay) - first_day) <= kSearchDays) {
    int64_t day = floor_div(minute, kMinutesPerDay);
    int64_t of_day = minute - day * kMinutesPerDay;
    int hour = static_cast<int>(of_day / 60), min = static_cast<int>(of_day % 60);
    if (!day_matches(day)) {
      minute = forward ? (day + 1) * kMinutesPerDay : day * kMinutesPerDay - 1;
      continue;
    }
    if (!(hours_ >> hour & 1)) {
      minute = forward ? day * kMinutesPerDay + (hour + 1) * 60 : day * kMinutesPerDay + hour * 60 - 1;
      continue;
    }
    if (!(minutes_ >> min & 1)) {
      minute += forward ? 1 : -1;
      continue;
    }
    auto ymd = civil_day(day);
    int64_t at = zone_->utc_seconds(static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                                    static_cast<int>(static_cast<unsigned>(ymd.day())), hour, min, 0);
    if (forward ? at > unix_seconds : at < unix_seconds) return at;
    minute += forward ? 1 : -1;  // (a wall time the zone skipped, read an hour off)
  }
  return std::nullopt;
}

int64_t Schedule::next_ms(int64_t after_ms) const {
  if (!zone_) return after_ms + every_ms_;
  auto at = search(floor_div(after_ms, 1000), true);
  return at ? *at * 1000 : INT64_MAX;
}

int64_t Schedule::latest_ms(int64_t at_ms) const {
  if (!zone_) return at_ms;
  auto at = search(floor_div(at_ms, 1000) + 1, false);
  return at ? *at * 1000 : at_ms;
}

int64_t Schedule::previous_ms(int64_t at_ms) const {
  if (!zone_) return at_ms - every_ms_;
  auto before = search(floor_div(latest_ms(at_ms), 1000), false);
  return before ? *before * 1000 : at_ms - 86'400'000;
}

std::string Schedule::text() const { return text_; }

}  // namespace logship
