// The alerts sink's query rules and performance summaries against a real OpenSearch node, on
// data indexed by the real pipeline (file -> json / rules -> elasticsearch sink), posted to a
// real HTTP receiver (scripts/alert-receiver): the numbers in the messages are the data's.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <csignal>
#include <map>
#include <thread>
#include <string>
#include <vector>

#include "core/time_format.h"
#include "core/timestamp_parse.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::Process;

class AlertsClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<testing::OpenSearchNode>(dir_ / "os");
    ASSERT_TRUE(node_->start()) << testing::read_file(dir_ / "os.start.err");
    auto r = testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    receiver_ = std::make_unique<Process>(std::vector<std::string>{std::string(LOGSHIP_SOURCE_DIR) + "/scripts/alert-receiver", dir_.path()},
                                          dir_ / "receiver.err", dir_ / "receiver.out");
    ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir_ / "receiver.out").find('\n') != std::string::npos; }));
    std::string out = testing::read_file(dir_ / "receiver.out");
    port_ = out.substr(out.find('=') + 1, out.find('\n') - out.find('=') - 1);
  }

  static std::string ago(int64_t seconds) {
    std::string t;
    append_rfc3339_micros(t, now_unix_nanos() - seconds * 1'000'000'000LL);
    return t;
  }

  // alerts.yaml: the alerts sink on an idle input, asking the node; `sink_keys` (its notifiers,
  // rules, summaries), indented as its keys, complete it.
  void write_alerts_pipeline(const std::string& sink_keys) {
    testing::write_file(dir_ / "nothing.log", "");
    testing::write_file(dir_ / "alerts.yaml", "data_dir: " + dir_ / "alerts-data" + R"(
sources:
  idle: {type: file, include: [')" + dir_ / "nothing.log" + R"(']}
sinks:
  alerts:
    type: alerts
    inputs: [idle]
    cluster: {endpoints: [')" + node_->url() + R"('], namespace: test}
)" + sink_keys);
  }

  // Ships an app log and an nginx log through logship into the node, as the indexer would.
  void index_through_logship() {
    std::string app;
    auto line = [&](int64_t seconds_ago, const char* service, const char* level) {
      app += R"({"ts":")" + ago(seconds_ago) + R"(","service":{"name":")" + service + R"("},"log":{"level":")" + level + "\"}}\n";
    };
    // This hour: billing 4 errors, accounts 1 error. The hour before: billing 2 errors.
    for (int i = 0; i < 4; ++i) line(600 + i, "billing", "error");
    line(700, "accounts", "error");
    line(800, "accounts", "info");
    for (int i = 0; i < 2; ++i) line(5400 + i, "billing", "error");
    std::string web;
    // (With nginx's $request_time after the agent, and $upstream_response_time on some.)
    for (int i = 0; i < 3; ++i) web += "10.0.0.1 - - [" + clf(300 + i) + "] \"GET /checkout?cart=" + std::to_string(i) + " HTTP/1.1\" 502 10 \"-\" \"curl\" 2.500 2.498\n";
    web += "10.0.0.1 - - [" + clf(320) + "] \"GET /home HTTP/1.1\" 500 10 \"-\" \"curl\" \"-\" 0.100\n";
    web += "10.0.0.1 - - [" + clf(330) + "] \"GET /home HTTP/1.1\" 200 10 \"-\" \"curl\" 0.300 0.299\n";
    index_through_logship(app, web, 8, 5);
  }

  void index_through_logship(const std::string& app, const std::string& web, int64_t app_events, int64_t web_events) {
    testing::write_file(dir_ / "app.log", app);
    testing::write_file(dir_ / "access.log", web);
    testing::write_file(dir_ / "index.yaml", "data_dir: " + dir_ / "index-data" + R"(
sources:
  app: {type: file, include: [')" + dir_ / "app.log" + R"('], read_from: beginning, dataset: app}
  web: {type: file, include: [')" + dir_ / "access.log" + R"('], read_from: beginning, dataset: nginx.access}
transforms:
  parsed: {type: json, inputs: [app], timestamp_field: ts}
  access: {type: rules, inputs: [web], rules: [nginx]}
sinks:
  search: {type: elasticsearch, inputs: [parsed, access], endpoints: [')" + node_->url() + R"('], namespace: test}
)");
    auto r = testing::run_logship({"run", "--once", "-c", dir_ / "index.yaml"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(node_->request("POST", "/logs-*/_refresh").ok());
    ASSERT_EQ(node_->count("logs-app-test"), app_events);
    if (web_events > 0) {
      ASSERT_EQ(node_->count("logs-nginx.access-test"), web_events);
    }
  }

  static std::string clf(int64_t seconds_ago) {
    time_t t = static_cast<time_t>(now_unix_nanos() / 1'000'000'000LL - seconds_ago);
    char buf[64];
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    return buf;
  }

  std::vector<std::pair<std::string, std::string>> posts() {  // path, body
    std::vector<std::pair<std::string, std::string>> out;
    if (!std::filesystem::exists(dir_ / "posts.ndjson")) return out;
    simdjson::dom::parser p;
    for (const std::string& line : testing::read_lines(dir_ / "posts.ndjson")) {
      simdjson::dom::element e = p.parse(line);
      EXPECT_EQ(int64_t(e["status"]), 200) << line;  // Slack's shape held
      out.emplace_back(std::string(std::string_view(e["path"])), std::string(std::string_view(e["body"])));
    }
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::OpenSearchNode> node_;
  std::unique_ptr<Process> receiver_;
  std::string port_;
};

TEST_F(AlertsClusterTest, AQueryRuleAndAnHourlySummaryCarryTheNumbersOfTheIndexedData) {
  index_through_logship();
  write_alerts_pipeline(R"(    group_wait: 100ms
    notifiers:
      team: {type: slack, url: 'http://127.0.0.1:)" + port_ + R"(/slack'}
      hook: {type: webhook, url: 'http://127.0.0.1:)" + port_ + R"(/hook'}
    rules:
      endpoint_5xx:
        view: http_errors_by_endpoint
        params: {since: now-1h}
        every: 1s
        group_by: [url]
        value: url.count
        above: 2
    summaries:
      hourly:
        every: 1h
        views: [errors_by_service_and_level, http_errors_by_endpoint, endpoint_traffic]
)");
  auto r = testing::run_logship({"run", "--once", "-c", dir_ / "alerts.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> hook;
  for (auto& [path, body] : posts())
    if (path == "/hook") hook.push_back(body);
  ASSERT_EQ(hook.size(), 2u) << r.err;  // the alert and the summary
  // The alert: /checkout had three 502s in the hour (over 2); /home one 500 (not).
  simdjson::dom::element alert, summary;
  simdjson::dom::parser alert_parser, summary_parser;
  for (const std::string& body : hook) {
    if (body.find("\"kind\":\"summary\"") != std::string::npos) summary = summary_parser.parse(body);
    else alert = alert_parser.parse(body);
  }
  EXPECT_EQ(std::string_view(alert["rule"]), "endpoint_5xx");
  EXPECT_EQ(std::string_view(alert["status"]), "firing");
  ASSERT_EQ(simdjson::dom::array(alert["alerts"]).size(), 1u);
  EXPECT_EQ(std::string_view(alert["alerts"].at(0)["group"]["url"]), "/checkout");
  EXPECT_EQ(int64_t(alert["alerts"].at(0)["value"]), 3);

  // The summary: errors per service and level this hour, with the change from the hour before.
  simdjson::dom::element errors = summary["views"].at(0);
  EXPECT_EQ(std::string_view(errors["view"]), "errors_by_service_and_level");
  std::map<std::string, std::pair<double, std::string>> by;  // service -> count, change
  simdjson::dom::array rows = errors["rows"];
  simdjson::dom::array changes = errors["change"];
  ASSERT_EQ(rows.size(), changes.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    simdjson::dom::element row = rows.at(i);
    std::string service = std::string(std::string_view(row["service"]));
    double count = 0;
    simdjson::dom::element cell = row["level.count"];
    std::string_view text;
    if (cell.get_double().get(count) != simdjson::SUCCESS && cell.get_string().get(text) == simdjson::SUCCESS) count = std::stod(std::string(text));
    by[service] = {count, simdjson::minify(changes.at(i))};
  }
  EXPECT_EQ(by["billing"].first, 4);
  EXPECT_EQ(by["billing"].second, "1");  // 4 against 2: +100 %
  EXPECT_EQ(by["accounts"].first, 1);
  EXPECT_EQ(by["accounts"].second, "null");  // none the hour before
  simdjson::dom::element http = summary["views"].at(1);
  EXPECT_EQ(std::string_view(http["rows"].at(0)["url"]), "/checkout");
  // nginx per endpoint (its path, whatever the query string), from the log's $request_time.
  simdjson::dom::element traffic = summary["views"].at(2)["rows"].at(0);
  EXPECT_EQ(std::string_view(traffic["endpoint"]), "/checkout");
  EXPECT_NEAR(double(traffic["per_second"]), 3.0 / 3600, 1e-8);
  EXPECT_EQ(double(traffic["server_error_share"]), 1);
  EXPECT_EQ(double(traffic["p95_ms"]), 2500);

  // The same summary in Slack, and indexed for Kibana.
  bool slack_summary = false;
  for (auto& [path, body] : posts()) slack_summary |= path == "/slack" && body.find("hourly summary") != std::string::npos;
  EXPECT_TRUE(slack_summary);
  ASSERT_TRUE(node_->request("POST", "/logs-logship.summary-test/_refresh").ok());
  EXPECT_EQ(node_->count("logs-logship.summary-test"), 1) << r.err;
  EsResponse doc = node_->request("POST", "/logs-logship.summary-test/_search", R"({"query":{"match_all":{}}})");
  EXPECT_NE(doc.body.find("\"level_count\":4"), std::string::npos) << doc.body.substr(0, 2000);

  // A second pass within the hour: the alert does not repeat, and `alerts list` says it fires.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  r = testing::run_logship({"run", "--once", "-c", dir_ / "alerts.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t alerts_after = 0;
  for (auto& [path, body] : posts()) alerts_after += path == "/hook" && body.find("\"rule\":\"endpoint_5xx\"") != std::string::npos;
  EXPECT_EQ(alerts_after, 1u);
  size_t summaries = 0;  // (--once again within the hour makes none: the schedule holds)
  for (auto& [path, body] : posts()) summaries += path == "/hook" && body.find("\"kind\":\"summary\"") != std::string::npos;
  EXPECT_EQ(summaries, 1u);
  auto list = testing::run_logship({"alerts", "list", "-c", dir_ / "alerts.yaml"});
  EXPECT_NE(list.out.find("endpoint_5xx: FIRING (1 group)"), std::string::npos) << list.out << list.err;

  // The errors leave the range: the view has no rows at all, and the alert resolves.
  std::string config = testing::read_file(dir_ / "alerts.yaml");
  config.replace(config.find("since: now-1h"), 13, "since: now-2m");
  testing::write_file(dir_ / "alerts.yaml", config);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // (its `every`)
  r = testing::run_logship({"run", "--once", "-c", dir_ / "alerts.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t resolved = 0;
  for (auto& [path, body] : posts()) resolved += path == "/hook" && body.find("\"status\":\"resolved\"") != std::string::npos;
  EXPECT_EQ(resolved, 1u) << r.err;
  EXPECT_EQ(r.err.find("no such column"), std::string::npos) << r.err;
  list = testing::run_logship({"alerts", "list", "-c", dir_ / "alerts.yaml"});
  EXPECT_NE(list.out.find("endpoint_5xx: ok"), std::string::npos) << list.out << list.err;
}

TEST_F(AlertsClusterTest, ACronSummaryIsMadeOnTheMinuteAndCoversTheMinuteSinceItsPreviousTime) {
  // Indexed early in a minute, so that the summary made when it ends covers these events.
  while (now_unix_nanos() / 1'000'000'000LL % 60 >= 40) std::this_thread::sleep_for(std::chrono::seconds(1));
  std::string app;
  for (int i = 0; i < 3; ++i) app += R"({"ts":")" + ago(0) + R"(","service":{"name":"billing"},"log":{"level":"error"}})" + "\n";
  ASSERT_NO_FATAL_FAILURE(index_through_logship(app, "", 3, 0));
  write_alerts_pipeline(R"(    notifiers:
      hook: {type: webhook, url: 'http://127.0.0.1:)" + port_ + R"(/hook'}
    summaries:
      minutely:
        schedule: '* * * * *'
        timezone: Asia/Kolkata
        views: [errors_by_service_and_level]
        index: false
)");
  Process run({testing::logship_binary(), "run", "-c", dir_ / "alerts.yaml"}, dir_ / "run.err");
  std::string body;
  ASSERT_TRUE(testing::eventually(
      [&] {
        for (auto& [path, b] : posts())
          if (b.find("\"kind\":\"summary\"") != std::string::npos) body = b;
        return !body.empty();
      },
      std::chrono::seconds(90)))
      << testing::read_file(dir_ / "run.err");
  simdjson::dom::parser parser;
  simdjson::dom::element summary = parser.parse(body);
  // The period is the minute that just ended, to the second (Kolkata is 5:30 off: minutes still
  // begin on UTC's), not the moment the summary ran.
  int64_t start = -1, end = -1;
  ASSERT_TRUE(parse_timestamp(std::string_view(summary["period"]["start"]), TimestampFormat{}, start));
  ASSERT_TRUE(parse_timestamp(std::string_view(summary["period"]["end"]), TimestampFormat{}, end));
  EXPECT_EQ(end % 60'000'000'000LL, 0) << body;
  EXPECT_EQ(end - start, 60'000'000'000LL) << body;
  simdjson::dom::element row = summary["views"].at(0)["rows"].at(0);
  EXPECT_EQ(std::string_view(row["service"]), "billing");
  EXPECT_EQ(simdjson::minify(row["level.count"]), "3");
  run.signal(SIGTERM);
  EXPECT_EQ(run.wait(), 0) << testing::read_file(dir_ / "run.err");
  // Made once, and `alerts list` tells when the next one comes.
  size_t made = 0;
  for (auto& [path, b] : posts()) made += b.find("\"kind\":\"summary\"") != std::string::npos;
  EXPECT_LE(made, 2u);  // (a second one if the test ran over a minute's end)
  auto list = testing::run_logship({"alerts", "list", "-c", dir_ / "alerts.yaml"});
  EXPECT_NE(list.out.find("summary minutely: * * * * * (Asia/Kolkata), last "), std::string::npos) << list.out << list.err;
  EXPECT_NE(list.out.find(", next "), std::string::npos) << list.out;
}

}  // namespace
}  // namespace logship
