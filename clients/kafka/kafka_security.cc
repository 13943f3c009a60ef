#include "clients/kafka/kafka_security.h"

#include "clients/kafka/kafka_conf.h"
#include "core/config/tls_files.h"

namespace logship {

namespace {

// The librdkafka properties the settings stand for, in the order they are set.
std::vector<std::pair<std::string, std::string>> security_properties(const std::optional<KafkaTls>& tls,
                                                                     const std::optional<KafkaSasl>& sasl) {
  std::vector<std::pair<std::string, std::string>> p;
  if (!tls && !sasl) return p;
  p.emplace_back("security.protocol", sasl ? (tls ? "SASL_SSL" : "SASL_PLAINTEXT") : "SSL");
  if (tls) {
    if (!tls->ca_file.empty()) p.emplace_back("ssl.ca.location", tls->ca_file);
    if (!tls->cert_file.empty()) p.emplace_back("ssl.certificate.location", tls->cert_file);
    if (!tls->key_file.empty()) p.emplace_back("ssl.key.location", tls->key_file);
    if (!tls->key_password.empty()) p.emplace_back("ssl.key.password", tls->key_password);
    p.emplace_back("enable.ssl.certificate.verification", tls->verify ? "true" : "false");
    // The host name too, as Kafka's Java clients do by default.
    p.emplace_back("ssl.endpoint.identification.algorithm", tls->verify ? "https" : "none");
  }
  if (sasl) {
    p.emplace_back("sasl.mechanism", sasl->mechanism);
    p.emplace_back("sasl.username", sasl->user);
    p.emplace_back("sasl.password", sasl->password);
  }
  return p;
}

}  // namespace

const Schema<KafkaTls>& KafkaTls::schema() {
  static const auto s =
      Schema<KafkaTls>()
          .field("ca_file", &KafkaTls::ca_file, "PEM file of the certificate authority that signed the brokers' certificates (default: the system's).")
          .field("cert_file", &KafkaTls::cert_file, "PEM file of this client's certificate, for brokers that require one (mutual TLS).")
          .field("key_file", &KafkaTls::key_file, "PEM file of the client certificate's private key.")
          .field("key_password", &KafkaTls::key_password, "Password of an encrypted key_file; write '${KAFKA_KEY_PASSWORD}' to take it from the environment.")
          .field("verify", &KafkaTls::verify, "Check the brokers' certificates and host names (turn off only for tests: logship warns at start).");
  return s;
}

const Schema<KafkaSasl>& KafkaSasl::schema() {
  static const auto s =
      Schema<KafkaSasl>()
          .choice("mechanism", &KafkaSasl::mechanism, {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}, "SASL mechanism the brokers' listener expects.")
          .field("user", &KafkaSasl::user, "SASL user name.")
          .field("password", &KafkaSasl::password, "SASL password; write '${KAFKA_PASSWORD}' to take it from the environment.");
  return s;
}

void apply_kafka_security(rd_kafka_conf_t* conf, const std::optional<KafkaTls>& tls, const std::optional<KafkaSasl>& sasl,
                          std::string& error) {
  for (const auto& [k, v] : security_properties(tls, sasl)) kafka_conf_set(conf, k, v, error);
}

void validate_kafka_security(const YAML::Node& node, const std::string& path, const std::optional<KafkaTls>& tls,
                             const std::optional<KafkaSasl>& sasl, ConfigErrors& errors) {
  if (tls)
    check_tls_files(node["tls"], join_path(path, "tls"),
                    {{"ca_file", tls->ca_file}, {"cert_file", tls->cert_file}, {"key_file", tls->key_file}}, errors);
  if (sasl) {
    const YAML::Node s = node["sasl"];
    if (sasl->user.empty()) errors.add(s, join_path(path, "sasl.user"), "missing");
    if (sasl->password.empty()) errors.add(s, join_path(path, "sasl.password"), "missing (write '${KAFKA_PASSWORD}' to take it from the environment)");
  }
  for (const auto& [k, why] : kafka_unsupported_properties(security_properties(tls, sasl), kafka_builtin_features()))
    errors.add(node[k == "sasl.mechanism" ? "sasl" : "tls"], join_path(path, k == "sasl.mechanism" ? "sasl.mechanism" : "tls"), why);
}

std::vector<std::string> kafka_security_warnings(const std::optional<KafkaTls>& tls, const std::optional<KafkaSasl>& sasl) {
  std::vector<std::string> out;
  if (tls && !tls->verify)
    out.push_back("tls.verify is false: the brokers' certificates are not checked, anyone on the path can pose as them");
  // librdkafka before 2.6.1 appends its nonce twice to the SCRAM client-final message; Kafka
  // 4 brokers compare nonces strictly and answer "invalid credentials" to a right password
  // (librdkafka pull request 4895).
  if (sasl && sasl->mechanism.rfind("SCRAM", 0) == 0 && rd_kafka_version() < 0x020601ff)
    out.push_back("sasl " + sasl->mechanism + " with librdkafka " + rd_kafka_version_str() +
                  ": Kafka 4 brokers refuse its SCRAM proof as invalid credentials (fixed in librdkafka 2.6.1); use PLAIN over tls, or a newer librdkafka");
  if (sasl && !tls)
    out.push_back("sasl without tls: the user name" + std::string(sasl->mechanism == "PLAIN" ? " and the password cross" : " crosses") +
                  " the network in clear (add tls:)");
  return out;
}

}  // namespace logship
