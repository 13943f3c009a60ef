// libFuzzer target for what the alerts sink reads that a person or a disk wrote: cron schedules
// (the first byte 0) and saved baselines (1). A schedule that is accepted must answer with
// times that agree with each other; a baseline file, however damaged, must load without harm,
// judge, and save again to exactly what it loads back as.
#include <simdjson.h>

#include <cstdlib>
#include <string>

#include "alerts/rule_engine.h"
#include "alerts/schedule.h"

namespace {

void check_schedule(const std::string& text, int64_t at_ms) {
  static const char* kZones[] = {"UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"};
  std::string why;
  auto s = logship::Schedule::make(text, logship::Duration{std::chrono::hours(1)}, kZones[static_cast<unsigned char>(at_ms) % 4], why);
  if (!s) {
    if (why.empty()) std::abort();  // refused without a reason
    return;
  }
  int64_t next = s->next_ms(at_ms);
  if (next <= at_ms) std::abort();
  if (!s->is_cron()) return;
  if (next == INT64_MAX) std::abort();  // make() refuses a schedule that never runs
  // `next` is a run; none lies between `at_ms` and it; the run before it is earlier.
  if (s->latest_ms(next) != next || s->latest_ms(next - 1) > at_ms) std::abort();
  if (s->previous_ms(next) >= next) std::abort();
}

void check_baselines(const std::string& text) {
  static const logship::AlertsSinkConfig config = [] {
    logship::AlertsSinkConfig c;
    logship::AlertRuleConfig p95;
    p95.measure = "p95";
    p95.field = "d";
    p95.group_by = {"g"};
    p95.window.value = std::chrono::hours(1);
    p95.baseline.value = std::chrono::hours(24 * 7);
    p95.above = 2;
    c.rules.emplace_back("p95", p95);
    logship::AlertRuleConfig count;
    count.window.value = std::chrono::minutes(5);
    count.baseline.value = std::chrono::hours(24);
    count.below = 0.5;
    c.rules.emplace_back("count", count);
    c.max_groups = 50;
    return c;
  }();
  simdjson::dom::parser parser;
  simdjson::dom::element saved;
  if (parser.parse(text).get(saved) != simdjson::SUCCESS) return;
  logship::RuleEngine engine(config, "fuzz");
  engine.load_baselines(saved);
  std::vector<logship::AlertChange> changes;
  engine.add_event(R"({"@timestamp":"2026-12-05T10:00:00Z","g":"a","d":5})", 1'796'500'000'000, changes);
  engine.evaluate(1'796'500'000'000, changes);
  std::string once, twice;
  engine.save_baselines(once);
  logship::RuleEngine again(config, "fuzz");
  simdjson::dom::parser parser2;
  again.load_baselines(parser2.parse(once).value());
  again.save_baselines(twice);
  if (once != twice) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    // Times from 1970 to about 2100, from the text's own bytes.
    int64_t at_ms = static_cast<int64_t>(std::hash<std::string>()(text) % 4'100'000'000ULL) * 1000 + data[0];
    check_schedule(text, at_ms);
  } else {
    check_baselines(text);
  }
  return 0;
}
