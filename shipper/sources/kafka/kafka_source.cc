#include "shipper/sources/kafka/kafka_source.h"

#include <re2/re2.h>
#include <simdjson.h>
#include <xxhash.h>

#include <cstring>
#include <thread>

#include "core/event_id.h"
#include "core/json_writer.h"
#include "core/line_breaks.h"
#include "core/log.h"
#include "core/plain_encoder.h"
#include "core/time_format.h"
#include "clients/kafka/kafka_conf.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call
namespace {

rd_kafka_conf_t* make_conf(const KafkaSourceConfig& c, std::string& error) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  kafka_conf_set(conf, "bootstrap.servers", c.bootstrap_servers, error);
  kafka_conf_set(conf, "group.id", c.group_id, error);
  kafka_conf_set(conf, "client.id", "logship", error);
  kafka_conf_set(conf, "enable.auto.commit", "false", error);        // we commit what sinks acknowledged
  kafka_conf_set(conf, "enable.auto.offset.store", "false", error);
  kafka_conf_set(conf, "auto.offset.reset", "earliest", error);       // a new group reads everything
  kafka_conf_set(conf, "enable.partition.eof", "true", error);        // --once needs to know
  // A fetch finding nothing waits at most 100 ms at the broker (Kafka's default is 500; Vector's
  // kafka source uses 100): a trickle reaches the sink sooner, and a fetch sent while the
  // partitions were still being positioned no longer holds the first messages back half a second
  // (`run --once` on a topic holding 3 messages: 0.67 -> 0.27 s).
  kafka_conf_set(conf, "fetch.wait.max.ms", "100", error);
  kafka_conf_set(conf, "queued.max.messages.kbytes", std::to_string(std::max<uint64_t>(1024, c.fetch_buffer_bytes.value / 1024)), error);
  apply_kafka_security(conf, c.tls, c.sasl, error);
  for (const auto& [k, v] : c.librdkafka) kafka_conf_set(conf, k, v, error);
  return conf;
}

std::string_view header(const rd_kafka_message_t* m, const char* name) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(hdrs, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR || !value) return {};
  return {static_cast<const char*>(value), size};
}

}  // namespace

const Schema<KafkaSourceConfig>& KafkaSourceConfig::schema() {
  static const auto s =
      Schema<KafkaSourceConfig>()
          .field("bootstrap_servers", &KafkaSourceConfig::bootstrap_servers, "Brokers to start from, host:port, comma-separated; no credentials here (they go in sasl:).")
          .required()
          .field("group_id", &KafkaSourceConfig::group_id, "Consumer group: indexers sharing it share the partitions.")
          .required()
          .field("topics", &KafkaSourceConfig::topics, "Topics to read; a name starting with ^ is a regular expression.")
          .required()
          .field("dataset", &KafkaSourceConfig::dataset, "event.dataset of messages from other producers; the topic's name when empty.")
          .field("batch_bytes", &KafkaSourceConfig::batch_bytes, "Message bytes per batch handed to the next stage.")
          .field("commit_interval", &KafkaSourceConfig::commit_interval, "How often acknowledged offsets are committed (also on revocation and at shutdown).")
          .field("fetch_buffer_bytes", &KafkaSourceConfig::fetch_buffer_bytes, "Bound of the messages the consumer fetches ahead.")
          .nested("tls", &KafkaSourceConfig::tls, KafkaTls::schema(), "TLS to the brokers (security.protocol SSL, or SASL_SSL with sasl:).")
          .nested("sasl", &KafkaSourceConfig::sasl, KafkaSasl::schema(), "SASL authentication to the brokers (SASL_SSL with tls:, SASL_PLAINTEXT without: warned about).")
          .field("librdkafka", &KafkaSourceConfig::librdkafka, "Any librdkafka consumer property, passed through (TLS, SASL/SCRAM…).");
  return s;
}

void KafkaSourceConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (std::string why = kafka_bootstrap_servers_problem(bootstrap_servers); !why.empty())
    errors.add(node["bootstrap_servers"], join_path(path, "bootstrap_servers"), why);
  if (topics.empty()) errors.add(node["topics"], join_path(path, "topics"), "must name at least one topic");
  for (size_t i = 0; i < topics.size(); ++i) {
    if (!topics[i].empty() && topics[i][0] == '^') {
      RE2 re(topics[i], RE2::Quiet);
      if (!re.ok()) errors.add(node["topics"], join_path(path, "topics") + "[" + std::to_string(i) + "]", "invalid regular expression: " + re.error());
    }
  }
  validate_kafka_security(node, path, tls, sasl, errors);
  std::string error;
  rd_kafka_conf_t* conf = make_conf(*this, error);
  rd_kafka_conf_destroy(conf);
  if (!error.empty()) errors.add(node, path, "librdkafka rejects " + error);
  for (const auto& [k, why] : kafka_unsupported_properties(librdkafka, kafka_builtin_features())) {
    errors.add(node["librdkafka"][k], join_path(path, "librdkafka." + k), why);
  }
}

KafkaSource::KafkaSource(KafkaSourceConfig config, const BuildContext& ctx)
    : config_(std::move(config)),
      name_(ctx.name),
      host_(ctx.host_name),
      json_(std::make_unique<simdjson::dom::parser>()),
      received_(metrics().counter("logship_kafka_received_messages_total", "Messages the kafka source read.", {{"component", ctx.name}})),
      committed_total_(metrics().counter("logship_kafka_commits_total", "Offset commits of the kafka source.", {{"component", ctx.name}})) {}

Result<std::unique_ptr<KafkaSource>> KafkaSource::create(const KafkaSourceConfig& config, const BuildContext& ctx) {
  std::unique_ptr<KafkaSource> s(new KafkaSource(config, ctx));
  for (const std::string& w : kafka_security_warnings(config.tls, config.sasl)) log_warn(w, {{"component", ctx.name}});
  std::string error;
  rd_kafka_conf_t* conf = make_conf(config, error);
  if (!error.empty()) {
    rd_kafka_conf_destroy(conf);
    return Error::invalid(error);
  }
  s->component = ctx.name;
  rd_kafka_conf_set_opaque(conf, static_cast<KafkaClientContext*>(s.get()));
  kafka_route_logs(conf);
  rd_kafka_conf_set_rebalance_cb(conf, &KafkaSource::on_rebalance);
  char err[512];
  s->rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (!s->rk_) {
    rd_kafka_conf_destroy(conf);
    return Error::invalid(std::string("cannot create Kafka consumer: ") + err);
  }
  rd_kafka_poll_set_consumer(s->rk_);
  return s;
}

KafkaSource::~KafkaSource() {
  if (rk_) {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
}

void KafkaSource::on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<KafkaSource*>(static_cast<KafkaClientContext*>(opaque));
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->assigned(parts);
    rd_kafka_assign(rk, parts);
  } else {
    self->revoked(parts);
    rd_kafka_assign(rk, nullptr);
  }
}

void KafkaSource::assigned(rd_kafka_topic_partition_list_t* parts) {
  rd_kafka_committed(rk_, parts, 10000);  // where the group stands (-1001: nothing committed)
  for (int i = 0; i < parts->cnt; ++i) {
    const auto& tp = parts->elems[i];
    Partition p;
    int64_t committed = tp.offset >= 0 ? tp.offset : -1;
    p.progress = std::make_shared<PartitionProgress>(tp.topic, tp.partition, committed);
    auto origin = std::make_shared<Origin>();
    origin->source = name_;
    origin->dataset = config_.dataset.empty() ? tp.topic : config_.dataset;
    origin->path = "kafka:" + std::string(tp.topic) + "/" + std::to_string(tp.partition);
    origin->host = host_;
    origin->id_seed = origin_id_seed(name_, XXH3_64bits(tp.topic, std::strlen(tp.topic)), static_cast<uint64_t>(tp.partition));
    p.origin = origin;
    if (once_) {
      int64_t low = 0, high = 0;
      rd_kafka_resp_err_t qerr = rd_kafka_query_watermark_offsets(rk_, tp.topic, tp.partition, &low, &high, 10000);
      if (qerr == RD_KAFKA_RESP_ERR_NO_ERROR) {
        p.end_offset = high;
        p.next_offset = committed >= 0 ? committed : low;
      } else {
        log_warn("kafka partition end unknown; asked again", {{"component", name_}, {"topic", tp.topic},
                                                             {"partition", std::to_string(tp.partition)}, {"error", rd_kafka_err2str(qerr)}});
      }
    }
    log_info("kafka partition assigned", {{"component", name_}, {"topic", tp.topic}, {"partition", std::to_string(tp.partition)},
                                          {"committed", std::to_string(committed)}});
    partitions_[key(tp.topic, tp.partition)] = std::move(p);
  }
  assigned_once_ = true;
}

void KafkaSource::revoked(rd_kafka_topic_partition_list_t* parts) {
  commit(true);  // what was acknowledged so far, before another member takes over
  for (int i = 0; i < parts->cnt; ++i) {
    auto it = partitions_.find(key(parts->elems[i].topic, parts->elems[i].partition));
    if (it == partitions_.end()) continue;
    it->second.progress->revoke();  // its unacknowledged batches are read again by the new owner
    partitions_.erase(it);
  }
  log_info("kafka partitions revoked", {{"component", name_}, {"count", std::to_string(parts->cnt)}});
}

void KafkaSource::add_message(const rd_kafka_message_t* m, Emitter& out) {
  auto it = partitions_.find(key(rd_kafka_topic_name(m->rkt), m->partition));
  if (it == partitions_.end()) return;  // revoked meanwhile
  Partition& p = it->second;
  received_.add();
  std::string_view value(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
  // logship's own events carry their id and dataset inside (and in headers when the sink was
  // told to add them); anything else is another producer's message, wrapped below.
  std::string_view id = header(m, "event.id");
  std::string_view dataset = header(m, "event.dataset");
  if (id.size() != kEventIdChars) {
    std::string_view inside_dataset;
    if (!find_event_metadata(value, id, inside_dataset)) id = {};
    else if (dataset.empty()) dataset = inside_dataset;
  }
  // Whoever can write to the topic can make a message look like logship's: it is forwarded
  // byte for byte only when it is one JSON object on one line whose own event.id is that id.
  bool not_an_event = false;
  if (id.size() == kEventIdChars && !is_event_with_id(value, id)) {
    id = {};
    dataset = {};
    not_an_event = true;
  }
  // A batch holds one origin: start a new one when the dataset changes.
  if (p.pending && !dataset.empty() && p.pending->origin->dataset != dataset) send(p, out);
  if (!p.pending) {
    p.pending = std::make_shared<Batch>();
    if (dataset.empty()) {
      p.pending->origin = p.origin;
    } else {
      auto origin = std::make_shared<Origin>(*p.origin);
      origin->dataset = std::string(dataset);
      p.pending->origin = origin;
    }
    p.pending->read_time_nanos = now_unix_nanos();
    p.pending->is_encoded = true;
  }
  Batch& b = *p.pending;
  b.add_raw_event(value, static_cast<uint64_t>(m->offset), static_cast<uint64_t>(m->offset) + 1, 0);
  EventView& e = b.events.back();
  e.enc_begin = static_cast<uint32_t>(b.encoded.size());
  if (id.size() == kEventIdChars) {
    b.encoded.append(value);  // logship's own event: already encoded, id included
    b.encoded.push_back('\n');
    b.event_ids.append(id);   // the id downstream sinks must use (Elasticsearch _id)
  } else {
    append_event_id(b.event_ids, b.origin->id_seed, e.offset, value);
    b.encoded.append("{\"@timestamp\":"sv);
    append_read_time(b.encoded, b, e);
    b.encoded.append(",\"message\":"sv);
    if (!append_json_string(b.encoded, value)) e.flags |= kFlagInvalidUtf8;
    b.encoded.push_back(',');
    if (not_an_event) e.flags |= kFlagNotAnEvent;
    append_metadata_members(b.encoded, b, e);
    b.encoded.append("}\n"sv);
  }
  e.enc_len = static_cast<uint32_t>(b.encoded.size() - e.enc_begin);
  p.next_offset = m->offset + 1;
  if (b.raw.size() >= config_.batch_bytes.value) send(p, out);
}

bool KafkaSource::is_event_with_id(std::string_view value, std::string_view id) {
  if (has_line_break(value.data(), value.size())) return false;
  // simdjson reads past the end: a padded copy, reused from message to message.
  padded_.assign(value);
  padded_.reserve(value.size() + simdjson::SIMDJSON_PADDING);
  simdjson::dom::element root;
  std::string_view own_id;
  return !json_->parse(padded_.data(), value.size(), false).get(root) && root.is_object() &&
         !root["event"]["id"].get(own_id) && own_id == id;
}

void KafkaSource::send(Partition& p, Emitter& out) {
  if (!p.pending || p.pending->events.empty()) return;
  p.pending->ack = p.progress->track(static_cast<int64_t>(p.pending->events.back().end_offset));
  out.emit(std::move(p.pending));
  p.pending.reset();
}

void KafkaSource::send_all(Emitter& out) {
  for (auto& [k, p] : partitions_) send(p, out);
}

void KafkaSource::commit(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_commit_ < config_.commit_interval.value) return;
  last_commit_ = now;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size()));
  for (auto& [k, p] : partitions_) {
    int64_t offset = p.progress->take_commit();
    if (offset >= 0) rd_kafka_topic_partition_list_add(list, p.progress->topic().c_str(), p.progress->partition())->offset = offset;
    // Lag: the partition's end (as last fetched) minus what is acknowledged.
    int64_t low = 0, high = 0;
    if (rd_kafka_get_watermark_offsets(rk_, p.progress->topic().c_str(), p.progress->partition(), &low, &high) ==
            RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0) {
      int64_t acked = p.progress->acknowledged();
      metrics()
          .gauge("logship_kafka_consumer_lag_messages", "Messages in a partition not yet acknowledged downstream.",
                 {{"component", name_}, {"topic", p.progress->topic()}, {"partition", std::to_string(p.progress->partition())}})
          .set(std::max<int64_t>(0, high - std::max(acked, low)));
    }
  }
  if (list->cnt > 0) {
    rd_kafka_resp_err_t err = rd_kafka_commit(rk_, list, 0);
    if (err) log_warn("kafka commit failed; retried at the next interval", {{"component", name_}, {"error", rd_kafka_err2str(err)}});
    else committed_total_.add();
  }
  rd_kafka_topic_partition_list_destroy(list);
}

void KafkaSource::learn_missing_ends() {
  auto now = std::chrono::steady_clock::now();
  if (now - last_end_query_ < std::chrono::seconds(1)) return;
  last_end_query_ = now;
  for (auto& [k, p] : partitions_) {
    if (p.end_offset >= 0) continue;
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk_, p.progress->topic().c_str(), p.progress->partition(), &low, &high, 2000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR)
      continue;
    p.end_offset = high;
    if (p.next_offset < 0) p.next_offset = low;  // messages read or the end-of-partition event move it on
  }
}

bool KafkaSource::reached_end() const {
  if (!assigned_once_) return false;
  for (const auto& [k, p] : partitions_)
    if (p.end_offset < 0 || p.next_offset < p.end_offset) return false;
  return true;
}

Status KafkaSource::run(Emitter& out, const RunContext& ctx) {
  once_ = ctx.once;
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(static_cast<int>(config_.topics.size()));
  for (const auto& t : config_.topics) rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) return Error::invalid(std::string("cannot subscribe: ") + rd_kafka_err2str(err));
  log_info("kafka source subscribed", {{"component", name_}, {"group_id", config_.group_id}});
  auto started = std::chrono::steady_clock::now();
  while (!ctx.stopping()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100);
    if (m) {
      if (!m->err) {
        add_message(m, out);
      } else if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        auto it = partitions_.find(key(rd_kafka_topic_name(m->rkt), m->partition));
        if (it != partitions_.end() && it->second.next_offset < m->offset) it->second.next_offset = m->offset;
      } else {
        log_warn("kafka consumer", {{"component", name_}, {"error", rd_kafka_message_errstr(m)}});
      }
      rd_kafka_message_destroy(m);
    } else {
      send_all(out);  // nothing more right now: hand over what we have
    }
    commit(false);
    if (once_ && assigned_once_) learn_missing_ends();
    if (once_ && reached_end()) break;
    if (once_ && !assigned_once_ && std::chrono::steady_clock::now() - started > std::chrono::seconds(60))
      return Error::invalid("no partitions assigned within 60 s (do the topics exist?)");
  }
  send_all(out);
  return {};
}

void KafkaSource::finish() {
  commit(true);
}

}  // namespace logship
