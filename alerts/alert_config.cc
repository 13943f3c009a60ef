#include "alerts/alert_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include <simdjson.h>

#include "alerts/schedule.h"
#include "core/time_zone.h"

namespace logship {

const Schema<NotifierConfig>& NotifierConfig::schema() {
  static const auto s =
      Schema<NotifierConfig>()
          .choice("type", &NotifierConfig::type, {"slack", "webhook"}, "slack: a Slack incoming webhook (Block Kit messages); webhook: logship's JSON body (docs/alerts.md) to any URL.")
          .field("url", &NotifierConfig::url, "Where to post; write '${SLACK_WEBHOOK_URL}' to take it from the environment (it is never logged).")
          .required()
          .field("link", &NotifierConfig::link, "A link shown under each message (Kibana, OpenSearch Dashboards); {rule} and {status} in it are replaced.")
          .field("headers", &NotifierConfig::headers, "Extra HTTP headers (webhook), such as an Authorization from '${ALERT_TOKEN}'.")
          .field("timeout", &NotifierConfig::timeout, "Time one post may take.")
          .field("give_up_after", &NotifierConfig::give_up_after, "How long a message that cannot be posted is tried again (backoff, Retry-After honoured) before it is dead-lettered.")
          .field("max_rows", &NotifierConfig::max_rows, "Groups shown in one message; the rest are counted (\"… and 12 more\").");
  return s;
}

const Schema<AlertRuleConfig>& AlertRuleConfig::schema() {
  static const auto s =
      Schema<AlertRuleConfig>()
          .choice("measure", &AlertRuleConfig::measure, {"count", "rate", "sum", "avg", "min", "max", "p50", "p95", "p99", "share"},
                  "What is compared with the bound over the window: events (count), events per second (rate), of `field`'s numbers (sum, avg, min, max, p50, p95, p99), or the part of the events that are `matching` (share, 0 to 1).")
          .field("field", &AlertRuleConfig::field, "The numeric field sum, avg, min, max and the percentiles read (dotted: event.duration).")
          .field("first_seen", &AlertRuleConfig::first_seen, "Instead of a measure: fire when this field has a value not seen within `remember` (a new mysql.slowlog.id, a new error.type).")
          .field("where", &AlertRuleConfig::where, "Only events whose fields match all of these: `field: value`, `a|b` (any), `!value`, `>=500`, `<0.5`.")
          .field("matching", &AlertRuleConfig::matching, "share: the events counted against all the rule sees (same forms as where).")
          .field("group_by", &AlertRuleConfig::group_by, "Fields whose values make separate alerts (service.name, url.path).")
          .field("show", &AlertRuleConfig::show, "first_seen: fields of the event that brought the new value, shown with it (mysql.slowlog.query, error.message).")
          .field("window", &AlertRuleConfig::window, "The sliding window the measure is taken over, in event time.")
          .field("above", &AlertRuleConfig::above, "Fires when the measure is above this.")
          .shown_default("")
          .field("below", &AlertRuleConfig::below, "Fires when the measure is below this.")
          .shown_default("")
          .field("min_events", &AlertRuleConfig::min_events, "Events a group needs in the window before it is judged.")
          .field("baseline", &AlertRuleConfig::baseline, "Makes it a regression rule: the measure over the window is compared with the same measure over this span before the window (7d), and `above`/`below` bound their ratio (above: 2 fires at twice the baseline's). Counts and sums are scaled to the window's length. Kept in data_dir across restarts.")
          .shown_default("")
          .field("baseline_min_events", &AlertRuleConfig::baseline_min_events, "Regression rules: events a group needs in the baseline before it is judged (default: min_events).")
          .shown_default("min_events")
          .field("remember", &AlertRuleConfig::remember, "first_seen: how long a value is remembered (kept in data_dir across restarts).")
          .field("notify", &AlertRuleConfig::notify, "Notifiers of this rule (default: the sink's `notify`).")
          .field("repeat_interval", &AlertRuleConfig::repeat_interval, "How often a firing alert is sent again (default: the sink's).")
          .shown_default("the sink's")
          .field("severity", &AlertRuleConfig::severity, "A word shown with the alert (info, warning, critical).")
          .field("description", &AlertRuleConfig::description, "A sentence shown under the title: what it means, what to do.")
          .field("view", &AlertRuleConfig::view, "Instead of events: a saved view (logship views list) run on the `cluster` every `every`; each row is a group, `value` the column compared with the bound.")
          .field("params", &AlertRuleConfig::params, "The view's parameters (since: now-15m).")
          .field("every", &AlertRuleConfig::every, "How often a query rule runs its view (the first time at start).")
          .field("schedule", &AlertRuleConfig::schedule, "Instead of `every`: when a query rule runs, in cron syntax ('*/10 8-18 * * 1-5', @hourly) or as an interval.")
          .shown_default("")
          .field("timezone", &AlertRuleConfig::timezone, "The zone of a cron `schedule`: an IANA name (Asia/Tokyo), UTC, local or an offset (+09:00).")
          .shown_default("UTC")
          .field("value", &AlertRuleConfig::value, "The view's column a query rule compares with `above`/`below` (logship views run NAME shows them).");
  return s;
}

const Schema<SummaryConfig>& SummaryConfig::schema() {
  static const auto s =
      Schema<SummaryConfig>()
          .field("every", &SummaryConfig::every, "How often the summary is made and posted: the first one `every` after the first start (with `run --once`, when the input ends), then on that schedule across restarts.")
          .field("schedule", &SummaryConfig::schedule, "Instead of `every`: when the summary is made, in cron syntax ('0 9 * * 1-5', @daily) or as an interval; the first one at the first such time after the first start.")
          .shown_default("")
          .field("timezone", &SummaryConfig::timezone, "The zone of a cron `schedule`: an IANA name (Asia/Tokyo), UTC, local or an offset (+09:00).")
          .shown_default("UTC")
          .field("period", &SummaryConfig::period, "The time it covers, ending now (default: `every`, or with a cron schedule the time since its previous time); the period before it is the comparison.")
          .shown_default("every")
          .field("views", &SummaryConfig::views, "Saved views shown, in order (logship views list).")
          .field("rows", &SummaryConfig::rows, "Rows shown per view; the rest are counted.")
          .field("notify", &SummaryConfig::notify, "Notifiers (default: the sink's `notify`).")
          .field("index", &SummaryConfig::index, "Also index the summary as a document of logs-logship.summary-<namespace>, to chart over time.")
          .field("description", &SummaryConfig::description, "A line shown under the title.");
  return s;
}

const Schema<AlertsSinkConfig>& AlertsSinkConfig::schema() {
  static const auto s =
      Schema<AlertsSinkConfig>()
          .named_map("notifiers", &AlertsSinkConfig::notifiers, NotifierConfig::schema(), "Where messages go, by name.")
          .required()
          .named_map("rules", &AlertsSinkConfig::rules, AlertRuleConfig::schema(), "Alert rules, by name.")
          .named_map("summaries", &AlertsSinkConfig::summaries, SummaryConfig::schema(), "Performance summaries, by name.")
          .nested("cluster", &AlertsSinkConfig::cluster, ClusterConfig::schema(), "The Elasticsearch or OpenSearch cluster query rules and summaries ask (and summaries are indexed into).")
          .field("notify", &AlertsSinkConfig::notify, "Notifiers of every rule that names none (default: all).")
          .field("repeat_interval", &AlertsSinkConfig::repeat_interval, "How often a firing alert is sent again.")
          .field("group_wait", &AlertsSinkConfig::group_wait, "Alerts of one rule that start within this time go out as one message.")
          .field("evaluate_interval", &AlertsSinkConfig::evaluate_interval, "How often the rules' windows are judged (also when the input ends).")
          .field("max_groups", &AlertsSinkConfig::max_groups, "Groups (group_by values) kept per rule; past it new groups are not tracked, and counted.")
          .field("max_samples", &AlertsSinkConfig::max_samples, "Values a percentile rule keeps per group (the latest ones in the window).")
          .field("max_remembered", &AlertsSinkConfig::max_remembered, "Values a first_seen rule remembers (the oldest are forgotten first).");
  return s;
}

std::optional<FieldCondition> FieldCondition::parse(const std::string& field, const std::string& text, std::string& why) {
  FieldCondition c;
  c.field = field;
  std::string_view t = text;
  auto number = [&](std::string_view rest) -> bool {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), c.number);
    if (ec != std::errc() || p != rest.data() + rest.size() || rest.empty()) {
      why = "'" + text + "': a comparison needs a number after it";
      return false;
    }
    return true;
  };
  for (auto [prefix, op] : {std::pair{">=", Op::kGreaterEqual}, std::pair{"<=", Op::kLessEqual}, std::pair{">", Op::kGreater}, std::pair{"<", Op::kLess}}) {
    std::string_view pre = prefix;
    if (!t.starts_with(pre)) continue;
    c.op = op;
    if (!number(t.substr(pre.size()))) return std::nullopt;
    if (!std::isfinite(c.number)) {
      why = "'" + text + "': compare with a finite number";
      return std::nullopt;
    }
    return c;
  }
  if (t.starts_with("!")) {
    c.op = Op::kNotEquals;
    t.remove_prefix(1);
  }
  size_t start = 0;
  while (true) {
    size_t bar = t.find('|', start);
    c.values.emplace_back(t.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  for (const std::string& v : c.values) {
    if (v.empty()) {
      why = "'" + text + "': an empty value (write a value, or several as a|b)";
      return std::nullopt;
    }
  }
  return c;
}

std::vector<std::pair<std::string, const NotifierConfig*>> AlertsSinkConfig::targets(const std::vector<std::string>& named) const {
  const std::vector<std::string>& names = !named.empty() ? named : notify;
  std::vector<std::pair<std::string, const NotifierConfig*>> out;
  for (const auto& [n, cfg] : notifiers)
    if (names.empty() || std::find(names.begin(), names.end(), n) != names.end()) out.emplace_back(n, &cfg);
  return out;
}

namespace {

// `schedule:` (cron or an interval) with its `timezone:`, instead of `every:`: each problem of
// the two is listed.
void check_schedule(const YAML::Node& at, const std::string& path, const std::string& schedule, Duration every, const std::string& timezone,
                    ConfigErrors& errors) {
  if (!schedule.empty() && at["every"]) errors.add(at["schedule"], join_path(path, "schedule"), "give `schedule` or `every`, not both");
  std::string why;
  bool zone_ok = timezone.empty() || TimeZone::load(timezone, why);
  if (!zone_ok) errors.add(at["timezone"], join_path(path, "timezone"), why);
  auto checked = Schedule::make(schedule, every, zone_ok ? timezone : "", why);
  if (!checked) errors.add(at["schedule"], join_path(path, "schedule"), why);
  else if (!checked->is_cron() && at["timezone"])
    errors.add(at["timezone"], join_path(path, "timezone"), "only a cron `schedule` takes a timezone (an interval runs the same in every zone)");
}

}  // namespace

void AlertsSinkConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  std::string rpath = join_path(path, "rules");
  auto known_notifier = [&](const std::string& name) {
    return std::any_of(notifiers.begin(), notifiers.end(), [&](const auto& n) { return n.first == name; });
  };
  for (const auto& [name, n] : notifiers) {
    YAML::Node at = node["notifiers"][name];
    std::string npath = join_path(join_path(path, "notifiers"), name);
    if (!n.url.starts_with("http://") && !n.url.starts_with("https://"))
      errors.add(at["url"] ? at["url"] : at, join_path(npath, "url"), "expected an http:// or https:// URL (is the environment variable set?)");
    if (n.max_rows < 1 || n.max_rows > 40) errors.add(at["max_rows"], join_path(npath, "max_rows"), "must be between 1 and 40 (Slack allows 50 blocks a message)");
    if (n.type == "slack" && !n.headers.empty()) errors.add(at["headers"], join_path(npath, "headers"), "only a webhook notifier takes headers");
    if (n.timeout.value < std::chrono::milliseconds(100)) errors.add(at["timeout"], join_path(npath, "timeout"), "must be at least 100ms");
  }
  for (const std::string& name : notify)
    if (!known_notifier(name)) errors.add(node["notify"], join_path(path, "notify"), "no notifier named '" + name + "'");
  if (rules.empty() && summaries.empty()) errors.add(node, path, "needs `rules:`, `summaries:` or both");
  auto known_view = [&](const std::string& name) {
    auto names = saved_view_names();
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  auto views_list = [&] {
    std::string list;
    for (const std::string& n : saved_view_names()) list += (list.empty() ? "" : ", ") + n;
    return list;
  };
  for (const auto& [name, sm] : summaries) {
    YAML::Node at = node["summaries"][name];
    std::string p = join_path(join_path(path, "summaries"), name);
    if (!cluster) errors.add(at, p, "a summary needs the sink's `cluster:` to run its views on");
    if (sm.every.value < std::chrono::seconds(1)) errors.add(at["every"], join_path(p, "every"), "must be at least 1s");
    check_schedule(at, p, sm.schedule, sm.every, sm.timezone, errors);
    if (sm.views.empty()) errors.add(at["views"], join_path(p, "views"), "must name at least one saved view");
    for (const std::string& v : sm.views)
      if (!known_view(v)) errors.add(at["views"], join_path(p, "views"), "no saved view named '" + v + "' (" + views_list() + ")");
    if (sm.rows < 1 || sm.rows > 20) errors.add(at["rows"], join_path(p, "rows"), "must be between 1 and 20");
    if (sm.views.size() > 20) errors.add(at["views"], join_path(p, "views"), "at most 20 views (a Slack message holds 50 blocks)");
    for (size_t k = 0; k < sm.views.size(); ++k)
      if (std::find(sm.views.begin(), sm.views.begin() + static_cast<std::ptrdiff_t>(k), sm.views[k]) != sm.views.begin() + static_cast<std::ptrdiff_t>(k))
        errors.add(at["views"], join_path(p, "views"), "'" + sm.views[k] + "' is listed twice");
    constexpr auto kTenYears = std::chrono::hours(24 * 3650);
    if (sm.every.value > kTenYears) errors.add(at["every"], join_path(p, "every"), "must be at most 3650d");
    if (sm.period.value.count() != 0 && (sm.period.value < std::chrono::seconds(1) || sm.period.value > kTenYears))
      errors.add(at["period"], join_path(p, "period"), "must be between 1s and 3650d");
    for (const std::string& n : sm.notify)
      if (!known_notifier(n)) errors.add(at["notify"], join_path(p, "notify"), "no notifier named '" + n + "'");
  }
  for (const auto& [name, r] : rules) {
    YAML::Node at = node["rules"][name];
    std::string p = join_path(rpath, name);
    auto bad = [&](const char* key, const std::string& why) { errors.add(at[key] ? at[key] : at, join_path(p, key), why); };
    bool has_bound = !std::isnan(r.above) || !std::isnan(r.below);
    if (!r.is_query())
      for (const char* key : {"params", "every", "value", "schedule", "timezone"})
        if (at[key]) bad(key, std::string(key) + " belongs to a query rule, which names its `view:`");
    if (r.is_query()) {
      if (!cluster) errors.add(at, p, "a query rule needs the sink's `cluster:` to run its view on");
      if (!known_view(r.view)) bad("view", "no saved view named '" + r.view + "' (" + views_list() + ")");
      if (r.value.empty()) bad("value", "a query rule needs the column it compares (logship views run " + r.view + " shows them)");
      if (!has_bound) errors.add(at, p, "needs `above` or `below`");
      if (r.every.value < std::chrono::seconds(1) || r.every.value > std::chrono::hours(24 * 3650)) bad("every", "must be between 1s and 3650d");
      check_schedule(at, p, r.schedule, r.every, r.timezone, errors);
      for (const char* key : {"measure", "field", "first_seen", "where", "matching", "window", "min_events", "show", "remember", "baseline", "baseline_min_events"})
        if (at[key]) bad(key, "a query rule reads its view's rows; it takes no " + std::string(key));
      if (auto view = find_saved_view(r.view)) {
        // The parameters as the view will get them: unknown ones and a query that would not be
        // JSON are found now, not at the first run.
        std::map<std::string, std::string> params(r.params.begin(), r.params.end());
        auto rendered = render_view(*view, params);
        simdjson::dom::parser parser;
        simdjson::dom::element parsed;
        if (!rendered) bad("params", rendered.error().message);
        else if (parser.parse(rendered->body).get(parsed) != simdjson::SUCCESS)
          bad("params", "the view's query with these values is not JSON (a number parameter given text?)");
      }
    } else if (r.is_first_seen()) {
      for (const char* key : {"measure", "field", "above", "below", "window", "min_events", "matching", "baseline", "baseline_min_events"})
        if (at[key]) bad(key, "a first_seen rule fires on a new value; it takes no " + std::string(key));
    } else {
      if (!has_bound) errors.add(at, p, "needs `above` or `below` (or `first_seen: <field>`)");
      bool numeric = r.measure != "count" && r.measure != "rate" && r.measure != "share";
      if (numeric && r.field.empty()) bad("field", "measure " + r.measure + " needs the numeric field it reads");
      if (!numeric && !r.field.empty()) bad("field", "measure " + r.measure + " reads no field");
      if (r.measure == "share" && r.matching.empty()) bad("matching", "measure share needs `matching:` (the events counted)");
      if (r.measure != "share" && !r.matching.empty()) bad("matching", "only measure share takes `matching:`");
      if (r.measure == "share" && !r.is_regression() && ((!std::isnan(r.above) && (r.above < 0 || r.above > 1)) || (!std::isnan(r.below) && (r.below < 0 || r.below > 1))))
        bad(std::isnan(r.above) ? "below" : "above", "a share is between 0 and 1 (0.02 for 2 %)");
      if (r.window.value < std::chrono::seconds(1) || r.window.value > std::chrono::hours(24 * 7))
        bad("window", "must be between 1s and 7 days");
      if (r.min_events < 1) bad("min_events", "must be at least 1");
      if (!std::isnan(r.above) && !std::isnan(r.below) && r.above < r.below)
        bad("below", "above is under below: every value fires (a rule fires above OR below); for a range, write two rules");
      if (at["baseline"] && !r.is_regression()) bad("baseline", "must be at least the window (a regression rule compares it with the window)");
      if (r.is_regression()) {
        if (r.baseline.value < r.window.value || r.baseline.value > std::chrono::hours(24 * 90))
          bad("baseline", "must be at least the window and at most 90d");
        for (const char* key : {"above", "below"}) {
          double bound = key[0] == 'a' ? r.above : r.below;
          if (!std::isnan(bound) && !(bound > 0)) bad(key, "a regression rule bounds the ratio to the baseline: a number above 0 (2 for twice)");
        }
        if (r.baseline_min_events < 0) bad("baseline_min_events", "must be at least 0 (0: min_events)");
      } else if (at["baseline_min_events"]) {
        bad("baseline_min_events", "belongs to a regression rule, which has a `baseline:`");
      }
    }
    if (r.remember.value < std::chrono::minutes(1)) bad("remember", "must be at least 1m");
    if (r.repeat_interval.value.count() != 0 && r.repeat_interval.value < std::chrono::minutes(1))
      bad("repeat_interval", "must be at least 1m (0: the sink's)");
    for (const auto* conditions : {&r.where, &r.matching}) {
      const char* key = conditions == &r.where ? "where" : "matching";
      for (const auto& [field, text] : *conditions) {
        std::string why;
        if (!FieldCondition::parse(field, text, why)) errors.add(at[key][field], join_path(join_path(p, key), field), why);
      }
    }
    for (const std::string& n : r.notify)
      if (!known_notifier(n)) bad("notify", "no notifier named '" + n + "'");
  }
  if (repeat_interval.value < std::chrono::minutes(1)) errors.add(node["repeat_interval"], join_path(path, "repeat_interval"), "must be at least 1m");
  if (cluster) {
    const std::string& ns = cluster->data_stream_namespace;
    bool ok = !ns.empty() && ns.size() <= 100 && ns.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.") == std::string::npos;
    if (!ok)
      errors.add(node["cluster"]["namespace"], join_path(path, "cluster.namespace"),
                 "a data stream namespace: lowercase letters, digits, _ and . (no -), at most 100");
    if (cluster->endpoints.empty()) errors.add(node["cluster"]["endpoints"], join_path(path, "cluster.endpoints"), "must name at least one URL");
    for (const std::string& list : cluster->endpoints) {
      for (size_t start = 0; start <= list.size();) {
        size_t comma = std::min(list.find(',', start), list.size());
        std::string url = list.substr(start, comma - start);
        while (!url.empty() && url.front() == ' ') url.erase(0, 1);
        if (!url.starts_with("http://") && !url.starts_with("https://"))
          errors.add(node["cluster"]["endpoints"], join_path(path, "cluster.endpoints"), "'" + url + "': expected an http:// or https:// URL (is the environment variable set?)");
        start = comma + 1;
      }
    }
    // Every endpoint may take this long before the next is tried: with none, a hung node would
    // hold query rules, summaries and a --once run for good.
    if (cluster->request_timeout.value < std::chrono::milliseconds(100) || cluster->request_timeout.value > std::chrono::minutes(5))
      errors.add(node["cluster"]["request_timeout"], join_path(path, "cluster.request_timeout"), "must be between 100ms and 5m");
  }
  if (evaluate_interval.value < std::chrono::milliseconds(100)) errors.add(node["evaluate_interval"], join_path(path, "evaluate_interval"), "must be at least 100ms");
  if (max_groups < 1) errors.add(node["max_groups"], join_path(path, "max_groups"), "must be at least 1");
  if (max_samples < 1) errors.add(node["max_samples"], join_path(path, "max_samples"), "must be at least 1");
  if (max_remembered < 1) errors.add(node["max_remembered"], join_path(path, "max_remembered"), "must be at least 1");
}

}  // namespace logship
