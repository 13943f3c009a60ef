#include "clients/elasticsearch/saved_view.h"

#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/json_writer.h"

namespace logship {

Result<SavedView> parse_saved_view(std::string_view yaml_text, const std::string& file) {
  SavedView v;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    for (const char* key : {"name", "description", "query"})
      if (!root[key] || !root[key].IsScalar()) return Error::invalid(file + ": missing '" + key + "'");
    v.name = root["name"].as<std::string>();
    v.description = root["description"].as<std::string>();
    v.query = root["query"].as<std::string>();
    if (YAML::Node params = root["parameters"]) {
      for (const auto& p : params) {
        ViewParameter vp;
        vp.name = p.first.as<std::string>();
        if (p.second["default"]) vp.default_value = p.second["default"].as<std::string>();
        if (p.second["description"]) vp.description = p.second["description"].as<std::string>();
        v.parameters.push_back(std::move(vp));
      }
    }
    if (YAML::Node formats = root["formats"])
      for (const auto& f : formats) v.formats[f.first.as<std::string>()] = f.second.as<std::string>();
    if (YAML::Node summary = root["summary"]) {
      if (YAML::Node keys = summary["keys"])
        for (const auto& k : keys) v.summary_keys.push_back(k.as<std::string>());
      if (summary["compare"]) v.summary_compare = summary["compare"].as<std::string>();
    }
  } catch (const YAML::Exception& e) {
    return Error::invalid(file + ": " + e.what());
  }
  return v;
}

Result<RenderedQuery> render_view(const SavedView& view, const std::map<std::string, std::string>& values) {
  for (const auto& given : values) {
    const std::string& name = given.first;  // (clang 14 cannot capture a structured binding)
    bool known = std::any_of(view.parameters.begin(), view.parameters.end(), [&](const ViewParameter& p) { return p.name == name; });
    if (!known) return Error::invalid("view " + view.name + " has no parameter '" + name + "'");
  }
  std::string text;
  std::string_view q = view.query;
  size_t pos = 0;
  while (true) {
    size_t open = q.find("{{", pos);
    if (open == std::string_view::npos) break;
    size_t close = q.find("}}", open);
    if (close == std::string_view::npos) return Error::invalid("view " + view.name + ": '{{' without '}}'");
    text.append(q.substr(pos, open - pos));
    std::string name(q.substr(open + 2, close - open - 2));
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    auto given = values.find(name);
    auto param = std::find_if(view.parameters.begin(), view.parameters.end(), [&](const ViewParameter& p) { return p.name == name; });
    if (param == view.parameters.end()) return Error::invalid("view " + view.name + " uses {{ " + name + " }} but does not declare it");
    std::string value = given != values.end() ? given->second : param->default_value;
    std::string escaped;
    append_json_escaped_utf8(escaped, value);  // values land inside JSON strings or as numbers
    text.append(escaped);
    pos = close + 2;
  }
  text.append(q.substr(pos));

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(text).get(doc)) return Error::invalid("view " + view.name + ": query is not JSON: " + simdjson::error_message(err));
  simdjson::dom::object obj;
  if (doc.get(obj)) return Error::invalid("view " + view.name + ": query is not a JSON object");
  RenderedQuery r;
  r.body = "{";
  for (auto field : obj) {
    if (field.key == "index") {
      std::string_view index;
      if (field.value.get(index)) return Error::invalid("view " + view.name + ": \"index\" must be a string");
      r.index = std::string(index);
      continue;
    }
    if (r.body.size() > 1) r.body.push_back(',');
    append_json_string(r.body, field.key);
    r.body.push_back(':');
    r.body.append(simdjson::minify(field.value));
  }
  r.body.push_back('}');
  if (r.index.empty()) return Error::invalid("view " + view.name + ": query has no \"index\"");
  return r;
}

namespace {

std::string scalar_text(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING: return std::string(std::string_view(e));
    case simdjson::dom::element_type::INT64: return std::to_string(int64_t(e));
    case simdjson::dom::element_type::UINT64: return std::to_string(uint64_t(e));
    case simdjson::dom::element_type::DOUBLE: {
      double d = double(e);
      char buf[64];
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) std::snprintf(buf, sizeof(buf), "%.0f", d);
      else std::snprintf(buf, sizeof(buf), "%.6g", d);  // (significant digits: a rate of 0.0017/s is not 0.002)
      return buf;
    }
    case simdjson::dom::element_type::BOOL: return bool(e) ? "true" : "false";
    case simdjson::dom::element_type::NULL_VALUE: return "";
    default: return simdjson::minify(e);
  }
}

using Row = std::vector<std::pair<std::string, std::string>>;

void set(Row& row, const std::string& column, std::string value) {
  for (auto& [c, v] : row)
    if (c == column) {
      v = std::move(value);
      return;
    }
  row.emplace_back(column, std::move(value));
}

// Metrics of one aggregation level go into `row`; the first bucket aggregation found fans out.
void walk(simdjson::dom::object level, Row row, std::vector<Row>& rows) {
  std::string bucket_name;
  simdjson::dom::element buckets_elem;
  for (auto field : level) {
    std::string name(field.key);
    simdjson::dom::object agg;
    if (field.value.get(agg)) continue;  // key, doc_count, …
    simdjson::dom::element buckets;
    if (!agg["buckets"].get(buckets)) {
      if (bucket_name.empty()) {
        bucket_name = name;
        buckets_elem = buckets;
      }
      continue;
    }
    simdjson::dom::element value;
    if (!agg["value_as_string"].get(value) || !agg["value"].get(value)) {
      set(row, name, scalar_text(value));
    } else if (simdjson::dom::object values; !agg["values"].get(values)) {  // percentiles
      size_t plain = 0;
      for (auto v : values) plain += std::string_view(v.key).find("_as_string") == std::string_view::npos;
      for (auto v : values) {
        std::string key(v.key);
        if (key.find("_as_string") != std::string::npos) continue;
        if (key.size() > 2 && key.substr(key.size() - 2) == ".0") key.resize(key.size() - 2);
        set(row, plain == 1 ? name : name + "." + key, scalar_text(v.value));  // one percent: the name alone
      }
    } else if (simdjson::dom::array hits; !agg["hits"]["hits"].get(hits)) {  // top_hits: the first hit's fields
      for (auto hit : hits) {
        simdjson::dom::object source;
        if (!hit["_source"].get(source)) {
          std::string flat;
          for (auto f : source) {
            flat += (flat.empty() ? "" : " ") + std::string(f.key) + "=" + scalar_text(f.value);
          }
          set(row, name, flat);
        }
        break;
      }
    } else if (int64_t count = 0; !agg["doc_count"].get(count)) {  // single-bucket (filter) aggregation
      set(row, name, std::to_string(count));
    }
  }
  if (bucket_name.empty()) {
    rows.push_back(std::move(row));
    return;
  }
  auto each_bucket = [&](simdjson::dom::object bucket, const std::string& key) {
    Row r = row;
    set(r, bucket_name, key);
    int64_t count = 0;
    if (!bucket["doc_count"].get(count)) set(r, bucket_name + ".count", std::to_string(count));
    walk(bucket, std::move(r), rows);
  };
  if (simdjson::dom::array list; !buckets_elem.get(list)) {
    for (auto b : list) {
      simdjson::dom::object bucket;
      if (b.get(bucket)) continue;
      simdjson::dom::element key;
      std::string key_text = !bucket["key_as_string"].get(key) || !bucket["key"].get(key) ? scalar_text(key) : "";
      each_bucket(bucket, key_text);
    }
  } else if (simdjson::dom::object keyed; !buckets_elem.get(keyed)) {  // filters aggregation
    for (auto b : keyed) {
      simdjson::dom::object bucket;
      if (!b.value.get(bucket)) each_bucket(bucket, std::string(b.key));
    }
  }
}

void flatten_source(simdjson::dom::object obj, const std::string& prefix, Row& row) {
  for (auto f : obj) {
    std::string name = prefix.empty() ? std::string(f.key) : prefix + "." + std::string(f.key);
    simdjson::dom::object inner;
    if (!f.value.get(inner)) flatten_source(inner, name, row);
    else set(row, name, scalar_text(f.value));
  }
}

std::string format_nanoseconds(const std::string& cell) {
  char* end = nullptr;
  double ns = std::strtod(cell.c_str(), &end);
  if (cell.empty() || *end != '\0') return cell;
  char buf[64];
  if (ns >= 1e9) std::snprintf(buf, sizeof(buf), "%.3f s", ns / 1e9);
  else std::snprintf(buf, sizeof(buf), "%.3f ms", ns / 1e6);
  return buf;
}

bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return *end == '\0' || std::string_view(end) == " s" || std::string_view(end) == " ms";
}

}  // namespace

Result<ResultTable> flatten_search_response(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc)) return Error::invalid(std::string("answer is not JSON: ") + simdjson::error_message(err));
  simdjson::dom::element error;
  if (!doc["error"].get(error)) return Error::invalid("search failed: " + simdjson::minify(error).substr(0, 500));
  std::vector<Row> rows;
  simdjson::dom::object aggs;
  if (!doc["aggregations"].get(aggs)) {
    walk(aggs, {}, rows);
  } else if (simdjson::dom::array hits; !doc["hits"]["hits"].get(hits)) {
    for (auto hit : hits) {
      Row row;
      simdjson::dom::object source;
      if (!hit["_source"].get(source)) flatten_source(source, "", row);
      rows.push_back(std::move(row));
    }
  }
  ResultTable table;
  for (const Row& row : rows)
    for (const auto& [c, v] : row)
      if (std::find(table.columns.begin(), table.columns.end(), c) == table.columns.end()) table.columns.push_back(c);
  for (const Row& row : rows) {
    std::vector<std::string> cells(table.columns.size());
    for (const auto& [c, v] : row) cells[std::find(table.columns.begin(), table.columns.end(), c) - table.columns.begin()] = v;
    table.rows.push_back(std::move(cells));
  }
  return table;
}

void format_columns(const SavedView& view, ResultTable& table) {
  for (size_t c = 0; c < table.columns.size(); ++c) {
    auto f = view.formats.find(table.columns[c]);
    if (f == view.formats.end()) continue;
    for (auto& row : table.rows)
      if (f->second == "nanoseconds") row[c] = format_nanoseconds(row[c]);
  }
}

std::string table_to_text(const ResultTable& table) {
  std::vector<size_t> width(table.columns.size());
  std::vector<bool> numeric(table.columns.size(), true);
  for (size_t c = 0; c < table.columns.size(); ++c) {
    width[c] = table.columns[c].size();
    for (const auto& row : table.rows) {
      width[c] = std::max(width[c], row[c].size());
      if (!row[c].empty() && !looks_numeric(row[c])) numeric[c] = false;
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string pad(width[c] - std::min(width[c], cells[c].size()), ' ');
      if (c) out += "  ";
      out += numeric[c] ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : "");
    }
    out += '\n';
  };
  line(table.columns);
  std::vector<std::string> rule;
  for (size_t w : width) rule.emplace_back(w, '-');
  line(rule);
  for (const auto& row : table.rows) line(row);
  if (table.rows.empty()) out += "(no rows)\n";
  return out;
}

namespace {

// JSON's number grammar exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ("007", "+5",
// ".5", "5." and "1.e3" read as numbers elsewhere but not in JSON).
bool json_number(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

std::string table_to_json(const ResultTable& table) {
  std::string out = "[";
  for (size_t r = 0; r < table.rows.size(); ++r) {
    out += r ? ",\n {" : "\n {";
    for (size_t c = 0; c < table.columns.size(); ++c) {
      if (c) out += ',';
      append_json_string(out, table.columns[c]);
      out += ':';
      const std::string& cell = c < table.rows[r].size() ? table.rows[r][c] : std::string();
      if (json_number(cell)) out += cell;
      else append_json_string(out, cell);
    }
    out += '}';
  }
  out += table.rows.empty() ? "]\n" : "\n]\n";
  return out;
}

}  // namespace logship
