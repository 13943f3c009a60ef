// The alerts sink through `logship run`: a real app log with fixed timestamps, the json
// transform, and a real HTTP receiver (scripts/alert-receiver) that checks Slack's
// message shape and answers 429, 500 or 404 on demand.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/time_format.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::Process;
using testing::TempDir;

struct Post {
  std::string path;
  int status = 0;
  std::string body;
};

class AlertsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver_ = std::make_unique<Process>(std::vector<std::string>{std::string(LOGSHIP_SOURCE_DIR) + "/scripts/alert-receiver", dir_.path()},
                                          dir_ / "receiver.err", dir_ / "receiver.out");
    ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir_ / "receiver.out").find('\n') != std::string::npos; }));
    std::string out = testing::read_file(dir_ / "receiver.out");
    port_ = out.substr(out.find('=') + 1, out.find('\n') - out.find('=') - 1);
  }

  std::vector<Post> posts() {
    std::vector<Post> out;
    if (!std::filesystem::exists(dir_ / "posts.ndjson")) return out;
    simdjson::dom::parser p;
    for (const std::string& line : testing::read_lines(dir_ / "posts.ndjson")) {
      simdjson::dom::element e = p.parse(line);
      out.push_back({std::string(std::string_view(e["path"])), static_cast<int>(int64_t(e["status"])), std::string(std::string_view(e["body"]))});
    }
    return out;
  }
  std::vector<Post> posts_to(const std::string& path) {
    std::vector<Post> out;
    for (Post& p : posts())
      if (p.path == path) out.push_back(std::move(p));
    return out;
  }

  // An app log of `n` lines, one a second ending a minute ago: every other one an error, two
  // services (billing has two lines in three), four query ids.
  void write_log(int n, int first = 0, const std::string& query_prefix = "q") {
    int64_t end = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count() - 60'000'000'000LL;
    std::string text;
    for (int i = first; i < first + n; ++i) {
      std::string ts;
      append_rfc3339_micros(ts, end - (first + n - 1 - i) * 1'000'000'000LL);
      text += R"({"ts":")" + ts + R"(","level":")" + (i % 2 ? "error" : "info") + R"(","service":{"name":")" + (i % 3 ? "billing" : "auth") +
              R"("},"duration_ms":)" + std::to_string(i) + R"(,"query_id":")" + query_prefix + std::to_string(i % 4) + "\"}\n";
    }
    testing::append_file(dir_ / "app.log", text);
  }

  std::string pipeline(const std::string& extra_sink_keys = "", const std::string& hook_path = "/hook") {
    return "data_dir: " + (dir_ / "data") + R"(
sources:
  app: {type: file, include: [')" + (dir_ / "app.log") + R"('], read_from: beginning}
transforms:
  parsed: {type: json, inputs: [app], timestamp_field: ts}
sinks:
  alerts:
    type: alerts
    inputs: [parsed]
    group_wait: 100ms
    evaluate_interval: 200ms
)" + extra_sink_keys + R"(
    notifiers:
      team: {type: slack, url: 'http://127.0.0.1:)" + port_ + R"(/slack', link: 'http://kibana.example/{rule}'}
      hook: {type: webhook, url: 'http://127.0.0.1:)" + port_ + hook_path + R"(', give_up_after: 3s}
    rules:
      errors_per_service:
        where: {level: error}
        group_by: [service.name]
        window: 10m
        above: 5
      new_query:
        first_seen: query_id
        show: [service.name]
)";
  }

  TempDir dir_;
  std::unique_ptr<Process> receiver_;
  std::string port_;
};

TEST_F(AlertsTest, AThresholdFiresOnceWithItsGroupsInOneMessageAndARestartNeitherRepeatsItNorAnnouncesSeenValues) {
  write_log(60);
  testing::write_file(dir_ / "p.yaml", pipeline());
  auto run = testing::run_logship({"run", "--once", "-c", dir_ / "p.yaml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto slack = posts_to("/slack");
  auto hook = posts_to("/hook");
  ASSERT_EQ(slack.size(), 2u) << run.err;  // the alert and the new values, each one message
  ASSERT_EQ(hook.size(), 2u) << run.err;
  for (const Post& p : slack) EXPECT_EQ(p.status, 200) << p.body;  // Slack's shape and limits held
  // The numbers are the log's: 30 errors, 20 of billing (i odd and not a multiple of 3 ... ).
  std::map<std::string, int> errors;
  for (int i = 0; i < 60; ++i)
    if (i % 2) ++errors[i % 3 ? "billing" : "auth"];
  simdjson::dom::parser parser;
  simdjson::dom::element firing = parser.parse(hook[0].body);
  EXPECT_EQ(std::string_view(firing["rule"]), "errors_per_service");
  EXPECT_EQ(std::string_view(firing["status"]), "firing");
  ASSERT_EQ(simdjson::dom::array(firing["alerts"]).size(), 2u);
  for (simdjson::dom::element a : simdjson::dom::array(firing["alerts"])) {
    std::string service = std::string(std::string_view(a["group"]["service.name"]));
    EXPECT_EQ(int64_t(a["value"]), errors[service]) << service;
  }
  simdjson::dom::element seen = parser.parse(hook[1].body);
  EXPECT_EQ(std::string_view(seen["status"]), "first_seen");
  EXPECT_EQ(simdjson::dom::array(seen["alerts"]).size(), 4u);
  EXPECT_NE(slack[0].body.find("http://kibana.example/errors_per_service"), std::string::npos) << slack[0].body;

  // More of the same, and one new query id: only the new value is told.
  write_log(10, 60);
  testing::append_file(dir_ / "app.log", R"({"ts":"2026-12-05T00:00:00Z","level":"info","service":{"name":"auth"},"query_id":"brand-new"})" "\n");
  run = testing::run_logship({"run", "--once", "-c", dir_ / "p.yaml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  hook = posts_to("/hook");
  ASSERT_EQ(hook.size(), 3u) << run.err;
  simdjson::dom::element fresh = parser.parse(hook[2].body);
  EXPECT_EQ(std::string_view(fresh["status"]), "first_seen");
  ASSERT_EQ(simdjson::dom::array(fresh["alerts"]).size(), 1u);
  EXPECT_EQ(std::string_view(fresh["alerts"].at(0)["group"]["query_id"]), "brand-new");
  EXPECT_EQ(std::string_view(fresh["alerts"].at(0)["shown"]["service.name"]), "auth");
}

TEST_F(AlertsTest, AReceiverAnswering429Or500IsTriedAgainWithoutDuplicatesAndOneThatRefusesIsDeadLettered) {
  write_log(20);
  testing::write_file(dir_ / "answers", "429 1\n500\n");  // the first two posts (to either path)
  testing::write_file(dir_ / "p.yaml", pipeline("", "/missing"));
  Process logship({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  // The hook's URL has a typo: the receiver answers 404 there.
  ASSERT_TRUE(testing::eventually(
      [&] {
        int ok = 0;
        for (const Post& p : posts_to("/slack")) ok += p.status == 200;
        return ok == 2;
      },
      std::chrono::seconds(30)))
      << testing::read_file(dir_ / "logship.err");
  ASSERT_TRUE(testing::eventually([&] { return std::filesystem::exists(dir_ / "data/dead-letter/alerts.notifications.ndjson"); }, std::chrono::seconds(30)))
      << testing::read_file(dir_ / "logship.err");
  logship.signal(SIGTERM);
  EXPECT_EQ(logship.wait(), 0);
  // Every message reached Slack once, whatever came before.
  std::map<std::string, int> delivered;
  for (const Post& p : posts_to("/slack"))
    if (p.status == 200) ++delivered[p.body];
  EXPECT_EQ(delivered.size(), 2u);
  for (const auto& [body, times] : delivered) EXPECT_EQ(times, 1) << body;
  std::string dead = testing::read_file(dir_ / "data/dead-letter/alerts.notifications.ndjson");
  EXPECT_NE(dead.find("\"notifier\":\"hook\""), std::string::npos) << dead;
  EXPECT_NE(dead.find("HTTP 404"), std::string::npos) << dead;
  // The URL is a secret: not in the log, not in the dead letters.
  EXPECT_EQ(testing::read_file(dir_ / "logship.err").find("127.0.0.1:" + port_), std::string::npos);
  EXPECT_EQ(dead.find("127.0.0.1:" + port_), std::string::npos);
}

TEST_F(AlertsTest, ValidateListsEveryRuleProblemWithItsPath) {
  testing::write_file(dir_ / "p.yaml", R"(data_dir: /tmp/x
sources:
  app: {type: file, include: [/tmp/x.log]}
sinks:
  alerts:
    type: alerts
    inputs: [app]
    notifiers:
      team: {type: slack, url: ''}
    rules:
      no_bound: {window: 5m}
      p95_without_field: {measure: p95, above: 1}
      share: {measure: share, above: 2}
      seen: {first_seen: a, above: 3}
      cond: {where: {code: '>=x'}, above: 1, notify: [pager]}
      stray: {value: url.count, above: 1}
      query: {view: http_errors_by_endpoint, params: {sincee: now-1h}, value: url.count, above: 1, where: {a: b}}
      regressed: {measure: p95, field: d, window: 1h, baseline: 30m, above: 0}
      seen_with_baseline: {first_seen: a, baseline: 7d}
      cron_stream: {above: 1, schedule: '@hourly'}
      cron_query: {view: http_errors_by_endpoint, value: url.count, above: 1, schedule: '0 25 * * *'}
    summaries:
      daily: {views: [top_slow_queries, top_slow_queries, no_such_view], period: 0.5s}
      weekdays: {views: [top_slow_queries], schedule: '0 9 * * MON-FRI', timezone: Asia/Tokio}
      both: {views: [top_slow_queries], schedule: '@daily', every: 1d}
)");
  auto r = testing::run_logship({"validate", "-c", dir_ / "p.yaml"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  std::string all = r.out + r.err;
  for (const char* want : {"sinks.alerts.notifiers.team.url", "sinks.alerts.rules.no_bound: needs `above` or `below`",
                           "sinks.alerts.rules.p95_without_field.field", "sinks.alerts.rules.share.matching", "sinks.alerts.rules.share.above",
                           "sinks.alerts.rules.seen.above", "sinks.alerts.rules.cond.where.code", "sinks.alerts.rules.cond.notify",
                           "sinks.alerts.rules.stray.value: value belongs to a query rule", "sinks.alerts.rules.query: a query rule needs the sink's `cluster:`",
                           "sinks.alerts.rules.query.params: view http_errors_by_endpoint has no parameter 'sincee'", "sinks.alerts.rules.query.where",
                           "sinks.alerts.summaries.daily: a summary needs the sink's `cluster:`", "'top_slow_queries' is listed twice",
                           "no saved view named 'no_such_view'", "sinks.alerts.summaries.daily.period",
                           "sinks.alerts.rules.regressed.baseline: must be at least the window", "sinks.alerts.rules.regressed.above: a regression rule bounds the ratio",
                           "sinks.alerts.rules.seen_with_baseline.baseline", "sinks.alerts.rules.cron_stream.schedule: schedule belongs to a query rule",
                           "sinks.alerts.rules.cron_query.schedule: hour field '25'", "sinks.alerts.summaries.weekdays.timezone: unknown time zone 'Asia/Tokio'",
                           "sinks.alerts.summaries.both.schedule: give `schedule` or `every`, not both"})
    EXPECT_NE(all.find(want), std::string::npos) << want << "\n" << all;
}

TEST_F(AlertsTest, AClusterThatNeverAnswersDelaysNeitherEventAlertsNorAStop) {
  // A port that takes connections and never answers: every search waits out request_timeout.
  int hung = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(hung, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(hung, 64), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(hung, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string cluster = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  testing::write_file(dir_ / "app.log", "");
  testing::write_file(dir_ / "p.yaml", pipeline(R"(    cluster: {endpoints: [')" + cluster + "', '" + cluster + R"('], request_timeout: 60s}
    summaries:
      often: {every: 1s, views: [top_slow_queries, errors_by_service_and_level, endpoint_traffic]}
)") + R"(      endpoint_errors: {view: http_errors_by_endpoint, every: 1s, value: url.count, above: 1}
)");
  Process run({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "run.err");
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the searches are under way, and hang
  write_log(20);
  EXPECT_TRUE(testing::eventually([&] { return !posts_to("/hook").empty(); }, std::chrono::seconds(10)))
      << "the event rules wait for the cluster\n" << testing::read_file(dir_ / "run.err");
  auto asked = std::chrono::steady_clock::now();
  run.signal(SIGTERM);
  EXPECT_EQ(run.wait(std::chrono::seconds(30)), 0) << testing::read_file(dir_ / "run.err");
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(15)) << "the stop waits for the cluster";
  ::close(hung);
}

TEST_F(AlertsTest, ARegressionRuleJudgesTheHourAgainstDaysKeptAcrossARestartAndFiresOnlyForTheQueryThatGotSlower) {
  // Three days of two query shapes at about 100 ms, shipped by a first run; then an hour where
  // one takes 300 ms, shipped by a second run that has only the saved baseline to go on.
  const int64_t start = 1'795'000'000LL * 1'000'000'000LL;  // 2026-11-18, long before now
  const int64_t minute = 60'000'000'000LL;
  auto line = [](int64_t t, const char* fingerprint, int ms) {
    std::string ts;
    append_rfc3339_micros(ts, t);
    return R"({"ts":")" + ts + R"(","mysql":{"slowlog":{"fingerprint":")" + fingerprint + R"("}},"duration_ms":)" + std::to_string(ms) + "}\n";
  };
  std::string history;
  for (int64_t m = 0; m < 72 * 60; m += 5)
    for (const char* f : {"select * from orders where id = ?", "update carts set n = ? where id = ?"})
      history += line(start + m * minute, f, 90 + static_cast<int>(m % 20));
  testing::write_file(dir_ / "app.log", history);
  // (The fixture's own rules read fields these events do not have: only this one speaks.)
  std::string config = pipeline() + R"(      query_regressed:
        measure: p95
        field: duration_ms
        group_by: [mysql.slowlog.fingerprint]
        window: 1h
        baseline: 7d
        above: 2
        min_events: 10
)";
  testing::write_file(dir_ / "p.yaml", config);
  auto run = testing::run_logship({"run", "--once", "-c", dir_ / "p.yaml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(posts().empty()) << "no hour is twice its days";
  ASSERT_TRUE(std::filesystem::exists(dir_ / "data/alerts/alerts.baseline.json"));

  std::string slow_hour;
  for (int64_t m = 72 * 60; m < 73 * 60; m += 3) {
    slow_hour += line(start + m * minute, "select * from orders where id = ?", 300);
    slow_hour += line(start + m * minute, "update carts set n = ? where id = ?", 100);
  }
  testing::append_file(dir_ / "app.log", slow_hour);
  run = testing::run_logship({"run", "--once", "-c", dir_ / "p.yaml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto hook = posts_to("/hook");
  ASSERT_EQ(hook.size(), 1u) << run.err;
  simdjson::dom::parser parser;
  simdjson::dom::element body = parser.parse(hook[0].body);
  EXPECT_EQ(std::string_view(body["rule"]), "query_regressed");
  EXPECT_EQ(int64_t(body["baseline_seconds"]), 7 * 86400);
  simdjson::dom::array alerts = body["alerts"];
  ASSERT_EQ(alerts.size(), 1u);
  simdjson::dom::element alert = alerts.at(0);
  EXPECT_EQ(std::string_view(alert["group"]["mysql.slowlog.fingerprint"]), "select * from orders where id = ?");
  EXPECT_EQ(double(alert["value"]), 300);
  // The days' p95: a quarter each of 90, 95, 100 and 105 ms, so 105 ms, read back within 2 %.
  EXPECT_NEAR(double(alert["baseline"]), 105, 105 * 0.02);
  EXPECT_NEAR(double(alert["ratio"]), 300.0 / 105, 0.06);
  EXPECT_EQ(int64_t(alert["events"]), 20);
  auto slack = posts_to("/slack");
  ASSERT_EQ(slack.size(), 1u);
  EXPECT_EQ(slack[0].status, 200) << slack[0].body;  // Slack's shape held
  EXPECT_NE(slack[0].body.find("its 7d baseline"), std::string::npos) << slack[0].body;

  // One group's part of the file damaged: copied aside, and the file rewritten with the rest.
  std::string file = testing::read_file(dir_ / "data/alerts/alerts.baseline.json");
  size_t update = file.find("update carts");
  ASSERT_NE(update, std::string::npos);
  size_t origin = file.find("\"origin_ns\":", update);
  file.replace(origin, 12, "\"origin_ns\":\"damaged\",\"was\":");
  testing::write_file(dir_ / "data/alerts/alerts.baseline.json", file);
  run = testing::run_logship({"run", "--once", "-c", dir_ / "p.yaml"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("partly damaged"), std::string::npos) << run.err;
  std::string rewritten = testing::read_file(dir_ / "data/alerts/alerts.baseline.json");
  EXPECT_NE(rewritten.find("select * from orders"), std::string::npos) << rewritten.substr(0, 300);
  EXPECT_EQ(rewritten.find("damaged"), std::string::npos);
  bool copied = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "data/alerts"))
    copied |= entry.path().filename().string().starts_with("alerts.baseline.json.damaged-");
  EXPECT_TRUE(copied);
}

}  // namespace
}  // namespace logship
