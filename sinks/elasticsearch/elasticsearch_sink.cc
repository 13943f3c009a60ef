#include "sinks/elasticsearch/elasticsearch_sink.h"

#include <algorithm>

#include "core/config/tls_files.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/redact.h"
#include "sinks/elasticsearch/elasticsearch_worker.h"

namespace logship {

namespace {

// Whether `url` starts with http:// or https://, in any case: schemes are case-insensitive
// (RFC 3986, 3.1), and libcurl reads `HTTP://es:9200` as http.
bool is_http_url(std::string_view url) {
  auto starts_with = [&](std::string_view scheme) {
    return url.size() >= scheme.size() &&
           std::equal(scheme.begin(), scheme.end(), url.begin(), [](char s, char u) { return s == (u >= 'A' && u <= 'Z' ? u - 'A' + 'a' : u); });
  };
  return starts_with("http://") || starts_with("https://");
}

}  // namespace

const Schema<ElasticsearchSinkConfig>& ElasticsearchSinkConfig::schema() {
  static const auto s =
      Schema<ElasticsearchSinkConfig>()
          .field("endpoints", &ElasticsearchSinkConfig::endpoints, "Cluster URLs (http:// or https://); requests go round them, and a failing one is set aside for a while. An entry may list several, comma-separated ('${ES_URL}' naming every node).")
          .required()
          .field("namespace", &ElasticsearchSinkConfig::data_stream_namespace, "Data stream namespace: documents go to logs-<event.dataset>-<namespace>.")
          .field("index", &ElasticsearchSinkConfig::index, "Write here instead of the data stream, e.g. 'logs-{{ event.dataset }}-prod' (variables as in the kafka sink's topic).")
          .nested("auth", &ElasticsearchSinkConfig::auth, EsAuth::schema(), "Credentials: basic (user, password) or an API key.")
          .nested("tls", &ElasticsearchSinkConfig::tls, EsTls::schema(), "TLS settings for https endpoints.")
          .field("max_documents", &ElasticsearchSinkConfig::max_documents, "Documents per bulk request at most.")
          .field("max_bytes", &ElasticsearchSinkConfig::max_bytes, "Bytes per bulk request (before compression) at most.")
          .field("flush_interval", &ElasticsearchSinkConfig::flush_interval, "Longest a document waits for its request to fill up.")
          .field("max_in_flight", &ElasticsearchSinkConfig::max_in_flight, "Bulk requests on the wire at once.")
          .choice("compression", &ElasticsearchSinkConfig::compression, {"gzip", "none"}, "Compression of request bodies.")
          .field("request_timeout", &ElasticsearchSinkConfig::request_timeout, "A request without an answer by then is sent again.")
          .field("buffer_bytes", &ElasticsearchSinkConfig::buffer_bytes, "Bytes of events held until the cluster confirms them; when full, the pipeline pauses reading.")
;
  return s;
}

void ElasticsearchSinkConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (split_endpoint_list(endpoints).empty()) errors.add(node["endpoints"], join_path(path, "endpoints"), "needs at least one URL");
  for (size_t i = 0; i < endpoints.size(); ++i) {
    for (const std::string& e : split_endpoint_list({endpoints[i]})) {
      if (!is_http_url(e))
        errors.add(node["endpoints"][i], join_path(path, "endpoints[" + std::to_string(i) + "]"), "'" + redact_url_credentials(e) + "' is not an http:// or https:// URL");
    }
  }
  EventTemplate t;
  std::string error;
  std::string index_name = index.empty() ? "logs-{{ event.dataset }}-" + data_stream_namespace : index;
  if (!EventTemplate::parse(index_name, t, error)) errors.add(node[index.empty() ? "namespace" : "index"], join_path(path, index.empty() ? "namespace" : "index"), error);
  if (max_documents < 1) errors.add(node["max_documents"], join_path(path, "max_documents"), "must be at least 1");
  if (max_in_flight < 1 || max_in_flight > 64) errors.add(node["max_in_flight"], join_path(path, "max_in_flight"), "must be between 1 and 64");
  if (buffer_bytes.value < max_bytes.value) errors.add(node["buffer_bytes"], join_path(path, "buffer_bytes"), "must be at least max_bytes");
  if (auth && !auth->api_key.empty() && !auth->user.empty())
    errors.add(node["auth"], join_path(path, "auth"), "give either user/password or api_key, not both");
  if (auth && !auth->user.empty() && auth->password.empty())
    errors.add(node["auth"], join_path(path, "auth.password"), "missing (user given)");
  if (tls)
    check_tls_files(node["tls"], join_path(path, "tls"),
                    {{"ca_file", tls->ca_file}, {"cert_file", tls->cert_file}, {"key_file", tls->key_file}}, errors);
}

EsConnection ElasticsearchSinkConfig::connection() const {
  EsConnection c;
  c.endpoints = split_endpoint_list(endpoints);
  c.auth = auth;
  c.tls = tls;
  c.request_timeout = request_timeout;
  return c;
}

void sanitize_index_name(std::string& name) {
  for (size_t i = 0; i < name.size();) {
    char& c = name[i];
    if (static_cast<unsigned char>(c) >= 0x80) {
      // Unicode stays; a byte that is not part of valid UTF-8 would make the action line
      // invalid JSON, and the whole bulk request with it.
      if (size_t n = utf8_character_length(name, i)) {
        i += n;
      } else {
        c = '_';
        ++i;
      }
      continue;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    switch (c) {
      case '\\': case '/': case '*': case '?': case '"': case '<': case '>': case '|': case ',': case '#': case ':': case ' ':
        c = '_';
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) c = '_';
    }
    ++i;
  }
  while (!name.empty() && (name[0] == '-' || name[0] == '_' || name[0] == '+')) name.erase(0, 1);
  if (name.empty()) name = "logs-unknown-default";
  if (name.size() > 255) {  // the limit is in bytes; do not split a character
    size_t end = 255;
    while (end > 0 && (static_cast<unsigned char>(name[end]) & 0xC0) == 0x80) --end;
    name.resize(end);
  }
}

Result<std::unique_ptr<ElasticsearchSink>> ElasticsearchSink::create(const ElasticsearchSinkConfig& config, const BuildContext& ctx) {
  for (const std::string& w : es_connection_warnings(config.connection())) log_warn(w, {{"component", ctx.name}});
  // What is on the other end, for the log; an unreachable cluster is not an error at start
  // (its events wait and are sent again until it answers).
  EsClient client(config.connection());
  EsResponse root = client.request("GET", "/");
  if (auto info = root.ok() ? parse_cluster_info(root.body) : std::nullopt) {
    log_info("elasticsearch sink connected", {{"component", ctx.name}, {"distribution", info->distribution},
                                              {"version", info->version}, {"endpoint", root.endpoint}});
  } else {
    log_warn("elasticsearch cluster not reachable yet; documents wait and are retried",
             {{"component", ctx.name}, {"error", root.describe()}});
  }
  std::unique_ptr<ElasticsearchSink> sink(new ElasticsearchSink());
  sink->worker_ = std::make_unique<Worker>(config, ctx.name);
  return sink;
}

ElasticsearchSink::~ElasticsearchSink() = default;

void ElasticsearchSink::send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) { worker_->enqueue(std::move(delivery), std::move(done)); }

void ElasticsearchSink::flush() { worker_->flush(); }

void ElasticsearchSink::abort() { worker_->abort(); }

}  // namespace logship
