// A real OpenSearch cluster for tests: M nodes (default 3) started, stopped, killed and
// restarted (by pid) with scripts/opensearch-cluster.
//
//   OpenSearchCluster cluster(tmp / "os");
//   ASSERT_TRUE(cluster.start(3));
//   cluster.kill(2); ... cluster.restart(2);
#pragma once

#include <string>
#include <vector>

namespace logship::testing {

class OpenSearchCluster {
 public:
  explicit OpenSearchCluster(std::string dir) : dir_(std::move(dir)) {}
  ~OpenSearchCluster() { stop_all(); }
  bool start(int nodes = 3);
  void stop_all();
  void kill(int node);
  bool restart(int node);
  // Every node's URL, comma-separated (the form scripts/stack prints).
  const std::string& urls() const { return urls_; }
  std::string node_url(int node) const;
  int nodes() const { return nodes_; }

 private:
  bool script(const std::vector<std::string>& args, int timeout_seconds, const std::string& log);
  std::string dir_;
  std::string urls_;
  int nodes_ = 0;
};

}  // namespace logship::testing
