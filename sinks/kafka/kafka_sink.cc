#include "sinks/kafka/kafka_sink.h"

#include <cstring>

#include "core/event_id.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/plain_encoder.h"
#include "sinks/kafka/kafka_conf.h"

namespace logship {

// A batch's messages on their way: the batch is acknowledged when the last is delivered.
// Not the batch itself: librdkafka holds copies of the values (bounded by buffer_bytes), so the
// batch's raw and encoded bytes (2-3x the values) go back to the pool as soon as write()
// returns. Measured: peak RSS file -> Kafka at full speed 107 -> 75 MiB, same speed.
struct KafkaSink::InFlight {
  AckToken ack;
  std::atomic<int> remaining{0};
  std::string key;
  KafkaSink* sink;
  std::chrono::steady_clock::time_point produced_at = std::chrono::steady_clock::now();

  // One message (or the producing itself) is finished; the last one acknowledges the batch.
  void done_one() {
    if (remaining.fetch_sub(1) == 1) {
      sink->delivery_nanos_.add(static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - produced_at).count()));
      sink->delivered_batches_.add();
      ack.ack();
      delete this;
    }
  }
};

namespace {

constexpr size_t kEnvelopeBytes = 512;  // key, headers and protocol overhead next to a value

// The producer settings logship chooses, then the user's passthrough ones (which win).
rd_kafka_conf_t* make_conf(const KafkaSinkConfig& c, std::string& error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  kafka_conf_set(conf, "bootstrap.servers", c.bootstrap_servers, error);
  kafka_conf_set(conf, "client.id", "logship", error);
  kafka_conf_set(conf, "enable.idempotence", "true", error);
  kafka_conf_set(conf, "acks", c.acks, error);
  kafka_conf_set(conf, "compression.type", c.compression, error);
  // Level 1 rather than the codec's default (3 for zstd): measured 83 -> 111 MB/s file -> Kafka
  // on 2 cores for a few percent of size; a sidecar's CPU is the app server's.
  if (c.compression == "zstd" || c.compression == "gzip" || c.compression == "lz4") kafka_conf_set(conf, "compression.level", "1", error);
  kafka_conf_set(conf, "linger.ms", std::to_string(c.linger.value.count()), error);
  // Messages without a key (key: none) stay on one partition for this long before moving to
  // another; librdkafka's default, twice linger.ms, would put a whole burst of lines (200k in
  // a test) on a single partition now that linger is 100 ms, and one consumer would get it all.
  kafka_conf_set(conf, "sticky.partitioning.linger.ms", "10", error);
  kafka_conf_set(conf, "message.timeout.ms", "0", error);  // never give up on a message: the broker comes back
  kafka_conf_set(conf, "queue.buffering.max.kbytes", std::to_string(std::max<uint64_t>(1, c.buffer_bytes.value / 1024)), error);
  kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", error);
  kafka_conf_set(conf, "message.max.bytes", std::to_string(std::max<uint64_t>(1000000, c.max_message_bytes.value + kEnvelopeBytes)), error);
  kafka_conf_set(conf, "statistics.interval.ms", std::to_string(c.stats_interval.value.count()), error);
  for (const auto& [k, v] : c.librdkafka) kafka_conf_set(conf, k, v, error);
  return conf;
}

}  // namespace

const Schema<KafkaCreateTopics>& KafkaCreateTopics::schema() {
  static const auto s = Schema<KafkaCreateTopics>()
                            .field("partitions", &KafkaCreateTopics::partitions, "Partitions of a topic logship creates.")
                            .field("replication_factor", &KafkaCreateTopics::replication_factor, "Replicas of a topic logship creates.");
  return s;
}

const Schema<KafkaSinkConfig>& KafkaSinkConfig::schema() {
  static const auto s =
      Schema<KafkaSinkConfig>()
          .field("bootstrap_servers", &KafkaSinkConfig::bootstrap_servers, "Brokers to start from, host:port, comma-separated.")
          .required()
          .field("topic", &KafkaSinkConfig::topic, "Topic, with {{ event.dataset }}, {{ host.name }}, {{ log.file.path }} or {{ source }} filled in per batch.")
          .field("key", &KafkaSinkConfig::key, "Message key: file (the source file's identity: one file stays ordered in one partition), none, or a template.")
          .choice("compression", &KafkaSinkConfig::compression, {"none", "gzip", "snappy", "lz4", "zstd"}, "Compression of message batches.")
          .choice("acks", &KafkaSinkConfig::acks, {"all", "1", "0"}, "Acknowledgements the broker gives before a message counts as delivered (all with idempotence: no loss, no duplicate from retries).")
          .field("max_message_bytes", &KafkaSinkConfig::max_message_bytes, "Largest event sent whole; a larger one is re-encoded with its text cut to fit and flagged truncated. Keep it under the broker's message.max.bytes.")
          .field("buffer_bytes", &KafkaSinkConfig::buffer_bytes, "Bound of the producer's queue; when full (broker slow or down) the pipeline pauses reading.")
          .field("linger", &KafkaSinkConfig::linger, "How long the producer waits to fill a batch (a batch also leaves once it holds batch.size bytes).")
          .nested("create_topics", &KafkaSinkConfig::create_topics, KafkaCreateTopics::schema(), "Create topics that do not exist yet, with the admin API.")
          .field("stats_interval", &KafkaSinkConfig::stats_interval,
                 "How often librdkafka's statistics refresh the producer's metrics (queue, broker round trip, requests in flight, batch sizes); 0 turns them off.")
          .field("headers", &KafkaSinkConfig::headers, "Also send event.id and event.dataset as record headers (they are in every event anyway; logship's kafka source reads them there). Costs ~15 % more CPU.")
          .field("librdkafka", &KafkaSinkConfig::librdkafka, "Any librdkafka producer property, passed through (TLS, SASL/SCRAM…); it overrides logship's choice.");
  return s;
}

void KafkaSinkConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  std::string error;
  EventTemplate t;
  if (!EventTemplate::parse(topic, t, error)) errors.add(node["topic"], join_path(path, "topic"), error);
  error.clear();
  if (key != "file" && key != "none" && !EventTemplate::parse(key, t, error)) errors.add(node["key"], join_path(path, "key"), error);
  if (max_message_bytes.value < 1024) errors.add(node["max_message_bytes"], join_path(path, "max_message_bytes"), "must be at least 1KiB");
  error.clear();
  rd_kafka_conf_t* conf = make_conf(*this, error);  // pure: checks names and values, connects nowhere
  rd_kafka_conf_destroy(conf);
  if (!error.empty()) {
    size_t colon = error.find(':');
    std::string key_name = error.substr(0, colon);
    bool passthrough = false;
    for (const auto& [k, v] : librdkafka) passthrough |= k == key_name;
    errors.add(passthrough ? node["librdkafka"][key_name] : node, passthrough ? join_path(path, "librdkafka." + key_name) : path,
               "librdkafka rejects " + error);
  }
}

KafkaSink::KafkaSink(KafkaSinkConfig config, std::string name)
    : config_(std::move(config)),
      name_(std::move(name)),
      delivered_(metrics().counter("logship_kafka_delivered_events_total", "Events Kafka acknowledged.", {{"component", name_}})),
      failed_(metrics().counter("logship_kafka_failed_events_total", "Events Kafka refused for good (logged).", {{"component", name_}})),
      truncated_(metrics().counter("logship_kafka_truncated_events_total", "Events cut to max_message_bytes.", {{"component", name_}})),
      blocked_nanos_(metrics().seconds_counter("logship_kafka_blocked_seconds_total", "Time write() waited for room in the producer queue.", {{"component", name_}})),
      blocked_(metrics().gauge("logship_kafka_blocked", "1 while the producer queue is full (broker slow or down).", {{"component", name_}})),
      in_flight_gauge_(metrics().gauge("logship_kafka_in_flight_messages", "Messages produced and not yet acknowledged.", {{"component", name_}})),
      delivery_nanos_(metrics().seconds_counter("logship_kafka_batch_delivery_seconds_total",
                                                "Time from producing a batch to its last delivery report, summed; divide by logship_kafka_delivered_batches_total for the mean.",
                                                {{"component", name_}})),
      delivered_batches_(metrics().counter("logship_kafka_delivered_batches_total", "Batches whose every message Kafka acknowledged.", {{"component", name_}})) {}

Result<std::unique_ptr<KafkaSink>> KafkaSink::create(const KafkaSinkConfig& config, const BuildContext& ctx) {
  std::unique_ptr<KafkaSink> sink(new KafkaSink(config, ctx.name));
  std::string error;
  if (!EventTemplate::parse(config.topic, sink->topic_template_, error)) return Error::invalid(error);
  if (config.key != "file" && config.key != "none") {
    sink->key_template_.emplace();
    if (!EventTemplate::parse(config.key, *sink->key_template_, error)) return Error::invalid(error);
  }
  if (Status s = sink->start(); !s) return s.error();
  return sink;
}

Status KafkaSink::start() {
  std::string error;
  rd_kafka_conf_t* conf = make_conf(config_, error);
  if (!error.empty()) {
    rd_kafka_conf_destroy(conf);
    return Error::invalid(error);
  }
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &KafkaSink::on_error);
  rd_kafka_conf_set_stats_cb(conf, &KafkaSink::on_stats);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    return Error::invalid(std::string("cannot create Kafka producer: ") + err);
  }
  stats_collector_ = metrics().add_collector([this](std::vector<Sample>& out) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    if (have_stats_) append_kafka_stats_samples(stats_, name_, out);
  });
  // Delivery reports (and statistics) are served here, whether or not batches keep coming.
  poller_ = std::thread([this] {
    while (!stop_poll_.load()) rd_kafka_poll(rk_, 100);
  });
  log_info("kafka producer started", {{"component", name_}, {"bootstrap_servers", config_.bootstrap_servers}});
  return {};
}

KafkaSink::~KafkaSink() {
  if (stats_collector_) metrics().remove_collector(stats_collector_);
  stop_poll_.store(true);
  if (poller_.joinable()) poller_.join();
  for (auto& [name, t] : topics_) rd_kafka_topic_destroy(t);
  if (rk_) {
    rd_kafka_flush(rk_, 0);
    if (int64_t left = in_flight_.load(); left > 0)
      log_warn("kafka messages not delivered at exit; their lines are read again at the next start",
               {{"component", name_}, {"messages", std::to_string(left)}});
    rd_kafka_destroy(rk_);
  }
}

void KafkaSink::on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  Level level = code == RD_KAFKA_RESP_ERR__FATAL ? Level::kError : Level::kWarn;
  log(level, "kafka", {{"component", self->name_}, {"error", rd_kafka_err2name(code)}, {"reason", reason}});
}

int KafkaSink::on_stats(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  KafkaProducerStats parsed;
  std::string error;
  if (!parse_kafka_stats(std::string_view(json, json_len), parsed, error)) {
    log_warn("kafka statistics not understood", {{"component", self->name_}, {"error", error}});
    return 0;
  }
  std::lock_guard<std::mutex> lock(self->stats_mu_);
  self->stats_ = std::move(parsed);
  self->have_stats_ = true;
  return 0;  // librdkafka frees the document
}

void KafkaSink::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
  auto* f = static_cast<InFlight*>(msg->_private);
  KafkaSink* self = f->sink;
  if (msg->err) {
    // With message.timeout.ms=0 librdkafka only reports errors it will never overcome (a
    // topic that cannot exist, authorisation, a message too large for the broker).
    self->failed_.add();
    log_error("kafka refused a message", {{"component", self->name_}, {"error", rd_kafka_err2str(msg->err)},
                                          {"topic", msg->rkt ? rd_kafka_topic_name(msg->rkt) : ""}});
  } else {
    self->delivered_.add();
  }
  self->in_flight_gauge_.set(--self->in_flight_);
  f->done_one();
}

void KafkaSink::ensure_topic(const std::string& name) {
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), static_cast<int>(config_.create_topics->partitions),
                                                   static_cast<int>(config_.create_topics->replication_factor), nullptr, 0);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk_);
  rd_kafka_CreateTopics(rk_, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (ev) {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) log_info("kafka topic created", {{"component", name_}, {"topic", name}});
      else if (err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        log_warn("kafka topic not created", {{"component", name_}, {"topic", name}, {"error", rd_kafka_err2str(err)}});
    }
    rd_kafka_event_destroy(ev);
  } else {
    log_warn("kafka topic creation timed out", {{"component", name_}, {"topic", name}});
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
}

rd_kafka_topic_t* KafkaSink::topic_for(const Batch& batch) {
  topic_template_.render(*batch.origin, scratch_);
  auto it = topics_.find(scratch_);
  if (it != topics_.end()) return it->second;
  if (config_.create_topics) ensure_topic(scratch_);
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, scratch_.c_str(), nullptr);
  topics_.emplace(scratch_, t);
  return t;
}

void KafkaSink::produce_one(InFlight* f, rd_kafka_topic_t* topic, const Batch& batch, const EventView& e) {
  std::string_view value = batch.encoded_text(e);
  if (!value.empty() && value.back() == '\n') value.remove_suffix(1);
  std::string replacement;
  int copy_flag = RD_KAFKA_MSG_F_COPY;  // see InFlight
  if (value.size() + kEnvelopeBytes > config_.max_message_bytes.value) {
    // Too large for the broker: the same event with its text cut to fit, flagged truncated.
    Batch one;
    one.origin = batch.origin;
    one.read_time_nanos = batch.read_time_nanos;
    std::string_view raw = batch.raw_text(e);
    size_t keep = config_.max_message_bytes.value > 2 * kEnvelopeBytes ? (config_.max_message_bytes.value - 2 * kEnvelopeBytes) / 6 : 16;
    one.add_raw_event(raw.substr(0, std::min(raw.size(), keep)), e.offset, e.end_offset, e.flags | kFlagTruncated);
    encode_plain(one);
    replacement = one.encoded.substr(0, one.encoded.size() - 1);
    value = replacement;
    truncated_.add();
  }
  rd_kafka_headers_t* headers = nullptr;  // librdkafka's once produced
  if (config_.headers) {
    std::string& id = id_scratch_;  // reused: an id (32 bytes) does not fit std::string's own buffer
    id.clear();
    append_event_id(id, batch.origin->id_seed, e.offset, batch.raw_text(e));
    headers = rd_kafka_headers_new(2);
    rd_kafka_header_add(headers, "event.id", -1, id.data(), static_cast<ssize_t>(id.size()));
    rd_kafka_header_add(headers, "event.dataset", -1, batch.origin->dataset.data(), static_cast<ssize_t>(batch.origin->dataset.size()));
  }
  std::optional<std::chrono::steady_clock::time_point> blocked_since;
  while (true) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(copy_flag),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_KEY(f->key.empty() ? nullptr : f->key.data(), f->key.size()),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(f), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (headers) rd_kafka_headers_destroy(headers);  // not taken over on failure
      // Not something waiting fixes: count it, and let the batch be acknowledged.
      failed_.add();
      log_error("kafka produce failed", {{"component", name_}, {"error", rd_kafka_err2str(err)}});
      f->done_one();
      return;
    }
    // The queue is full: the broker is slow or away. Wait for room; the pipeline behind us
    // fills and reading pauses. Said once per spell (and at most every 30 s), not per message.
    auto now = std::chrono::steady_clock::now();
    if (!blocked_since) {
      blocked_since = now;
      blocked_.set(1);
      if (now - last_blocked_log_ > std::chrono::seconds(30)) {
        log_warn("kafka sink blocked: producer queue full (broker slow or unreachable); reading pauses",
                 {{"component", name_}, {"buffer_bytes", std::to_string(config_.buffer_bytes.value)}});
        last_blocked_log_ = now;
        blocked_logged_ = true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (blocked_since) {
    blocked_nanos_.add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - *blocked_since).count()));
    blocked_.set(0);
    if (blocked_logged_) log_info("kafka sink unblocked", {{"component", name_}});
    blocked_logged_ = false;
  }
  in_flight_gauge_.set(++in_flight_);
}

void KafkaSink::produce(const BatchPtr& batch) {
  if (batch->events.empty()) {
    batch->ack.ack();
    return;
  }
  auto* f = new InFlight;
  f->ack = batch->ack;
  f->sink = this;
  // One extra count while producing, so deliveries racing ahead cannot finish the batch early.
  f->remaining.store(static_cast<int>(batch->events.size()) + 1);
  if (config_.key == "file") {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(batch->origin->id_seed));
    f->key.assign(buf, 16);
  } else if (key_template_) {
    key_template_->render(*batch->origin, f->key);
  }
  rd_kafka_topic_t* topic = topic_for(*batch);
  for (const EventView& e : batch->events) produce_one(f, topic, *batch, e);
  f->done_one();
}

SinkResult KafkaSink::write(std::span<const BatchPtr> batches) {
  for (const auto& b : batches) produce(b);
  return SinkResult::kAsync;
}

void KafkaSink::drain(const Deadline& deadline) {
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline()) rd_kafka_flush(rk_, 100);
}

}  // namespace logship
