// Performance summaries: saved views run over the period just ended and the one before, put
// side by side (with the change of each row's main figure), for people (Slack, webhooks) and
// for Kibana (a document of logs-logship.summary-<namespace>).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "alerts/alert_config.h"
#include "alerts/cluster_views.h"
#include "alerts/notifier.h"

namespace logship {

struct SummarySection {
  std::string view;
  std::string description;
  ResultTable raw;                    // the rows as the cluster gave them (numbers unformatted)
  ResultTable shown;                  // the first `rows` rows, formatted as `views run` prints them
  size_t more = 0;                    // rows left out
  int change_column = -1;             // the column compared with the period before
  std::vector<std::optional<double>> change;  // per shown row: (now - before) / before
  std::vector<std::string> change_note;       // per shown row, when there is no ratio: "new", "was 0", "?"
  std::string error;                  // the view could not run: said in its place
};

struct SummaryReport {
  std::string name;
  std::string description;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  std::vector<SummarySection> sections;
};

// Runs the summary's views (with since/until for the period, when a view takes them);
// `cancelled` is asked between searches (a shutdown does not wait for every view).
SummaryReport build_summary(ClusterViews& cluster, const std::string& name, const SummaryConfig& config, int64_t now_unix_ms,
                            const std::function<bool()>& cancelled = [] { return false; });

std::string render_summary(const NotifierConfig& notifier, const SummaryReport& report, const MessageContext& context);
std::string render_summary_text(const SummaryReport& report, const MessageContext& context);
// The document indexed into logs-logship.summary-<namespace>.
std::string summary_document(const SummaryReport& report, const MessageContext& context);

}  // namespace logship
