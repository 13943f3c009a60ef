// Saved views: the questions analysts ask every day, kept as Elasticsearch queries with
// parameters (schemas/views/*.yaml), runnable by `logship views run` and pasteable unchanged
// into Redash's Elasticsearch data source.
//
//   name: top_slow_queries
//   description: Query fingerprints ranked by total time spent.
//   parameters:
//     since: {default: now-1h, description: Start of the range (date math).}
//   formats: {total_time: nanoseconds}        # how `views run` prints a column
//   summary: {keys: [fingerprint], compare: total_time}   # a summary's row identity and main figure
//   query: |
//     {"index": "logs-mysql.slowlog-*", "size": 0,
//      "query": {"range": {"@timestamp": {"gte": "{{ since }}"}}}, "aggs": {…}}
//
// The query is Redash's format: a JSON search body plus "index" (the target). Parameters use
// Redash's {{ name }} syntax, so the same text works in both places.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace logship {

struct ViewParameter {
  std::string name;
  std::string default_value;
  std::string description;
};

struct SavedView {
  std::string name;
  std::string description;
  std::vector<ViewParameter> parameters;
  std::map<std::string, std::string> formats;  // column -> nanoseconds | percent | bytes
  // For summaries: the columns that name a row (matched against the period before) and the
  // figure whose change is shown. Default: the first column, and the last.
  std::vector<std::string> summary_keys;
  std::string summary_compare;
  std::string query;                            // with {{ parameters }}
};

Result<SavedView> parse_saved_view(std::string_view yaml_text, const std::string& file);
// (Every view of schemas/views: builtin_views(), shipper/schemas/builtin_views.h.)

struct RenderedQuery {
  std::string index;  // the "index" member, removed from the body
  std::string body;   // the _search body
};
// Fills in parameters (values given, else defaults) and splits off "index".
Result<RenderedQuery> render_view(const SavedView& view, const std::map<std::string, std::string>& values);

// A _search answer as rows: one per innermost bucket (keys of every level, then the metrics),
// or one per hit (its _source flattened) when there are no aggregations. Redash's own
// Elasticsearch runner reads answers the same way.
struct ResultTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};
Result<ResultTable> flatten_search_response(std::string_view body);

// Applies the view's formats to the table's cells ("1.234 s" for nanoseconds).
void format_columns(const SavedView& view, ResultTable& table);

// Aligned text (numbers right-aligned), and a JSON array of objects.
std::string table_to_text(const ResultTable& table);
std::string table_to_json(const ResultTable& table);

}  // namespace logship
