#include "shipper/api/api_server.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <httplib.h>

#include <fstream>
#include <mutex>

#include "core/json_writer.h"
#include "core/log.h"
#include "core/prometheus_text.h"
#include "core/time_format.h"
#include "shipper/api/bounded_server.h"
#include "shipper/api/server_tls.h"

namespace logship {

const Schema<ApiConfig>& ApiConfig::schema() {
  static const auto s =
      Schema<ApiConfig>()
          .field("address", &ApiConfig::address, "host:port of the HTTP endpoint (/metrics, /health); port 0 picks a free one. Only 127.0.0.1 unless you name another address.")
          .field("max_blocked", &ApiConfig::max_blocked, "/health answers 503 once a sink has been blocked (queue full, or writes failing) this long.")
          .nested("tls", &ApiConfig::tls, ApiTls::schema(), "Serve HTTPS instead of HTTP (and, with ca_file, only to clients with a certificate it signed).");
  return s;
}

const Schema<ApiTls>& ApiTls::schema() {
  static const auto s =
      Schema<ApiTls>()
          .field("cert_file", &ApiTls::cert_file, "PEM file of the API's certificate (its chain may follow it in the file).")
          .required()
          .field("key_file", &ApiTls::key_file, "PEM file of the certificate's private key.")
          .required()
          .field("key_password", &ApiTls::key_password, "Password of an encrypted key_file; write '${API_KEY_PASSWORD}' to take it from the environment.")
          .field("ca_file", &ApiTls::ca_file, "PEM file of the certificate authority that signs the clients' certificates: when set, a client without one is refused (mutual TLS).");
  return s;
}

bool ApiConfig::split_address(std::string& host, int& port, std::string& why) const {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    why = "expected host:port, e.g. 127.0.0.1:9598";
    return false;
  }
  host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  char* end = nullptr;
  long p = std::strtol(address.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || p < 0 || p > 65535 || colon + 1 == address.size()) {
    why = "port must be a number from 0 to 65535";
    return false;
  }
  port = static_cast<int>(p);
  return true;
}

namespace {

constexpr uint64_t kMaxBody = 1u << 20;

double process_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0;
  long pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double process_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double open_fds() {
  double n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
    ::closedir(d);
  }
  return n - 1;  // the one opendir holds
}

std::string health_json(const HealthReport& r) {
  std::string out = r.ok ? "{\"status\":\"ok\"" : "{\"status\":\"unhealthy\",\"problems\":[";
  if (!r.ok) {
    for (size_t i = 0; i < r.problems.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, r.problems[i]);
    }
    out += ']';
  }
  return out + "}\n";
}

}  // namespace

void register_process_metrics() {
  static std::once_flag once;
  std::call_once(once, [] {
    double start = static_cast<double>(now_unix_nanos()) / 1e9;
    metrics().add_collector([start](std::vector<Sample>& out) {
      out.push_back({"process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge, {}, process_rss_bytes()});
      out.push_back({"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::kCounter, {}, process_cpu_seconds()});
      out.push_back({"process_start_time_seconds", "Start time of the process since unix epoch in seconds.", MetricType::kGauge, {}, start});
      out.push_back({"process_open_fds", "Number of open file descriptors.", MetricType::kGauge, {}, open_fds()});
    });
  });
}

Result<std::unique_ptr<ApiServer>> ApiServer::start(const ApiConfig& config, HealthFn health) {
  std::string host;
  int port = 0;
  std::string why;
  if (!config.split_address(host, port, why)) return Error::invalid("api.address: " + why);
  register_process_metrics();
  ServerTlsContext tls;
  if (config.tls) {
    auto made = make_server_tls(*config.tls);
    if (!made) return made.error();
    tls = std::move(*made);
    for (const std::string& w : server_tls_warnings(tls)) log_warn(w);
  }
  std::unique_ptr<ApiServer> api(new ApiServer());
  api->server_ = std::make_unique<BoundedServer>(ConnectionLimits{}, tls);
  httplib::Server& s = *api->server_;
  s.set_payload_max_length(kMaxBody);
  // Only GET routes: a body is never wanted. One too large, or of unknown length (chunked,
  // which httplib 0.11 reads without bound), is refused before it is read, and the connection
  // closed so that its bytes are never parsed.
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    bool chunked = req.has_header("Transfer-Encoding");
    if (!chunked && req.get_header_value<uint64_t>("Content-Length") <= kMaxBody) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 413;
    res.set_header("Connection", "close");
    res.set_content("request body too large: the API takes GET requests only\n", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  s.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_prometheus(metrics()), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/health", [health](const httplib::Request&, httplib::Response& res) {
    HealthReport r = health();
    res.status = r.ok ? 200 : 503;
    res.set_content(health_json(r), "application/json");
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("logship " LOGSHIP_VERSION ": GET /metrics (Prometheus), GET /health\n", "text/plain");
  });
  if (port == 0) {
    port = s.bind_to_any_port(host);
    if (port < 0) return Error::invalid("api: cannot listen on " + host + ": no free port");
  } else if (!s.bind_to_port(host, port)) {
    return Error::invalid("api: cannot listen on " + config.address + " (address in use, or not an address of this host)");
  }
  api->port_ = port;
  static_cast<BoundedServer&>(*api->server_).widen_backlog();
  api->thread_ = std::thread([&s] { s.listen_after_bind(); });
  // stop() before the accept loop has begun would be lost (and the destructor would wait
  // forever): return only once it runs.
  for (int i = 0; i < 500 && !s.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  log_info("api listening", {{"address", host + ":" + std::to_string(port)}, {"scheme", tls ? "https" : "http"},
                             {"client_certificates", config.tls && !config.tls->ca_file.empty() ? "required" : "no"},
                             {"endpoints", "/metrics /health"}});
  return api;
}

void ApiServer::reload_tls(const ApiTls& tls) {
  auto made = make_server_tls(tls);
  if (!made) {
    log_error("api: cannot load the TLS certificate again; the one in use stays", {{"error", made.error().message}});
    return;
  }
  for (const std::string& w : server_tls_warnings(*made)) log_warn(w);
  static_cast<BoundedServer&>(*server_).set_tls(std::move(*made));
  log_info("api: TLS certificate loaded again", {{"cert_file", tls.cert_file}});
}

ApiServer::~ApiServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace logship
