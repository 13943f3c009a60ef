// The file -> Kafka -> OpenSearch path on a three-broker Kafka cluster (replication factor 3,
// min.insync.replicas 2, acks=all), real processes: a partition leader killed, a rolling
// restart, a broker away for a minute and then two, and indexers killed in a consumer group.
// Each test writes numbered lines at a steady rate while the cluster misbehaves, then checks
// that every number is in OpenSearch exactly once and in the topic at least once (a duplicate
// in the topic carries the same event.id), and prints its figures ("[figures] …").
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <future>
#include <set>

#include "tests/cluster/failover_harness.h"
#include "tests/integration/kafka_broker.h"
#include "tests/integration/kafka_cluster.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class KafkaFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<testing::KafkaCluster>(dir_ / "kafka");
    node_ = std::make_unique<testing::OpenSearchNode>(dir_ / "os");
    // Both at once: each takes a while to come up on two cores.
    auto os = std::async(std::launch::async, [&] { return node_->start(); });
    ASSERT_TRUE(cluster_->start(3)) << testing::read_file(dir_ / "kafka.start.err");
    ASSERT_TRUE(os.get()) << testing::read_file(dir_ / "os.start.err");
    std::filesystem::create_directories(dir_ / "logs");
  }

  std::vector<std::string> files() const { return {dir_ / "logs/a.log", dir_ / "logs/b.log"}; }

  // The sidecar: the two files to logs.app, acks=all (the default) on three replicas.
  void start_sidecar() {
    testing::write_file(dir_ / "sidecar.yaml",
                        "data_dir: " + dir_ / "sc" + "\napi: {address: '127.0.0.1:0'}\nshutdown_timeout: 30s\n" +
                            "sources:\n  app: {type: file, include: ['" + dir_ / "logs/*.log" + "'], dataset: app}\n" +
                            "sinks:\n  k:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: " + cluster_->bootstrap() +
                            "\n    topic: 'logs.{{ event.dataset }}'\n    create_topics: {partitions: 3, replication_factor: 3}\n");
    sidecar_ = std::make_unique<testing::Process>(
        std::vector<std::string>{testing::logship_binary(), "run", "-c", dir_ / "sidecar.yaml"}, dir_ / "sidecar.err");
    std::string url;
    ASSERT_TRUE(testing::eventually([&] { return !(url = testing::api_url_in_log(sidecar_log())).empty(); }, 30s)) << sidecar_log();
    delivered_ = std::make_unique<testing::CounterWatch>(url, "logship_kafka_delivered_events_total{component=\"k\"}");
    delivered_->start();
  }
  std::string sidecar_log() const { return testing::read_file(dir_ / "sidecar.err"); }

  // Waits until the sidecar delivered at least `n` events.
  void wait_delivered(int64_t n, std::chrono::seconds timeout = 300s) {
    ASSERT_TRUE(testing::eventually([&] { return delivered_->latest() >= static_cast<double>(n); }, timeout))
        << "delivered " << delivered_->latest() << " of " << n << "\n" << sidecar_log();
  }

  // Partitions of logs.app the sidecar writes to (each file is keyed to one).
  std::set<int> written_partitions() {
    std::set<int> out;
    for (const auto& m : testing::consume_all(cluster_->bootstrap(), "logs.app", 4000, 60s)) out.insert(m.partition);
    return out;
  }

  // Every partition of logs.app has its three replicas in sync again.
  void wait_in_sync() {
    ASSERT_TRUE(testing::eventually(
        [&] {
          for (int p = 0; p < 3; ++p)
            if (cluster_->in_sync_replicas("logs.app", p).size() != 3) return false;
          return true;
        },
        180s))
        << "replicas not back in sync";
  }

  // The end of every test: the writer done and everything delivered, the sidecar stopped, an
  // indexer run to the end of the topic; then the accounting, in the figures and the checks.
  void finish(const std::string& test, int64_t total, std::vector<std::pair<std::string, std::string>> figures) {
    ASSERT_TRUE(testing::eventually([&] { return writer_->done(); }, 600s));
    writer_->stop();
    ASSERT_EQ(writer_->written(), total);
    wait_delivered(total);
    delivered_->stop();
    sidecar_->signal(SIGTERM);
    ASSERT_EQ(sidecar_->wait(90s), 0) << sidecar_log();
    testing::write_file(dir_ / "indexer.yaml",
                        "data_dir: " + dir_ / "idx" + "\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " + cluster_->bootstrap() +
                            "\n    group_id: indexer\n    topics: ['logs.app']\n" +
                            "sinks:\n  search:\n    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + node_->url() + "']\n");
    testing::Process idx({testing::logship_binary(), "run", "--once", "-c", dir_ / "indexer.yaml"}, dir_ / "indexer.err");
    ASSERT_EQ(idx.wait(600s), 0) << testing::read_file(dir_ / "indexer.err");
    check_and_print(test, total, std::move(figures));
  }

  void check_and_print(const std::string& test, int64_t total, std::vector<std::pair<std::string, std::string>> figures) {
    testing::TopicAccount topic = testing::account_topic(cluster_->bootstrap(), "logs.app", total);
    testing::IndexAccount index = testing::account_index(node_->url(), "logs-app-default", total);
    figures.insert(figures.begin(), {{"lines_written", std::to_string(total)},
                                     {"documents_stored", std::to_string(index.documents)},
                                     {"topic_messages", std::to_string(topic.messages)},
                                     {"topic_duplicates", std::to_string(topic.duplicates)}});
    testing::print_figures(test, figures);
    EXPECT_EQ(topic.distinct, total) << "missing from the topic, first: " << (topic.missing.empty() ? -1 : topic.missing[0]);
    EXPECT_EQ(topic.duplicates_with_other_id, 0) << "a line sent twice must keep its event.id";
    EXPECT_EQ(index.documents, total);
    EXPECT_EQ(index.distinct, total) << "missing from the index, first: " << (index.missing.empty() ? -1 : index.missing[0]);
    EXPECT_TRUE(index.duplicated.empty()) << "stored twice, first: " << index.duplicated[0];
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::KafkaCluster> cluster_;
  std::unique_ptr<testing::OpenSearchNode> node_;
  std::unique_ptr<testing::Process> sidecar_;
  std::unique_ptr<testing::CounterWatch> delivered_;
  std::unique_ptr<testing::NumberedWriter> writer_;
};

TEST_F(KafkaFailoverTest, PartitionLeaderKilledMidStreamLosesNothingAndIndexesEachLineOnce) {
  const int64_t kTotal = 200000;
  writer_ = std::make_unique<testing::NumberedWriter>(files(), kTotal, 8000);
  writer_->start();
  start_sidecar();
  wait_delivered(30000);
  std::set<int> partitions = written_partitions();
  ASSERT_FALSE(partitions.empty());
  int leader = cluster_->leader_of("logs.app", *partitions.begin());
  ASSERT_GE(leader, 1);
  ASSERT_FALSE(writer_->done()) << "the stream ended before the leader could be killed; make it slower";
  auto killed = Clock::now();
  cluster_->kill(leader);
  std::this_thread::sleep_for(10s);
  ASSERT_TRUE(cluster_->restart(leader)) << testing::read_file(dir_ / ("kafka.restart-" + std::to_string(leader) + ".err"));
  auto back = Clock::now();
  wait_in_sync();
  finish("partition_leader_killed", kTotal,
         {{"killed_node", std::to_string(leader)}, {"blocked_s", testing::one_decimal(delivered_->longest_stall(killed, back + 20s))}});
}

TEST_F(KafkaFailoverTest, RollingRestartOfEveryBrokerLosesNothingAndIndexesEachLineOnce) {
  const int64_t kTotal = 200000;
  writer_ = std::make_unique<testing::NumberedWriter>(files(), kTotal, 4000);
  writer_->start();
  start_sidecar();
  wait_delivered(20000);
  std::vector<std::pair<std::string, std::string>> figures;
  for (int node = 1; node <= cluster_->nodes(); ++node) {
    auto stopped = Clock::now();
    cluster_->stop(node);  // SIGTERM: a controlled shutdown hands its leaderships over first
    ASSERT_TRUE(cluster_->restart(node)) << testing::read_file(dir_ / ("kafka.restart-" + std::to_string(node) + ".err"));
    wait_in_sync();
    figures.push_back({"blocked_s_node" + std::to_string(node), testing::one_decimal(delivered_->longest_stall(stopped, Clock::now()))});
  }
  ASSERT_FALSE(writer_->done()) << "the stream ended before the last restart; make it slower";
  finish("rolling_restart", kTotal, figures);
}

TEST_F(KafkaFailoverTest, OneBrokerAwayIsRiddenOutAndTwoAwayBlockUntilTheyReturnLosingNothing) {
  const int64_t kTotal = 200000;
  writer_ = std::make_unique<testing::NumberedWriter>(files(), kTotal, 1800);
  writer_->start();
  start_sidecar();
  wait_delivered(10000);
  std::set<int> partitions = written_partitions();
  int first = cluster_->leader_of("logs.app", *partitions.begin());
  ASSERT_GE(first, 1);
  // One broker away for a minute: two replicas are still in sync, so writes go on.
  auto one_away = Clock::now();
  cluster_->kill(first);
  double delivered_before = delivered_->latest();
  std::this_thread::sleep_for(60s);
  EXPECT_GT(delivered_->latest(), delivered_before + 50000) << "writes must go on with one broker away";
  double blocked_one = delivered_->longest_stall(one_away, Clock::now());
  ASSERT_TRUE(cluster_->restart(first));
  wait_in_sync();
  // Two brokers away: min.insync.replicas cannot hold; the producer must wait, not drop.
  int second = first % 3 + 1, third = second % 3 + 1;
  auto two_away = Clock::now();
  cluster_->stop(second);
  cluster_->kill(third);
  std::this_thread::sleep_for(20s);
  double held = delivered_->latest();
  std::this_thread::sleep_for(15s);
  EXPECT_EQ(delivered_->latest(), held) << "nothing can be acknowledged with one replica of three";
  EXPECT_TRUE(sidecar_->running()) << sidecar_log();
  ASSERT_TRUE(cluster_->restart(second));
  ASSERT_TRUE(cluster_->restart(third));
  auto back = Clock::now();
  // It resumes by itself.
  ASSERT_TRUE(testing::eventually([&] { return delivered_->latest() > held; }, 120s)) << sidecar_log();
  double blocked_two = delivered_->longest_stall(two_away, Clock::now());
  finish("broker_lost_and_found", kTotal,
         {{"blocked_s_one_broker_away_60s", testing::one_decimal(blocked_one)},
          {"blocked_s_two_brokers_away", testing::one_decimal(blocked_two)},
          {"two_away_for_s", testing::one_decimal(std::chrono::duration<double>(back - two_away).count())}});
}

TEST_F(KafkaFailoverTest, IndexersKilledInAConsumerGroupLeaveNoPartitionBehindAndStoreNothingTwice) {
  const int64_t kTotal = 200000;
  writer_ = std::make_unique<testing::NumberedWriter>(files(), kTotal, 10000);
  writer_->start();
  start_sidecar();
  // Three indexers in one group, small batches so that a kill lands mid-stream.
  auto indexer_yaml = [&](int k) {
    std::string path = dir_ / ("indexer" + std::to_string(k) + ".yaml");
    testing::write_file(path, "data_dir: " + dir_ / ("idx" + std::to_string(k)) + "\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " +
                                  cluster_->bootstrap() +
                                  "\n    group_id: indexers\n    topics: ['logs.app']\n    batch_bytes: 64KiB\n    commit_interval: 200ms\n" +
                                  "    librdkafka: {session.timeout.ms: '6000'}\n" +
                                  "sinks:\n  search:\n    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + node_->url() +
                                  "']\n    max_documents: 500\n");
    return path;
  };
  std::vector<std::unique_ptr<testing::Process>> indexers;
  auto start_indexer = [&](int k, const std::string& log) {
    return std::make_unique<testing::Process>(std::vector<std::string>{testing::logship_binary(), "run", "-c", indexer_yaml(k)},
                                              dir_ / log);
  };
  for (int k = 0; k < 3; ++k) indexers.push_back(start_indexer(k, "indexer" + std::to_string(k) + ".err"));
  auto stored = [&] { return testing::count_at(node_->url(), "logs-app-default"); };
  for (int round = 0; round < 2; ++round) {
    int64_t target = (round + 1) * kTotal / 3;
    ASSERT_TRUE(testing::eventually([&] { return stored() >= target; }, 300s)) << "stored " << stored();
    ASSERT_LT(stored(), kTotal) << "indexing ended before the kill; make the stream slower";
    indexers[0]->signal(SIGKILL);
    indexers[0]->wait();
    indexers[0] = start_indexer(0, "indexer0-restart" + std::to_string(round) + ".err");
  }
  ASSERT_TRUE(testing::eventually([&] { return writer_->done(); }, 600s));
  writer_->stop();
  wait_delivered(kTotal);
  ASSERT_TRUE(testing::eventually([&] { return stored() >= kTotal; }, 300s)) << "stored " << stored();
  std::this_thread::sleep_for(5s);  // anything sent twice would show now
  for (auto& p : indexers) {
    p->signal(SIGTERM);
    EXPECT_EQ(p->wait(90s), 0);
  }
  delivered_->stop();
  sidecar_->signal(SIGTERM);
  ASSERT_EQ(sidecar_->wait(90s), 0) << sidecar_log();
  check_and_print("indexers_killed", kTotal, {{"indexer_kills", "2"}});
}

}  // namespace
}  // namespace logship
