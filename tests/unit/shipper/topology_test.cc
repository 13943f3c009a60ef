// The runtime with real file sources and a test sink whose speed the test controls.
#include "shipper/runtime/topology.h"

#include <gtest/gtest.h>

#include <condition_variable>

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

class GateSink final : public Sink {
 public:
  static Result<std::unique_ptr<GateSink>> create(const GateSinkConfig&, const BuildContext&) {
    return std::make_unique<GateSink>();
  }
  SinkResult write(std::span<const BatchPtr> batches) override {
    std::unique_lock lock(g_gate->mu);
    if (g_gate->fail_with_retry) return SinkResult::kRetry;
    g_gate->cv.wait(lock, [] { return g_gate->open; });
    for (const auto& b : batches) g_gate->events += b->events.size();
    return SinkResult::kOk;
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

}  // namespace
}  // namespace logship
