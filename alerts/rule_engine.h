// The alert rules' state: each rule's windows per group, which alerts fire, which values a
// first_seen rule has met, and the changes to tell (fired, repeated, resolved, first seen).
//
// Windows run on event time: the engine's clock is the latest @timestamp seen, moved on by the
// wall time since it was seen (so an alert resolves when its events stop coming, and old logs
// replayed in a burst are judged in their own time). Repeats go by the wall clock.
//
// Not thread-safe: the alerts sink holds its lock around every call.
#pragma once

#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "alerts/alert_config.h"
#include "alerts/baseline.h"
#include "alerts/event_fields.h"
#include "alerts/group_window.h"
#include "core/metrics.h"

namespace logship {

using Group = std::vector<std::pair<std::string, std::string>>;  // group_by field -> value

enum class AlertStatus { kFiring, kRepeat, kResolved, kFirstSeen };
const char* status_name(AlertStatus s);  // "firing", "firing" (repeat), "resolved", "first_seen"

// One thing to tell about one group of one rule.
struct AlertChange {
  std::string rule;
  AlertStatus status = AlertStatus::kFiring;
  Group group;
  double value = 0;          // the measure (threshold and regression rules)
  double baseline = std::nan("");  // regression rules: the measure over the baseline
  int64_t events = 0;        // events of the group in the window
  int64_t since_ns = 0;      // event time the alert started (or the value was first seen)
  Group shown;               // first_seen: the `show` fields of the event that brought it
  int64_t queued_unix_ms = 0;  // wall time it was made (group_wait counts from it)
};

struct CompiledRule {
  std::string name;
  AlertRuleConfig config;
  std::vector<FieldCondition> where;
  std::vector<FieldCondition> matching;
  int64_t window_ns = 0;
  int64_t remember_ns = 0;
  std::chrono::milliseconds repeat{0};
  double percentile = 0;  // p50/p95/p99
  int64_t baseline_ns = 0;        // regression rules
  int64_t baseline_width_ns = 0;  // their buckets'
  int64_t baseline_min_events = 0;
  Gauge* firing_gauge = nullptr;
  Counter* evaluation_errors = nullptr;
};

class RuleEngine {
 public:
  RuleEngine(const AlertsSinkConfig& config, const std::string& component);
  const std::vector<CompiledRule>& rules() const { return rules_; }

  // One encoded event; first_seen changes are added to `changes` at once. Returns false when
  // the text is not a JSON object.
  bool add_event(std::string_view json, int64_t wall_unix_ms, std::vector<AlertChange>& changes);
  // Judges every threshold rule at the clock; what changed goes to `changes`.
  void evaluate(int64_t wall_unix_ms, std::vector<AlertChange>& changes);
  // A query rule's answer: each row's group and value (none: not a number). Groups over the
  // bound fire (or repeat), firing groups no longer over it (or gone) resolve.
  void judge_rows(size_t rule, const std::vector<std::pair<Group, std::optional<double>>>& rows, int64_t wall_unix_ms,
                  std::vector<AlertChange>& changes);
  // The engine's clock (event time), in Unix nanoseconds.
  int64_t clock_ns(int64_t wall_unix_ms) const;

  // What survives a restart: firing alerts (with when they were last sent) and remembered
  // first_seen values, as one JSON object's members (no braces).
  void save_members(std::string& out) const;
  // Reads them back from a saved state object; unknown rules are dropped. The clock goes on
  // from the saved event time as of `wall_unix_ms`.
  void load(const simdjson::dom::element& state, int64_t wall_unix_ms);

  // Regression rules' baselines, saved apart from the state (they are larger and change with
  // every event): {"rules":{name:{"baseline_ns","group_by","groups":[{"group","baseline"}]}}}.
  // baselines_changed() says whether anything was added since the last save.
  void save_baselines(std::string& out);
  bool baselines_changed() const { return baselines_changed_; }
  void mark_baselines_changed() { baselines_changed_ = true; }
  // Reads them back; a rule whose baseline span or group_by changed starts over. Returns how
  // many parts did not read (damaged: the caller keeps the file for a person to look at).
  size_t load_baselines(const simdjson::dom::element& saved);
  bool has_regression_rules() const;

  // For `logship alerts list`: each firing alert as a change (status kFiring).
  std::vector<AlertChange> firing() const;
  size_t remembered(const std::string& rule) const;

 private:
  struct GroupState {
    Group group;
    std::unique_ptr<GroupWindow> window;
    std::unique_ptr<Baseline> baseline;  // regression rules
    bool firing = false;
    bool restored = false;  // firing when the state was loaded
    int64_t since_ns = 0;
    int64_t last_sent_unix_ms = 0;
    double value = 0;
    double baseline_value = std::nan("");
    int64_t events = 0;
  };
  struct RuleState {
    // By the group's JSON. Hashed: a tree compares keys that share a long prefix
    // ([["mysql.slowlog.fingerprint","select …) at every level, for every event. Walked in key
    // order (sorted()) wherever the order shows: messages, saved files.
    std::unordered_map<std::string, GroupState> groups;
    std::unordered_map<std::string, int64_t> seen;  // first_seen: value -> last seen (event ns)
    int64_t overflowed = 0;
  };
  bool passes(const std::vector<FieldCondition>& conditions);
  // The rule's groups in key order.
  static std::vector<std::pair<const std::string*, GroupState*>> sorted(RuleState& state);
  static std::vector<std::pair<const std::string*, const GroupState*>> sorted(const RuleState& state);
  // Fires, repeats or resolves one group; true when something was said.
  bool judge(const CompiledRule& rule, GroupState& g, bool over, std::optional<double> value, int64_t events, int64_t now_ns,
             int64_t wall_unix_ms, AlertChange& change, double baseline = std::nan(""));
  // The rule's measure over the window, and (regression rules) over the baseline before it.
  std::optional<double> measure(const CompiledRule& rule, const GroupWindow& window, const WindowFigures& f) const;
  std::optional<double> baseline_measure(const CompiledRule& rule, const Baseline::Figures& b) const;
  void forget_oldest(RuleState& state, int64_t now_ns, const CompiledRule& rule);

  std::vector<CompiledRule> rules_;
  std::vector<RuleState> states_;
  size_t max_groups_;
  size_t max_samples_;
  size_t max_remembered_;
  EventFields fields_;
  int64_t watermark_ns_ = 0;           // latest event time seen
  int64_t watermark_wall_ms_ = 0;      // wall time it was seen
  int64_t observed_since_ns_ = -1;     // the clock when the first event after start came
  bool baselines_changed_ = false;
  std::string key_;  // an event's group key, built here (no allocation per event)
};

// Changes cut into messages: one per rule and status (firing and its repeats together), in the
// order of the rules. Changes of rules the engine does not know are dropped.
struct MessageChanges {
  const CompiledRule* rule;
  std::vector<AlertChange> changes;
};
std::vector<MessageChanges> into_messages(const RuleEngine& engine, std::vector<AlertChange> changes);

// The group as JSON ([["service.name","billing"]]), the key of its state, and read back.
Group read_group(const simdjson::dom::element& pairs);
std::string group_key(const Group& group);

}  // namespace logship
