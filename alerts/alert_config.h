// The `type: alerts` sink's configuration: stream rules evaluated on the events of its inputs,
// and the notifiers (Slack, any webhook) their messages go to.
//
//   sinks:
//     alerts:
//       type: alerts
//       inputs: [parsed]
//       notifiers:
//         team: {type: slack, url: '${SLACK_WEBHOOK_URL}', link: 'https://kibana.example.com/app/discover'}
//       notify: [team]
//       rules:
//         errors_per_service:        # error-level events per service above 50 in 5 minutes
//           where: {log.level: error|critical}
//           group_by: [service.name]
//           window: 5m
//           above: 50
//         server_errors:             # 5xx responses above 2 % of requests, per path
//           measure: share
//           matching: {http.response.status_code: '>=500'}
//           group_by: [url.path]
//           above: 0.02
//           min_events: 100
//         slow_fingerprints:         # p95 of the query time per fingerprint above 1 s
//           measure: p95
//           field: event.duration     # nanoseconds, as ECS writes it
//           group_by: [mysql.slowlog.fingerprint]
//           above: 1000000000
//         fingerprint_regressed:     # p95 this hour at least twice its p95 over the 7 days before
//           measure: p95
//           field: event.duration
//           group_by: [mysql.slowlog.fingerprint]
//           window: 1h
//           baseline: 7d              # makes above/below bound the ratio to the baseline
//           above: 2
//           min_events: 20
//         new_query_shape:           # a slow query shape not seen in the last 30 days
//           first_seen: mysql.slowlog.id
//           remember: 30d
//         endpoint_errors:           # a saved view run on the cluster every 5 minutes
//           view: http_errors_by_endpoint
//           params: {since: now-15m}
//           every: 5m
//           group_by: [url]           # each row is a group: its url
//           value: url.count          # the column compared (logship views run NAME shows them)
//           above: 100
//       cluster: {endpoints: ['${ES_URL}']}
//       summaries:
//         hourly:                     # posted (and indexed) every hour
//           every: 1h
//         morning:                    # weekdays at 09:00 in Tokyo, covering the time since the last one
//           schedule: '0 9 * * 1-5'
//           timezone: Asia/Tokyo
//           views: [top_slow_queries, errors_by_service_and_level, endpoint_traffic, slowest_endpoints]
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "alerts/cluster_views.h"
#include "core/config/schema.h"

namespace logship {

struct NotifierConfig {
  std::string type = "slack";
  std::string url;
  std::string link;  // the context line's link; {rule} and {status} are replaced
  StringMap headers;
  Duration timeout{std::chrono::seconds(10)};
  Duration give_up_after{std::chrono::minutes(10)};
  int64_t max_rows = 10;
  static const Schema<NotifierConfig>& schema();
};

// One condition of `where:` or `matching:`: `error`, `error|critical`, `!debug`, `>=500`,
// `<0.5`. Comparisons read numbers; the others compare text.
struct FieldCondition {
  std::string field;
  enum class Op { kEquals, kNotEquals, kLess, kLessEqual, kGreater, kGreaterEqual } op = Op::kEquals;
  std::vector<std::string> values;  // kEquals, kNotEquals: any of them
  double number = 0;                // the comparisons
  // Null with `why` set when the text is not one of the forms above.
  static std::optional<FieldCondition> parse(const std::string& field, const std::string& text, std::string& why);
};

struct AlertRuleConfig {
  std::string measure = "count";
  std::string field;
  std::string first_seen;
  StringMap where;
  StringMap matching;
  std::vector<std::string> group_by;
  std::vector<std::string> show;
  Duration window{std::chrono::minutes(5)};
  double above = std::nan("");
  double below = std::nan("");
  int64_t min_events = 1;
  // Regression rules: the measure over the window against the same measure over `baseline`
  // before the window; `above`/`below` bound their ratio.
  Duration baseline{std::chrono::seconds(0)};
  int64_t baseline_min_events = 0;  // 0: min_events
  Duration remember{std::chrono::hours(24 * 30)};
  std::vector<std::string> notify;
  Duration repeat_interval{std::chrono::seconds(0)};
  std::string severity = "warning";
  std::string description;
  // Query rules: a saved view run on the cluster every `every`; each row is a group (its
  // `group_by` columns, else its first), `value` the column compared.
  std::string view;
  StringMap params;
  Duration every{std::chrono::minutes(5)};
  std::string schedule;  // instead of `every`: cron ('*/10 8-18 * * 1-5') or an interval
  std::string timezone;  // of the cron schedule; empty: UTC
  std::string value;
  static const Schema<AlertRuleConfig>& schema();
  bool is_first_seen() const { return !first_seen.empty(); }
  bool is_query() const { return !view.empty(); }
  bool is_regression() const { return baseline.value.count() > 0; }
};

// A performance summary: saved views run on the cluster every `every` over the period just
// ended, each compared with the period before, posted to the notifiers and indexed.
struct SummaryConfig {
  Duration every{std::chrono::hours(1)};
  std::string schedule;  // instead of `every`: cron ('0 9 * * 1-5') or an interval
  std::string timezone;  // of the cron schedule; empty: UTC
  Duration period{std::chrono::seconds(0)};  // 0: `every`
  std::vector<std::string> views = {"top_slow_queries", "errors_by_service_and_level", "endpoint_traffic", "slowest_endpoints"};
  int64_t rows = 5;
  std::vector<std::string> notify;
  bool index = true;
  std::string description;
  static const Schema<SummaryConfig>& schema();
};

struct AlertsSinkConfig {
  std::vector<std::pair<std::string, NotifierConfig>> notifiers;
  std::vector<std::pair<std::string, AlertRuleConfig>> rules;
  std::vector<std::pair<std::string, SummaryConfig>> summaries;
  std::optional<ClusterConfig> cluster;
  std::vector<std::string> notify;
  Duration repeat_interval{std::chrono::hours(4)};
  Duration group_wait{std::chrono::seconds(30)};
  Duration evaluate_interval{std::chrono::seconds(10)};
  int64_t max_groups = 10000;
  int64_t max_samples = 10000;
  int64_t max_remembered = 100000;
  static const Schema<AlertsSinkConfig>& schema();
  // The notifiers a rule or summary names (none: the sink's `notify`, else every notifier),
  // in the order they are configured.
  std::vector<std::pair<std::string, const NotifierConfig*>> targets(const std::vector<std::string>& named) const;
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

}  // namespace logship
