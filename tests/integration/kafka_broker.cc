#include "tests/integration/kafka_broker.h"

#include <librdkafka/rdkafka.h>

#include "tests/support/test_support.h"

namespace logship::testing {

bool KafkaBroker::start(const std::vector<std::string>& properties) {
  std::vector<std::string> argv{"/bin/bash", std::string(LOGSHIP_SOURCE_DIR) + "/scripts/kafka-broker", "start", dir_};
  argv.insert(argv.end(), properties.begin(), properties.end());
  bootstrap_ = run_for_value(argv, dir_ + ".start", "KAFKA_BOOTSTRAP", std::chrono::seconds(300));
  running_ = !bootstrap_.empty();
  return running_;
}

int KafkaBroker::port(const std::string& name) const {
  std::string key = "KAFKA_PORT_" + name + "=";
  for (const auto& line : read_lines(dir_ + "/ports.env"))
    if (line.rfind(key, 0) == 0) return std::stoi(line.substr(key.size()));
  return 0;
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

namespace {

// Runs one admin request and waits for its result event; the error text, or "".
template <class Submit, class Check>
std::string admin(const std::string& bootstrap, Submit submit, Check check) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  submit(rk, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  std::string error = !ev ? "admin request timed out" : rd_kafka_event_error(ev) ? rd_kafka_event_error_string(ev) : check(ev);
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_destroy(rk);
  return error;
}

}  // namespace

std::string create_topic(const std::string& bootstrap, const std::string& topic, int partitions,
                         const std::vector<std::pair<std::string, std::string>>& configs) {
  return admin(
      bootstrap,
      [&](rd_kafka_t* rk, rd_kafka_queue_t* q) {
        char err[256];
        rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof(err));
        for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
        rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
        rd_kafka_NewTopic_destroy(nt);
      },
      [](rd_kafka_event_t* ev) -> std::string {
        size_t n = 0;
        const rd_kafka_topic_result_t** r = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        for (size_t i = 0; i < n; ++i)
          if (rd_kafka_topic_result_error(r[i])) return rd_kafka_topic_result_error_string(r[i]);
        return "";
      });
}

std::string allow(const std::string& bootstrap, const std::string& principal, const std::string& operation, const std::string& topic) {
  static const std::map<std::string, rd_kafka_AclOperation_t> ops{{"WRITE", RD_KAFKA_ACL_OPERATION_WRITE},
                                                                  {"DESCRIBE", RD_KAFKA_ACL_OPERATION_DESCRIBE},
                                                                  {"READ", RD_KAFKA_ACL_OPERATION_READ},
                                                                  {"IDEMPOTENT_WRITE", RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE}};
  return admin(
      bootstrap,
      [&](rd_kafka_t* rk, rd_kafka_queue_t* q) {
        char err[256];
        rd_kafka_AclBinding_t* acl = rd_kafka_AclBinding_new(
            topic.empty() ? RD_KAFKA_RESOURCE_BROKER : RD_KAFKA_RESOURCE_TOPIC, topic.empty() ? "kafka-cluster" : topic.c_str(),
            RD_KAFKA_RESOURCE_PATTERN_LITERAL, principal.c_str(), "*", ops.at(operation), RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof(err));
        rd_kafka_CreateAcls(rk, &acl, 1, nullptr, q);
        rd_kafka_AclBinding_destroy(acl);
      },
      [](rd_kafka_event_t* ev) -> std::string {
        size_t n = 0;
        const rd_kafka_acl_result_t** r = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
        for (size_t i = 0; i < n; ++i)
          if (const rd_kafka_error_t* e = rd_kafka_acl_result_error(r[i])) return rd_kafka_error_string(e);
        return "";
      });
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
                                         std::chrono::milliseconds timeout, std::chrono::milliseconds quiet) {
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
  auto last_message = std::chrono::steady_clock::now();
  auto more = [&] {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    return out.size() < count || (quiet.count() > 0 && now - last_message < quiet);
  };
  while (more()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (!m) continue;
    last_message = std::chrono::steady_clock::now();
    if (!m->err) {
      ConsumedMessage c;
      c.key.assign(static_cast<const char*>(m->key), m->key_len);
      c.value.assign(static_cast<const char*>(m->payload), m->len);
      c.partition = m->partition;
      c.offset = m->offset;
      c.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
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
