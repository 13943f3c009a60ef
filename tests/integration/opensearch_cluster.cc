#include "tests/integration/opensearch_cluster.h"

#include <chrono>
#include <vector>

#include "tests/support/test_support.h"

namespace logship::testing {

namespace {
std::string script_path() { return std::string(LOGSHIP_SOURCE_DIR) + "/scripts/opensearch-cluster"; }
}  // namespace

bool OpenSearchCluster::script(const std::vector<std::string>& args, int timeout_seconds, const std::string& log) {
  std::vector<std::string> argv{"/bin/bash", script_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, dir_ + "." + log + ".err", dir_ + "." + log + ".out");
  return p.wait(std::chrono::seconds(timeout_seconds)) == 0;
}

bool OpenSearchCluster::start(int nodes) {
  urls_ = run_for_value({"/bin/bash", script_path(), "start", dir_, std::to_string(nodes)}, dir_ + ".start", "OPENSEARCH_URL",
                        std::chrono::seconds(900));
  nodes_ = urls_.empty() ? 0 : nodes;
  return !urls_.empty();
}

void OpenSearchCluster::stop_all() {
  if (nodes_ == 0) return;
  script({"stop", dir_}, 120, "stop");
  nodes_ = 0;
}

void OpenSearchCluster::kill(int node) { script({"kill", dir_, std::to_string(node)}, 60, "kill-" + std::to_string(node)); }

bool OpenSearchCluster::restart(int node) {
  return script({"restart", dir_, std::to_string(node)}, 300, "restart-" + std::to_string(node));
}

std::string OpenSearchCluster::node_url(int node) const {
  std::string port = read_file(dir_ + "/node-" + std::to_string(node) + "/port");
  while (!port.empty() && (port.back() == '\n' || port.back() == ' ')) port.pop_back();
  return "http://127.0.0.1:" + port;
}

}  // namespace logship::testing
