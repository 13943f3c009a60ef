// How logship reaches an Elasticsearch or OpenSearch cluster: the endpoints, credentials and TLS
// settings shared by the sink, the dead-letter index and the `schemas` / `views` commands.
//
//   EsConnection conn{.endpoints = {"http://127.0.0.1:9200"}};
//   EsClient client(conn);
//   EsResponse r = client.request("GET", "/");          // tries each endpoint in turn
//   if (r.ok()) … r.body …
//
// Requests are plain Elasticsearch REST (application/json, application/x-ndjson), with no
// compatibility headers, so one code path serves Elasticsearch 7/8 and OpenSearch.
#pragma once

#include <atomic>
#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/schema.h"

namespace logship {

struct EsAuth {
  std::string user;      // basic authentication
  std::string password;
  std::string api_key;   // Elasticsearch API key, base64 "id:key" as the API returns it
  static const Schema<EsAuth>& schema();
};

struct EsTls {
  std::string ca_file;
  std::string cert_file;     // client certificate (PEM), for clusters that ask for one (mutual TLS)
  std::string key_file;      // its private key (PEM)
  std::string key_password;  // of an encrypted key_file
  bool verify = true;
  static const Schema<EsTls>& schema();
};

struct EsConnection {
  std::vector<std::string> endpoints;
  std::optional<EsAuth> auth;
  std::optional<EsTls> tls;
  Duration request_timeout{std::chrono::seconds(60)};
  Duration connect_timeout{std::chrono::seconds(5)};
};

// Endpoints as configured, an entry with commas standing for several URLs (so that one
// environment variable, like `scripts/stack up --cluster`'s OPENSEARCH_URL, can list every
// node): split, trimmed, empty parts dropped.
std::vector<std::string> split_endpoint_list(const std::vector<std::string>& entries);

// What is worth a warning at start about a connection: certificates not checked, credentials
// sent to an http:// endpoint in clear.
std::vector<std::string> es_connection_warnings(const EsConnection& conn);

// CURLOPT_WRITEFUNCTION that appends the answer to the std::string given as CURLOPT_WRITEDATA.
size_t append_curl_body(char* data, size_t size, size_t n, void* out);

// Sets what every request to the cluster shares: auth, TLS, timeouts, keep-alive.
// `headers` receives the Authorization header for API keys (curl_slist_append'ed).
void apply_connection_options(CURL* easy, const EsConnection& conn, curl_slist*& headers);

struct EsResponse {
  long status = 0;       // HTTP status; 0 when no answer came (connection refused, timeout)
  std::string body;
  std::string error;     // curl's message when status == 0
  std::string endpoint;  // which endpoint answered, its password (if any) redacted
  bool ok() const { return status >= 200 && status < 300; }
  // "HTTP 400: {...}" or "connection refused": for error messages.
  std::string describe() const;
};

// Synchronous requests (administration, queries, dead letters): the first endpoint that answers
// with anything other than a connection failure or a 5xx is the answer.
class EsClient {
 public:
  explicit EsClient(EsConnection conn);
  ~EsClient();
  EsClient(const EsClient&) = delete;
  EsClient& operator=(const EsClient&) = delete;

  EsResponse request(std::string_view method, std::string_view path, std::string_view body = {},
                     std::string_view content_type = "application/json");
  // A flag that, once true, ends the request under way within about a second (and tries no
  // other endpoint): a stop need not wait out request_timeout on a cluster that hangs.
  void set_cancel(const std::atomic<bool>* cancelled) { cancelled_ = cancelled; }

 private:
  EsResponse request_one(const std::string& endpoint, std::string_view method, std::string_view path,
                         std::string_view body, std::string_view content_type);
  EsConnection conn_;
  CURL* easy_ = nullptr;  // reused: keeps the connection alive between requests
  size_t preferred_ = 0;  // the endpoint that answered last
  const std::atomic<bool>* cancelled_ = nullptr;
};

// What GET / says about the cluster, for the few places Elasticsearch and OpenSearch differ.
struct ClusterInfo {
  std::string distribution;  // "elasticsearch" or "opensearch"
  std::string version;       // "8.15.0", "2.19.6"
  int major = 0;
  bool is_opensearch() const { return distribution == "opensearch"; }
};
std::optional<ClusterInfo> parse_cluster_info(std::string_view root_body);

// Appends a URL path segment with %-escaping (index names, ids).
void append_url_escaped(std::string& out, std::string_view segment);

}  // namespace logship
