// `api:` in a pipeline: where logship serves /metrics and /health (shipper/api/api_server.h).
//
//   api: {address: 127.0.0.1:9598, max_blocked: 60s}
//   api:
//     address: 0.0.0.0:9598
//     tls: {cert_file: /etc/logship/api.pem, key_file: /etc/logship/api.key, ca_file: /etc/logship/scrapers-ca.pem}
#pragma once

#include <optional>
#include <string>

#include "core/config/schema.h"

namespace logship {

// HTTPS for the API: the server's certificate and key, and, with ca_file, the authority whose
// client certificates alone are let in (mutual TLS, for Prometheus' tls_config).
struct ApiTls {
  std::string cert_file;
  std::string key_file;
  std::string key_password;
  std::string ca_file;
  static const Schema<ApiTls>& schema();
};

struct ApiConfig {
  std::string address = "127.0.0.1:9598";
  Duration max_blocked{std::chrono::seconds(60)};
  std::optional<ApiTls> tls;
  static const Schema<ApiConfig>& schema();
  // "host:port" split; false (and `why`) when it is not one.
  bool split_address(std::string& host, int& port, std::string& why) const;
};

}  // namespace logship
