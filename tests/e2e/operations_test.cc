// Running logship as an operator sees it: /metrics read by a real Prometheus parser, /health
// while a sink is stuck, reloads (broken file, a new source, under load), SIGUSR1, `logship top`.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "clients/elasticsearch/es_connection.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::TempDir;

class OperationsTest : public ::testing::Test {
 protected:
  // Starts `logship run` on p.yaml (whose api address is 127.0.0.1:0) and learns its port.
  void start(const std::string& yaml, std::vector<std::string> extra = {}) {
    testing::write_file(dir_ / "p.yaml", yaml);
    std::vector<std::string> argv{testing::logship_binary(), "run", "-c", dir_ / "p.yaml"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(argv, dir_ / "stderr");
    ASSERT_TRUE(testing::eventually([&] { return !(url_ = testing::api_url_in_log(log())).empty(); }, 20s)) << log();
  }
  std::string log() { return testing::read_file(dir_ / "stderr"); }
  EsResponse get(const std::string& path) {
    EsConnection conn;
    conn.endpoints = {url_};
    EsClient client(conn);
    return client.request("GET", path);
  }
  size_t out_lines(const std::string& name = "out.ndjson") {
    if (!std::filesystem::exists(dir_ / name)) return 0;
    return testing::split_lines(testing::read_file(dir_ / name)).size();
  }
  std::string file_source(const std::string& name, const std::string& include) {
    return "  " + name + ": {type: file, include: ['" + include + "'], scan_interval: 100ms, checkpoint_interval: 100ms}\n";
  }
  TempDir dir_;
  std::unique_ptr<Process> process_;
  std::string url_;
};

std::string numbered(const std::string& prefix, int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += prefix + std::to_string(i) + "\n";
  return s;
}

TEST_F(OperationsTest, MetricsAreValidPrometheusTextAndCountKnownInput) {
  std::string input;
  for (int i = 0; i < 990; ++i) input += "{\"level\":\"info\",\"msg\":\"event " + std::to_string(i) + "\"}\n";
  for (int i = 0; i < 9; ++i) input += "not json " + std::to_string(i) + "\n";
  input += "{\"msg\":\"" + std::string(5000, 'x') + "\"}\n";  // over max_line_bytes: truncated (and then not JSON)
  testing::write_file(dir_ / "app.log", input);
  start("data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n  app: {type: file, include: ['" + dir_ / "app.log" +
        "'], max_line_bytes: 1KiB}\ntransforms:\n  parsed: {type: json, inputs: [app]}\nsinks:\n  out: {type: file, inputs: [parsed], path: " +
        dir_ / "out.ndjson" + "}\n");
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 1000; })) << log();
  // Every line acknowledged, and the file's lag (refreshed a few times a second) down to 0.
  ASSERT_TRUE(testing::eventually([&] {
    std::string body = get("/metrics").body;
    return body.find("logship_sink_acknowledged_events_total{component=\"out\"} 1000") != std::string::npos &&
           body.find("logship_file_lag_bytes{component=\"app\",path=\"" + dir_ / "app.log" + "\"} 0\n") != std::string::npos;
  }));
  EsResponse m = get("/metrics");
  ASSERT_EQ(m.status, 200);
  testing::write_file(dir_ / "metrics.txt", m.body);
  // Debian's python3-prometheus-client parses it (and refuses malformed text).
  testing::write_file(dir_ / "parse.py", R"(import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = {}
types = {}
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    types[family.name] = family.type
    for s in family.samples:
        labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
        out[s.name + "{" + labels + "}"] = s.value
json.dump({"samples": out, "types": types}, open(sys.argv[2], "w"))
)");
  Process py({"/usr/bin/python3", dir_ / "parse.py", dir_ / "metrics.txt", dir_ / "parsed.json"}, dir_ / "py.err");
  ASSERT_EQ(py.wait(), 0) << testing::read_file(dir_ / "py.err");
  simdjson::dom::parser parser;
  simdjson::dom::element parsed = parser.load(dir_ / "parsed.json");
  auto sample = [&](const std::string& key) {
    double v = -1;
    if (parsed["samples"][key].get(v)) ADD_FAILURE() << "no sample " << key;
    return v;
  };
  EXPECT_EQ(sample("logship_component_sent_events_total{component=app}"), 1000);
  EXPECT_EQ(sample("logship_sink_acknowledged_events_total{component=out}"), 1000);
  EXPECT_EQ(sample("logship_parser_events_total{component=parsed,outcome=json_parse_error}"), 10);
  EXPECT_EQ(sample("logship_parser_events_total{component=parsed,outcome=parsed}"), 990);
  EXPECT_EQ(sample("logship_file_truncated_lines_total{component=app}"), 1);
  EXPECT_EQ(sample("logship_component_up{component=out,kind=sink}"), 1);
  EXPECT_EQ(sample("logship_queue_capacity_bytes{component=out}"), 1 << 20);  // buffer_bytes default
  EXPECT_GT(sample("process_resident_memory_bytes{}"), 1e6);
  EXPECT_GT(sample("process_cpu_seconds_total{}"), 0);
  EXPECT_GE(sample("logship_checkpoint_age_seconds{component=app}"), 0);
  EXPECT_EQ(sample("logship_file_lag_bytes{component=app,path=" + dir_ / "app.log" + "}"), 0);
  // The client library strips _total from counter family names; the TYPE lines say counter.
  EXPECT_EQ(std::string_view(parsed["types"]["logship_component_sent_events"]), "counter");
  EXPECT_EQ(std::string_view(parsed["types"]["logship_queue_bytes"]), "gauge");
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
}

TEST_F(OperationsTest, HealthTurns503WhileASinkIsBlockedAndBackTo200) {
  testing::write_file(dir_ / "app.log", numbered("line ", 0, 100));
  std::filesystem::create_directories(dir_ / "out");
  start("data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0', max_blocked: 1s}\nsources:\n" + file_source("app", dir_ / "app.log") +
        "sinks:\n  out: {type: file, inputs: [app], path: " + dir_ / "out/out.ndjson" + "}\n");
  ASSERT_TRUE(testing::eventually([&] { return out_lines("out/out.ndjson") == 100; }));
  EXPECT_EQ(get("/health").status, 200);
  // The output folder turns into a file: the sink cannot reopen its file, and every write fails.
  std::filesystem::remove_all(dir_ / "out");
  testing::write_file(dir_ / "out", "not a folder\n");
  std::this_thread::sleep_for(1100ms);  // the sink looks for a moved file once a second
  testing::append_file(dir_ / "app.log", numbered("line ", 100, 200));
  EsResponse h;
  ASSERT_TRUE(testing::eventually([&] { return (h = get("/health")).status == 503; }, 20s)) << h.describe() << log();
  EXPECT_NE(h.body.find("\"status\":\"unhealthy\""), std::string::npos) << h.body;
  EXPECT_NE(h.body.find("sink out blocked for"), std::string::npos) << h.body;
  // The operator fixes it: the sink writes, acknowledges, and health comes back by itself.
  std::filesystem::remove(dir_ / "out");
  std::filesystem::create_directories(dir_ / "out");
  ASSERT_TRUE(testing::eventually([&] { return (h = get("/health")).status == 200; }, 30s)) << h.describe();
  EXPECT_EQ(h.body, "{\"status\":\"ok\"}\n");
  ASSERT_TRUE(testing::eventually([&] { return out_lines("out/out.ndjson") == 100; })) << "the lines written while blocked";
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
}

TEST_F(OperationsTest, ReloadWithABrokenFileKeepsTheOldPipelineRunning) {
  testing::write_file(dir_ / "app.log", numbered("a", 0, 10));
  std::string good = "data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n" + file_source("app", dir_ / "app.log") +
                     "sinks:\n  out: {type: file, inputs: [app], path: " + dir_ / "out.ndjson" + "}\n";
  start(good);
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 10; }));
  testing::write_file(dir_ / "p.yaml", good + "  broken: {type: file, inputs: [nowhere]}\n");
  process_->signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return log().find("reload refused: the running pipeline goes on") != std::string::npos; })) << log();
  EXPECT_NE(log().find("sinks.broken.inputs[0]"), std::string::npos) << log();
  EXPECT_NE(log().find("sinks.broken.path"), std::string::npos) << "every problem is logged";
  testing::append_file(dir_ / "app.log", numbered("a", 10, 20));
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 20; })) << log();
  EXPECT_EQ(get("/health").status, 200);
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
}

TEST_F(OperationsTest, ReloadAddingASourceReadsItAndRepeatsNothing) {
  testing::write_file(dir_ / "a.log", numbered("a", 0, 100));
  testing::write_file(dir_ / "b.log", numbered("b", 0, 50));
  std::string base = "data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n" + file_source("a", dir_ / "a.log");
  start(base + "sinks:\n  out: {type: file, inputs: [a], path: " + dir_ / "out.ndjson" + "}\n");
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 100; }));
  testing::write_file(dir_ / "p.yaml", base + file_source("b", dir_ / "b.log") + "sinks:\n  out: {type: file, inputs: [a, b], path: " + dir_ / "out.ndjson" + "}\n");
  process_->signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 150; })) << log();
  EXPECT_NE(log().find("changes=\"added: b; changed: out\""), std::string::npos) << log();
  testing::append_file(dir_ / "a.log", numbered("a", 100, 110));
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 160; }));
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
  auto messages = testing::messages_of(dir_ / "out.ndjson");
  EXPECT_EQ(std::set<std::string>(messages.begin(), messages.end()).size(), 160u);
}

TEST_F(OperationsTest, ReloadsUnderLoadLoseAndRepeatNothing) {
  testing::write_file(dir_ / "app.log", "");
  // The same data path each time; odd versions change the sink, even ones the source, so both
  // are replaced under load in turn while the other keeps running.
  auto config = [&](int version) {
    return "data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n  app: {type: file, include: ['" + dir_ / "app.log" +
           "'], scan_interval: " + std::to_string(100 + version / 2) + "ms, checkpoint_interval: 100ms}\n" +
           "sinks:\n  out: {type: file, inputs: [app], path: " + dir_ / "out.ndjson" + ", group_commit_bytes: " +
           std::to_string(64 + (version + 1) / 2) + "KiB}\n";
  };
  start(config(0));
  std::atomic<bool> writing{true};
  std::atomic<int> written{0};
  std::thread writer([&] {
    while (writing.load()) {
      int n = written.load();
      testing::append_file(dir_ / "app.log", numbered("load-", n, n + 200));
      written.store(n + 200);
      std::this_thread::sleep_for(5ms);
    }
  });
  // Stops the writer however the test ends (a failed ASSERT returns early).
  struct JoinWriter {
    std::atomic<bool>& flag;
    std::thread& thread;
    ~JoinWriter() {
      flag.store(false);
      if (thread.joinable()) thread.join();
    }
  } join_writer{writing, writer};
  for (int v = 1; v <= 6; ++v) {
    std::this_thread::sleep_for(400ms);
    testing::write_file(dir_ / "p.yaml", config(v));
    process_->signal(SIGHUP);
    ASSERT_TRUE(testing::eventually([&] {
      std::string l = log();
      size_t n = 0;
      for (size_t at = l.find("msg=reloaded"); at != std::string::npos; at = l.find("msg=reloaded", at + 1)) ++n;
      return n == static_cast<size_t>(v);
    })) << log();
  }
  writing.store(false);
  writer.join();
  ASSERT_TRUE(testing::eventually([&] { return out_lines() >= static_cast<size_t>(written.load()); }, 60s)) << log();
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
  auto messages = testing::messages_of(dir_ / "out.ndjson");
  std::set<std::string> unique(messages.begin(), messages.end());
  EXPECT_EQ(messages.size(), static_cast<size_t>(written.load())) << "a line was repeated or lost";
  auto expected = testing::split_lines(numbered("load-", 0, written.load()));
  EXPECT_EQ(unique, std::set<std::string>(expected.begin(), expected.end()));
}

// Prometheus sample value of `series` (name{labels} as rendered), or -1.
double sample(const std::string& metrics_text, const std::string& series) {
  size_t at = metrics_text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics_text.substr(at + series.size() + 2));
}

// Rotated files a sidecar held (nothing acknowledged: the broker never came) are in its
// checkpoints. Restarted with room for fewer files than that, it used to drop the rest from
// the checkpoints without a word. Now they wait for room (counted, logged, /health), stay in
// the checkpoints, and a later run delivers every line. Meanwhile /metrics has one lag series
// per path, the backlog of every file rotated away from it included.
TEST_F(OperationsTest, RotatedFilesCheckpointedBeyondMaxOpenFilesWaitForRoomAfterARestart) {
  std::filesystem::create_directories(dir_ / "logs");
  auto yaml = [&](int max_open, const std::string& rotate_wait, bool deliver) {
    return "data_dir: " + dir_ / "data" + "\nshutdown_timeout: 1s\napi: {address: '127.0.0.1:0'}\nsources:\n  app: {type: file, include: ['" +
           dir_ / "logs/*.log" + "'], scan_interval: 100ms, checkpoint_interval: 100ms, rotate_wait: " + rotate_wait +
           ", max_open_files: " + std::to_string(max_open) + "}\nsinks:\n" +
           (deliver ? "  out: {type: file, inputs: [app], path: " + dir_ / "out.ndjson" + "}\n"
                    : "  out: {type: kafka, inputs: [app], bootstrap_servers: '127.0.0.1:1', topic: never}\n");
  };
  start(yaml(10, "1h", false));  // rotated files stay held: nothing will be acknowledged
  const std::string live = dir_ / "logs/app.log";
  size_t bytes = 0;
  for (int g = 0; g < 6; ++g) {
    std::string chunk = numbered("g" + std::to_string(g) + "-", 0, 100);
    testing::append_file(live, chunk);
    bytes += chunk.size();
    std::this_thread::sleep_for(300ms);
    if (g < 5) std::filesystem::rename(live, live + "." + std::to_string(g));  // out of the glob
  }
  std::string series = "logship_file_lag_bytes{component=\"app\",path=\"" + live + "\"}";
  std::string metrics;
  ASSERT_TRUE(testing::eventually([&] { return sample(metrics = get("/metrics").body, series) == static_cast<double>(bytes); }, 20s))
      << metrics;
  EXPECT_EQ(metrics.find(series, metrics.find(series) + 1), std::string::npos) << "one series per path";
  process_->signal(SIGTERM);
  ASSERT_EQ(process_->wait(), 0) << log();

  std::filesystem::rename(dir_ / "stderr", dir_ / "stderr.1");  // start() finds the API's address in it
  start(yaml(2, "1h", false));
  std::string health;
  ASSERT_TRUE(testing::eventually([&] { return sample(get("/metrics").body, "logship_file_skipped_files_total{component=\"app\"}") == 4; }, 20s))
      << get("/metrics").body << log();
  EsResponse h = get("/health");
  EXPECT_EQ(h.status, 503);
  EXPECT_NE(h.body.find("max_open_files (2) reached, 4 matching files not held"), std::string::npos) << h.body;
  EXPECT_NE(log().find("max_open_files reached"), std::string::npos) << log();
  process_->signal(SIGTERM);
  ASSERT_EQ(process_->wait(), 0) << log();

  testing::write_file(dir_ / "p.yaml", yaml(10, "200ms", true));
  Process once({testing::logship_binary(), "run", "-c", dir_ / "p.yaml", "--once"}, dir_ / "stderr.once");
  ASSERT_EQ(once.wait(), 0) << testing::read_file(dir_ / "stderr.once");
  auto messages = testing::messages_of(dir_ / "out.ndjson");
  std::set<std::string> unique(messages.begin(), messages.end());
  EXPECT_EQ(messages.size(), 600u) << testing::read_file(dir_ / "stderr.once");
  EXPECT_EQ(unique.size(), 600u);
}

// After a write wakes it, the source lets lines gather for read_delay before it reads. A file
// created and renamed out of the globs in that time was never opened; a folder change now
// ends the wait.
TEST_F(OperationsTest, AFileCreatedAndRenamedAwayDuringReadDelayIsStillRead) {
  std::filesystem::create_directories(dir_ / "logs");
  start("data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n  app: {type: file, include: ['" + dir_ / "logs/*.log" +
        "'], scan_interval: 1h, read_delay: 2s, rotate_wait: 100ms}\nsinks:\n  out: {type: file, inputs: [app], path: " + dir_ / "out.ndjson" + "}\n");
  std::this_thread::sleep_for(300ms);
  for (int g = 0; g < 5; ++g) {
    testing::append_file(dir_ / "logs/steady.log", numbered("steady-", g, g + 1));  // wakes the source: read_delay begins
    std::this_thread::sleep_for(50ms);
    testing::write_file(dir_ / "logs/short.log", numbered("short" + std::to_string(g) + "-", 0, 20));
    std::this_thread::sleep_for(300ms);
    std::filesystem::rename(dir_ / "logs/short.log", dir_ / ("logs/short.log." + std::to_string(g)));
    std::this_thread::sleep_for(2s);
  }
  ASSERT_TRUE(testing::eventually([&] { return out_lines() >= 105; }, 20s)) << out_lines() << " lines\n" << log();
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
  EXPECT_EQ(out_lines(), 105u);
}

TEST_F(OperationsTest, ReloadReplacesOnlyTheComponentsThatChanged) {
  testing::write_file(dir_ / "a.log", numbered("a", 0, 10));
  testing::write_file(dir_ / "b.log", numbered("b", 0, 10));
  auto config = [&](const std::string& b_out) {
    return "data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n" + file_source("a", dir_ / "a.log") +
           file_source("b", dir_ / "b.log") + "sinks:\n  out_a: {type: file, inputs: [a], path: " + dir_ / "a.ndjson" +
           "}\n  out_b: {type: file, inputs: [b], path: " + dir_ / b_out + "}\n";
  };
  start(config("b1.ndjson"));
  ASSERT_TRUE(testing::eventually([&] { return out_lines("a.ndjson") == 10 && out_lines("b1.ndjson") == 10; }));
  std::string before = get("/metrics").body;
  std::this_thread::sleep_for(20ms);  // start times are in ns: a restart would move them
  testing::write_file(dir_ / "p.yaml", config("b2.ndjson"));
  process_->signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return log().find("msg=\"reload applied\"") != std::string::npos; })) << log();
  EXPECT_NE(log().find("kept=\"a, b, out_a\" replaced=out_b"), std::string::npos) << log();
  testing::append_file(dir_ / "a.log", numbered("a", 10, 20));
  testing::append_file(dir_ / "b.log", numbered("b", 10, 20));
  ASSERT_TRUE(testing::eventually([&] { return out_lines("a.ndjson") == 20 && out_lines("b2.ndjson") == 10; })) << log();
  std::string after = get("/metrics").body;
  for (const char* kept : {"{component=\"a\",kind=\"source\"}", "{component=\"b\",kind=\"source\"}", "{component=\"out_a\",kind=\"sink\"}"}) {
    std::string series = std::string("logship_component_start_time_seconds") + kept;
    EXPECT_GT(sample(before, series), 0) << series << "\n" << before;
    EXPECT_EQ(sample(before, series), sample(after, series)) << series << " was restarted";
  }
  std::string replaced = "logship_component_start_time_seconds{component=\"out_b\",kind=\"sink\"}";
  EXPECT_GT(sample(after, replaced), sample(before, replaced));
  EXPECT_EQ(get("/health").status, 200);
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
  EXPECT_EQ(out_lines("b1.ndjson"), 10u);
}

TEST_F(OperationsTest, WatchConfigReloadsWhenTheFileChanges) {
  testing::write_file(dir_ / "a.log", numbered("a", 0, 10));
  testing::write_file(dir_ / "b.log", numbered("b", 0, 10));
  std::string base = "data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n" + file_source("a", dir_ / "a.log");
  start(base + "sinks:\n  out: {type: file, inputs: [a], path: " + dir_ / "out.ndjson" + "}\n", {"--watch-config"});
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 10; }));
  testing::write_file(dir_ / "p.yaml", base + file_source("b", dir_ / "b.log") + "sinks:\n  out: {type: file, inputs: [a, b], path: " + dir_ / "out.ndjson" + "}\n");
  ASSERT_TRUE(testing::eventually([&] { return out_lines() == 20; })) << log();
  EXPECT_NE(log().find("pipeline file changed"), std::string::npos);
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
}

TEST_F(OperationsTest, Sigusr1LogsAOneLineStatusAndTopShowsEveryComponent) {
  testing::write_file(dir_ / "app.log", numbered("a", 0, 300));
  start("data_dir: " + dir_ / "data" + "\napi: {address: '127.0.0.1:0'}\nsources:\n" + file_source("app", dir_ / "app.log") +
        "transforms:\n  keep: {type: filter, inputs: [app], include: ['a']}\nsinks:\n  out: {type: file, inputs: [keep], path: " + dir_ / "out.ndjson" + "}\n");
  ASSERT_TRUE(testing::eventually([&] { return get("/metrics").body.find("logship_sink_acknowledged_events_total{component=\"out\"} 300") != std::string::npos; }));
  process_->signal(SIGUSR1);
  ASSERT_TRUE(testing::eventually([&] { return log().find("msg=status") != std::string::npos; })) << log();
  std::string l = log();
  std::string status = l.substr(l.find("msg=status"));
  status = status.substr(0, status.find('\n'));
  EXPECT_NE(status.find("app=300 sent"), std::string::npos) << status;
  EXPECT_NE(status.find("out=300 acked queue 0%"), std::string::npos) << status;

  auto top = testing::run_logship({"top", "--api", url_, "--interval", "0.2", "--iterations", "2"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  EXPECT_NE(top.out.find("COMPONENT"), std::string::npos) << top.out;
  for (const char* row : {"app        source", "keep       transform", "out        sink"}) EXPECT_NE(top.out.find(row), std::string::npos) << top.out;
  auto no_api = testing::run_logship({"top", "--api", "http://127.0.0.1:1"});
  EXPECT_EQ(no_api.exit_code, 1);
  EXPECT_NE(no_api.err.find("cannot read"), std::string::npos);
  process_->signal(SIGTERM);
  EXPECT_EQ(process_->wait(), 0);
}

}  // namespace
}  // namespace logship
