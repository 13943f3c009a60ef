// TLS and SASL for logship's Kafka clients as keys of logship's own (what Filebeat and Vector
// users write), turned into librdkafka properties:
//
//   tls:  {ca_file, cert_file, key_file, key_password, verify}
//   sasl: {mechanism: PLAIN | SCRAM-SHA-256 | SCRAM-SHA-512, user, password}
//
// security.protocol follows from which are given: SSL, SASL_SSL, SASL_PLAINTEXT (warned about:
// the password crosses the network in clear with PLAIN). The `librdkafka:` passthrough still
// wins over what these set.
#pragma once

#include <librdkafka/rdkafka.h>

#include <optional>
#include <string>
#include <vector>

#include "core/config/config_errors.h"
#include "core/config/schema.h"

namespace logship {

struct KafkaTls {
  std::string ca_file;       // PEM: the brokers' certificate authority (default: the system's)
  std::string cert_file;     // PEM: this client's certificate, for brokers that ask for one (mTLS)
  std::string key_file;      // PEM: its private key
  std::string key_password;  // of an encrypted key_file
  bool verify = true;        // the brokers' certificate and host name
  static const Schema<KafkaTls>& schema();
};

struct KafkaSasl {
  std::string mechanism = "SCRAM-SHA-512";
  std::string user;
  std::string password;
  static const Schema<KafkaSasl>& schema();
};

// Sets security.protocol and the ssl.* / sasl.* properties on `conf` (first error kept).
void apply_kafka_security(rd_kafka_conf_t* conf, const std::optional<KafkaTls>& tls, const std::optional<KafkaSasl>& sasl,
                          std::string& error);

// Problems `validate` reports: files that cannot be read, a key without its certificate, a
// mechanism this librdkafka lacks, a user without a password.
void validate_kafka_security(const YAML::Node& node, const std::string& path, const std::optional<KafkaTls>& tls,
                             const std::optional<KafkaSasl>& sasl, ConfigErrors& errors);

// What is worth a warning at start: certificates not checked, a password sent in clear.
std::vector<std::string> kafka_security_warnings(const std::optional<KafkaTls>& tls, const std::optional<KafkaSasl>& sasl);

}  // namespace logship
