// Alert rules on events with fixed timestamps and a wall clock the test moves: windows,
// measures, groups, firing once, repeats, resolving, first_seen, and state across a restart.
#include "alerts/rule_engine.h"

#include <gtest/gtest.h>

#include "alerts/notifier.h"
#include "core/time_format.h"

namespace logship {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kT0 = 1'796'000'000LL * kSecond;  // event time of the first event
constexpr int64_t kWall0 = 1'800'000'000'000LL;     // the wall clock (ms) when it arrives

std::string event(int64_t t_ns, const std::string& members) {
  std::string ts;
  append_rfc3339_micros(ts, t_ns);
  return R"({"@timestamp":")" + ts + "\"," + members + "}";
}

AlertsSinkConfig config_with(const std::string& name, AlertRuleConfig rule) {
  AlertsSinkConfig c;
  c.rules.emplace_back(name, std::move(rule));
  return c;
}

TEST(RuleEngineTest, ACountOverItsWindowFiresOncePerGroupRepeatsOnScheduleAndResolvesWhenTheEventsStop) {
  AlertRuleConfig r;
  r.where = {{"log.level", "error|critical"}};
  r.group_by = {"service.name"};
  r.window.value = std::chrono::minutes(1);
  r.above = 3;
  AlertsSinkConfig c = config_with("errors", r);
  c.repeat_interval.value = std::chrono::minutes(10);
  RuleEngine engine(c, "test");
  std::vector<AlertChange> changes;
  for (int i = 0; i < 10; ++i) {
    std::string level = i % 2 ? "ERROR" : "info";  // levels compare without case
    engine.add_event(event(kT0 + i * kSecond, R"("log":{"level":")" + level + R"("},"service.name":")" + (i < 8 ? "billing" : "auth") + "\""),
                     kWall0, changes);
  }
  engine.evaluate(kWall0, changes);
  ASSERT_EQ(changes.size(), 1u);  // billing: 4 errors (1,3,5,7); auth: 1 (9)
  EXPECT_EQ(changes[0].status, AlertStatus::kFiring);
  EXPECT_EQ(changes[0].group, (Group{{"service.name", "billing"}}));
  EXPECT_EQ(changes[0].value, 4);
  changes.clear();
  engine.evaluate(kWall0 + 5'000, changes);  // still over, too soon to repeat
  EXPECT_TRUE(changes.empty());
  // Ten minutes of wall time with more errors: a repeat. The clock follows the events.
  for (int i = 0; i < 5; ++i)
    engine.add_event(event(kT0 + (600 + i) * kSecond, R"("log":{"level":"error"},"service":{"name":"billing"})"), kWall0 + 600'000, changes);
  engine.evaluate(kWall0 + 600'000, changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].status, AlertStatus::kRepeat);
  EXPECT_EQ(changes[0].value, 5);  // the old errors left the window
  changes.clear();
  // No more events: after a window of wall time the clock has moved past them.
  engine.evaluate(kWall0 + 600'000 + 61'000, changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].status, AlertStatus::kResolved);
  EXPECT_TRUE(engine.firing().empty());
}

TEST(RuleEngineTest, MeasuresReadTheFieldNestedOrFlatAndShareCountsTheMatchingPart) {
  struct Case {
    std::string measure;
    double want;
  };
  for (const Case& k : {Case{"sum", 5050}, Case{"avg", 50.5}, Case{"min", 1}, Case{"max", 100}, Case{"p50", 50}, Case{"p95", 95},
                        Case{"p99", 99}, Case{"count", 100}, Case{"rate", 100.0 / 300}}) {
    AlertRuleConfig r;
    r.measure = k.measure;
    if (k.measure != "count" && k.measure != "rate") r.field = "event.duration";
    r.above = -1;  // always over: the value is what is looked at
    RuleEngine engine(config_with("m", r), "test");
    std::vector<AlertChange> changes;
    for (int i = 1; i <= 100; ++i) {
      std::string members = i % 2 ? R"("event":{"duration":)" + std::to_string(i) + "}" : R"("event.duration":")" + std::to_string(i) + "\"";
      engine.add_event(event(kT0 + i * kSecond / 10, members), kWall0, changes);
    }
    engine.evaluate(kWall0, changes);
    ASSERT_EQ(changes.size(), 1u) << k.measure;
    EXPECT_DOUBLE_EQ(changes[0].value, k.want) << k.measure;
  }
  AlertRuleConfig share;
  share.measure = "share";
  share.matching = {{"http.response.status_code", ">=500"}};
  share.group_by = {"url.path"};
  share.above = 0.02;
  share.min_events = 50;
  RuleEngine engine(config_with("5xx", share), "test");
  std::vector<AlertChange> changes;
  for (int i = 0; i < 100; ++i) {
    int status = i < 5 ? 503 : 200;  // /a: 5 %; /b: none; /c: 10 of 10, too few events
    engine.add_event(event(kT0, R"("url":{"path":"/a"},"http":{"response":{"status_code":)" + std::to_string(status) + "}}"), kWall0, changes);
    engine.add_event(event(kT0, R"("url":{"path":"/b"},"http":{"response":{"status_code":200}})"), kWall0, changes);
    if (i < 10) engine.add_event(event(kT0, R"("url":{"path":"/c"},"http":{"response":{"status_code":500}})"), kWall0, changes);
  }
  engine.evaluate(kWall0, changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].group, (Group{{"url.path", "/a"}}));
  EXPECT_DOUBLE_EQ(changes[0].value, 0.05);
}

TEST(RuleEngineTest, FirstSeenAnnouncesEachValueOnceAndAgainOnlyAfterItWasForgotten) {
  AlertRuleConfig r;
  r.first_seen = "mysql.slowlog.id";
  r.show = {"mysql.slowlog.fingerprint"};
  r.remember.value = std::chrono::hours(1);
  RuleEngine engine(config_with("new_query", r), "test");
  std::vector<AlertChange> changes;
  engine.add_event(event(kT0, R"("mysql":{"slowlog":{"id":"A1","fingerprint":"select ?"}})"), kWall0, changes);
  engine.add_event(event(kT0 + kSecond, R"("mysql":{"slowlog":{"id":"A1","fingerprint":"select ?"}})"), kWall0, changes);
  engine.add_event(event(kT0 + kSecond, R"("message":"no id")"), kWall0, changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].status, AlertStatus::kFirstSeen);
  EXPECT_EQ(changes[0].shown, (Group{{"mysql.slowlog.fingerprint", "select ?"}}));
  changes.clear();
  engine.add_event(event(kT0 + 1800 * kSecond, R"("mysql":{"slowlog":{"id":"A1"}})"), kWall0, changes);  // seen again: remembered longer
  engine.add_event(event(kT0 + 3000 * kSecond, R"("mysql":{"slowlog":{"id":"A1"}})"), kWall0, changes);
  EXPECT_TRUE(changes.empty());
  engine.add_event(event(kT0 + 3000 * kSecond + 3601 * kSecond, R"("mysql":{"slowlog":{"id":"A1"}})"), kWall0, changes);
  EXPECT_EQ(changes.size(), 1u);  // not seen for over an hour: new again
}

TEST(RuleEngineTest, ARestartKeepsFiringAlertsAndRememberedValuesAndDoesNotResolveBeforeAWholeWindow) {
  AlertRuleConfig count;
  count.window.value = std::chrono::minutes(5);
  count.above = 1;
  AlertRuleConfig seen;
  seen.first_seen = "error.type";
  AlertsSinkConfig c;
  c.rules = {{"errors", count}, {"new_error", seen}};
  std::string saved;
  {
    RuleEngine engine(c, "test");
    std::vector<AlertChange> changes;
    for (int i = 0; i < 3; ++i) engine.add_event(event(kT0 + i * kSecond, R"("error":{"type":"Timeout"})"), kWall0, changes);
    engine.evaluate(kWall0, changes);
    ASSERT_EQ(changes.size(), 2u);  // the new value, then the count firing
    saved = "{";
    engine.save_members(saved);
    saved += "}";
  }
  RuleEngine engine(c, "test");
  simdjson::dom::parser parser;
  engine.load(parser.parse(saved), kWall0 + 5'000);
  std::vector<AlertChange> changes;
  engine.evaluate(kWall0 + 6'000, changes);  // no event yet since the start: nothing is judged resolved
  EXPECT_TRUE(changes.empty());
  engine.add_event(event(kT0 + 10 * kSecond, R"("error":{"type":"Timeout"})"), kWall0 + 10'000, changes);
  engine.evaluate(kWall0 + 10'000, changes);
  EXPECT_TRUE(changes.empty());  // no "new" Timeout, no second "firing", no early "resolved"
  ASSERT_EQ(engine.firing().size(), 1u);
  engine.evaluate(kWall0 + 10'000 + 301'000, changes);  // a whole window later, below the bound
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].status, AlertStatus::kResolved);
}

// From the review: a number's text lived in a buffer the `show` lookup reused, so the value
// remembered was the shown field's ("7\0345"), and 12345 was announced on every run.
TEST(RuleEngineTest, ANumericFirstSeenValueIsRememberedAsItselfWhenAnotherFieldIsShown) {
  AlertRuleConfig r;
  r.first_seen = "query_id";
  r.show = {"duration_ms"};
  RuleEngine engine(config_with("new_query", r), "test");
  std::vector<AlertChange> changes;
  for (int i = 0; i < 3; ++i) engine.add_event(event(kT0 + i * kSecond, R"("query_id":12345,"duration_ms":7)"), kWall0, changes);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].group, (Group{{"query_id", "12345"}}));
  EXPECT_EQ(changes[0].shown, (Group{{"duration_ms", "7"}}));
}

// From the review: each event an hour ahead of the clock moved it an hour, so a few hundred
// lines made every window and `remember` see a month pass.
TEST(RuleEngineTest, EventsFromTheFutureDoNotMoveTheClockPastTheWallClock) {
  AlertRuleConfig count;
  count.window.value = std::chrono::minutes(5);
  count.above = 5;
  RuleEngine engine(config_with("errors", count), "test");
  std::vector<AlertChange> changes;
  int64_t wall_ns = kWall0 * 1'000'000;
  for (int i = 0; i < 10; ++i) engine.add_event(event(wall_ns - 60 * kSecond + i * kSecond, R"("x":1)"), kWall0, changes);
  for (int i = 1; i <= 500; ++i) engine.add_event(event(wall_ns + i * 3540 * kSecond, R"("y":1)"), kWall0, changes);
  EXPECT_LE(engine.clock_ns(kWall0), wall_ns + 3600 * kSecond);
  engine.evaluate(kWall0, changes);
  ASSERT_EQ(changes.size(), 1u);  // the ten real events and the 500 taken as now: still in the window
}

TEST(RuleEngineTest, RememberedValuesStayWithinTheLimitWhenTheyShareOneTime) {
  AlertRuleConfig r;
  r.first_seen = "id";
  AlertsSinkConfig c = config_with("ids", r);
  c.max_remembered = 100;
  RuleEngine engine(c, "test");
  std::vector<AlertChange> changes;
  for (int i = 0; i < 1000; ++i) engine.add_event(event(kT0, R"("id":"v)" + std::to_string(i) + "\""), kWall0, changes);
  EXPECT_LE(engine.remembered("ids"), 100u);
  EXPECT_GE(engine.remembered("ids"), 90u);
}

TEST(RuleEngineTest, GroupsPastTheLimitAreCountedNotTracked) {
  AlertRuleConfig r;
  r.group_by = {"client"};
  r.above = 0;
  AlertsSinkConfig c = config_with("per_client", r);
  c.max_groups = 3;
  RuleEngine engine(c, "test");
  std::vector<AlertChange> changes;
  for (int i = 0; i < 10; ++i) engine.add_event(event(kT0, R"("client":"c)" + std::to_string(i) + "\""), kWall0, changes);
  engine.evaluate(kWall0, changes);
  EXPECT_EQ(changes.size(), 3u);
  EXPECT_EQ(engine.rules()[0].evaluation_errors->value(), 7u);
}

TEST(NotifierTest, ASlackMessageStaysWithinSlacksLimitsAndSaysHowManyMoreThereAre) {
  AlertRuleConfig r;
  r.group_by = {"url.path"};
  r.above = 0;
  r.description = std::string(5000, 'd');
  RuleEngine engine(config_with("many", r), "test");
  std::vector<AlertChange> changes;
  for (int i = 0; i < 100; ++i) {
    AlertChange c;
    c.rule = "many";
    c.group = {{"url.path", "/" + std::string(3000, 'p') + "<&>" + std::to_string(i)}};
    changes.push_back(c);
  }
  NotifierConfig n;
  n.max_rows = 10;
  std::string body = render_message(n, engine.rules()[0], changes, MessageContext{"h", "s"});
  simdjson::dom::parser parser;
  simdjson::dom::element msg = parser.parse(body);
  simdjson::dom::array blocks = msg["blocks"];
  EXPECT_LE(blocks.size(), 50u);
  EXPECT_NE(body.find("… and 90 more"), std::string::npos);
  for (simdjson::dom::element b : blocks) {
    simdjson::dom::element text;
    if (b["text"].get(text) == simdjson::SUCCESS) {
      EXPECT_LE(std::string_view(text["text"]).size(), 3000u);
    }
    simdjson::dom::array fields;
    if (b["fields"].get(fields) == simdjson::SUCCESS) {
      for (simdjson::dom::element f : fields) EXPECT_LE(std::string_view(f["text"]).size(), 2000u);
    }
  }
  EXPECT_EQ(body.find("<&>"), std::string::npos);  // escaped for mrkdwn

  // Values shown under each row take blocks too: still at most 50.
  AlertRuleConfig seen;
  seen.first_seen = "id";
  seen.show = {"a", "b", "c", "d", "e"};
  RuleEngine first_seen(config_with("ids", seen), "test");
  std::vector<AlertChange> values;
  for (int i = 0; i < 45; ++i) {
    AlertChange c;
    c.rule = "ids";
    c.status = AlertStatus::kFirstSeen;
    c.group = {{"id", "<!channel> " + std::to_string(i)}};
    c.shown = {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}};
    values.push_back(c);
  }
  n.max_rows = 40;
  body = render_message(n, first_seen.rules()[0], values, MessageContext{"h", "s"});
  simdjson::dom::element many = parser.parse(body);
  EXPECT_LE(simdjson::dom::array(many["blocks"]).size(), 50u);
  EXPECT_NE(body.find("more"), std::string::npos);
  EXPECT_EQ(body.find("<!channel>"), std::string::npos) << "a mention in a value must not reach the channel";
}

}  // namespace
}  // namespace logship
