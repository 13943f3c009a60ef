// What every librdkafka client of logship shares (the kafka sink, the kafka source): building
// configurations, librdkafka's own log lines routed into logship's key=value log, and which
// errors are permanent.
//
//   std::string error;
//   rd_kafka_conf_t* conf = rd_kafka_conf_new();
//   kafka_conf_set(conf, "bootstrap.servers", servers, error);   // keeps the first error
//   KafkaClientContext* ctx = this;                              // first in the opaque
//   rd_kafka_conf_set_opaque(conf, ctx);
//   kafka_route_logs(conf);                                      // "component=… facility=…"
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logship {

// Sets `key` to `value`; on failure records "key: reason" in `error` unless one is there.
void kafka_conf_set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, std::string& error);

// Why `servers` (bootstrap_servers: host:port, comma-separated) cannot be used, or "" when it
// can. An entry with credentials (`user:password@host:9092`, `sasl_ssl://u:p@host:9093`) is
// refused: Kafka takes no credentials there, librdkafka would try to resolve them as part of a
// host name, and the value is logged. The reason names the entry by position, never quotes it.
std::string kafka_bootstrap_servers_problem(std::string_view servers);

// librdkafka accepts `sasl.mechanism: GSSAPI` when it is set even if it was built without
// Kerberos, and fails only in rd_kafka_new, when the pipeline starts. So that `validate` finds
// it, these are the passthrough properties (`librdkafka:` of a sink or source) that the build
// described by `features` (its builtin.features, e.g. "gzip,ssl,sasl,sasl_plain,sasl_scram")
// cannot honour, each as (property, why); an unknown SASL mechanism is one of them. A SASL
// security.protocol without a mechanism means GSSAPI, librdkafka's default.
std::vector<std::pair<std::string, std::string>> kafka_unsupported_properties(
    const std::vector<std::pair<std::string, std::string>>& properties, std::string_view features);

// builtin.features of the librdkafka logship is linked with.
const std::string& kafka_builtin_features();

// What a client's opaque points at (as this type), so that librdkafka's callbacks know whose
// client they serve. A sink or source derives from it and passes itself cast to it.
struct KafkaClientContext {
  std::string component;
};

// librdkafka's log lines go to logship's log as `msg="kafka: <facility>" component=…
// reason="…"`, at the matching level, instead of raw to stderr. The conf's opaque must be a
// KafkaClientContext* (set before or after this call, before rd_kafka_new).
void kafka_route_logs(rd_kafka_conf_t* conf);

// An error that waiting cannot cure: the record can never be written as it is (too large,
// invalid), or the topic cannot be (unknown with auto-creation off, an invalid name, not
// authorised), or the producer has failed for good. Everything else (a broker away, no leader,
// not enough replicas, timeouts, throttling) is transient.
bool kafka_error_is_permanent(rd_kafka_resp_err_t err);

}  // namespace logship
