#include "sinks/kafka/kafka_sink.h"

#include <cstring>
#include <cstdio>
#include <deque>
#include <thread>

#include "core/event_id.h"
#include "core/json_shrink.h"
#include "core/log.h"

namespace logship {

// A delivery on its way: each message's delivery report fills in its event's outcome, and the
// last one reports the whole delivery to the runtime. The values are not copied into
// librdkafka: they point into the delivery's batches (or `replacements`), which this holds.
struct KafkaSink::Message {
  InFlight* owner;
  uint32_t pos;        // the event's place in the delivery's report
  bool alone = false;  // sent again on its own after a batch of it was too large
};

struct KafkaSink::InFlight {
  std::shared_ptr<const Delivery> delivery;
  DeliveryDone done;
  DeliveryReport report;
  std::vector<Message> messages;
  std::deque<std::string> replacements;  // cut-down events (max_message_bytes)
  std::atomic<int> remaining{0};
  std::mutex reasons_mu;  // add_reason from the sink's and the poll thread
  std::chrono::steady_clock::time_point produced_at = std::chrono::steady_clock::now();

  uint16_t reason(std::string type, std::string message, std::chrono::milliseconds after = std::chrono::milliseconds(0)) {
    std::lock_guard lock(reasons_mu);
    return report.add_reason(std::move(type), std::move(message), after);
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
  // The runtime holds at most buffer_bytes of batches in flight (their messages are smaller):
  // librdkafka's own bound stays above that, so it does not refuse a message for a full queue.
  kafka_conf_set(conf, "queue.buffering.max.kbytes", std::to_string(std::max<uint64_t>(1, 2 * c.buffer_bytes.value / 1024 + 2048)), error);
  kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", error);
  kafka_conf_set(conf, "message.max.bytes", std::to_string(std::max<uint64_t>(1000000, c.max_message_bytes.value + kEnvelopeBytes)), error);
  kafka_conf_set(conf, "statistics.interval.ms", std::to_string(c.stats_interval.value.count()), error);
  apply_kafka_security(conf, c.tls, c.sasl, error);
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
          .field("bootstrap_servers", &KafkaSinkConfig::bootstrap_servers, "Brokers to start from, host:port, comma-separated; no credentials here (they go in sasl:).")
          .required()
          .field("topic", &KafkaSinkConfig::topic, "Topic, with {{ event.dataset }}, {{ host.name }}, {{ log.file.path }} or {{ source }} filled in per batch.")
          .field("key", &KafkaSinkConfig::key, "Message key: file (the source file's identity: one file stays ordered in one partition), none, or a template.")
          .choice("compression", &KafkaSinkConfig::compression, {"none", "gzip", "snappy", "lz4", "zstd"}, "Compression of message batches.")
          .choice("acks", &KafkaSinkConfig::acks, {"all", "1", "0"}, "Acknowledgements the broker gives before a message counts as delivered (all with idempotence: no loss, no duplicate from retries).")
          .field("max_message_bytes", &KafkaSinkConfig::max_message_bytes, "Largest event sent whole; a larger one keeps its fields with its longest strings cut to fit, flagged truncated. Keep it under the topic's max.message.bytes (a larger record is refused by the broker and dead-lettered).")
          .field("buffer_bytes", &KafkaSinkConfig::buffer_bytes, "Bytes of events produced and not yet acknowledged by Kafka at most; when reached (broker slow or down) the pipeline pauses reading.")
          .field("linger", &KafkaSinkConfig::linger, "How long the producer waits to fill a batch (a batch also leaves once it holds batch.size bytes).")
          .nested("create_topics", &KafkaSinkConfig::create_topics, KafkaCreateTopics::schema(), "Create topics that do not exist yet, with the admin API (without it, and with auto-creation off on the brokers, events for an unknown topic are dead-lettered).")
          .field("stats_interval", &KafkaSinkConfig::stats_interval,
                 "How often librdkafka's statistics refresh the producer's metrics (queue, broker round trip, requests in flight, batch sizes); 0 turns them off.")
          .field("headers", &KafkaSinkConfig::headers, "Also send event.id and event.dataset as record headers (they are in every event anyway; logship's kafka source reads them there). Costs ~15 % more CPU.")
          .nested("tls", &KafkaSinkConfig::tls, KafkaTls::schema(), "TLS to the brokers (security.protocol SSL, or SASL_SSL with sasl:).")
          .nested("sasl", &KafkaSinkConfig::sasl, KafkaSasl::schema(), "SASL authentication to the brokers (SASL_SSL with tls:, SASL_PLAINTEXT without: warned about).")
          .field("librdkafka", &KafkaSinkConfig::librdkafka, "Any librdkafka producer property, passed through (TLS, SASL/SCRAM…); it overrides logship's choice.");
  return s;
}

void KafkaSinkConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (std::string why = kafka_bootstrap_servers_problem(bootstrap_servers); !why.empty())
    errors.add(node["bootstrap_servers"], join_path(path, "bootstrap_servers"), why);
  std::string error;
  EventTemplate t;
  if (!EventTemplate::parse(topic, t, error)) errors.add(node["topic"], join_path(path, "topic"), error);
  error.clear();
  if (key != "file" && key != "none" && !EventTemplate::parse(key, t, error)) errors.add(node["key"], join_path(path, "key"), error);
  if (max_message_bytes.value < 1024) errors.add(node["max_message_bytes"], join_path(path, "max_message_bytes"), "must be at least 1KiB");
  validate_kafka_security(node, path, tls, sasl, errors);
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
  for (const auto& [k, why] : kafka_unsupported_properties(librdkafka, kafka_builtin_features())) {
    errors.add(node["librdkafka"][k], join_path(path, "librdkafka." + k), why);
  }
}

KafkaSink::KafkaSink(KafkaSinkConfig config, std::string name)
    : config_(std::move(config)),
      delivered_(metrics().counter("logship_kafka_delivered_events_total", "Events Kafka acknowledged.", {{"component", name}})),
      failed_(metrics().counter("logship_kafka_failed_events_total", "Events Kafka refused for good (they go to the sink's dead letters).", {{"component", name}})),
      truncated_(metrics().counter("logship_kafka_truncated_events_total", "Events cut to max_message_bytes.", {{"component", name}})),
      in_flight_gauge_(metrics().gauge("logship_kafka_in_flight_messages", "Messages produced and not yet acknowledged.", {{"component", name}})),
      delivery_nanos_(metrics().seconds_counter("logship_kafka_batch_delivery_seconds_total",
                                                "Time from producing a delivery to its last delivery report, summed; divide by logship_kafka_delivered_batches_total for the mean.",
                                                {{"component", name}})),
      delivered_batches_(metrics().counter("logship_kafka_delivered_batches_total", "Deliveries whose every message Kafka answered.", {{"component", name}})) {
  component = std::move(name);
}

Result<std::unique_ptr<KafkaSink>> KafkaSink::create(const KafkaSinkConfig& config, const BuildContext& ctx) {
  std::unique_ptr<KafkaSink> sink(new KafkaSink(config, ctx.name));
  for (const std::string& w : kafka_security_warnings(config.tls, config.sasl)) log_warn(w, {{"component", ctx.name}});
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
  rd_kafka_conf_set_opaque(conf, static_cast<KafkaClientContext*>(this));
  kafka_route_logs(conf);
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &KafkaSink::on_error);
  rd_kafka_conf_set_throttle_cb(conf, &KafkaSink::on_throttle);
  rd_kafka_conf_set_stats_cb(conf, &KafkaSink::on_stats);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk_) {
    rd_kafka_conf_destroy(conf);
    return Error::invalid(std::string("cannot create Kafka producer: ") + err);
  }
  if (!stats_collector_) {
    stats_collector_ = metrics().add_collector([this](std::vector<Sample>& out) {
      std::lock_guard<std::mutex> lock(stats_mu_);
      if (have_stats_) append_kafka_stats_samples(stats_, component, out);
    });
  }
  // Delivery reports (and statistics) are served here, whether or not batches keep coming.
  stop_poll_.store(false);
  poller_ = std::thread([this] {
    while (!stop_poll_.load()) {
      rd_kafka_poll(rk_, solo_.load() ? 50 : 100);
      if (rd_kafka_t* solo = solo_.load()) rd_kafka_poll(solo, 0);
    }
  });
  log_info("kafka producer started", {{"component", component}, {"bootstrap_servers", config_.bootstrap_servers}});
  return {};
}

KafkaSink::~KafkaSink() {
  if (stats_collector_) metrics().remove_collector(stats_collector_);
  stop_poll_.store(true);
  if (poller_.joinable()) poller_.join();
  for (auto& [name, t] : topics_) rd_kafka_topic_destroy(t);
  for (auto& [name, p] : creating_)
    if (p.queue) rd_kafka_queue_destroy(p.queue);
  for (rd_kafka_t* rk : {solo_.load(), rk_}) {
    if (!rk) continue;
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
    rd_kafka_poll(rk, 0);  // purged messages' reports: their deliveries are freed
  }
  if (rd_kafka_t* solo = solo_.load()) rd_kafka_destroy(solo);
  if (rk_) rd_kafka_destroy(rk_);
  // What librdkafka dropped without a report (never acknowledged: read again at the next start).
  for (InFlight* f : live_) delete f;
}

void KafkaSink::on_error(rd_kafka_t* rk, int err, const char* reason, void*) {
  auto* self = static_cast<KafkaSink*>(static_cast<KafkaClientContext*>(rd_kafka_opaque(rk)));
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  // A connection that fails (refused, TLS, authentication) is already one line of librdkafka's
  // own log ("kafka: FAIL", repeats suppressed there): the same reason again only at debug.
  bool said = code == RD_KAFKA_RESP_ERR__TRANSPORT || code == RD_KAFKA_RESP_ERR__SSL || code == RD_KAFKA_RESP_ERR__AUTHENTICATION;
  Level level = code == RD_KAFKA_RESP_ERR__FATAL ? Level::kError : said ? Level::kDebug : Level::kWarn;
  log(level, "kafka", {{"component", self->component}, {"error", rd_kafka_err2name(code)}, {"reason", reason}});
  // A fatal error is the producer's, not the records': the next send starts a new one.
  if (code == RD_KAFKA_RESP_ERR__FATAL) self->fatal_.store(true);
}

// After a fatal error every message of this producer fails at once: it is replaced. What it
// still held comes back as reports (purged: retry), or, if librdkafka drops them, is answered
// retry here; the runtime sends them again through the new one.
void KafkaSink::rebuild_producer() {
  char why[512] = {};
  rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk_, why, sizeof(why));
  log_warn("kafka producer failed for good; starting a new one", {{"component", component}, {"error", rd_kafka_err2name(cause)}, {"reason", why}});
  stop_poll_.store(true);
  if (poller_.joinable()) poller_.join();
  for (rd_kafka_t* rk : {rk_, solo_.load()}) {
    if (!rk) continue;
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < until) {
    rd_kafka_poll(rk_, 10);
    if (rd_kafka_t* solo = solo_.load()) rd_kafka_poll(solo, 0);
  }
  for (auto& [name, t] : topics_) rd_kafka_topic_destroy(t);
  topics_.clear();
  for (auto& [name, p] : creating_)
    if (p.queue) rd_kafka_queue_destroy(p.queue);
  creating_.clear();
  if (rd_kafka_t* solo = solo_.exchange(nullptr)) rd_kafka_destroy(solo);
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
  std::set<InFlight*> left;
  {
    std::lock_guard lock(live_mu_);
    left.swap(live_);
  }
  for (InFlight* f : left) {
    uint16_t r = f->reason("PRODUCER_REPLACED", "the producer failed for good and was replaced before this was answered");
    for (size_t i = 0; i < f->report.events(); ++i)
      if (f->report.outcome(i) == Outcome::kUnset) f->report.set(i, Outcome::kRetry, r);
    f->done(std::move(f->report));
    delete f;
  }
  in_flight_.store(0);
  in_flight_gauge_.set(0);
  fatal_.store(false);
  if (Status s = start(); !s) log_error("cannot start a new kafka producer", {{"component", component}, {"error", s.error().message}});
}

void KafkaSink::on_throttle(rd_kafka_t* rk, const char*, int32_t, int throttle_ms, void*) {
  auto* self = static_cast<KafkaSink*>(static_cast<KafkaClientContext*>(rd_kafka_opaque(rk)));
  self->throttle_ms_.store(throttle_ms);
}

int KafkaSink::on_stats(rd_kafka_t* rk, char* json, size_t json_len, void*) {
  auto* self = static_cast<KafkaSink*>(static_cast<KafkaClientContext*>(rd_kafka_opaque(rk)));
  KafkaProducerStats parsed;
  std::string error;
  if (!parse_kafka_stats(std::string_view(json, json_len), parsed, error)) {
    log_warn("kafka statistics not understood", {{"component", self->component}, {"error", error}});
    return 0;
  }
  std::lock_guard<std::mutex> lock(self->stats_mu_);
  self->stats_ = std::move(parsed);
  self->have_stats_ = true;
  return 0;  // librdkafka frees the document
}

void KafkaSink::report_error(InFlight& f, size_t pos, rd_kafka_resp_err_t err, const char* topic) {
  std::string type = rd_kafka_err2name(err);
  std::string message = rd_kafka_err2str(err);
  bool permanent = kafka_error_is_permanent(err);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    // The producer failed for good: for want of rights (refused, as the records would be by a
    // new producer), or in its own state (sent again through a new producer).
    char why[512] = {};
    rd_kafka_resp_err_t cause = rd_kafka_fatal_error(rk_, why, sizeof(why));
    type = std::string("FATAL:") + rd_kafka_err2name(cause);
    message = why;
    permanent = cause == RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED || cause == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
                cause == RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    fatal_.store(true);
  }
  if (topic && *topic) message += " (topic " + std::string(topic) + ")";
  if (permanent) {
    failed_.add();
    f.report.set(pos, Outcome::kRejected, f.reason(std::move(type), std::move(message)));
  } else {
    f.report.set(pos, Outcome::kRetry, f.reason(std::move(type), std::move(message), std::chrono::milliseconds(throttle_ms_.load())));
  }
}

void KafkaSink::on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void*) {
  auto* self = static_cast<KafkaSink*>(static_cast<KafkaClientContext*>(rd_kafka_opaque(rk)));
  auto* m = static_cast<Message*>(msg->_private);
  InFlight* f = m->owner;
  bool too_large = msg->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || msg->err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE;
  // After abort nothing new is produced: its deliveries belong to nobody any more (a reload may
  // have handed the batch to the sink that replaces this one).
  if (too_large && !m->alone && !self->aborted_.load() && self->send_alone(*m, msg)) return;  // its report comes from that send
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->delivered_.add();
    f->report.set(m->pos, Outcome::kDelivered);
  } else if (msg->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || msg->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    f->report.set(m->pos, Outcome::kRetry, f->reason("PURGED", "given up at shutdown"));
  } else {
    // With message.timeout.ms=0 librdkafka itself waits out what is transient; what it reports
    // is mostly permanent (report_error tells which).
    self->report_error(*f, m->pos, msg->err, msg->rkt ? rd_kafka_topic_name(msg->rkt) : "");
  }
  self->in_flight_gauge_.set(--self->in_flight_);
  self->finished(f);
}

// The broker refuses a whole record batch when it is larger than the topic's max.message.bytes,
// even if only one of its records is: each of them is sent again alone (a producer that puts one
// record in each batch), and only a record refused on its own is rejected. Its order against
// the rest of its file is lost; nothing else is.
bool KafkaSink::send_alone(Message& m, const rd_kafka_message_t* msg) {
  rd_kafka_t* solo = solo_.load();
  if (!solo) {
    std::string error;
    rd_kafka_conf_t* conf = make_conf(config_, error);
    kafka_conf_set(conf, "batch.num.messages", "1", error);
    kafka_conf_set(conf, "linger.ms", "0", error);
    kafka_conf_set(conf, "client.id", "logship-alone", error);
    rd_kafka_conf_set_opaque(conf, static_cast<KafkaClientContext*>(this));
    kafka_route_logs(conf);
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::on_delivery);
    char err[512];
    solo = error.empty() ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err)) : nullptr;
    if (!solo) {
      rd_kafka_conf_destroy(conf);
      return false;
    }
    solo_.store(solo);
  }
  m.alone = true;
  rd_kafka_headers_t* headers = nullptr;
  rd_kafka_headers_t* had = nullptr;
  if (rd_kafka_message_headers(msg, &had) == RD_KAFKA_RESP_ERR_NO_ERROR && had) headers = rd_kafka_headers_copy(had);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      solo, RD_KAFKA_V_TOPIC(rd_kafka_topic_name(msg->rkt)), RD_KAFKA_V_MSGFLAGS(0), RD_KAFKA_V_VALUE(msg->payload, msg->len),
      RD_KAFKA_V_KEY(msg->key, msg->key_len), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(&m), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (headers) rd_kafka_headers_destroy(headers);
    return false;
  }
  return true;
}

void KafkaSink::finished(InFlight* f) {
  if (f->remaining.fetch_sub(1) != 1) return;
  delivery_nanos_.add(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - f->produced_at).count()));
  delivered_batches_.add();
  {
    std::lock_guard lock(live_mu_);
    live_.erase(f);
  }
  f->done(std::move(f->report));
  delete f;
}

bool valid_kafka_topic_name(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

// Topic creation never blocks a send: the first delivery for a new topic starts a CreateTopics
// request and is answered "retry"; the runtime sends it again after a backoff, and by then the
// answer is usually in. A broker that is away only means more retries.
bool KafkaSink::ensure_topic(const std::string& name, std::string& error) {
  PendingTopic& p = creating_[name];
  if (!p.queue) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), static_cast<int>(config_.create_topics->partitions),
                                                     static_cast<int>(config_.create_topics->replication_factor), nullptr, 0);
    p.queue = rd_kafka_queue_new(rk_);
    rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    char err[256];
    rd_kafka_AdminOptions_set_request_timeout(options, 10000, err, sizeof(err));
    rd_kafka_CreateTopics(rk_, &nt, 1, options, p.queue);
    rd_kafka_AdminOptions_destroy(options);
    rd_kafka_NewTopic_destroy(nt);
  }
  rd_kafka_event_t* ev = rd_kafka_queue_poll(p.queue, 0);
  if (!ev) {
    error = "creating it";
    return false;
  }
  bool done = false;
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
  size_t n = 0;
  const rd_kafka_topic_result_t** results = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
  rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
  error = e ? rd_kafka_event_error_string(ev) : "";
  for (size_t i = 0; i < n; ++i) {
    e = rd_kafka_topic_result_error(results[i]);
    if (e) error = rd_kafka_topic_result_error_string(results[i]) ? rd_kafka_topic_result_error_string(results[i]) : rd_kafka_err2str(e);
  }
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
    log_info("kafka topic created", {{"component", component}, {"topic", name}});
    done = true;
  } else if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    done = true;
  } else if (e == RD_KAFKA_RESP_ERR__TIMED_OUT || e == RD_KAFKA_RESP_ERR__TRANSPORT || e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT ||
             e == RD_KAFKA_RESP_ERR_NOT_CONTROLLER || e == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    // Not reached: asked again at the next attempt.
  } else {
    // Refused (a replication factor the cluster cannot hold, a policy): the events are produced
    // anyway and the broker's answer decides (the topic may exist or be created on use).
    log_warn("kafka topic not created; producing to it anyway", {{"component", component}, {"topic", name}, {"error", error}});
    done = true;
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(p.queue);
  creating_.erase(name);
  return done;
}

rd_kafka_topic_t* KafkaSink::topic_for(const Batch& batch, Outcome& why_outcome, std::string& why) {
  topic_template_.render(*batch.origin, scratch_);
  auto it = topics_.find(scratch_);
  if (it != topics_.end()) return it->second;
  if (!valid_kafka_topic_name(scratch_)) {
    why_outcome = Outcome::kRejected;
    why = "invalid topic name '" + scratch_ + "' (from the template '" + config_.topic + "'): Kafka takes 1-249 of a-z A-Z 0-9 . _ -";
    return nullptr;
  }
  if (config_.create_topics && !ensure_topic(scratch_, why)) {
    why_outcome = Outcome::kRetry;
    why = "topic " + scratch_ + " not created yet (" + why + ")";
    return nullptr;
  }
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, scratch_.c_str(), nullptr);
  topics_.emplace(scratch_, t);
  return t;
}

bool KafkaSink::produce_one(InFlight& f, size_t pos, rd_kafka_topic_t* topic, const std::string& key, const Batch& batch, uint32_t index) {
  const EventView& e = batch.events[index];
  std::string_view value = batch.encoded_text(e);
  if (!value.empty() && value.back() == '\n') value.remove_suffix(1);
  if (value.size() + kEnvelopeBytes > config_.max_message_bytes.value) {
    // Too large for the topic: the same event, its longest strings cut to fit, flagged truncated.
    std::string& cut = f.replacements.emplace_back();
    if (!shrink_event_json(value, config_.max_message_bytes.value - kEnvelopeBytes, cut)) {
      f.report.set(pos, Outcome::kRejected,
                   f.reason("event_too_large", "the event does not fit max_message_bytes (" + std::to_string(config_.max_message_bytes.value) +
                                                   ") even with its strings cut"));
      finished(&f);
      return true;
    }
    value = cut;
    truncated_.add();
  }
  rd_kafka_headers_t* headers = nullptr;  // librdkafka's once produced
  if (config_.headers) {
    std::string id_scratch;
    std::string_view id = event_id_of(batch, index, id_scratch);
    headers = rd_kafka_headers_new(2);
    rd_kafka_header_add(headers, "event.id", -1, id.data(), static_cast<ssize_t>(id.size()));
    rd_kafka_header_add(headers, "event.dataset", -1, batch.origin->dataset.data(), static_cast<ssize_t>(batch.origin->dataset.size()));
  }
  Message* m = &f.messages[pos];
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk_, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(0),  // no copy: the delivery holds the bytes
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()), RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_OPAQUE(m), RD_KAFKA_V_END);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    in_flight_gauge_.set(++in_flight_);
    return true;
  }
  if (headers) rd_kafka_headers_destroy(headers);  // not taken over on failure
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
  report_error(f, pos, err, rd_kafka_topic_name(topic));
  finished(&f);
  return true;
}

void KafkaSink::send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) {
  if (fatal_.load() || !rk_) {
    if (rk_) rebuild_producer();
    if (!rk_) {
      done(DeliveryReport::retry(delivery->events(), "no_producer", "the Kafka producer could not be started"));
      return;
    }
  }
  auto* f = new InFlight;
  size_t n = delivery->events();
  f->delivery = delivery;
  f->done = std::move(done);
  f->report = DeliveryReport(n);
  for (size_t i = 0; i < n; ++i) f->report.set(i, Outcome::kUnset);  // per event from here on: set from two threads
  f->messages.resize(n);
  for (size_t i = 0; i < n; ++i) f->messages[i] = {f, static_cast<uint32_t>(i)};
  // One extra count while producing, so reports racing ahead cannot finish the delivery early.
  f->remaining.store(static_cast<int>(n) + 1);
  {
    std::lock_guard lock(live_mu_);
    live_.insert(f);
  }
  size_t pos = 0;
  bool room = true;
  for (const DeliveryPart& part : delivery->parts) {
    const Batch& batch = *part.batch;
    Outcome why_outcome = Outcome::kRetry;
    std::string why;
    rd_kafka_topic_t* topic = room ? topic_for(batch, why_outcome, why) : nullptr;
    if (room && !topic) {
      uint16_t r = f->reason(why_outcome == Outcome::kRejected ? "invalid_topic" : "topic_not_created", why);
      for (size_t i = 0; i < part.size(); ++i) {
        f->report.set(pos + i, why_outcome, r);
        finished(f);
      }
      pos += part.size();
      continue;
    }
    key_scratch_.clear();
    if (config_.key == "file") {
      char buf[17];
      std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(batch.origin->id_seed));
      key_scratch_.assign(buf, 16);
    } else if (key_template_) {
      key_template_->render(*batch.origin, key_scratch_);
    }
    for (size_t i = 0; i < part.size(); ++i, ++pos) {
      if (room) room = produce_one(*f, pos, topic, key_scratch_, batch, part.index(i));
      if (!room) {
        // librdkafka's queue is full (it should not be: the runtime bounds what is in flight
        // below it): the rest is sent again after a backoff.
        f->report.set(pos, Outcome::kRetry, f->reason("QUEUE_FULL", "librdkafka's producer queue is full", std::chrono::milliseconds(100)));
        finished(f);
      }
    }
  }
  finished(f);
}

void KafkaSink::abort() {
  // Whatever waits in librdkafka's queues or on the wire is given up: its reports come back
  // "purged" and find the runtime no longer listening. Bounded: a broker that is away does not
  // hold the shutdown, so a message already on the wire may still be written (a duplicate of
  // one sent again after a reload, with the same event.id); nothing new is produced after this.
  aborted_.store(true);
  for (rd_kafka_t* rk : {rk_, solo_.load()})
    if (rk) rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (int64_t left = in_flight_.load(); left > 0)
    log_warn("kafka messages not delivered at exit; their lines are read again at the next start", {{"component", component}, {"messages", std::to_string(left)}});
}

}  // namespace logship
