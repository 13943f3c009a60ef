#include "clients/kafka/kafka_conf.h"

#include "core/log.h"
#include "core/redact.h"

namespace logship {

void kafka_conf_set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, std::string& error) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK && error.empty()) {
    // librdkafka quotes a rejected value: never a secret's.
    error = key + ": " + (is_secret_key(key) ? redact_secret(err, value) : std::string(err));
  }
}

namespace {

void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  auto* ctx = static_cast<KafkaClientContext*>(rd_kafka_opaque(rk));
  // syslog levels: 0-3 errors, 4 warnings, 5-6 notices and information, 7 debug.
  Level l = level <= 3 ? Level::kError : level == 4 ? Level::kWarn : level <= 6 ? Level::kInfo : Level::kDebug;
  log(l, std::string("kafka: ") + (facility ? facility : "log"),
      {{"component", ctx ? ctx->component : std::string()}, {"client", rd_kafka_name(rk)}, {"reason", text ? text : ""}});
}

}  // namespace

void kafka_route_logs(rd_kafka_conf_t* conf) { rd_kafka_conf_set_log_cb(conf, &on_log); }

bool kafka_error_is_permanent(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__FATAL:
      return true;
    default:
      return false;
  }
}

}  // namespace logship
