#include "clients/kafka/kafka_conf.h"

#include <algorithm>

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

std::string kafka_bootstrap_servers_problem(std::string_view servers) {
  size_t entry = 1;
  for (size_t start = 0; start <= servers.size(); ++entry) {
    size_t comma = std::min(servers.find(',', start), servers.size());
    if (servers.substr(start, comma - start).find('@') != std::string_view::npos) {
      return "broker " + std::to_string(entry) +
             " holds credentials (user:password@): give host:port only, and the user and password as librdkafka.sasl.username "
             "and librdkafka.sasl.password (the password from the environment: '${KAFKA_PASSWORD}')";
    }
    start = comma + 1;
  }
  return "";
}

namespace {

bool has_feature(std::string_view features, std::string_view name) {
  size_t start = 0;
  while (start <= features.size()) {
    size_t comma = features.find(',', start);
    if (comma == std::string_view::npos) comma = features.size();
    if (features.substr(start, comma - start) == name) return true;
    start = comma + 1;
  }
  return false;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

// The builtin.features entry a SASL mechanism needs; "" for a mechanism librdkafka does not know.
std::string_view feature_of_mechanism(const std::string& mechanism) {
  if (mechanism == "GSSAPI") return "sasl_gssapi";
  if (mechanism == "PLAIN") return "sasl_plain";
  if (mechanism == "SCRAM-SHA-256" || mechanism == "SCRAM-SHA-512") return "sasl_scram";
  if (mechanism == "OAUTHBEARER") return "sasl_oauthbearer";
  return "";
}

void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* text) {
  auto* ctx = static_cast<KafkaClientContext*>(rd_kafka_opaque(rk));
  // syslog levels: 0-3 errors, 4 warnings, 5-6 notices and information, 7 debug.
  Level l = level <= 3 ? Level::kError : level == 4 ? Level::kWarn : level <= 6 ? Level::kInfo : Level::kDebug;
  log(l, std::string("kafka: ") + (facility ? facility : "log"),
      {{"component", ctx ? ctx->component : std::string()}, {"client", rd_kafka_name(rk)}, {"reason", text ? text : ""}});
}

}  // namespace

std::vector<std::pair<std::string, std::string>> kafka_unsupported_properties(
    const std::vector<std::pair<std::string, std::string>>& properties, std::string_view features) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string* protocol = nullptr;
  bool mechanism_given = false;
  for (const auto& [key, value] : properties) {
    if (key == "security.protocol") protocol = &value;
    if (key != "sasl.mechanism" && key != "sasl.mechanisms") continue;  // librdkafka takes both names
    mechanism_given = true;
    std::string_view feature = feature_of_mechanism(value);
    if (feature.empty()) {
      out.emplace_back(key, "unknown SASL mechanism '" + value + "' (librdkafka knows GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER)");
    } else if (!has_feature(features, feature)) {
      out.emplace_back(key, "SASL mechanism " + value + " needs librdkafka built with " + std::string(feature) +
                                ", and the one logship uses has only: " + std::string(features));
    }
  }
  if (protocol) {
    std::string p = lower(*protocol);
    bool sasl = p.rfind("sasl_", 0) == 0;
    bool ssl = p == "ssl" || p == "sasl_ssl";
    if (sasl && !has_feature(features, "sasl")) {
      out.emplace_back("security.protocol", *protocol + " needs librdkafka built with SASL, and the one logship uses has only: " + std::string(features));
    } else if (sasl && !mechanism_given && !has_feature(features, "sasl_gssapi")) {
      out.emplace_back("security.protocol", *protocol + " without sasl.mechanism means GSSAPI (Kerberos), which the librdkafka logship uses lacks: set sasl.mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)");
    }
    if (ssl && !has_feature(features, "ssl")) {
      out.emplace_back("security.protocol", *protocol + " needs librdkafka built with TLS (ssl), and the one logship uses has only: " + std::string(features));
    }
  }
  return out;
}

const std::string& kafka_builtin_features() {
  static const std::string features = [] {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char buf[1024] = "";
    size_t size = sizeof(buf);
    if (rd_kafka_conf_get(conf, "builtin.features", buf, &size) != RD_KAFKA_CONF_OK) buf[0] = '\0';
    rd_kafka_conf_destroy(conf);
    return std::string(buf);
  }();
  return features;
}

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
