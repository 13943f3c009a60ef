#include "tests/integration/kafka_cluster.h"

#include <librdkafka/rdkafka.h>

#include <chrono>

#include "tests/support/test_support.h"

namespace logship::testing {

namespace {

std::string script_path() { return std::string(LOGSHIP_SOURCE_DIR) + "/scripts/kafka-cluster"; }

// The metadata of `topic`, asked of `bootstrap`; calls `use` with it. False when none came.
template <class Use>
bool with_metadata(const std::string& bootstrap, const std::string& topic, Use use) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "socket.timeout.ms", "5000", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  bool ok = rd_kafka_metadata(rk, 0, t, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1;
  if (ok) use(md->topics[0]);
  if (md) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(t);
  rd_kafka_destroy(rk);
  return ok;
}

}  // namespace

bool KafkaCluster::script(const std::vector<std::string>& args, int timeout_seconds, const std::string& log) {
  std::vector<std::string> argv{"/bin/bash", script_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, dir_ + "." + log + ".err", dir_ + "." + log + ".out");
  return p.wait(std::chrono::seconds(timeout_seconds)) == 0;
}

bool KafkaCluster::start(int nodes) {
  bootstrap_ = run_for_value({"/bin/bash", script_path(), "start", dir_, std::to_string(nodes)}, dir_ + ".start", "KAFKA_BOOTSTRAP",
                             std::chrono::seconds(600));
  nodes_ = bootstrap_.empty() ? 0 : nodes;
  return !bootstrap_.empty();
}

void KafkaCluster::stop_all() {
  if (nodes_ == 0) return;
  script({"stop", dir_}, 120, "stop");
  nodes_ = 0;
}

void KafkaCluster::stop(int node) { script({"stop", dir_, std::to_string(node)}, 60, "stop-" + std::to_string(node)); }

void KafkaCluster::kill(int node) { script({"kill", dir_, std::to_string(node)}, 60, "kill-" + std::to_string(node)); }

bool KafkaCluster::restart(int node) { return script({"restart", dir_, std::to_string(node)}, 300, "restart-" + std::to_string(node)); }

int KafkaCluster::leader_of(const std::string& topic, int partition) const {
  int leader = -1;
  with_metadata(bootstrap_, topic, [&](const rd_kafka_metadata_topic_t& t) {
    for (int i = 0; i < t.partition_cnt; ++i)
      if (t.partitions[i].id == partition && !t.partitions[i].err) leader = t.partitions[i].leader;
  });
  return leader;
}

std::vector<int> KafkaCluster::in_sync_replicas(const std::string& topic, int partition) const {
  std::vector<int> isrs;
  with_metadata(bootstrap_, topic, [&](const rd_kafka_metadata_topic_t& t) {
    for (int i = 0; i < t.partition_cnt; ++i)
      if (t.partitions[i].id == partition)
        for (int r = 0; r < t.partitions[i].isr_cnt; ++r) isrs.push_back(t.partitions[i].isrs[r]);
  });
  return isrs;
}

}  // namespace logship::testing
