#include "tests/integration/kafka_broker.h"

#include <librdkafka/rdkafka.h>

#include "tests/support/test_support.h"

namespace logship::testing {

bool KafkaBroker::start() {
  bootstrap_ = run_for_value({"/bin/bash", std::string(LOGSHIP_SOURCE_DIR) + "/scripts/kafka-broker", "start", dir_}, dir_ + ".start",
                             "KAFKA_BOOTSTRAP", std::chrono::seconds(300));
  running_ = !bootstrap_.empty();
  return running_;
}

void KafkaBroker::stop() {
  if (!running_) return;
  Process p({"/bin/bash", std::string(LOGSHIP_SOURCE_DIR) + "/scripts/kafka-broker", "stop", dir_});
  p.wait(std::chrono::seconds(60));
  running_ = false;
}

bool KafkaBroker::restart_same_port() {
  stop();
  // The broker's properties keep their ports; start it again on them.
  Process p({"/bin/bash", std::string(LOGSHIP_SOURCE_DIR) + "/scripts/kafka-broker", "restart", dir_}, dir_ + ".restart.err",
            dir_ + ".restart.out");
  running_ = p.wait(std::chrono::seconds(300)) == 0;
  return running_;
}

void produce_plain(const std::string& bootstrap, const std::string& topic, const std::vector<std::string>& values) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  for (const auto& v : values) {
    while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()), RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
      rd_kafka_poll(rk, 100);
  }
  rd_kafka_flush(rk, 60000);
  rd_kafka_destroy(rk);
}

std::vector<ConsumedMessage> consume_all(const std::string& bootstrap, const std::string& topic, size_t count,
                                         std::chrono::milliseconds timeout) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  std::string group = "test-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof(err));
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  std::vector<ConsumedMessage> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (!m) continue;
    if (!m->err) {
      ConsumedMessage c;
      c.key.assign(static_cast<const char*>(m->key), m->key_len);
      c.value.assign(static_cast<const char*>(m->payload), m->len);
      c.partition = m->partition;
      c.offset = m->offset;
      rd_kafka_headers_t* hdrs = nullptr;
      if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        size_t size;
        for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
          c.headers[name] = std::string(static_cast<const char*>(value), size);
      }
      out.push_back(std::move(c));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

}  // namespace logship::testing
