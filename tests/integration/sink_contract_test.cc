// One delivery contract, the same numbers for every sink type: the same pipeline (file -> json
// -> the sink under test) runs through a transient failure where the sink can be made to have
// one, a steady stream, and events the destination refuses for good, against the real
// destinations. For each sink the test checks the generic counters (acknowledged = durable,
// retries, dead-lettered), `logship top`'s events/s, and /health's blocked verdict.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>
#include <thread>

#include "clients/elasticsearch/es_connection.h"
#include "tests/integration/kafka_broker.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;

// A JSON line as the app writes it; `status` is a number unless the test wants a refusal.
std::string app_line(int i, const std::string& status = "200", const std::string& extra = "") {
  return "{\"msg\":\"event " + std::to_string(i) + "\",\"http\":{\"status\":" + status + "}" + extra + "}\n";
}

// A value of a series in the Prometheus text (summed over other labels), -1 when absent.
double metric(const std::string& body, const std::string& name, const std::string& component) {
  double sum = -1;
  size_t at = 0;
  while ((at = body.find("\n" + name + "{", at)) != std::string::npos) {
    size_t end = body.find('\n', at + 1);
    std::string line = body.substr(at + 1, end - at - 1);
    at = end;
    if (line.find("component=\"" + component + "\"") == std::string::npos) continue;
    sum = (sum < 0 ? 0 : sum) + std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

class SinkContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_ / "logs"); }

  // The sink under test, as YAML (indented 4 under `out:`), after the servers it needs started.
  std::string start_destination() {
    const std::string& kind = GetParam();
    if (kind == "file") return "    type: file\n    path: " + dir_ / "out/events.ndjson" + "\n";
    if (kind == "null") return "    type: null\n";
    if (kind == "stdout") return "    type: stdout\n";
    if (kind == "kafka") {
      broker_ = std::make_unique<testing::KafkaBroker>(dir_ / "kafka");
      EXPECT_TRUE(broker_->start()) << testing::read_file(dir_ / "kafka.start.err");
      // Records of at most 4 KiB: the test's one large event is refused for good.
      EXPECT_EQ(testing::create_topic(broker_->bootstrap(), "logs.app", 1, {{"max.message.bytes", "4096"}}), "");
      return "    type: kafka\n    bootstrap_servers: " + broker_->bootstrap() + "\n    topic: 'logs.{{ event.dataset }}'\n"
             "    create_topics: {partitions: 1}\n";
    }
    node_ = std::make_unique<testing::OpenSearchNode>(dir_ / "os");
    EXPECT_TRUE(node_->start()) << testing::read_file(dir_ / "os.start.err");
    EXPECT_EQ(testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"}).exit_code, 0);
    proxy_ = std::make_unique<testing::Process>(
        std::vector<std::string>{"/usr/bin/python3", std::string(LOGSHIP_SOURCE_DIR) + "/tests/integration/fault_proxy.py", node_->url(),
                                 dir_ / "proxy.port", dir_ / "proxy.stats", "--control", dir_ / "proxy.control"},
        dir_ / "proxy.err");
    EXPECT_TRUE(testing::eventually([&] { return std::filesystem::exists(dir_ / "proxy.port"); }));
    return "    type: elasticsearch\n    endpoints: ['http://127.0.0.1:" + testing::read_file(dir_ / "proxy.port") + "']\n"
           "    flush_interval: 100ms\n";
  }

  // Turns a transient failure of the destination on or off; false when this sink has none.
  bool transient_failure(bool on) {
    const std::string& kind = GetParam();
    if (kind == "file") {
      // The output folder is a regular file for a while: the sink cannot open its file there.
      if (on) {
        std::filesystem::rename(dir_ / "out", dir_ / "out.before");  // what was written stays there
        testing::write_file(dir_ / "out", "in the way");
      } else {
        std::filesystem::remove(dir_ / "out");
      }
      return true;
    }
    if (kind == "kafka") {
      // The broker is away: the topic cannot be created, so its events are answered "retry".
      if (on) broker_->stop();
      else EXPECT_TRUE(broker_->restart_same_port()) << testing::read_file(dir_ / "kafka.restart.err");
      return true;
    }
    if (kind == "elasticsearch") {
      if (on) testing::write_file(dir_ / "proxy.control", "503");
      else std::filesystem::remove(dir_ / "proxy.control");
      return true;
    }
    return false;
  }

  // Writes what the destination refuses for good; returns how many events that is.
  int write_refused(int& next) {
    const std::string& kind = GetParam();
    if (kind == "elasticsearch") {
      testing::append_file(dir_ / "logs/app.log", app_line(next++, "\"teapot\""));  // http.status is a number in the template
      return 1;
    }
    if (kind == "kafka") {
      std::string big;
      for (int i = 0; big.size() < 12000; ++i) big += std::to_string(static_cast<uint64_t>(i) * 2654435761u % 1000003);
      testing::append_file(dir_ / "logs/app.log", app_line(next++, "200", ",\"blob\":\"" + big + "\""));
      return 1;
    }
    if (kind == "stdout") {
      // Nobody reads standard output any more: every write now fails with EPIPE.
      reader_->signal(SIGKILL);
      reader_->wait();
      std::string lines;
      for (int i = 0; i < 50; ++i) lines += app_line(next++);
      testing::append_file(dir_ / "logs/app.log", lines);
      return 50;
    }
    return 0;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::KafkaBroker> broker_;
  std::unique_ptr<testing::OpenSearchNode> node_;
  std::unique_ptr<testing::Process> proxy_;
  std::unique_ptr<testing::Process> reader_;  // stdout: what reads logship's standard output
};

TEST_P(SinkContractTest, CountersTopAndHealthMeanTheSameForEverySink) {
  const std::string kind = GetParam();
  std::string sink = start_destination();
  testing::write_file(dir_ / "p.yaml", "data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0', max_blocked: 2s}\n"
                                       "sources:\n  app: {type: file, include: ['" + dir_ / "logs/*.log" + "'], dataset: app}\n"
                                       "transforms:\n  parsed: {type: json, inputs: [app], rename: {msg: message}}\n"
                                       "sinks:\n  out:\n    inputs: [parsed]\n    retry: {initial: 50ms, max: 500ms}\n" + sink);
  std::string stdout_path;
  if (kind == "stdout") {
    // Standard output goes into a FIFO that a `cat` reads until the test kills it.
    stdout_path = dir_ / "stdout.fifo";
    ASSERT_EQ(::mkfifo(stdout_path.c_str(), 0600), 0);
    reader_ = std::make_unique<testing::Process>(std::vector<std::string>{"/bin/sh", "-c", "exec cat " + stdout_path + " > " + dir_ / "stdout.ndjson"});
  }
  int next = 0;
  int written = 0;
  auto write_lines = [&](int n) {
    std::string lines;
    for (int i = 0; i < n; ++i) lines += app_line(next++);
    testing::append_file(dir_ / "logs/app.log", lines);
    written += n;
  };

  // A transient failure first, where the destination can have one: the broker or the cluster
  // away from the start; the file sink's folder blocked once it runs (it opens its file at start).
  bool before_start = kind != "file";
  bool transient = before_start && transient_failure(true);
  write_lines(200);
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err", stdout_path);
  auto log = [&] { return testing::read_file(dir_ / "logship.err"); };
  std::string url;
  ASSERT_TRUE(testing::eventually([&] { return !(url = testing::api_url_in_log(log())).empty(); }, 30s)) << log();
  EsConnection conn;
  conn.endpoints = {url};
  EsClient api(conn);
  auto scrape = [&] { return api.request("GET", "/metrics").body; };
  if (!before_start) {
    ASSERT_TRUE(testing::eventually([&] { return metric(scrape(), "logship_sink_acknowledged_events_total", "out") == 200; }, 60s)) << log() << scrape();
    transient = transient_failure(true);
    write_lines(100);
  }
  if (transient) {
    ASSERT_TRUE(testing::eventually([&] { return metric(scrape(), "logship_sink_retries_total", "out") > 0; }, 60s)) << log();
    // Failing for longer than max_blocked (2 s): /health says which sink and why.
    EsResponse health;
    ASSERT_TRUE(testing::eventually([&] { return (health = api.request("GET", "/health")).status == 503; }, 30s)) << health.body;
    EXPECT_NE(health.body.find("sink out blocked"), std::string::npos) << health.body;
    transient_failure(false);
  }

  // A steady stream: `logship top` shows the sink's events per second.
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    // Until `top` has looked (a busy machine may take a while to acknowledge the first 200).
    for (int round = 0; round < 3000 && writing.load(); ++round) {
      write_lines(20);
      std::this_thread::sleep_for(100ms);
    }
  });
  ASSERT_TRUE(testing::eventually([&] { return metric(scrape(), "logship_sink_acknowledged_events_total", "out") >= 200; }, 120s)) << log();
  auto top = testing::run_logship({"top", "--api", url, "--iterations", "2", "--interval", "1"});
  writing.store(false);
  writer.join();
  ASSERT_EQ(top.exit_code, 0) << top.err;
  double rate = -1;
  for (const auto& line : testing::split_lines(top.out)) {
    if (line.rfind("out ", 0) != 0) continue;
    std::istringstream row(line);
    std::string name, k, events_per_second;
    row >> name >> k >> events_per_second;
    if (events_per_second != "-") rate = std::strtod(events_per_second.c_str(), nullptr);  // the last frame has the rates
  }
  std::cout << "[ info ] " << kind << ": logship top shows " << rate << " events/s\n" << top.out;
  EXPECT_GT(rate, 0) << top.out;

  // Then what the destination refuses for good, once all before it went through.
  ASSERT_TRUE(testing::eventually([&] { return metric(scrape(), "logship_sink_acknowledged_events_total", "out") == written; }, 120s)) << log();
  int refused = write_refused(next);
  written += refused;
  std::string body;
  bool settled = testing::eventually([&] {
    body = scrape();
    return metric(body, "logship_sink_acknowledged_events_total", "out") + std::max(0.0, metric(body, "logship_sink_dead_lettered_events_total", "out")) ==
           written;
  }, 120s);
  ASSERT_TRUE(settled) << log() << body;
  double acked = metric(body, "logship_sink_acknowledged_events_total", "out");
  double dead = std::max(0.0, metric(body, "logship_sink_dead_lettered_events_total", "out"));
  double retries = std::max(0.0, metric(body, "logship_sink_retries_total", "out"));
  std::cout << "[ info ] " << kind << ": written " << written << ", acknowledged " << acked << ", dead-lettered " << dead << ", retries " << retries
            << "\n";
  EXPECT_EQ(dead, refused);
  EXPECT_EQ(acked, written - refused);
  if (transient) EXPECT_GT(retries, 0);
  else EXPECT_EQ(retries, 0);
  // Each dead-lettered event is in the sink's dead-letter file (nothing reads out.dead_letter).
  std::string dead_file = dir_ / "data/dead-letter/out.ndjson";
  EXPECT_EQ(std::filesystem::exists(dead_file) ? testing::read_lines(dead_file).size() : 0u, static_cast<size_t>(dead));
  // What is durable is really there.
  if (kind == "file") {
    EXPECT_EQ(testing::read_lines(dir_ / "out.before/events.ndjson").size() + testing::read_lines(dir_ / "out/events.ndjson").size(),
              static_cast<size_t>(acked));
  } else if (kind == "kafka") {
    EXPECT_EQ(testing::consume_all(broker_->bootstrap(), "logs.app", static_cast<size_t>(acked) + 1, 20s).size(), static_cast<size_t>(acked));
  } else if (kind == "elasticsearch") {
    EXPECT_EQ(node_->count("logs-app-default"), static_cast<int64_t>(acked));
  }
  EXPECT_EQ(api.request("GET", "/health").status, 200);
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(60s), 0) << log();
}

INSTANTIATE_TEST_SUITE_P(EverySinkType, SinkContractTest, ::testing::Values("file", "stdout", "null", "kafka", "elasticsearch"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace logship
