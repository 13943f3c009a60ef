#include "sinks/kafka/kafka_conf.h"

namespace logship {

void kafka_conf_set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, std::string& error) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK && error.empty()) {
    error = key + ": " + err;
  }
}

}  // namespace logship
