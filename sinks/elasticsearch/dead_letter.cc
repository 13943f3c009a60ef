#include "sinks/elasticsearch/dead_letter.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "sinks/elasticsearch/bulk_response.h"
#include "sinks/kafka/kafka_conf.h"

namespace logship {

const Schema<DeadLetterConfig>& DeadLetterConfig::schema() {
  static const auto s =
      Schema<DeadLetterConfig>()
          .choice("type", &DeadLetterConfig::type, {"file", "kafka", "index"}, "Where refused documents go.")
          .field("path", &DeadLetterConfig::file_path, "type file: the NDJSON file (default: <data_dir>/<sink name>.dead-letter.ndjson).")
          .field("bootstrap_servers", &DeadLetterConfig::bootstrap_servers, "type kafka: brokers, host:port, comma-separated.")
          .field("topic", &DeadLetterConfig::topic, "type kafka: the topic.")
          .field("librdkafka", &DeadLetterConfig::librdkafka, "type kafka: librdkafka producer properties, passed through.")
          .field("index", &DeadLetterConfig::index, "type index: the index or data stream on the sink's own cluster (event.original is kept as text).");
  return s;
}

void DeadLetterConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (type == "kafka" && bootstrap_servers.empty())
    errors.add(node, join_path(path, "bootstrap_servers"), "missing required key (type kafka)");
  if (type == "index" && index.empty()) errors.add(node["index"], join_path(path, "index"), "must not be empty");
}

void append_dead_letter_record(std::string& out, const DeadLetter& d) {
  out.append("{\"@timestamp\":\"");
  append_rfc3339_millis(out, now_unix_nanos());
  out.append("\",\"event\":{\"id\":");
  append_json_string(out, d.event_id);
  out.append(",\"dataset\":");
  append_json_string(out, d.dataset);
  out.append(",\"original\":");
  std::string_view doc = d.document;
  while (!doc.empty() && doc.back() == '\n') doc.remove_suffix(1);
  append_json_string(out, doc);
  out.append("},\"error\":{\"code\":\"");
  append_uint(out, static_cast<uint64_t>(d.status));
  out.append("\",\"type\":");
  append_json_string(out, d.error_type);
  out.append(",\"message\":");
  append_json_string(out, d.error_reason);
  out.append("},\"logship\":{\"index\":");
  append_json_string(out, d.index);
  out.append("}}\n");
}

namespace {

// What the delivery reports of one write() say.
struct KafkaOutcome {
  int pending = 0;
  rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
};

class FileDeadLetter final : public DeadLetterWriter {
 public:
  explicit FileDeadLetter(std::string path) : path_(std::move(path)) {}
  ~FileDeadLetter() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status write(const std::vector<DeadLetter>& letters) override {
    if (fd_ < 0) {
      std::error_code ec;  // data_dir may not exist yet: a Kafka -> Elasticsearch pipeline keeps nothing else there
      std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
      fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
      if (fd_ < 0) return Error::io("cannot open dead-letter file " + path_, errno);
    }
    buf_.clear();
    for (const auto& l : letters) append_dead_letter_record(buf_, l);
    size_t done = 0;
    while (done < buf_.size()) {
      ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error::io("cannot write dead-letter file " + path_, errno);
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd_) != 0) return Error::io("cannot fsync dead-letter file " + path_, errno);
    return {};
  }
  std::string describe() const override { return "file " + path_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string buf_;
};

class KafkaDeadLetter final : public DeadLetterWriter {
 public:
  static Result<std::unique_ptr<KafkaDeadLetter>> create(const DeadLetterConfig& c) {
    std::string error;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    kafka_conf_set(conf, "bootstrap.servers", c.bootstrap_servers, error);
    kafka_conf_set(conf, "client.id", "logship-dead-letter", error);
    kafka_conf_set(conf, "enable.idempotence", "true", error);
    kafka_conf_set(conf, "acks", "all", error);
    kafka_conf_set(conf, "message.timeout.ms", "30000", error);  // a write fails, then the sink retries it
    for (const auto& [k, v] : c.librdkafka) kafka_conf_set(conf, k, v, error);
    if (!error.empty()) {
      rd_kafka_conf_destroy(conf);
      return Error::invalid("dead_letter: librdkafka rejects " + error);
    }
    auto w = std::unique_ptr<KafkaDeadLetter>(new KafkaDeadLetter(c.topic));
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaDeadLetter::on_delivery);
    char err[512];
    w->rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!w->rk_) {
      rd_kafka_conf_destroy(conf);
      return Error::invalid(std::string("dead_letter: cannot create Kafka producer: ") + err);
    }
    return w;
  }
  ~KafkaDeadLetter() override {
    if (rk_) {
      rd_kafka_flush(rk_, 5000);
      rd_kafka_destroy(rk_);
    }
  }
  Status write(const std::vector<DeadLetter>& letters) override {
    KafkaOutcome outcome;
    std::string record;
    for (const auto& l : letters) {
      record.clear();
      append_dead_letter_record(record, l);
      record.pop_back();
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(record.data(), record.size()),
          RD_KAFKA_V_HEADER("event.id", l.event_id.data(), static_cast<ssize_t>(l.event_id.size())),
          RD_KAFKA_V_OPAQUE(&outcome), RD_KAFKA_V_END);
      if (err) return Error{ErrorCode::kIo, std::string("dead_letter: kafka produce failed: ") + rd_kafka_err2str(err)};
      ++outcome.pending;
    }
    // Wait for every acknowledgement: only then may the documents be acknowledged upstream.
    while (outcome.pending > 0) rd_kafka_poll(rk_, 100);
    if (outcome.first_error) return Error{ErrorCode::kIo, std::string("dead_letter: kafka refused: ") + rd_kafka_err2str(outcome.first_error)};
    return {};
  }
  std::string describe() const override { return "kafka topic " + topic_; }

 private:
  explicit KafkaDeadLetter(std::string topic) : topic_(std::move(topic)) {}
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
    auto* outcome = static_cast<KafkaOutcome*>(msg->_private);
    if (msg->err && !outcome->first_error) outcome->first_error = msg->err;
    --outcome->pending;
  }
  std::string topic_;
  rd_kafka_t* rk_ = nullptr;
};

class IndexDeadLetter final : public DeadLetterWriter {
 public:
  IndexDeadLetter(const EsConnection& conn, std::string index) : client_(conn), index_(std::move(index)) {}
  Status write(const std::vector<DeadLetter>& letters) override {
    body_.clear();
    for (const auto& l : letters) {
      body_.append("{\"create\":{\"_index\":");
      append_json_string(body_, index_);
      body_.append(",\"_id\":");
      append_json_string(body_, l.event_id);
      body_.append("}}\n");
      append_dead_letter_record(body_, l);
    }
    EsResponse r = client_.request("POST", "/_bulk?filter_path=errors,items.*.status,items.*.error", body_, "application/x-ndjson");
    if (!r.ok()) return Error{ErrorCode::kIo, "dead_letter: index " + index_ + ": " + r.describe()};
    std::string error;
    if (!reader_.read(r.body, letters.size(), items_, error)) return Error{ErrorCode::kIo, "dead_letter: index " + index_ + ": " + error};
    // A 409 is a record written by an earlier attempt: fine. Anything else failed.
    for (const BulkItem& item : items_) {
      ItemOutcome outcome = classify_item(item.status);
      if (outcome != ItemOutcome::kCreated && outcome != ItemOutcome::kConflict)
        return Error{ErrorCode::kIo, "dead_letter: index " + index_ + " refused a record (" + std::to_string(item.status) + " " +
                                         item.error_type + "): " + item.error_reason};
    }
    return {};
  }
  std::string describe() const override { return "index " + index_; }

 private:
  EsClient client_;
  std::string index_;
  std::string body_;
  BulkResponseReader reader_;
  std::vector<BulkItem> items_;
};

}  // namespace

Result<std::unique_ptr<DeadLetterWriter>> make_dead_letter_writer(const DeadLetterConfig& config, const EsConnection& cluster,
                                                                  const std::string& default_path) {
  if (config.type == "kafka") {
    auto w = KafkaDeadLetter::create(config);
    if (!w) return w.error();
    return std::unique_ptr<DeadLetterWriter>(std::move(w.value()));
  }
  if (config.type == "index") return std::unique_ptr<DeadLetterWriter>(new IndexDeadLetter(cluster, config.index));
  return std::unique_ptr<DeadLetterWriter>(new FileDeadLetter(config.file_path.empty() ? default_path : config.file_path));
}

}  // namespace logship
