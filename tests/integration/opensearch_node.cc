#include "tests/integration/opensearch_node.h"

#include <simdjson.h>

#include "tests/support/test_support.h"

namespace logship::testing {

namespace {

std::string script() { return std::string(LOGSHIP_SOURCE_DIR) + "/scripts/opensearch-node"; }

// "a.b" of a simdjson object, as text ("" when absent).
std::string dotted(simdjson::dom::element e, const std::string& path) {
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (e[key].get(e)) return "";
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::string_view s;
  if (!e.get(s)) return std::string(s);
  return simdjson::minify(e);
}

}  // namespace

bool OpenSearchNode::start(const std::vector<std::string>& settings) {
  std::vector<std::string> argv{"/bin/bash", script(), "start", dir_};
  argv.insert(argv.end(), settings.begin(), settings.end());
  url_ = run_for_value(argv, dir_ + ".start", "OPENSEARCH_URL", std::chrono::seconds(600));
  running_ = !url_.empty();
  return running_;
}

void OpenSearchNode::stop() {
  if (!running_) return;
  Process p({"/bin/bash", script(), "stop", dir_});
  p.wait(std::chrono::seconds(60));
  running_ = false;
}

bool OpenSearchNode::restart_same_port() {
  stop();
  Process p({"/bin/bash", script(), "restart", dir_}, dir_ + ".restart.err", dir_ + ".restart.out");
  running_ = p.wait(std::chrono::seconds(300)) == 0;
  return running_;
}

EsResponse request_at(const std::string& url, const std::string& method, const std::string& path, const std::string& body) {
  EsConnection conn;
  for (size_t start = 0; start <= url.size();) {
    size_t comma = url.find(',', start);
    if (comma == std::string::npos) comma = url.size();
    if (comma > start) conn.endpoints.push_back(url.substr(start, comma - start));
    start = comma + 1;
  }
  EsClient client(conn);
  return client.request(method, path, body);
}

int64_t count_at(const std::string& url, const std::string& index) {
  request_at(url, "POST", "/" + index + "/_refresh");
  EsResponse r = request_at(url, "GET", "/" + index + "/_count");
  if (!r.ok()) return -1;
  simdjson::dom::parser parser;
  int64_t n = -1;
  simdjson::dom::element doc;
  if (!parser.parse(r.body).get(doc) && doc["count"].get(n)) n = -1;
  return n;
}

std::vector<std::string> ids_and_at(const std::string& url, const std::string& index, const std::string& field) {
  request_at(url, "POST", "/" + index + "/_refresh");
  std::vector<std::string> out;
  // Scrolled, so that more than the 10 000 documents of one search page can be read.
  EsResponse r = request_at(url, "POST", "/" + index + "/_search?scroll=1m&size=5000", R"({"query":{"match_all":{}},"sort":["_doc"]})");
  simdjson::dom::parser parser;
  while (r.ok()) {
    simdjson::dom::element doc;
    if (parser.parse(r.body).get(doc)) break;
    simdjson::dom::array hits;
    if (doc["hits"]["hits"].get(hits) || hits.size() == 0) break;
    for (auto hit : hits) {
      std::string_view id;
      if (hit["_id"].get(id)) continue;
      out.push_back(std::string(id) + "\t" + dotted(hit["_source"], field));
    }
    std::string_view scroll_id;
    if (doc["_scroll_id"].get(scroll_id)) break;
    r = request_at(url, "POST", "/_search/scroll", R"({"scroll":"1m","scroll_id":")" + std::string(scroll_id) + "\"}");
  }
  return out;
}

EsResponse OpenSearchNode::request(const std::string& method, const std::string& path, const std::string& body) {
  return request_at(url_, method, path, body);
}

int64_t OpenSearchNode::count(const std::string& index) { return count_at(url_, index); }

std::vector<std::string> OpenSearchNode::ids_and(const std::string& index, const std::string& field) {
  return ids_and_at(url_, index, field);
}

std::vector<std::string> OpenSearchNode::values_of(const std::string& index, const std::string& field) {
  std::vector<std::string> out;
  for (auto& line : ids_and(index, field)) out.push_back(line.substr(line.find('\t') + 1));
  return out;
}

}  // namespace logship::testing
