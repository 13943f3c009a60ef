// The HTTP endpoint of a running logship (off unless the pipeline has `api:`), for Prometheus
// and for health probes:
//
//   GET /metrics   Prometheus text format: every counter and gauge of the registry, the
//                  collectors' values, process RSS and CPU
//   GET /health    200 {"status":"ok"} when every component runs and no sink is stuck longer
//                  than api.max_blocked; 503 {"status":"unhealthy","problems":[…]} otherwise
//
// Served by cpp-httplib (Debian's libcpp-httplib) on its own threads. It binds to 127.0.0.1
// unless the configuration names another address. Requests are bounded (bounded_server.h): 10 s
// and about 1 MiB each, bodies over 1 MiB refused with 413, 16 threads for slow clients.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "core/error.h"
#include "shipper/api/api_config.h"
#include "shipper/runtime/topology.h"

namespace httplib {
class Server;
}

namespace logship {

class ApiServer {
 public:
  using HealthFn = std::function<HealthReport()>;
  // Binds now (so a taken port is an error at start), serves on a thread until destroyed.
  static Result<std::unique_ptr<ApiServer>> start(const ApiConfig& config, HealthFn health);
  ~ApiServer();
  int port() const { return port_; }
  // Loads api.tls's files again (a renewed certificate at the same path): new connections get
  // it; on failure the one in use stays, and the reason is logged.
  void reload_tls(const ApiTls& tls);

 private:
  ApiServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Registers process_resident_memory_bytes, process_cpu_seconds_total, process_start_time_seconds
// and process_open_fds (the names Prometheus client libraries use) once per process.
void register_process_metrics();

}  // namespace logship
