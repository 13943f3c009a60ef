// `api:` in a pipeline: where logship serves /metrics and /health (shipper/api/api_server.h).
//
//   api: {address: 127.0.0.1:9598, max_blocked: 60s}
#pragma once

#include <string>

#include "core/config/schema.h"

namespace logship {

struct ApiConfig {
  std::string address = "127.0.0.1:9598";
  Duration max_blocked{std::chrono::seconds(60)};
  static const Schema<ApiConfig>& schema();
  // "host:port" split; false (and `why`) when it is not one.
  bool split_address(std::string& host, int& port, std::string& why) const;
};

}  // namespace logship
