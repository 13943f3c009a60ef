#include "alerts/cluster_views.h"

#include <simdjson.h>

#include <mutex>

namespace logship {

const Schema<ClusterConfig>& ClusterConfig::schema() {
  static const auto s =
      Schema<ClusterConfig>()
          .field("endpoints", &ClusterConfig::endpoints, "Elasticsearch or OpenSearch URLs (one entry may list several, comma-separated).")
          .required()
          .nested("auth", &ClusterConfig::auth, EsAuth::schema(), "Basic authentication or an API key.")
          .nested("tls", &ClusterConfig::tls, EsTls::schema(), "TLS to the cluster.")
          .field("namespace", &ClusterConfig::data_stream_namespace, "Namespace of the data stream summaries are indexed into (logs-logship.summary-<namespace>).")
          .field("request_timeout", &ClusterConfig::request_timeout, "Time a search may take.");
  return s;
}

namespace {

std::mutex views_mutex;
std::function<std::vector<SavedView>()> views_source;  // guarded by views_mutex

}  // namespace

void set_saved_views(std::function<std::vector<SavedView>()> views) {
  std::lock_guard lock(views_mutex);
  views_source = std::move(views);
}

std::optional<SavedView> find_saved_view(const std::string& name) {
  std::lock_guard lock(views_mutex);
  if (!views_source) return std::nullopt;
  for (SavedView& v : views_source())
    if (v.name == name) return std::move(v);
  return std::nullopt;
}

std::vector<std::string> saved_view_names() {
  std::lock_guard lock(views_mutex);
  std::vector<std::string> names;
  if (views_source)
    for (const SavedView& v : views_source()) names.push_back(v.name);
  return names;
}

namespace {

EsConnection connection_of(const ClusterConfig& c) {
  EsConnection conn;
  conn.endpoints = split_endpoint_list(c.endpoints);
  conn.auth = c.auth;
  conn.tls = c.tls;
  conn.request_timeout = c.request_timeout;
  return conn;
}

}  // namespace

ClusterViews::ClusterViews(const ClusterConfig& config) : config_(config), client_(connection_of(config)) {}

Result<ResultTable> ClusterViews::run(const std::string& name, const std::map<std::string, std::string>& params) {
  auto view = find_saved_view(name);
  if (!view) return Error::invalid("no saved view named '" + name + "'");
  auto query = render_view(*view, params);
  if (!query) return query.error();
  std::string path = "/";
  append_url_escaped(path, query->index);
  path += "/_search?ignore_unavailable=true&allow_no_indices=true";
  EsResponse r = client_.request("POST", path, query->body);
  if (!r.ok()) return Error{ErrorCode::kIo, "view " + name + ": " + r.describe()};
  // A partial answer (shards failed, the search timed out) would read as low numbers: an
  // alert resolved, a summary too rosy. It is an error instead.
  simdjson::dom::parser parser;
  simdjson::dom::element answer;
  if (parser.parse(r.body).get(answer) == simdjson::SUCCESS) {
    bool timed_out = false;
    int64_t failed = 0;
    if (answer["timed_out"].get_bool().get(timed_out) == simdjson::SUCCESS && timed_out)
      return Error{ErrorCode::kIo, "view " + name + ": the search timed out (a partial answer)"};
    if (answer["_shards"]["failed"].get_int64().get(failed) == simdjson::SUCCESS && failed > 0)
      return Error{ErrorCode::kIo, "view " + name + ": " + std::to_string(failed) + " shards failed (a partial answer)"};
  }
  auto table = flatten_search_response(r.body);
  if (!table) return table.error();
  return std::move(table.value());
}

Status ClusterViews::index(const std::string& dataset, const std::string& document) {
  std::string path = "/";
  append_url_escaped(path, "logs-" + dataset + "-" + config_.data_stream_namespace);
  path += "/_doc?op_type=create&refresh=true";
  EsResponse r = client_.request("POST", path, document);
  if (!r.ok()) return Error{ErrorCode::kIo, "cannot index into logs-" + dataset + "-" + config_.data_stream_namespace + ": " + r.describe()};
  return {};
}

}  // namespace logship
