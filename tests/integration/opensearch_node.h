// A real OpenSearch node for tests, started and stopped (by pid) with scripts/opensearch-node,
// and small helpers to ask it what landed.
//
//   OpenSearchNode node(tmp / "os");
//   ASSERT_TRUE(node.start());
//   EXPECT_EQ(node.count("logs-app-default"), 3000);
#pragma once

#include <string>
#include <vector>

#include "clients/elasticsearch/es_connection.h"

namespace logship::testing {

class OpenSearchNode {
 public:
  explicit OpenSearchNode(std::string dir) : dir_(std::move(dir)) {}
  ~OpenSearchNode() { stop(); }
  bool start(const std::vector<std::string>& settings = {});  // key=value node settings
  void stop();
  bool restart_same_port();  // on its data and port, as after a crash or an upgrade
  const std::string& url() const { return url_; }

  EsResponse request(const std::string& method, const std::string& path, const std::string& body = "");
  // Documents in an index or data stream after a refresh; -1 when it does not exist.
  int64_t count(const std::string& index);
  // A field of every document, e.g. "message" or "event.id".
  std::vector<std::string> values_of(const std::string& index, const std::string& field);
  // Every document's _id and one source field, as "id\tvalue".
  std::vector<std::string> ids_and(const std::string& index, const std::string& field);

 private:
  std::string dir_;
  std::string url_;
  bool running_ = false;
};

// The same questions of any node or cluster (`url` may list several, comma-separated).
EsResponse request_at(const std::string& url, const std::string& method, const std::string& path, const std::string& body = "");
int64_t count_at(const std::string& url, const std::string& index);
std::vector<std::string> ids_and_at(const std::string& url, const std::string& index, const std::string& field);

}  // namespace logship::testing
