#include "clients/elasticsearch/es_connection.h"

#include <simdjson.h>

#include <mutex>

#include "core/redact.h"

namespace logship {

namespace {

// libcurl wants curl_global_init once per process before any thread uses it.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::vector<std::string> split_endpoint_list(const std::vector<std::string>& entries) {
  std::vector<std::string> out;
  for (const std::string& entry : entries) {
    size_t start = 0;
    while (start <= entry.size()) {
      size_t comma = entry.find(',', start);
      if (comma == std::string::npos) comma = entry.size();
      size_t b = start, e = comma;
      while (b < e && (entry[b] == ' ' || entry[b] == '\t')) ++b;
      while (e > b && (entry[e - 1] == ' ' || entry[e - 1] == '\t')) --e;
      if (e > b) out.push_back(entry.substr(b, e - b));
      start = comma + 1;
    }
  }
  return out;
}

std::vector<std::string> es_connection_warnings(const EsConnection& conn) {
  std::vector<std::string> out;
  if (conn.tls && !conn.tls->verify)
    out.push_back("tls.verify is false: the cluster's certificate and host name are not checked, anyone on the path can pose as it");
  bool credentials = conn.auth && (!conn.auth->user.empty() || !conn.auth->api_key.empty());
  for (const std::string& e : conn.endpoints) {
    if (credentials && e.rfind("http://", 0) == 0) {
      out.push_back("credentials are sent over http:// in clear (use https:// endpoints)");
      break;
    }
  }
  return out;
}

size_t append_curl_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

const Schema<EsAuth>& EsAuth::schema() {
  static const auto s = Schema<EsAuth>()
                            .field("user", &EsAuth::user, "User for basic authentication.")
                            .field("password", &EsAuth::password, "Password for basic authentication; write '${ES_PASSWORD}' to take it from the environment.")
                            .field("api_key", &EsAuth::api_key, "Elasticsearch API key (the base64 'encoded' value), sent as 'Authorization: ApiKey …'.");
  return s;
}

const Schema<EsTls>& EsTls::schema() {
  static const auto s = Schema<EsTls>()
                            .field("ca_file", &EsTls::ca_file, "PEM file of the certificate authority that signed the cluster's certificate.")
                            .field("cert_file", &EsTls::cert_file, "PEM file of this client's certificate, for clusters that require one (mutual TLS).")
                            .field("key_file", &EsTls::key_file, "PEM file of the client certificate's private key.")
                            .field("key_password", &EsTls::key_password, "Password of an encrypted key_file; write '${ES_KEY_PASSWORD}' to take it from the environment.")
                            .field("verify", &EsTls::verify, "Check the cluster's certificate and host name (turn off only for tests: logship warns at start).");
  return s;
}

void apply_connection_options(CURL* easy, const EsConnection& conn, curl_slist*& headers) {
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(conn.connect_timeout.value.count()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(conn.request_timeout.value.count()));
  if (conn.auth) {
    if (!conn.auth->api_key.empty()) {
      headers = curl_slist_append(headers, ("Authorization: ApiKey " + conn.auth->api_key).c_str());
    } else if (!conn.auth->user.empty()) {
      curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(easy, CURLOPT_USERNAME, conn.auth->user.c_str());
      curl_easy_setopt(easy, CURLOPT_PASSWORD, conn.auth->password.c_str());
    }
  }
  if (conn.tls) {
    if (!conn.tls->ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, conn.tls->ca_file.c_str());
    if (!conn.tls->cert_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLCERT, conn.tls->cert_file.c_str());
    if (!conn.tls->key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, conn.tls->key_file.c_str());
    if (!conn.tls->key_password.empty()) curl_easy_setopt(easy, CURLOPT_KEYPASSWD, conn.tls->key_password.c_str());
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, conn.tls->verify ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, conn.tls->verify ? 2L : 0L);
  }
}

std::string EsResponse::describe() const {
  if (status == 0) return error.empty() ? "no answer" : error;
  std::string s = "HTTP " + std::to_string(status);
  if (!body.empty()) s += ": " + body.substr(0, 300);
  return s;
}

EsClient::EsClient(EsConnection conn) : conn_(std::move(conn)) {
  init_curl_once();
  easy_ = curl_easy_init();
}

EsClient::~EsClient() {
  if (easy_) curl_easy_cleanup(easy_);
}

EsResponse EsClient::request_one(const std::string& endpoint, std::string_view method, std::string_view path,
                                 std::string_view body, std::string_view content_type) {
  EsResponse r;
  r.endpoint = redact_url_credentials(endpoint);  // for messages: no password in it
  curl_easy_reset(easy_);
  curl_slist* headers = nullptr;
  apply_connection_options(easy_, conn_, headers);
  std::string url = endpoint;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url.append(path);
  std::string method_s(method);
  curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method_s.c_str());
  if (method == "HEAD") curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT") {
    headers = curl_slist_append(headers, ("Content-Type: " + std::string(content_type)).c_str());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &append_curl_body);
  curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &r.body);
  if (cancelled_) {
    // Called about once a second even while nothing moves; non-zero aborts the transfer.
    curl_easy_setopt(easy_, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy_, CURLOPT_XFERINFODATA, cancelled_);
    curl_easy_setopt(easy_, CURLOPT_XFERINFOFUNCTION, +[](void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
      return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0;
    });
  }
  CURLcode rc = curl_easy_perform(easy_);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &r.status);
  } else {
    r.error = std::string(curl_easy_strerror(rc)) + " (" + r.endpoint + ")";
  }
  curl_slist_free_all(headers);
  return r;
}

EsResponse EsClient::request(std::string_view method, std::string_view path, std::string_view body,
                             std::string_view content_type) {
  EsResponse last;
  last.error = "no endpoints configured";
  for (size_t i = 0; i < conn_.endpoints.size() && !(cancelled_ && *cancelled_); ++i) {
    size_t at = (preferred_ + i) % conn_.endpoints.size();
    last = request_one(conn_.endpoints[at], method, path, body, content_type);
    if (last.status != 0 && last.status < 500) {
      preferred_ = at;
      return last;
    }
  }
  return last;
}

std::optional<ClusterInfo> parse_cluster_info(std::string_view root_body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(root_body.data(), root_body.size()).get(doc)) return std::nullopt;
  std::string_view number;
  if (doc["version"]["number"].get(number)) return std::nullopt;
  ClusterInfo info;
  info.version = std::string(number);
  std::string_view distribution;
  info.distribution = doc["version"]["distribution"].get(distribution) ? "elasticsearch" : std::string(distribution);
  info.major = 0;
  for (char c : number) {
    if (c < '0' || c > '9') break;
    info.major = info.major * 10 + (c - '0');
  }
  return info;
}

void append_url_escaped(std::string& out, std::string_view segment) {
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : segment) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
}

}  // namespace logship
