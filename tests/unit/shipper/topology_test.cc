// The runtime with real file sources and a test sink whose speed the test controls.
#include "shipper/runtime/topology.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>

#include "shipper/sources/register_sources.h"
#include "tests/support/test_support.h"
#include "tests/unit/shipper/file_source_harness.h"

namespace logship {
namespace {

// A sink that holds every write until the test opens the gate, or keeps asking for retries.
struct GateState {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  bool fail_with_retry = false;
  size_t events = 0;
};
GateState* g_gate = nullptr;

struct GateSinkConfig {};

class GateSink final : public SyncSink {
 public:
  static Result<std::unique_ptr<GateSink>> create(const GateSinkConfig&, const BuildContext&) {
    return std::make_unique<GateSink>();
  }
  DeliveryReport write(const Delivery& delivery) override {
    std::unique_lock lock(g_gate->mu);
    if (g_gate->fail_with_retry) return DeliveryReport::retry(delivery.events(), "gate", "closed for good");
    g_gate->cv.wait(lock, [] { return g_gate->open; });
    g_gate->events += delivery.events();
    return DeliveryReport::delivered(delivery.events());
  }
};

class TopologyTest : public ::testing::Test {
 protected:
  TopologyTest() {
    g_gate = &gate_;
    register_all_components(registry_);
    static const Schema<GateSinkConfig> schema;
    registry_.add(std::make_unique<TypedFactory<ComponentKind::kSink, GateSinkConfig, GateSink>>("gate", "test sink", schema));
  }
  ~TopologyTest() override { g_gate = nullptr; }

  PipelineConfig pipeline(const std::string& yaml) {
    ConfigErrors errors;
    auto p = load_pipeline(yaml, "t.yaml", registry_, errors);
    EXPECT_TRUE(p) << (errors.empty() ? "" : errors.list()[0].to_string("t.yaml"));
    return std::move(*p);
  }

  void open_gate() {
    std::lock_guard lock(gate_.mu);
    gate_.open = true;
    gate_.cv.notify_all();
  }

  GateState gate_;
  ComponentRegistry registry_;
  testing::TempDir dir_;
};

TEST_F(TopologyTest, SlowSinkPausesReadingAndMemoryStaysBounded) {
  // 20 MiB of lines, a 256 KiB queue: while the sink is stuck, the source may only read what
  // fits in the queue plus the batches in hand.
  std::string line(200, 'x');
  line += "\n";
  std::string content;
  for (int i = 0; i < 100000; ++i) content += line;
  testing::write_file(dir_ / "big.log", content);
  auto p = pipeline("data_dir: " + dir_ / "data" + "\nbuffer_bytes: 256KiB\nsources:\n  app: {type: file, include: ['" +
                    dir_ / "big.log" + "'], batch_bytes: 64KiB}\nsinks:\n  slow: {type: gate, inputs: [app]}\n");
  auto t = Topology::build(p, {/*once=*/true});
  ASSERT_TRUE(t);
  (*t)->start();
  const Counter& read = metrics().counter("logship_file_read_bytes_total", "", {{"component", "app"}});
  uint64_t before = read.value();
  // Give the reader every chance to run ahead while the sink is stuck.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  uint64_t read_while_blocked = read.value() - before;
  EXPECT_LT(read_while_blocked, 2u << 20) << "the reader should have paused";
  open_gate();
  std::atomic<bool> stop{false};
  (*t)->wait(stop);
  EXPECT_EQ((*t)->shutdown(), 0);
  EXPECT_EQ(gate_.events, 100000u);
}

TEST_F(TopologyTest, ShutdownTimeoutStopsASinkThatKeepsFailingWithoutCommittingItsLines) {
  testing::write_file(dir_ / "a.log", "one\ntwo\n");
  gate_.fail_with_retry = true;
  auto p = pipeline("data_dir: " + dir_ / "data" + "\nshutdown_timeout: 300ms\nsources:\n  app: {type: file, include: ['" +
                    dir_ / "a.log" + "']}\nsinks:\n  broken: {type: gate, inputs: [app]}\n");
  auto t = Topology::build(p, {/*once=*/false});
  ASSERT_TRUE(t);
  (*t)->start();
  ASSERT_TRUE(testing::eventually([] { return metrics().value("logship_sink_retries_total", {{"component", "broken"}}) > 0; }));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ((*t)->shutdown(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(8));
  // Nothing was acknowledged, so the checkpoint still says 0: the lines are read again later.
  EXPECT_NE(testing::read_file(dir_ / "data/app.checkpoints.json").find("\"offset\":0"), std::string::npos);
}


// Reloads in-process: a writer keeps appending while apply() replaces one component at a time;
// every output must hold every line exactly once, in order, and what was not touched must be
// the same running component afterwards.
class TopologyApplyTest : public TopologyTest {
 protected:
  static double collected(const std::string& name, const Labels& labels) {
    for (const auto& sample : metrics().collect())
      if (sample.name == name && sample.labels == labels) return sample.value;
    return 0;
  }
  std::string head() {
    return "data_dir: " + dir_ / "data" + "\nsources:\n";
  }
  std::string source(const std::string& scan) {
    return "  app: {type: file, include: ['" + dir_ / "app.log" + "'], scan_interval: " + scan + ", checkpoint_interval: 50ms}\n";
  }
  std::string sinks(const std::string& out_path) {
    return "sinks:\n  out: {type: file, inputs: [app], path: " + out_path + "}\n  keep: {type: file, inputs: [app], path: " +
           dir_ / "keep.ndjson" + "}\n";
  }
  void append(int from, int to) {
    std::string s;
    for (int i = from; i < to; ++i) s += "line-" + std::to_string(i) + "\n";
    testing::append_file(dir_ / "app.log", s);
  }
  static std::vector<std::string> expected(int n) {
    std::vector<std::string> v;
    for (int i = 0; i < n; ++i) v.push_back("line-" + std::to_string(i));
    return v;
  }
  // Writes lines 0..lines-1, starts base_ (its `out` sink writing a.ndjson) and returns once
  // `settled_file` holds them all; null after a test failure.
  std::unique_ptr<Topology> start_base(int lines, const std::string& settled_file) {
    append(0, lines);
    base_ = pipeline(head() + source("50ms") + sinks(dir_ / "a.ndjson"));
    auto t = Topology::build(base_, {});
    if (!t) {
      ADD_FAILURE() << t.error().message;
      return nullptr;
    }
    (*t)->start();
    EXPECT_TRUE(testing::eventually([&] { return messages({settled_file}, false).size() == static_cast<size_t>(lines); }));
    return std::move(*t);
  }
  // Runs `p` with --once until its sources are done.
  void run_to_end(const PipelineConfig& p) {
    auto t = Topology::build(p, {/*once=*/true});
    ASSERT_TRUE(t) << t.error().message;
    (*t)->start();
    std::atomic<bool> stop{false};
    (*t)->wait(stop);
    EXPECT_EQ((*t)->shutdown(), 0);
  }
  PipelineConfig base_;
  // Strict: every line must be a complete event. While sinks write, the last line may be half
  // written: `settled = false` skips it.
  std::vector<std::string> messages(const std::vector<std::string>& files, bool settled = true) {
    std::vector<std::string> all;
    for (const auto& f : files) {
      if (!std::filesystem::exists(dir_ / f)) continue;
      int partial = 0;
      auto m = testing::messages_of(dir_ / f, settled ? nullptr : &partial);
      all.insert(all.end(), m.begin(), m.end());
    }
    return all;
  }
};

TEST_F(TopologyApplyTest, ChangingOneSinkReplacesOnlyItAndLosesAndRepeatsNothing) {
  auto t = start_base(1000, "keep.ndjson");
  ASSERT_TRUE(t);
  double source_started = collected("logship_component_start_time_seconds", {{"component", "app"}, {"kind", "source"}});
  append(1000, 1500);  // still in flight while the sink is swapped, most likely
  auto p2 = pipeline(head() + source("50ms") + sinks(dir_ / "b.ndjson"));
  auto summary = t->apply(base_, p2);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->replaced, std::vector<std::string>{"out"});
  EXPECT_EQ(summary->kept, (std::vector<std::string>{"app", "keep"}));
  EXPECT_TRUE(summary->added.empty() && summary->removed.empty());
  append(1500, 2000);
  ASSERT_TRUE(testing::eventually([&] { return messages({"a.ndjson", "b.ndjson"}, false).size() >= 2000; }));
  EXPECT_EQ(t->shutdown(), 0);
  EXPECT_EQ(messages({"a.ndjson", "b.ndjson"}), expected(2000)) << "the old sink finished before the new one started";
  EXPECT_EQ(messages({"keep.ndjson"}), expected(2000));
  EXPECT_FALSE(messages({"b.ndjson"}).empty());
  EXPECT_EQ(collected("logship_component_start_time_seconds", {{"component", "app"}, {"kind", "source"}}), source_started)
      << "the unchanged source kept running";
}

TEST_F(TopologyApplyTest, ChangingTheSourceResumesFromItsCheckpointsWhileTheSinksKeepRunning) {
  auto t = start_base(1000, "keep.ndjson");
  ASSERT_TRUE(t);
  double sink_started = collected("logship_component_start_time_seconds", {{"component", "keep"}, {"kind", "sink"}});
  for (int round = 0; round < 4; ++round) {
    append(1000 + round * 500, 1250 + round * 500);
    auto before = pipeline(head() + source(round % 2 ? "60ms" : "50ms") + sinks(dir_ / "a.ndjson"));
    auto after = pipeline(head() + source(round % 2 ? "50ms" : "60ms") + sinks(dir_ / "a.ndjson"));
    auto summary = t->apply(before, after);
    ASSERT_TRUE(summary) << summary.error().message;
    EXPECT_EQ(summary->replaced, std::vector<std::string>{"app"});
    append(1250 + round * 500, 1500 + round * 500);
  }
  ASSERT_TRUE(testing::eventually([&] { return messages({"keep.ndjson"}, false).size() >= 3000; }));
  EXPECT_EQ(t->shutdown(), 0);
  EXPECT_EQ(messages({"a.ndjson"}), expected(3000));
  EXPECT_EQ(messages({"keep.ndjson"}), expected(3000));
  EXPECT_EQ(collected("logship_component_start_time_seconds", {{"component", "keep"}, {"kind", "sink"}}), sink_started);
}

TEST_F(TopologyApplyTest, AddingAndRemovingComponentsLeavesTheRestRunning) {
  testing::write_file(dir_ / "b.log", "b-0\nb-1\n");
  auto t = start_base(100, "a.ndjson");
  ASSERT_TRUE(t);
  auto p2 = pipeline(head() + source("50ms") + "  b: {type: file, include: ['" + dir_ / "b.log" + "']}\n" +
                     "transforms:\n  only_b: {type: filter, inputs: [b], include: ['b-1']}\n"
                     "sinks:\n  out: {type: file, inputs: [app], path: " + dir_ / "a.ndjson" + "}\n  bs: {type: file, inputs: [only_b], path: " +
                     dir_ / "b.ndjson" + "}\n");
  auto summary = t->apply(base_, p2);
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->added, (std::vector<std::string>{"b", "only_b", "bs"}));
  EXPECT_EQ(summary->removed, std::vector<std::string>{"keep"});
  EXPECT_EQ(summary->kept, (std::vector<std::string>{"app", "out"}));
  append(100, 200);
  ASSERT_TRUE(testing::eventually([&] { return messages({"a.ndjson"}, false).size() == 200 && messages({"b.ndjson"}, false).size() == 1; }));
  EXPECT_EQ(messages({"keep.ndjson"}), expected(100)) << "the removed sink got nothing after the reload";
  EXPECT_EQ(t->shutdown(), 0);
  EXPECT_EQ(messages({"a.ndjson"}), expected(200));
  EXPECT_EQ(messages({"b.ndjson"}), std::vector<std::string>{"b-1"});
}

TEST_F(TopologyApplyTest, ANewSinkThatCannotBeBuiltRefusesTheReloadAndTouchesNothing) {
  auto t = start_base(10, "a.ndjson");
  ASSERT_TRUE(t);
  testing::write_file(dir_ / "not-a-dir", "");
  auto p2 = pipeline(head() + source("50ms") + sinks(dir_ / "not-a-dir/out.ndjson"));
  auto summary = t->apply(base_, p2);
  ASSERT_FALSE(summary);
  EXPECT_NE(summary.error().message.find("sinks.out"), std::string::npos) << summary.error().message;
  append(10, 20);
  ASSERT_TRUE(testing::eventually([&] { return messages({"a.ndjson"}, false).size() == 20; }));
  EXPECT_EQ(t->shutdown(), 0);
  EXPECT_EQ(messages({"a.ndjson"}), expected(20));
}

TEST_F(TopologyApplyTest, ParsingOnSeveralThreadsKeepsTheLinesInOrder) {
  std::string content;
  for (int i = 0; i < 20000; ++i) content += "{\"message\":\"line-" + std::to_string(i) + "\",\"n\":" + std::to_string(i) + "}\n";
  testing::write_file(dir_ / "app.log", content);
  auto p = pipeline(head() + "  app: {type: file, include: ['" + dir_ / "app.log" + "'], batch_bytes: 4KiB}\n" +
                    "transforms:\n  parse: {type: json, inputs: [app], threads: 4}\n"
                    "sinks:\n  out: {type: file, inputs: [parse], path: " + dir_ / "a.ndjson" + "}\n");
  ASSERT_EQ(p.find("parse")->config->transform_threads(), 4);
  run_to_end(p);
  EXPECT_EQ(messages({"a.ndjson"}), expected(20000));
}

TEST_F(TopologyApplyTest, SlowLogTimesCarryAcrossBatchesParsedOnSeveralThreads) {
  // Old-style entries: only some say SET timestamp; the others happened at the time of the last
  // one that did, even when it sits in an earlier batch parsed by another thread.
  std::string log = "/usr/sbin/mysqld, Version: 5.0.0. started with:\nTcp port: 3306  Unix socket: /tmp/mysql.sock\nTime                 Id Command    Argument\n";
  for (int i = 0; i < 400; ++i) {
    log += "# User@Host: app[app] @ localhost []\n# Query_time: 0.5  Lock_time: 0.0  Rows_sent: 1  Rows_examined: " + std::to_string(i) + "\n";
    if (i % 37 == 0) log += "SET timestamp=" + std::to_string(1795683600 + i) + ";\n";
    log += "SELECT * FROM t WHERE id = " + std::to_string(i) + " AND pad = '" + std::string(60, 'x') + "';\n";
  }
  testing::write_file(dir_ / "slow.log", log);
  auto run = [&](int threads, const std::string& out) {
    auto p = pipeline("data_dir: " + dir_ / ("data" + std::to_string(threads)) + "\nsources:\n  slow: {type: file, include: ['" + dir_ / "slow.log" +
                      "'], batch_bytes: 1KiB, multiline: {preset: mysql_slowlog}}\ntransforms:\n  q: {type: mysql_slowlog, inputs: [slow], threads: " +
                      std::to_string(threads) + "}\nsinks:\n  out: {type: file, inputs: [q], path: " + dir_ / out + "}\n");
    run_to_end(p);
  };
  run(1, "one.ndjson");
  run(4, "four.ndjson");
  // Times and queries, in order; event ids, read times and the like aside.
  auto times = [&](const std::string& file) {
    std::vector<std::string> v;
    for (const auto& line : testing::split_lines(testing::read_file(dir_ / file))) {
      size_t at = line.find("\"@timestamp\":\"");
      size_t rows = line.find("rows_examined");
      v.push_back(line.substr(at, 40) + (rows == std::string::npos ? "" : line.substr(rows, 24)));
    }
    return v;
  };
  auto one = times("one.ndjson"), four = times("four.ndjson");
  ASSERT_EQ(one.size(), 401u);  // the server header and 400 entries
  one.erase(one.begin());  // the server header: its read time differs between the runs
  four.erase(four.begin());
  EXPECT_EQ(four, one);
  EXPECT_NE(one[100].find("2026-11-26T09:01:14"), std::string::npos) << "entry 100 has the time of entry 74: " << one[100];
}

}  // namespace
}  // namespace logship
