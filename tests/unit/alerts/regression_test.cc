// Regression rules: the percentile sketch their baselines keep, and the rule engine judging a
// window against the span before it, across a save and a load.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "alerts/quantile_sketch.h"
#include "alerts/rule_engine.h"
#include "core/time_format.h"

namespace logship {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kT0 = 1'796'000'000LL * kSecond;
constexpr int64_t kWall0 = 1'800'000'000'000LL;

double nearest_rank(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100 * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}

TEST(QuantileSketchTest, PercentilesAreWithinTwoPercentOfTheDataAndMergingEqualsAddingEverything) {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> query_time(std::log(0.05), 1.5);  // seconds: 1 ms to minutes
  std::vector<double> all;
  QuantileSketch a, b, whole;
  for (int i = 0; i < 50'000; ++i) {
    double v = query_time(random);
    all.push_back(v);
    (i % 3 ? a : b).add(v);
    whole.add(v);
  }
  a.merge(b);
  for (double p : {1.0, 50.0, 90.0, 95.0, 99.0, 99.9, 100.0}) {
    double exact = nearest_rank(all, p);
    EXPECT_NEAR(*whole.percentile(p), exact, exact * 0.0201) << "p" << p;
    EXPECT_DOUBLE_EQ(*a.percentile(p), *whole.percentile(p)) << "p" << p;
  }
  EXPECT_EQ(a.count(), 50'000);
  EXPECT_FALSE(QuantileSketch().percentile(50));
}

TEST(QuantileSketchTest, ZeroAndNegativeValuesCountAsZeroAndAVeryWideRangeStaysWithinItsBinsKeepingHighPercentiles) {
  QuantileSketch s;
  for (int i = 0; i < 10; ++i) s.add(i % 2 ? 0.0 : -5.0);
  EXPECT_EQ(*s.percentile(50), 0);
  QuantileSketch wide;
  std::vector<double> all;
  for (int e = -9; e <= 12; ++e)
    for (int k = 1; k < 100; ++k) {
      double v = k * std::pow(10.0, e);
      wide.add(v);
      all.push_back(v);
    }
  std::string saved;
  wide.save(saved);
  EXPECT_LT(std::count(saved.begin(), saved.end(), '['), static_cast<long>(QuantileSketch::kMaxBins) + 3);
  double exact = nearest_rank(all, 99);
  EXPECT_NEAR(*wide.percentile(99), exact, exact * 0.0201);
}

TEST(QuantileSketchTest, ASavedSketchLoadsAsItWasAndAnythingElseIsRefused) {
  QuantileSketch s;
  for (int i = 1; i <= 1000; ++i) s.add(i * 0.001);
  s.add(0);
  std::string saved;
  s.save(saved);
  simdjson::dom::parser parser;
  QuantileSketch loaded;
  ASSERT_TRUE(loaded.load(parser.parse(saved).value()));
  EXPECT_EQ(loaded.count(), s.count());
  EXPECT_EQ(*loaded.percentile(95), *s.percentile(95));
  for (const char* bad : {R"([1,[[5,1],[4,1]]])", R"([1,[[5,0]]])", R"([-1,[]])", R"({"a":1})", R"([1,[[99999999,1]]])",
                          R"([0,[[1,4611686018427387903],[2,4611686018427387903]]])"}) {
    QuantileSketch q;
    EXPECT_FALSE(q.load(parser.parse(std::string(bad)).value())) << bad;
    EXPECT_EQ(q.count(), 0) << bad;
  }
}

// An encoded event at `t_ns` with these other members.
std::string event(int64_t t_ns, const std::string& members) {
  std::string ts;
  append_rfc3339_micros(ts, t_ns);
  return R"({"@timestamp":")" + ts + "\"," + members + "}";
}

std::string slow_query(int64_t t_ns, const std::string& fingerprint, double seconds) {
  return event(t_ns, R"("mysql":{"slowlog":{"fingerprint":")" + fingerprint + R"("}},"event":{"duration":)" +
                         std::to_string(static_cast<int64_t>(seconds * 1e9)) + "}");
}

AlertRuleConfig p95_regression() {
  AlertRuleConfig r;
  r.measure = "p95";
  r.field = "event.duration";
  r.group_by = {"mysql.slowlog.fingerprint"};
  r.window.value = std::chrono::hours(1);
  r.baseline.value = std::chrono::hours(24 * 7);
  r.above = 2;
  r.min_events = 20;
  return r;
}

// Three days of both fingerprints at 100 ms (12 an hour), then an hour where `select ?` takes
// 250 ms and `update ?` still 100 ms.
// Evaluated 700 s after the last event the clock is at kT0 + 73 h: the window is that hour.
void feed_history_and_a_slow_hour(RuleEngine& engine, std::vector<AlertChange>& changes) {
  for (int64_t h = 0; h < 72; ++h)
    for (int k = 0; k < 12; ++k)
      for (const char* f : {"select ?", "update ?"})
        engine.add_event(slow_query(kT0 + h * kHour + k * 300 * kSecond, f, 0.1 + 0.001 * k), kWall0 + h * 3'600'000, changes);
  for (int k = 0; k < 30; ++k) {
    int64_t t = kT0 + 72 * kHour + k * 100 * kSecond;
    engine.add_event(slow_query(t, "select ?", 0.25), kWall0 + 72 * 3'600'000, changes);
    engine.add_event(slow_query(t, "update ?", 0.1), kWall0 + 72 * 3'600'000, changes);
  }
}

TEST(RegressionRuleTest, AP95TwiceItsBaselineFiresForThatFingerprintOnlyWithBothFiguresAndTheWindowIsNotInItsOwnBaseline) {
  AlertsSinkConfig c;
  c.rules.emplace_back("query_regressed", p95_regression());
  RuleEngine engine(c, "test");
  std::vector<AlertChange> changes;
  // The first hour alone: no baseline before it, nothing judged however slow.
  for (int k = 0; k < 30; ++k) engine.add_event(slow_query(kT0 + k * 100 * kSecond, "select ?", 5), kWall0, changes);
  engine.evaluate(kWall0, changes);
  EXPECT_TRUE(changes.empty());

  RuleEngine fresh(c, "test");
  feed_history_and_a_slow_hour(fresh, changes);
  fresh.evaluate(kWall0 + 72 * 3'600'000 + 700'000, changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].status, AlertStatus::kFiring);
  EXPECT_EQ(changes[0].group, (Group{{"mysql.slowlog.fingerprint", "select ?"}}));
  EXPECT_DOUBLE_EQ(changes[0].value, 0.25e9);  // the window: exact
  EXPECT_NEAR(changes[0].baseline, 0.111e9, 0.111e9 * 0.0201);  // p95 of 0.100..0.111 s, from the sketch
  EXPECT_EQ(changes[0].events, 30);
}

TEST(RegressionRuleTest, CountsAreScaledToTheWindowFromTheTimeTheBaselineCoversAndTooFewBaselineEventsAreNotJudged) {
  AlertRuleConfig r;
  r.group_by = {"service.name"};
  r.where = {{"log.level", "error"}};
  r.window.value = std::chrono::hours(1);
  r.baseline.value = std::chrono::hours(24 * 7);
  r.above = 2;
  r.baseline_min_events = 30;
  AlertsSinkConfig c;
  c.rules.emplace_back("errors_regressed", r);
  RuleEngine engine(c, "test");
  std::vector<AlertChange> changes;
  auto error = [](int64_t t, const char* service) { return event(t, R"("log":{"level":"error"},"service":{"name":")" + std::string(service) + "\"}"); };
  // Two days (of a 7-day baseline) with 10 billing errors an hour, and 1 auth error a day.
  for (int64_t h = 0; h < 48; ++h) {
    for (int k = 0; k < 10; ++k) engine.add_event(error(kT0 + h * kHour + k * 360 * kSecond, "billing"), kWall0, changes);
    if (h % 24 == 0) engine.add_event(error(kT0 + h * kHour, "auth"), kWall0, changes);
  }
  // Then an hour with 35 billing errors (3.5× its 10 an hour) and 40 auth errors.
  for (int k = 0; k < 35; ++k) engine.add_event(error(kT0 + 48 * kHour + k * 100 * kSecond, "billing"), kWall0, changes);
  for (int k = 0; k < 40; ++k) engine.add_event(error(kT0 + 48 * kHour + k * 90 * kSecond, "auth"), kWall0, changes);
  engine.evaluate(kWall0, changes);
  ASSERT_EQ(changes.size(), 1u);  // auth: 2 errors in the baseline, under baseline_min_events
  EXPECT_EQ(changes[0].group, (Group{{"service.name", "billing"}}));
  EXPECT_EQ(changes[0].value, 35);
  // The baseline's buckets are 7 h wide: it reads the whole ones before the window, and counts
  // only the time since the first event (not the 7 days it has not seen).
  EXPECT_NEAR(changes[0].baseline, 10, 0.5);
}

TEST(RegressionRuleTest, AGroupYoungerThanTheRuleIsComparedWithItsOwnDaysNotTheRulesWholeSpan) {
  AlertRuleConfig r;
  r.group_by = {"service.name"};
  r.window.value = std::chrono::hours(1);
  r.baseline.value = std::chrono::hours(24 * 7);
  r.above = 2;
  r.min_events = 5;
  AlertsSinkConfig c;
  c.rules.emplace_back("traffic_regressed", r);
  RuleEngine engine(c, "test");
  std::vector<AlertChange> changes;
  auto request = [](int64_t t, const char* service) { return event(t, R"("service":{"name":")" + std::string(service) + "\"}"); };
  // `old` for four days, `new` only for the last one: both a steady 10 an hour, this hour too.
  for (int64_t h = 0; h <= 96; ++h)
    for (int k = 0; k < 10; ++k) {
      engine.add_event(request(kT0 + h * kHour + k * 360 * kSecond, "old"), kWall0, changes);
      if (h >= 72) engine.add_event(request(kT0 + h * kHour + k * 360 * kSecond, "new"), kWall0, changes);
    }
  engine.evaluate(kWall0 + 360'000, changes);  // the clock at kT0 + 97 h: the window is hour 96
  EXPECT_TRUE(changes.empty()) << changes.size() << " fired, the first " << changes[0].group[0].second << " at " << changes[0].value
                               << " against " << changes[0].baseline;
}

TEST(RegressionRuleTest, ABaselineOfZeroMakesAnyValueWorseAndABelowBoundFiresOnADrop) {
  AlertRuleConfig share;
  share.measure = "share";
  share.matching = {{"http.response.status_code", ">=500"}};
  share.window.value = std::chrono::hours(1);
  share.baseline.value = std::chrono::hours(24);
  share.above = 3;
  AlertRuleConfig drop;  // requests fell to under half their usual rate
  drop.measure = "rate";
  drop.window.value = std::chrono::hours(1);
  drop.baseline.value = std::chrono::hours(24);
  drop.below = 0.5;
  AlertsSinkConfig c;
  c.rules.emplace_back("server_errors_regressed", share);
  c.rules.emplace_back("traffic_dropped", drop);
  RuleEngine engine(c, "test");
  std::vector<AlertChange> changes;
  auto request = [](int64_t t, int status) { return event(t, R"("http":{"response":{"status_code":)" + std::to_string(status) + "}}"); };
  for (int64_t m = 0; m < 24 * 60; ++m) engine.add_event(request(kT0 + m * 60 * kSecond, 200), kWall0, changes);
  for (int k = 0; k < 20; ++k) engine.add_event(request(kT0 + 24 * kHour + k * 180 * kSecond, k < 2 ? 503 : 200), kWall0, changes);
  engine.evaluate(kWall0 + 180'000, changes);  // the clock at kT0 + 25 h: the window holds the 20
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].rule, "server_errors_regressed");
  EXPECT_DOUBLE_EQ(changes[0].value, 0.1);
  EXPECT_EQ(changes[0].baseline, 0);
  EXPECT_EQ(changes[1].rule, "traffic_dropped");
  EXPECT_NEAR(changes[1].value * 3600, 20, 1e-9);
  EXPECT_NEAR(changes[1].baseline * 3600, 60, 1e-9);
}

TEST(RegressionRuleTest, BaselinesSavedAndLoadedJudgeAsBeforeAndAChangedSpanStartsOver) {
  AlertsSinkConfig c;
  c.rules.emplace_back("query_regressed", p95_regression());
  RuleEngine before(c, "test");
  std::vector<AlertChange> changes;
  feed_history_and_a_slow_hour(before, changes);
  EXPECT_TRUE(before.baselines_changed());
  std::string saved, state = "{";
  before.save_baselines(saved);
  before.save_members(state);
  state += "}";
  EXPECT_FALSE(before.baselines_changed());
  before.evaluate(kWall0 + 72 * 3'600'000 + 700'000, changes);
  ASSERT_EQ(changes.size(), 1u);

  // A restart: the window is not kept, so the hour's events come again (from Kafka, say).
  simdjson::dom::parser parser, state_parser;
  RuleEngine after(c, "test");
  after.load(state_parser.parse(state).value(), kWall0 + 72 * 3'600'000);
  after.load_baselines(parser.parse(saved).value());
  std::vector<AlertChange> again;
  for (int k = 0; k < 30; ++k)
    after.add_event(slow_query(kT0 + 72 * kHour + k * 100 * kSecond, "select ?", 0.25), kWall0 + 72 * 3'600'000, again);
  after.evaluate(kWall0 + 72 * 3'600'000 + 700'000, again);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].group, changes[0].group);
  EXPECT_DOUBLE_EQ(again[0].baseline, changes[0].baseline);

  // A damaged group is counted (the sink then keeps the file aside), the others still read.
  std::string damaged = saved;
  damaged.replace(damaged.find("\"origin_ns\":"), 12, "\"origin_ns\":\"x\",\"y\":");
  RuleEngine partly(c, "test");
  EXPECT_EQ(partly.load_baselines(parser.parse(damaged).value()), 1u);

  // group_by renamed, or the span changed: the baseline starts over (nothing damaged).
  AlertsSinkConfig renamed = c;
  renamed.rules[0].second.group_by = {"fingerprint"};
  RuleEngine other_fields(renamed, "test");
  EXPECT_EQ(other_fields.load_baselines(parser.parse(saved).value()), 0u);
  std::string resaved;
  other_fields.save_baselines(resaved);
  EXPECT_EQ(resaved.find("select ?"), std::string::npos) << resaved;

  AlertsSinkConfig other = c;
  other.rules[0].second.baseline.value = std::chrono::hours(24);
  RuleEngine changed(other, "test");
  changed.load_baselines(parser.parse(saved).value());
  std::vector<AlertChange> none;
  for (int k = 0; k < 30; ++k)
    changed.add_event(slow_query(kT0 + 72 * kHour + k * 100 * kSecond, "select ?", 0.25), kWall0 + 72 * 3'600'000, none);
  changed.evaluate(kWall0 + 72 * 3'600'000 + 700'000, none);
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace logship
