// `logship schemas` and `logship views`: the Elasticsearch/OpenSearch side of logship from the
// command line (index templates, saved views).
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

#include "shipper/cli/commands.h"
#include "shipper/schemas/builtin_schemas.h"
#include "shipper/schemas/builtin_views.h"
#include "shipper/schemas/schema_installer.h"

namespace logship {
namespace {

// Options every cluster-facing command shares, plus the rest of the arguments.
struct ClusterArgs {
  EsConnection conn;
  std::vector<std::string> rest;
  std::string error;
};

ClusterArgs parse_cluster_args(const std::vector<std::string>& args, const std::vector<std::string>& value_options,
                               std::map<std::string, std::string>& values) {
  ClusterArgs p;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        p.error = a + " needs a value";
        return "";
      }
      return args[++i];
    };
    auto env = [&](const std::string& name) -> std::string {
      const char* v = std::getenv(name.c_str());
      if (!v) p.error = "environment variable " + name + " (named by " + a + ") is not set";
      return v ? v : "";
    };
    if (a == "--endpoint") {
      for (std::string& e : split_endpoint_list({value()})) p.conn.endpoints.push_back(std::move(e));
    } else if (a == "--user") {
      if (!p.conn.auth) p.conn.auth.emplace();
      p.conn.auth->user = value();
    } else if (a == "--password-env") {
      if (!p.conn.auth) p.conn.auth.emplace();
      p.conn.auth->password = env(value());
    } else if (a == "--api-key-env") {
      if (!p.conn.auth) p.conn.auth.emplace();
      p.conn.auth->api_key = env(value());
    } else if (a == "--ca-file") {
      if (!p.conn.tls) p.conn.tls.emplace();
      p.conn.tls->ca_file = value();
    } else if (a == "--cert-file") {
      if (!p.conn.tls) p.conn.tls.emplace();
      p.conn.tls->cert_file = value();
    } else if (a == "--key-file") {
      if (!p.conn.tls) p.conn.tls.emplace();
      p.conn.tls->key_file = value();
    } else if (a == "--insecure") {
      if (!p.conn.tls) p.conn.tls.emplace();
      p.conn.tls->verify = false;
    } else if (std::find(value_options.begin(), value_options.end(), a) != value_options.end()) {
      std::string v = value();
      // Repeatable options (--param) collect their values, one per line.
      values[a] = values.count(a) ? values[a] + "\n" + v : v;
    } else if (!a.empty() && a[0] == '-') {
      p.error = "unknown option " + a;
    } else {
      p.rest.push_back(a);
    }
    if (!p.error.empty()) break;
  }
  if (p.error.empty() && p.conn.endpoints.empty()) {
    if (const char* url = std::getenv("OPENSEARCH_URL")) p.conn.endpoints = split_endpoint_list({url});
    else if (const char* es = std::getenv("ELASTICSEARCH_URL")) p.conn.endpoints = split_endpoint_list({es});
  }
  if (p.error.empty())
    for (const std::string& w : es_connection_warnings(p.conn)) std::cerr << "logship: warning: " << w << "\n";
  return p;
}

int usage_error(const char* command, const std::string& message) {
  std::cerr << "logship " << command << ": " << message << "\n";
  print_command_help(command);
  return 2;
}

const SavedView* find_view(const std::vector<SavedView>& views, const std::string& name) {
  for (const auto& v : views)
    if (v.name == name) return &v;
  return nullptr;
}

// "1h" -> "now-1h"; date math and dates pass through.
std::string since_value(const std::string& v) {
  if (!v.empty() && std::isdigit(static_cast<unsigned char>(v[0])) && v.find('-') == std::string::npos) return "now-" + v;
  return v;
}

}  // namespace

int command_schemas(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("schemas", "needs a subcommand: list or apply");
  std::vector<std::string> tail(args.begin() + 1, args.end());
  if (args[0] == "list") {
    for (const auto& [path, text] : builtin_schema_files())
      if (path.rfind("templates/", 0) == 0) std::cout << path.substr(10) << "\n";
    return 0;
  }
  if (args[0] != "apply") return usage_error("schemas", "unknown subcommand '" + args[0] + "'");
  std::map<std::string, std::string> values;
  ClusterArgs p = parse_cluster_args(tail, {"--replicas", "--retention"}, values);
  if (!p.error.empty()) return usage_error("schemas", p.error);
  if (p.conn.endpoints.empty()) return usage_error("schemas", "needs --endpoint URL (or OPENSEARCH_URL in the environment)");
  SchemaApplyOptions options;
  if (values.count("--replicas")) {
    char* end = nullptr;
    long n = std::strtol(values["--replicas"].c_str(), &end, 10);
    if (*end != '\0' || n < 0) return usage_error("schemas", "--replicas must be a whole number");
    options.replicas = n;
  }
  if (values.count("--retention")) options.retention = values["--retention"];
  EsClient client(p.conn);
  Status s = apply_schemas(client, options, [](const std::string& line) { std::cout << line << "\n"; });
  if (!s) {
    std::cerr << "logship schemas apply: " << s.error().message << "\n";
    return 1;
  }
  return 0;
}

int command_views(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("views", "needs a subcommand: list, show or run");
  std::vector<SavedView> views = builtin_views();
  std::vector<std::string> tail(args.begin() + 1, args.end());
  if (args[0] == "list") {
    size_t width = 0;
    for (const auto& v : views) width = std::max(width, v.name.size());
    for (const auto& v : views) std::cout << v.name << std::string(width + 2 - v.name.size(), ' ') << v.description << "\n";
    return 0;
  }
  if (args[0] != "run" && args[0] != "show") return usage_error("views", "unknown subcommand '" + args[0] + "'");
  std::map<std::string, std::string> values;
  ClusterArgs p = parse_cluster_args(tail, {"--since", "--format", "--param"}, values);
  if (!p.error.empty()) return usage_error("views", p.error);
  if (p.rest.size() != 1) return usage_error("views", "needs one view NAME (logship views list shows them)");
  const SavedView* view = find_view(views, p.rest[0]);
  if (!view) return usage_error("views", "no view named '" + p.rest[0] + "' (logship views list shows them)");
  if (args[0] == "show") {
    std::cout << "# " << view->description << "\n";
    for (const auto& param : view->parameters)
      std::cout << "# {{ " << param.name << " }}: " << param.description << " (default " << param.default_value << ")\n";
    std::cout << view->query;
    return 0;
  }
  std::map<std::string, std::string> params;
  if (values.count("--since")) params["since"] = since_value(values["--since"]);
  if (values.count("--param")) {
    std::istringstream lines(values["--param"]);
    for (std::string kv; std::getline(lines, kv);) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) return usage_error("views", "--param takes NAME=VALUE");
      params[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  std::string format = values.count("--format") ? values["--format"] : "table";
  if (format != "table" && format != "json") return usage_error("views", "--format must be table or json");
  if (p.conn.endpoints.empty()) return usage_error("views", "needs --endpoint URL (or OPENSEARCH_URL in the environment)");
  auto query = render_view(*view, params);
  if (!query) return usage_error("views", query.error().message);
  EsClient client(p.conn);
  std::string path = "/";
  append_url_escaped(path, query->index);
  path += "/_search?ignore_unavailable=true&allow_no_indices=true";
  EsResponse r = client.request("POST", path, query->body);
  if (!r.ok()) {
    std::cerr << "logship views run: " << view->name << ": " << r.describe() << "\n";
    return 1;
  }
  auto table = flatten_search_response(r.body);
  if (!table) {
    std::cerr << "logship views run: " << view->name << ": " << table.error().message << "\n";
    return 1;
  }
  if (format == "json") {
    std::cout << table_to_json(table.value());
  } else {
    format_columns(*view, table.value());
    std::cout << table_to_text(table.value());
  }
  return 0;
}

}  // namespace logship
