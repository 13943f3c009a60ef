// The cluster the alerts sink asks (query rules, summaries) and writes summaries to: saved
// views (schemas/views) run as searches, answers read as tables.
//
//   cluster:
//     endpoints: ['${ES_URL}']
//     auth: {user: logship, password: '${ES_PASSWORD}'}
//     namespace: default        # summaries go to logs-logship.summary-<namespace>
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clients/elasticsearch/es_connection.h"
#include "clients/elasticsearch/saved_view.h"
#include "core/config/schema.h"

namespace logship {

struct ClusterConfig {
  std::vector<std::string> endpoints;
  std::optional<EsAuth> auth;
  std::optional<EsTls> tls;
  std::string data_stream_namespace = "default";
  Duration request_timeout{std::chrono::seconds(10)};
  static const Schema<ClusterConfig>& schema();
};

// The saved views the binary carries; the shipper hands them over at start (they are compiled
// in there), so the alerts sink can name them.
void set_saved_views(std::function<std::vector<SavedView>()> views);
std::optional<SavedView> find_saved_view(const std::string& name);
std::vector<std::string> saved_view_names();

class ClusterViews {
 public:
  explicit ClusterViews(const ClusterConfig& config);
  // The view's answer as a table (view parameters as given, else the view's defaults).
  Result<ResultTable> run(const std::string& view, const std::map<std::string, std::string>& params);
  // Adds one document to the data stream logs-<dataset>-<namespace>.
  Status index(const std::string& dataset, const std::string& document);
  // Once true, the search or write under way ends (see EsClient::set_cancel).
  void set_cancel(const std::atomic<bool>* cancelled) { client_.set_cancel(cancelled); }

 private:
  ClusterConfig config_;
  EsClient client_;
};

}  // namespace logship
