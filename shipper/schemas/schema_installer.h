// Installs logship's index templates on a cluster, idempotently (`logship schemas apply`).
//
//   EsClient client(conn);
//   SchemaApplyOptions options{.replicas = 0};
//   Status s = apply_schemas(client, options, [](const std::string& line) { puts(line.c_str()); });
//
// Order: a lifecycle policy where the cluster has one (Elasticsearch ILM; OpenSearch ISM when
// its plugin is installed), then the generated `logs-logship@settings` component (replicas,
// lifecycle), the component templates of schemas/templates, then the index templates that
// compose them. Every PUT replaces the previous version, so running it twice changes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/error.h"
#include "clients/elasticsearch/es_connection.h"

namespace logship {

struct SchemaApplyOptions {
  std::optional<int64_t> replicas;  // unset: the cluster's default (1)
  std::string retention = "30d";    // delete phase of the lifecycle policy
};

Status apply_schemas(EsClient& client, const SchemaApplyOptions& options, const std::function<void(const std::string&)>& report);

}  // namespace logship
