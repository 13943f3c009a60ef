#include "alerts/rule_engine.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "core/json_writer.h"
#include "core/log.h"

namespace logship {

using namespace std::string_view_literals;

const char* status_name(AlertStatus s) {
  switch (s) {
    case AlertStatus::kFiring:
    case AlertStatus::kRepeat: return "firing";
    case AlertStatus::kResolved: return "resolved";
    case AlertStatus::kFirstSeen: return "first_seen";
  }
  return "firing";
}

std::string group_key(const Group& group) {
  std::string out = "[";
  for (const auto& [field, value] : group) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('[');
    append_json_string(out, field);
    out.push_back(',');
    append_json_string(out, value);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

namespace {

constexpr int64_t kNsPerMs = 1'000'000;

void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) v = 0;
  char buf[32];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? x + 32 : x) == (y >= 'A' && y <= 'Z' ? y + 32 : y);
         });
}

// Whether a measure is past the rule's bound; for a regression rule the bound is on its ratio
// to the baseline's (a baseline of 0 makes any value above 0 infinitely worse).
bool exceeds(const AlertRuleConfig& rc, double value, double baseline) {
  if (std::isnan(baseline)) return (!std::isnan(rc.above) && value > rc.above) || (!std::isnan(rc.below) && value < rc.below);
  if (baseline <= 0) return !std::isnan(rc.above) && value > 0;
  double ratio = value / baseline;
  return (!std::isnan(rc.above) && ratio > rc.above) || (!std::isnan(rc.below) && ratio < rc.below);
}

}  // namespace

Group read_group(const simdjson::dom::element& e) {
  Group g;
  simdjson::dom::array pairs;
  if (e.get_array().get(pairs) != simdjson::SUCCESS) return g;
  for (simdjson::dom::element p : pairs) {
    std::string_view k, v;
    if (p.at(0).get_string().get(k) == simdjson::SUCCESS && p.at(1).get_string().get(v) == simdjson::SUCCESS) g.emplace_back(k, v);
  }
  return g;
}

RuleEngine::RuleEngine(const AlertsSinkConfig& config, const std::string& component)
    : max_groups_(static_cast<size_t>(config.max_groups)),
      max_samples_(static_cast<size_t>(config.max_samples)),
      max_remembered_(static_cast<size_t>(config.max_remembered)) {
  for (const auto& [name, r] : config.rules) {
    CompiledRule c;
    c.name = name;
    c.config = r;
    std::string why;
    for (const auto& [field, text] : r.where)
      if (auto cond = FieldCondition::parse(field, text, why)) c.where.push_back(*cond);
    for (const auto& [field, text] : r.matching)
      if (auto cond = FieldCondition::parse(field, text, why)) c.matching.push_back(*cond);
    c.window_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(r.window.value).count();
    c.remember_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(r.remember.value).count();
    c.repeat = std::chrono::duration_cast<std::chrono::milliseconds>(r.repeat_interval.value.count() > 0 ? r.repeat_interval.value : config.repeat_interval.value);
    if (r.measure.size() == 3 && r.measure[0] == 'p') c.percentile = std::stod(r.measure.substr(1));
    if (r.is_regression()) {
      c.baseline_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(r.baseline.value).count();
      c.baseline_width_ns = Baseline::bucket_width(c.baseline_ns);
      c.baseline_min_events = r.baseline_min_events > 0 ? r.baseline_min_events : r.min_events;
    }
    c.firing_gauge = &metrics().gauge("logship_alerts_firing", "Alerts firing now (groups of a rule over its bound).", {{"component", component}, {"rule", name}});
    c.evaluation_errors = &metrics().counter("logship_alert_evaluation_errors_total",
                                             "Events a rule could not read (no number in its field) or groups it could not track (max_groups).",
                                             {{"component", component}, {"rule", name}});
    rules_.push_back(std::move(c));
  }
  states_.resize(rules_.size());
}

int64_t RuleEngine::clock_ns(int64_t wall_unix_ms) const {
  if (watermark_wall_ms_ == 0) return wall_unix_ms * kNsPerMs;
  return watermark_ns_ + std::max<int64_t>(0, wall_unix_ms - watermark_wall_ms_) * kNsPerMs;
}

auto RuleEngine::sorted(RuleState& state) -> std::vector<std::pair<const std::string*, GroupState*>> {
  std::vector<std::pair<const std::string*, GroupState*>> out;
  out.reserve(state.groups.size());
  for (auto& [key, g] : state.groups) out.emplace_back(&key, &g);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return out;
}

auto RuleEngine::sorted(const RuleState& state) -> std::vector<std::pair<const std::string*, const GroupState*>> {
  std::vector<std::pair<const std::string*, const GroupState*>> out;
  out.reserve(state.groups.size());
  for (const auto& [key, g] : state.groups) out.emplace_back(&key, &g);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return out;
}

bool RuleEngine::passes(const std::vector<FieldCondition>& conditions) {
  using Op = FieldCondition::Op;
  for (const FieldCondition& c : conditions) {
    if (c.op == Op::kEquals || c.op == Op::kNotEquals) {
      auto v = fields_.text(c.field);
      bool any = v && std::any_of(c.values.begin(), c.values.end(), [&](const std::string& w) { return equal_ignoring_case(*v, w); });
      if (any != (c.op == Op::kEquals)) return false;
      continue;
    }
    auto n = fields_.number(c.field);
    if (!n) return false;
    bool ok = c.op == Op::kLess ? *n < c.number : c.op == Op::kLessEqual ? *n <= c.number : c.op == Op::kGreater ? *n > c.number : *n >= c.number;
    if (!ok) return false;
  }
  return true;
}

bool RuleEngine::add_event(std::string_view json, int64_t wall_unix_ms, std::vector<AlertChange>& changes) {
  if (!fields_.load(json)) return false;
  int64_t clock = clock_ns(wall_unix_ms);
  int64_t t = fields_.time().value_or(clock);
  // A time over an hour ahead of this machine's (a bad clock, a typo, a hostile line) is taken
  // as the clock's: it would otherwise move every window past all other events. (Against the
  // wall clock, not the engine's: many such lines must not walk it forward an hour at a time.)
  if (t > wall_unix_ms * kNsPerMs + 3600 * 1'000'000'000LL) t = clock;
  if (watermark_wall_ms_ == 0 || t > watermark_ns_) {
    watermark_ns_ = t;
    watermark_wall_ms_ = wall_unix_ms;
  }
  if (observed_since_ns_ < 0) observed_since_ns_ = clock_ns(wall_unix_ms);
  for (size_t i = 0; i < rules_.size(); ++i) {
    CompiledRule& rule = rules_[i];
    RuleState& state = states_[i];
    const AlertRuleConfig& rc = rule.config;
    if (rc.is_query()) continue;  // reads its view's answer, not events
    if (!passes(rule.where)) continue;
    if (rc.is_first_seen()) {
      auto text = fields_.text(rc.first_seen);
      if (!text || text->empty()) continue;
      std::string value(*text);  // (a number's text lives in a buffer the next lookup reuses)
      auto it = state.seen.find(value);
      if (it == state.seen.end() || it->second < t - rule.remember_ns) {
        AlertChange change;
        change.rule = rule.name;
        change.status = AlertStatus::kFirstSeen;
        change.group = {{rc.first_seen, value}};
        change.since_ns = t;
        change.queued_unix_ms = wall_unix_ms;
        for (const std::string& f : rc.show)
          if (auto shown = fields_.text(f)) change.shown.emplace_back(f, std::string(*shown));
        changes.push_back(std::move(change));
        if (it == state.seen.end()) it = state.seen.emplace(value, t).first;
      }
      it->second = std::max(it->second, t);
      if (state.seen.size() > max_remembered_) forget_oldest(state, clock, rule);
      continue;
    }
    // The key as group_key() writes it, built in place.
    key_.assign("[");
    for (const std::string& f : rc.group_by) {
      if (key_.size() > 1) key_.push_back(',');
      key_.push_back('[');
      append_json_string(key_, f);
      key_.push_back(',');
      append_json_string(key_, fields_.text(f).value_or(std::string_view()));
      key_.push_back(']');
    }
    key_.push_back(']');
    auto it = state.groups.find(key_);
    if (it == state.groups.end()) {
      Group group;
      for (const std::string& f : rc.group_by) group.emplace_back(f, std::string(fields_.text(f).value_or(std::string_view())));
      if (state.groups.size() >= max_groups_) {
        if (state.overflowed++ == 0)
          log_warn("alert rule has max_groups groups; new ones are not tracked (logship_alert_evaluation_errors_total counts them)",
                   {{"rule", rule.name}, {"max_groups", std::to_string(max_groups_)}});
        rule.evaluation_errors->add();
        continue;
      }
      it = state.groups.emplace(key_, GroupState{}).first;
      it->second.group = std::move(group);
    }
    GroupState& g = it->second;
    if (!g.window) g.window = std::make_unique<GroupWindow>(rule.window_ns, max_samples_, rule.percentile > 0);
    std::optional<double> number;
    if (!rc.field.empty()) {
      number = fields_.number(rc.field);
      if (!number || !std::isfinite(*number)) {
        number.reset();
        rule.evaluation_errors->add();
      }
    }
    bool matched = !rule.matching.empty() && passes(rule.matching);
    g.window->add(t, matched, number);
    // Every event goes into the baseline too (the window's part is left out when it is read),
    // unless it is older than any baseline will read. (Against the clock as this event moved
    // it: the first event of a backfill is not judged by the wall clock.)
    if (rule.baseline_ns > 0 && t >= clock_ns(wall_unix_ms) - rule.window_ns - rule.baseline_ns - rule.baseline_width_ns) {
      if (!g.baseline) g.baseline = std::make_unique<Baseline>(rule.baseline_width_ns, rule.percentile > 0);
      g.baseline->add(t, matched, number);
      baselines_changed_ = true;
    }
  }
  return true;
}

std::optional<double> RuleEngine::measure(const CompiledRule& rule, const GroupWindow& window, const WindowFigures& f) const {
  const std::string& m = rule.config.measure;
  if (m == "count") return static_cast<double>(f.events);
  if (m == "rate") return static_cast<double>(f.events) / (static_cast<double>(rule.window_ns) / 1e9);
  if (m == "share") return f.events == 0 ? std::nullopt : std::optional(static_cast<double>(f.matched) / static_cast<double>(f.events));
  if (f.numbers == 0) return std::nullopt;
  if (m == "sum") return f.sum;
  if (m == "avg") return f.sum / static_cast<double>(f.numbers);
  if (m == "min") return f.min;
  if (m == "max") return f.max;
  return window.percentile(rule.percentile);
}

std::optional<double> RuleEngine::baseline_measure(const CompiledRule& rule, const Baseline::Figures& b) const {
  const std::string& m = rule.config.measure;
  const WindowFigures& f = b.figures;
  if (b.covered_ns <= 0) return std::nullopt;
  // Counts and sums as if the baseline were as long as the window.
  double scale = static_cast<double>(rule.window_ns) / static_cast<double>(b.covered_ns);
  if (m == "count") return static_cast<double>(f.events) * scale;
  if (m == "rate") return static_cast<double>(f.events) / (static_cast<double>(b.covered_ns) / 1e9);
  if (m == "share") return f.events == 0 ? std::nullopt : std::optional(static_cast<double>(f.matched) / static_cast<double>(f.events));
  if (f.numbers == 0) return std::nullopt;
  if (m == "sum") return f.sum * scale;
  if (m == "avg") return f.sum / static_cast<double>(f.numbers);
  if (m == "min") return f.min;
  if (m == "max") return f.max;
  return b.sketch.percentile(rule.percentile);
}

bool RuleEngine::judge(const CompiledRule& rule, GroupState& g, bool over, std::optional<double> value, int64_t events, int64_t now,
                       int64_t wall_unix_ms, AlertChange& change, double baseline) {
  change.rule = rule.name;
  change.group = g.group;
  change.value = value.value_or(0);
  change.baseline = baseline;
  change.events = events;
  change.queued_unix_ms = wall_unix_ms;
  bool said = true;
  if (over && !g.firing) {
    g.firing = true;
    g.since_ns = now;
    g.last_sent_unix_ms = wall_unix_ms;
    change.status = AlertStatus::kFiring;
  } else if (over && wall_unix_ms - g.last_sent_unix_ms >= rule.repeat.count()) {
    g.last_sent_unix_ms = wall_unix_ms;
    change.status = AlertStatus::kRepeat;
  } else if (!over && g.firing && (!g.restored || now - observed_since_ns_ >= rule.window_ns)) {
    // A restored alert is judged on a whole window seen since the start: the windows
    // themselves are not kept across restarts.
    g.firing = false;
    change.status = AlertStatus::kResolved;
    change.value = g.value;  // what it was when it last fired
    change.baseline = g.baseline_value;
    change.events = g.events;
  } else {
    said = false;
  }
  if (over) {
    g.value = *value;
    g.baseline_value = baseline;
    g.events = events;
  }
  change.since_ns = g.since_ns;
  return said;
}

void RuleEngine::evaluate(int64_t wall_unix_ms, std::vector<AlertChange>& changes) {
  int64_t now = clock_ns(wall_unix_ms);
  if (observed_since_ns_ < 0) observed_since_ns_ = now;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& rule = rules_[i];
    RuleState& state = states_[i];
    const AlertRuleConfig& rc = rule.config;
    if (rc.is_query()) continue;  // judged when its view runs (judge_rows)
    if (rc.is_first_seen()) {
      std::erase_if(state.seen, [&](const auto& kv) { return kv.second < now - rule.remember_ns; });
      continue;
    }
    int64_t firing = 0;
    std::vector<const std::string*> gone;
    for (auto [key, group] : sorted(state)) {
      GroupState& g = *group;
      bool empty = !g.window || g.window->expire(now);
      std::optional<double> value;
      int64_t events = 0;
      if (!empty) {
        WindowFigures f = g.window->figures();
        events = rc.field.empty() ? f.events : f.numbers;
        value = measure(rule, *g.window, f);
      }
      bool judged = value && events >= rc.min_events;
      double base = std::nan("");
      if (rule.baseline_ns > 0) {
        // The baseline is the span before the window: the window's own events are not in it.
        bool no_baseline = !g.baseline || g.baseline->expire(now - rule.window_ns - rule.baseline_ns);
        std::optional<double> b;
        if (!no_baseline && judged) {
          Baseline::Figures figures = g.baseline->read(now - rule.window_ns - rule.baseline_ns, now - rule.window_ns);
          int64_t baseline_events = rc.field.empty() ? figures.figures.events : figures.figures.numbers;
          if (baseline_events >= rule.baseline_min_events) b = baseline_measure(rule, figures);
        }
        if (b && *b < 0) b.reset();  // (a ratio to a negative figure says nothing)
        if (b) base = *b;
        judged = judged && b.has_value();
        empty = empty && no_baseline;
      }
      bool over = judged && exceeds(rc, *value, base);
      AlertChange change;
      if (judge(rule, g, over, value, events, now, wall_unix_ms, change, base)) changes.push_back(std::move(change));
      firing += g.firing;
      if (empty && !g.firing) gone.push_back(key);
    }
    for (const std::string* key : gone) state.groups.erase(std::string(*key));
    rule.firing_gauge->set(firing);
  }
}

void RuleEngine::judge_rows(size_t index, const std::vector<std::pair<Group, std::optional<double>>>& rows, int64_t wall_unix_ms,
                            std::vector<AlertChange>& changes) {
  const CompiledRule& rule = rules_[index];
  RuleState& state = states_[index];
  const AlertRuleConfig& rc = rule.config;
  // A query rule's "now" is the wall clock: its view searched up to now.
  int64_t now = wall_unix_ms * kNsPerMs;
  std::set<std::string> present;
  for (const auto& [group, value] : rows) {
    std::string key = group_key(group);
    if (!present.insert(key).second) continue;  // one row per group: the first
    auto it = state.groups.find(key);
    if (it == state.groups.end()) {
      if (state.groups.size() >= max_groups_) {
        if (state.overflowed++ == 0)
          log_warn("query rule's view has more than max_groups rows; the rest are not judged", {{"rule", rule.name}, {"max_groups", std::to_string(max_groups_)}});
        rule.evaluation_errors->add();
        continue;
      }
      it = state.groups.emplace(key, GroupState{}).first;
      it->second.group = group;
    }
    it->second.restored = false;  // the view's answer is whole: no window to wait for
    if (!value) {
      // Not a number (an empty percentile, a text column): unknown, so left as it was; it
      // neither fires nor resolves.
      rule.evaluation_errors->add();
      continue;
    }
    bool over = (!std::isnan(rc.above) && *value > rc.above) || (!std::isnan(rc.below) && *value < rc.below);
    AlertChange change;
    if (judge(rule, it->second, over, value, 1, now, wall_unix_ms, change)) changes.push_back(std::move(change));
  }
  int64_t firing = 0;
  std::vector<const std::string*> gone;
  for (auto [key, g] : sorted(state)) {
    if (!present.count(*key)) {
      // Gone from the answer: a count that fell to nothing (an aggregation leaves out empty
      // groups). Over an `above` bound no more; under a `below` bound all the more.
      g->restored = false;
      bool over = !std::isnan(rc.below) && 0 < rc.below;
      AlertChange change;
      if (judge(rule, *g, over, over ? std::optional<double>(0) : std::nullopt, 0, now, wall_unix_ms, change)) changes.push_back(std::move(change));
    }
    firing += g->firing;
    if (!g->firing && !present.count(*key)) gone.push_back(key);  // (a firing one is kept: it can resolve)
  }
  for (const std::string* key : gone) state.groups.erase(std::string(*key));
  rule.firing_gauge->set(firing);
}

void RuleEngine::forget_oldest(RuleState& state, int64_t now_ns, const CompiledRule& rule) {
  std::erase_if(state.seen, [&](const auto& kv) { return kv.second < now_ns - rule.remember_ns; });
  if (state.seen.size() <= max_remembered_) return;
  // The oldest go until a tenth of the room is free again, so this runs once per many new
  // values; values seen at the same time are told apart by the order they are listed in.
  std::vector<std::pair<int64_t, const std::string*>> by_time;
  by_time.reserve(state.seen.size());
  for (const auto& kv : state.seen) by_time.emplace_back(kv.second, &kv.first);
  size_t keep = max_remembered_ - max_remembered_ / 10;
  size_t drop = by_time.size() - keep;
  std::nth_element(by_time.begin(), by_time.begin() + static_cast<std::ptrdiff_t>(drop), by_time.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> gone;
  gone.reserve(drop);
  for (size_t i = 0; i < drop; ++i) gone.push_back(*by_time[i].second);
  for (const std::string& key : gone) state.seen.erase(key);
}

void RuleEngine::save_members(std::string& out) const {
  out.append("\"watermark_ns\":"sv).append(std::to_string(watermark_ns_));
  out.append(",\"firing\":["sv);
  bool first = true;
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (auto [key, g] : sorted(states_[i])) {
      if (!g->firing) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append("{\"rule\":"sv);
      append_json_string(out, rules_[i].name);
      out.append(",\"group\":"sv).append(*key);
      out.append(",\"since_ns\":"sv).append(std::to_string(g->since_ns));
      out.append(",\"last_sent_unix_ms\":"sv).append(std::to_string(g->last_sent_unix_ms));
      out.append(",\"value\":"sv);
      append_double(out, g->value);
      if (!std::isnan(g->baseline_value)) {
        out.append(",\"baseline\":"sv);
        append_double(out, g->baseline_value);
      }
      out.append(",\"events\":"sv).append(std::to_string(g->events)).push_back('}');
    }
  }
  // A query rule's groups that are not firing: one gone from the next answer (after a restart
  // too) is a count that fell to 0, which a `below` rule must see.
  out.append("],\"query_groups\":{"sv);
  first = true;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!rules_[i].config.is_query()) continue;
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, rules_[i].name);
    out.append(":["sv);
    bool first_group = true;
    for (auto [key, g] : sorted(states_[i])) {
      if (g->firing) continue;
      if (!first_group) out.push_back(',');
      first_group = false;
      out.append(*key);
    }
    out.push_back(']');
  }
  out.append("},\"seen\":{"sv);
  first = true;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (!rules_[i].config.is_first_seen()) continue;
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, rules_[i].name);
    out.append(":["sv);
    bool first_value = true;
    for (const auto& [value, t] : states_[i].seen) {
      if (!first_value) out.push_back(',');
      first_value = false;
      out.push_back('[');
      append_json_string(out, value);
      out.push_back(',');
      out.append(std::to_string(t)).push_back(']');
    }
    out.push_back(']');
  }
  out.push_back('}');
}

void RuleEngine::load(const simdjson::dom::element& state, int64_t wall_unix_ms) {
  auto index_of = [&](std::string_view name) -> int {
    for (size_t i = 0; i < rules_.size(); ++i)
      if (rules_[i].name == name) return static_cast<int>(i);
    return -1;
  };
  int64_t watermark = 0;
  if (state["watermark_ns"].get_int64().get(watermark) == simdjson::SUCCESS && watermark > 0) {
    // The clock goes on from the last event time seen before the stop, at the wall time of
    // the start (the time between is not known to have passed in event time).
    watermark_ns_ = watermark;
    watermark_wall_ms_ = wall_unix_ms;
  }
  simdjson::dom::array firing;
  if (state["firing"].get_array().get(firing) == simdjson::SUCCESS) {
    for (simdjson::dom::element a : firing) {
      std::string_view rule;
      if (a["rule"].get_string().get(rule) != simdjson::SUCCESS) continue;
      int i = index_of(rule);
      if (i < 0 || rules_[static_cast<size_t>(i)].config.is_first_seen()) continue;
      GroupState g;
      g.firing = true;
      g.restored = true;
      if (a["since_ns"].get_int64().get(g.since_ns)) {}
      if (a["last_sent_unix_ms"].get_int64().get(g.last_sent_unix_ms)) {}
      if (a["value"].get_double().get(g.value)) {}
      if (a["events"].get_int64().get(g.events)) {}
      if (a["baseline"].get_double().get(g.baseline_value)) {}
      simdjson::dom::element group;
      if (a["group"].get(group) != simdjson::SUCCESS) continue;
      g.group = read_group(group);
      std::string key = group_key(g.group);
      states_[static_cast<size_t>(i)].groups[key] = std::move(g);
    }
  }
  simdjson::dom::object query_groups;
  if (state["query_groups"].get_object().get(query_groups) == simdjson::SUCCESS) {
    for (auto kv : query_groups) {
      int i = index_of(kv.key);
      simdjson::dom::array groups;
      if (i < 0 || !rules_[static_cast<size_t>(i)].config.is_query() || kv.value.get_array().get(groups) != simdjson::SUCCESS) continue;
      RuleState& rs = states_[static_cast<size_t>(i)];
      for (simdjson::dom::element e : groups) {
        Group g = read_group(e);
        std::string key = group_key(g);
        if (rs.groups.size() >= max_groups_ || rs.groups.count(key)) continue;
        rs.groups[key].group = std::move(g);
      }
    }
  }
  simdjson::dom::object seen;
  if (state["seen"].get_object().get(seen) == simdjson::SUCCESS) {
    for (auto kv : seen) {
      std::string_view rule = kv.key;
      simdjson::dom::element values = kv.value;
      int i = index_of(rule);
      if (i < 0 || !rules_[static_cast<size_t>(i)].config.is_first_seen()) continue;
      simdjson::dom::array list;
      if (values.get_array().get(list) != simdjson::SUCCESS) continue;
      for (simdjson::dom::element p : list) {
        std::string_view v;
        int64_t t;
        if (p.at(0).get_string().get(v) == simdjson::SUCCESS && p.at(1).get_int64().get(t) == simdjson::SUCCESS)
          states_[static_cast<size_t>(i)].seen[std::string(v)] = t;
      }
    }
  }
}

bool RuleEngine::has_regression_rules() const {
  return std::any_of(rules_.begin(), rules_.end(), [](const CompiledRule& r) { return r.baseline_ns > 0; });
}

void RuleEngine::save_baselines(std::string& out) {
  out.append("{\"version\":1,\"rules\":{"sv);
  bool first = true;
  for (size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].baseline_ns <= 0) continue;
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, rules_[i].name);
    out.append(":{\"baseline_ns\":"sv).append(std::to_string(rules_[i].baseline_ns));
    out.append(",\"group_by\":["sv);
    for (size_t k = 0; k < rules_[i].config.group_by.size(); ++k) {
      if (k) out.push_back(',');
      append_json_string(out, rules_[i].config.group_by[k]);
    }
    out.append("],\"groups\":["sv);
    bool first_group = true;
    for (auto [key, g] : sorted(states_[i])) {
      if (!g->baseline) continue;
      if (!first_group) out.push_back(',');
      first_group = false;
      out.append("{\"group\":"sv).append(*key).append(",\"baseline\":"sv);
      g->baseline->save(out);
      out.push_back('}');
    }
    out.append("]}"sv);
  }
  out.append("}}\n"sv);
  baselines_changed_ = false;
}

size_t RuleEngine::load_baselines(const simdjson::dom::element& saved) {
  size_t damaged = 0;
  simdjson::dom::object rules;
  if (saved["rules"].get_object().get(rules) != simdjson::SUCCESS) return 1;
  for (size_t i = 0; i < rules_.size(); ++i) {
    const CompiledRule& rule = rules_[i];
    simdjson::dom::element r;
    if (rule.baseline_ns <= 0 || rules.at_key(rule.name).get(r) != simdjson::SUCCESS) continue;
    int64_t span = 0;
    simdjson::dom::array group_by, groups;
    if (r["baseline_ns"].get_int64().get(span) != simdjson::SUCCESS || r["group_by"].get_array().get(group_by) != simdjson::SUCCESS ||
        r["groups"].get_array().get(groups) != simdjson::SUCCESS) {
      ++damaged;
      continue;
    }
    // Buckets of another width would be read as the wrong times, groups of other fields as
    // groups that never come again: a rule whose span or group_by changed starts over.
    std::vector<std::string> fields;
    for (simdjson::dom::element f : group_by) {
      std::string_view name;
      if (f.get_string().get(name) == simdjson::SUCCESS) fields.emplace_back(name);
    }
    if (span != rule.baseline_ns || fields != rule.config.group_by) {
      log_info("regression rule changed its baseline or group_by: its baseline starts over", {{"rule", rule.name}});
      continue;
    }
    RuleState& state = states_[i];
    for (simdjson::dom::element e : groups) {
      simdjson::dom::element group, kept;
      auto baseline = std::make_unique<Baseline>(rule.baseline_width_ns, rule.percentile > 0);
      Group g;
      bool ok = e["group"].get(group) == simdjson::SUCCESS && e["baseline"].get(kept) == simdjson::SUCCESS && baseline->load(kept);
      if (ok) {
        g = read_group(group);
        ok = g.size() == fields.size();
        for (size_t k = 0; ok && k < g.size(); ++k) ok = g[k].first == fields[k];
      }
      if (!ok) {
        ++damaged;
        continue;
      }
      std::string key = group_key(g);
      auto it = state.groups.find(key);
      if (it == state.groups.end()) {
        if (state.groups.size() >= max_groups_) continue;
        it = state.groups.emplace(key, GroupState{}).first;
        it->second.group = std::move(g);
      }
      it->second.baseline = std::move(baseline);
    }
  }
  return damaged;
}

std::vector<AlertChange> RuleEngine::firing() const {
  std::vector<AlertChange> out;
  for (size_t i = 0; i < rules_.size(); ++i) {
    for (auto [key, g] : sorted(states_[i])) {
      if (!g->firing) continue;
      AlertChange c;
      c.rule = rules_[i].name;
      c.group = g->group;
      c.value = g->value;
      c.events = g->events;
      c.since_ns = g->since_ns;
      out.push_back(std::move(c));
    }
  }
  return out;
}

size_t RuleEngine::remembered(const std::string& rule) const {
  for (size_t i = 0; i < rules_.size(); ++i)
    if (rules_[i].name == rule) return states_[i].seen.size();
  return 0;
}

std::vector<MessageChanges> into_messages(const RuleEngine& engine, std::vector<AlertChange> changes) {
  std::vector<MessageChanges> out;
  for (const CompiledRule& rule : engine.rules()) {
    for (const char* status : {"firing", "resolved", "first_seen"}) {
      MessageChanges m{&rule, {}};
      std::map<std::string, size_t> at;  // a group told twice (a repeat while waiting): its latest
      for (AlertChange& c : changes) {
        if (c.rule != rule.name || std::string_view(status_name(c.status)) != status) continue;
        auto [it, fresh] = at.emplace(group_key(c.group), m.changes.size());
        if (fresh) m.changes.push_back(std::move(c));
        else m.changes[it->second] = std::move(c);
      }
      if (!m.changes.empty()) out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace logship
