// A real Kafka cluster for tests: N combined broker+controller KRaft nodes started, stopped,
// killed and restarted (by pid) with scripts/kafka-cluster. Topics get three replicas and
// min.insync.replicas=2.
//
//   KafkaCluster cluster(tmp / "kafka");
//   ASSERT_TRUE(cluster.start(3));
//   int leader = cluster.leader_of("logs.app", 0);   // node id, 1..N
//   cluster.kill(leader); ... cluster.restart(leader);
#pragma once

#include <string>
#include <vector>

namespace logship::testing {

class KafkaCluster {
 public:
  explicit KafkaCluster(std::string dir) : dir_(std::move(dir)) {}
  ~KafkaCluster() { stop_all(); }
  bool start(int nodes = 3);
  void stop_all();
  void stop(int node);     // SIGTERM, as a rolling restart does
  void kill(int node);     // SIGKILL
  bool restart(int node);  // on its data and ports
  // Every broker, comma-separated: what a client is given.
  const std::string& bootstrap() const { return bootstrap_; }
  int nodes() const { return nodes_; }
  // The node leading `partition` of `topic`, asked of the brokers that are up; -1 when unknown.
  int leader_of(const std::string& topic, int partition) const;
  // Node ids of the in-sync replicas of `partition` of `topic`.
  std::vector<int> in_sync_replicas(const std::string& topic, int partition) const;

 private:
  bool script(const std::vector<std::string>& args, int timeout_seconds, const std::string& log);
  std::string dir_;
  std::string bootstrap_;
  int nodes_ = 0;
};

}  // namespace logship::testing
