// The indexer against a three-node OpenSearch cluster (index replicas 1), given every node in
// `endpoints`: a node killed with SIGKILL mid-indexing. The indexer must go on with the live
// nodes, not stall when the dead one returns, and store every line exactly once.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <future>

#include "tests/cluster/failover_harness.h"
#include "tests/integration/kafka_broker.h"
#include "tests/integration/opensearch_cluster.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(OpenSearchFailoverTest, ANodeKilledMidIndexingIsRiddenOutByTheOthersAndItsReturnDoesNotStallTheIndexer) {
  testing::TempDir dir;
  testing::KafkaBroker broker(dir / "kafka");
  testing::OpenSearchCluster cluster(dir / "os");
  auto kafka = std::async(std::launch::async, [&] { return broker.start(); });
  ASSERT_TRUE(cluster.start(3)) << testing::read_file(dir / "os.start.err");
  ASSERT_TRUE(kafka.get()) << testing::read_file(dir / "kafka.start.err");
  // Templates with one replica of every shard, as a production cluster has them.
  auto apply = testing::run_logship({"schemas", "apply", "--endpoint", cluster.node_url(1), "--replicas", "1"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;

  // The lines are in Kafka first; the test is about the indexer.
  const int64_t kTotal = 200000;
  std::filesystem::create_directories(dir / "logs");
  testing::NumberedWriter writer({dir / "logs/a.log", dir / "logs/b.log"}, kTotal, 1000000);
  writer.start();
  ASSERT_TRUE(testing::eventually([&] { return writer.done(); }, 120s));
  writer.stop();
  testing::write_file(dir / "sidecar.yaml", "data_dir: " + dir / "sc" + "\nsources:\n  app: {type: file, include: ['" + dir / "logs/*.log" +
                                                "'], dataset: app}\nsinks:\n  k:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: " +
                                                broker.bootstrap() + "\n    topic: logs.app\n    create_topics: {partitions: 3}\n");
  testing::Process sidecar({testing::logship_binary(), "run", "--once", "-c", dir / "sidecar.yaml"}, dir / "sidecar.err");
  ASSERT_EQ(sidecar.wait(300s), 0) << testing::read_file(dir / "sidecar.err");

  // Every node in endpoints; small requests, so that indexing lasts long enough to be hit.
  std::string endpoints;
  for (int k = 1; k <= cluster.nodes(); ++k) endpoints += (k > 1 ? "', '" : "") + cluster.node_url(k);
  testing::write_file(dir / "indexer.yaml", "data_dir: " + dir / "idx" + "\napi: {address: '127.0.0.1:0'}\nsources:\n  logs:\n    type: kafka\n" +
                                                "    bootstrap_servers: " + broker.bootstrap() + "\n    group_id: indexer\n    topics: ['logs.app']\n" +
                                                "sinks:\n  search:\n    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + endpoints +
                                                "']\n    max_documents: 200\n    max_in_flight: 2\n    retry: {initial: 100ms, max: 2s}\n");
  testing::Process indexer({testing::logship_binary(), "run", "-c", dir / "indexer.yaml"}, dir / "indexer.err");
  auto log = [&] { return testing::read_file(dir / "indexer.err"); };
  std::string api;
  ASSERT_TRUE(testing::eventually([&] { return !(api = testing::api_url_in_log(log())).empty(); }, 30s)) << log();
  testing::CounterWatch stored(api, "logship_sink_acknowledged_events_total{component=\"search\"}");
  stored.start();

  ASSERT_TRUE(testing::eventually([&] { return stored.latest() >= 30000; }, 300s)) << log();
  ASSERT_LT(stored.latest(), kTotal) << "indexing ended before the node could be killed; make it slower";
  const int victim = 2;
  auto killed = Clock::now();
  cluster.kill(victim);
  // The others go on: more is stored while the node is away.
  double at_kill = stored.latest();
  std::this_thread::sleep_for(20s);
  double while_away = stored.latest() - at_kill;
  EXPECT_GT(while_away, 0) << "nothing stored while one node of three was away\n" << log();
  ASSERT_TRUE(cluster.restart(victim)) << testing::read_file(dir / ("os.restart-" + std::to_string(victim) + ".err"));
  auto back = Clock::now();
  ASSERT_TRUE(testing::eventually([&] { return stored.latest() >= kTotal; }, 600s)) << "stored " << stored.latest() << "\n" << log();
  double blocked_kill = stored.longest_stall(killed, back);
  double blocked_return = stored.longest_stall(back, Clock::now());
  stored.stop();
  indexer.signal(SIGTERM);
  EXPECT_EQ(indexer.wait(90s), 0) << log();

  testing::IndexAccount index = testing::account_index(cluster.urls(), "logs-app-default", kTotal);
  testing::print_figures("opensearch_node_killed",
                         {{"lines_written", std::to_string(kTotal)},
                          {"documents_stored", std::to_string(index.documents)},
                          {"stored_while_node_away", testing::one_decimal(while_away)},
                          {"blocked_s_node_killed", testing::one_decimal(blocked_kill)},
                          {"blocked_s_after_node_returned", testing::one_decimal(blocked_return)}});
  EXPECT_EQ(index.documents, kTotal);
  EXPECT_EQ(index.distinct, kTotal) << "missing, first: " << (index.missing.empty() ? -1 : index.missing[0]);
  EXPECT_TRUE(index.duplicated.empty()) << "stored twice, first: " << index.duplicated[0];
}

}  // namespace
}  // namespace logship
