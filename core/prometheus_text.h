// The Prometheus text exposition format (version 0.0.4) of the metrics registry: one HELP and
// one TYPE line per metric name, then a sample per label set, names grouped together.
//
//   std::string page = render_prometheus(metrics());   // what GET /metrics answers
#pragma once

#include <string>

#include "core/metrics.h"

namespace logship {

std::string render_prometheus(const MetricsRegistry& registry);

// Appends a label value with the escapes the format requires (\\, \", \n).
void append_label_value(std::string& out, const std::string& value);

}  // namespace logship
