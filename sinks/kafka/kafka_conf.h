// Building librdkafka configurations, shared by the kafka sink and the kafka source: every
// setting goes through one function that keeps the first error ("key: reason") for the caller.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

namespace logship {

// Sets `key` to `value`; on failure records "key: reason" in `error` unless one is there.
void kafka_conf_set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, std::string& error);

}  // namespace logship
