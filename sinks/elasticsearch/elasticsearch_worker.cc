#include "sinks/elasticsearch/elasticsearch_worker.h"

#include <algorithm>

#include "core/event_id.h"
#include "core/log.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call

namespace {

Counter& item_counter(const std::string& component, const char* outcome) {
  return metrics().counter("logship_elasticsearch_items_total",
                           "Bulk items by outcome: created, conflict (already indexed: a replay), retried, dead_lettered.",
                           {{"component", component}, {"outcome", outcome}});
}

Counter& request_counter(const std::string& component, const char* outcome) {
  return metrics().counter("logship_elasticsearch_requests_total",
                           "Bulk requests by outcome: ok (answered 200) or failed (no answer, 429, 5xx, refused).",
                           {{"component", component}, {"outcome", outcome}});
}

}  // namespace

ElasticsearchSink::Worker::Worker(ElasticsearchSinkConfig config, std::string name, std::unique_ptr<DeadLetterWriter> dead_letter)
    : config_(std::move(config)),
      conn_(config_.connection()),
      name_(std::move(name)),
      dead_letter_(std::move(dead_letter)),
      initial_backoff_(config_.retry ? config_.retry->initial_backoff.value : ElasticsearchRetry{}.initial_backoff.value),
      max_backoff_(config_.retry ? config_.retry->max_backoff.value : ElasticsearchRetry{}.max_backoff.value),
      created_(item_counter(name_, "created")),
      conflicts_(item_counter(name_, "conflict")),
      retried_(item_counter(name_, "retried")),
      dead_lettered_(item_counter(name_, "dead_lettered")),
      requests_ok_(request_counter(name_, "ok")),
      requests_failed_(request_counter(name_, "failed")),
      bytes_sent_(metrics().counter("logship_elasticsearch_sent_bytes_total", "Bytes of bulk request bodies sent (after compression).", {{"component", name_}})),
      blocked_nanos_(metrics().seconds_counter("logship_elasticsearch_blocked_seconds_total", "Time write() waited because buffer_bytes were held.", {{"component", name_}})),
      in_flight_(metrics().gauge("logship_elasticsearch_in_flight_requests", "Bulk requests on the wire.", {{"component", name_}})),
      held_bytes_gauge_(metrics().gauge("logship_elasticsearch_buffered_bytes", "Bytes of batches held until the cluster confirms them.", {{"component", name_}})),
      blocked_(metrics().gauge("logship_elasticsearch_blocked", "1 while write() waits for room (cluster slow or away).", {{"component", name_}})) {
  std::string index = config_.index.empty() ? "logs-{{ event.dataset }}-" + config_.data_stream_namespace : config_.index;
  std::string error;
  EventTemplate::parse(index, index_template_, error);  // validated with the config
  if (config_.compression == "gzip") gzip_ = std::make_unique<GzipCompressor>(1);
  url_suffix_ = "/_bulk?filter_path=errors,items.*.status,items.*.error";
  endpoint_down_until_.assign(conn_.endpoints.size(), Clock::time_point{});
  multi_ = curl_multi_init();
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(config_.max_in_flight));
  for (int64_t i = 0; i < config_.max_in_flight; ++i) {
    auto r = std::make_unique<Request>();
    r->easy = curl_easy_init();
    requests_.push_back(std::move(r));
  }
  thread_ = std::thread([this] { run(); });
}

ElasticsearchSink::Worker::~Worker() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  curl_multi_wakeup(multi_);
  thread_.join();
  for (auto& r : requests_) {
    if (r->busy) curl_multi_remove_handle(multi_, r->easy);
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
  }
  curl_multi_cleanup(multi_);
  for (Owner* o : owners_) delete o;
  // Batches still held were never confirmed: they are not acknowledged, so their source reads
  // them again at the next start (Kafka offsets were not committed past them).
  size_t left = held_batches_;
  if (left > 0) log_warn("elasticsearch: batches not confirmed at exit; they are read again at the next start",
                         {{"component", name_}, {"batches", std::to_string(left)}});
}

void ElasticsearchSink::Worker::enqueue(std::span<const BatchPtr> batches) {
  std::unique_lock lock(mu_);
  for (const BatchPtr& b : batches) {
    if (b->events.empty()) {
      b->ack.ack();
      continue;
    }
    if (held_bytes_ >= config_.buffer_bytes.value) {
      auto since = Clock::now();
      blocked_.set(1);
      room_.wait(lock, [&] { return held_bytes_ < config_.buffer_bytes.value || stop_; });
      blocked_.set(0);
      blocked_nanos_.add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - since).count()));
    }
    held_bytes_ += b->memory_bytes();
    ++held_batches_;
    incoming_.push_back(b);
  }
  held_bytes_gauge_.set(static_cast<int64_t>(held_bytes_));
  lock.unlock();
  curl_multi_wakeup(multi_);
}

void ElasticsearchSink::Worker::drain(const Sink::Deadline& deadline) {
  flush_now_.store(true);
  curl_multi_wakeup(multi_);
  std::unique_lock lock(mu_);
  while (held_batches_ > 0 && Clock::now() < deadline()) room_.wait_for(lock, std::chrono::milliseconds(100));
}

void ElasticsearchSink::Worker::take_incoming() {
  std::deque<BatchPtr> taken;
  {
    std::lock_guard lock(mu_);
    taken.swap(incoming_);
  }
  for (BatchPtr& b : taken) {
    auto* owner = new Owner;
    owners_.insert(owner);
    owner->batch = std::move(b);
    owner->remaining = owner->batch->events.size();
    owner->bytes = owner->batch->memory_bytes();
    index_template_.render(*owner->batch->origin, owner->index);
    sanitize_index_name(owner->index);
    if (ready_.empty()) ready_since_ = Clock::now();
    for (uint32_t i = 0; i < owner->batch->events.size(); ++i) {
      ready_.push_back({owner, i});
      ready_bytes_ += owner->batch->events[i].enc_len;
    }
  }
}

void ElasticsearchSink::Worker::release_due_retries(Clock::time_point now) {
  while (!retries_.empty() && retries_.begin()->first <= now) {
    if (ready_.empty()) ready_since_ = now - config_.flush_interval.value;  // send at once
    for (const Doc& d : retries_.begin()->second) {
      ready_.push_front(d);  // retries go first: they have waited longest
      ready_bytes_ += d.owner->batch->events[d.event].enc_len;
    }
    retries_.erase(retries_.begin());
  }
}

bool ElasticsearchSink::Worker::should_send(Clock::time_point now) const {
  if (ready_.empty()) return false;
  if (ready_.size() >= static_cast<size_t>(config_.max_documents) || ready_bytes_ >= config_.max_bytes.value) return true;
  return flush_now_.load() || now - ready_since_ >= config_.flush_interval.value;
}

int ElasticsearchSink::Worker::poll_timeout_ms(Clock::time_point now) const {
  auto wait = std::chrono::milliseconds(1000);
  auto until = [&](Clock::time_point t) {
    return std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(t - now));
  };
  if (!ready_.empty()) wait = std::min(wait, until(ready_since_ + config_.flush_interval.value));
  if (!retries_.empty()) wait = std::min(wait, until(retries_.begin()->first));
  return static_cast<int>(wait.count());
}

void ElasticsearchSink::Worker::run() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
    }
    take_incoming();
    auto now = Clock::now();
    release_due_retries(now);
    for (auto& r : requests_) {
      if (!should_send(now)) break;
      if (!r->busy) send(*r, now);
    }
    int running = 0;
    curl_multi_perform(multi_, &running);
    while (CURLMsg* msg = curl_multi_info_read(multi_, &running)) {
      if (msg->msg != CURLMSG_DONE) continue;
      for (auto& r : requests_) {
        if (r->busy && r->easy == msg->easy_handle) {
          CURLcode rc = msg->data.result;
          curl_multi_remove_handle(multi_, r->easy);
          r->busy = false;
          in_flight_.add(-1);
          finished(*r, rc);
          break;
        }
      }
    }
    int free_slots = 0;
    for (auto& r : requests_) free_slots += r->busy ? 0 : 1;
    // Something to send right now and a free slot: loop without sleeping.
    if (free_slots > 0 && should_send(Clock::now())) continue;
    curl_multi_poll(multi_, nullptr, 0, poll_timeout_ms(Clock::now()), nullptr);
  }
}

size_t ElasticsearchSink::Worker::pick_endpoint(Clock::time_point now) {
  size_t n = endpoint_down_until_.size();
  for (size_t i = 0; i < n; ++i) {
    size_t at = (next_endpoint_ + i) % n;
    if (endpoint_down_until_[at] <= now) {
      next_endpoint_ = (at + 1) % n;
      return at;
    }
  }
  // All set aside: the one that comes back first.
  return static_cast<size_t>(std::min_element(endpoint_down_until_.begin(), endpoint_down_until_.end()) - endpoint_down_until_.begin());
}

void ElasticsearchSink::Worker::build_body(Request& r) {
  r.docs.clear();
  r.body.clear();
  size_t limit = static_cast<size_t>(config_.max_documents);
  if (split_left_ > 0) limit = std::min(limit, split_limit_);
  while (!ready_.empty() && r.docs.size() < limit && r.body.size() < config_.max_bytes.value) {
    Doc d = ready_.front();
    ready_.pop_front();
    const Batch& b = *d.owner->batch;
    const EventView& e = b.events[d.event];
    ready_bytes_ -= e.enc_len;
    r.body.append("{\"create\":{\"_index\":\""sv);
    r.body.append(d.owner->index);  // sanitized: no characters that need escaping
    r.body.append("\",\"_id\":\""sv);
    r.body.append(event_id_of(b, d.event, id_scratch_));
    r.body.append("\"}}\n"sv);
    std::string_view doc = b.encoded_text(e);
    r.body.append(doc);
    if (doc.empty() || doc.back() != '\n') r.body.push_back('\n');
    r.docs.push_back(d);
  }
  split_left_ -= std::min(split_left_, r.docs.size());
  if (!ready_.empty()) ready_since_ = Clock::now();
}

void ElasticsearchSink::Worker::send(Request& r, Clock::time_point now) {
  build_body(r);
  r.endpoint = pick_endpoint(now);
  r.response.clear();
  curl_easy_reset(r.easy);
  curl_slist_free_all(r.headers);
  r.headers = nullptr;
  apply_connection_options(r.easy, conn_, r.headers);
  r.headers = curl_slist_append(r.headers, "Content-Type: application/x-ndjson");
  r.headers = curl_slist_append(r.headers, "Expect:");  // no 100-continue round trip
  std::string_view payload = r.body;
  if (gzip_) {
    gzip_->compress(r.body, r.compressed);
    payload = r.compressed;
    r.headers = curl_slist_append(r.headers, "Content-Encoding: gzip");
  }
  std::string url = conn_.endpoints[r.endpoint];
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += url_suffix_;
  curl_easy_setopt(r.easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(r.easy, CURLOPT_POST, 1L);
  curl_easy_setopt(r.easy, CURLOPT_POSTFIELDS, payload.data());
  curl_easy_setopt(r.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  curl_easy_setopt(r.easy, CURLOPT_HTTPHEADER, r.headers);
  curl_easy_setopt(r.easy, CURLOPT_ACCEPT_ENCODING, "");  // let the cluster compress its answer
  curl_easy_setopt(r.easy, CURLOPT_WRITEFUNCTION, &append_curl_body);
  curl_easy_setopt(r.easy, CURLOPT_WRITEDATA, &r.response);
  r.started = now;
  r.busy = true;
  in_flight_.add(1);
  bytes_sent_.add(payload.size());
  curl_multi_add_handle(multi_, r.easy);
}

void ElasticsearchSink::Worker::finished(Request& r, CURLcode rc) {
  if (rc != CURLE_OK) {
    requests_failed_.add();
    endpoint_down_until_[r.endpoint] = Clock::now() + backoff();
    retry_later(std::move(r.docs), std::string(curl_easy_strerror(rc)) + " (" + conn_.endpoints[r.endpoint] + ")");
    return;
  }
  long status = 0;
  curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &status);
  if (status == 200) {
    requests_ok_.add();
    handle_items(r);
    return;
  }
  requests_failed_.add();
  std::string reason = "HTTP " + std::to_string(status) + " from " + conn_.endpoints[r.endpoint] + ": " + r.response.substr(0, 300);
  if (status == 429 || status == 401 || status == 403 || status == 408 || status >= 500) {
    // Overloaded, restarting, or credentials being rotated: nothing about the documents is
    // wrong, so they are all sent again; a 5xx node is set aside for a while.
    if (status >= 500) endpoint_down_until_[r.endpoint] = Clock::now() + backoff();
    retry_later(std::move(r.docs), reason);
    return;
  }
  split_or_dead_letter(r, status);
}

// A whole request refused (413 too large, 400 malformed): halve it to find the document at
// fault; a single document refused this way is dead-lettered.
void ElasticsearchSink::Worker::split_or_dead_letter(Request& r, long status) {
  if (r.docs.size() > 1) {
    log_warn("elasticsearch refused a whole bulk request; sending it again in halves",
             {{"component", name_}, {"status", std::to_string(status)}, {"documents", std::to_string(r.docs.size())}});
    // Back to the front of the queue, in two requests' worth.
    split_limit_ = std::max<size_t>(1, r.docs.size() / 2);
    split_left_ = r.docs.size();
    for (auto it = r.docs.rbegin(); it != r.docs.rend(); ++it) {
      ready_.push_front(*it);
      ready_bytes_ += it->owner->batch->events[it->event].enc_len;
    }
    ready_since_ = Clock::now() - config_.flush_interval.value;
    return;
  }
  BulkItem why;
  why.status = static_cast<int>(status);
  why.error_type = "request_rejected";
  why.error_reason = r.response.substr(0, 2000);
  dead_letter(r.docs, {why});
}

void ElasticsearchSink::Worker::handle_items(Request& r) {
  std::string error;
  if (!reader_.read(r.response, r.docs.size(), items_, error)) {
    retry_later(std::move(r.docs), error);
    return;
  }
  consecutive_failures_ = 0;
  if (items_.empty()) {  // "errors": false
    created_.add(r.docs.size());
    for (const Doc& d : r.docs) done(d);
    return;
  }
  std::vector<Doc> again;
  std::vector<Doc> refused;
  std::vector<BulkItem> refused_why;
  std::string retry_reason;
  for (size_t i = 0; i < r.docs.size(); ++i) {
    switch (classify_item(items_[i].status)) {
      case ItemOutcome::kCreated: created_.add(); done(r.docs[i]); break;
      case ItemOutcome::kConflict: conflicts_.add(); done(r.docs[i]); break;
      case ItemOutcome::kRetry:
        again.push_back(r.docs[i]);
        if (retry_reason.empty()) retry_reason = "item " + std::to_string(items_[i].status) + " " + items_[i].error_type + ": " + items_[i].error_reason;
        break;
      case ItemOutcome::kDeadLetter:
        refused.push_back(r.docs[i]);
        refused_why.push_back(std::move(items_[i]));
        break;
    }
  }
  if (!refused.empty()) dead_letter(refused, refused_why);
  if (!again.empty()) retry_later(std::move(again), retry_reason);
}

void ElasticsearchSink::Worker::dead_letter(const std::vector<Doc>& docs, const std::vector<BulkItem>& why) {
  std::vector<DeadLetter> letters;
  std::vector<std::string> ids(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    const Batch& b = *docs[i].owner->batch;
    const BulkItem& w = why[std::min(i, why.size() - 1)];
    std::string scratch;
    ids[i] = std::string(event_id_of(b, docs[i].event, scratch));
    letters.push_back({ids[i], b.origin->dataset, docs[i].owner->index, b.encoded_text(b.events[docs[i].event]), w.status,
                       w.error_type, w.error_reason});
  }
  if (Status s = dead_letter_->write(letters); !s) {
    retry_later(docs, "dead-letter destination failed: " + s.error().message);
    return;
  }
  dead_lettered_.add(docs.size());
  log_warn("elasticsearch refused documents; kept in the dead-letter destination",
           {{"component", name_}, {"documents", std::to_string(docs.size())}, {"destination", dead_letter_->describe()},
            {"status", std::to_string(why[0].status)}, {"type", why[0].error_type}, {"reason", why[0].error_reason.substr(0, 300)}});
  for (const Doc& d : docs) done(d);
}

std::chrono::milliseconds ElasticsearchSink::Worker::backoff() {
  // Exponential, capped, with "equal jitter": between half and all of the step, so that many
  // sidecars retrying at once spread out.
  int exponent = std::min(consecutive_failures_, 20);
  auto step = std::min<int64_t>(max_backoff_.count(), initial_backoff_.count() << exponent);
  std::uniform_int_distribution<int64_t> jitter(step / 2, std::max<int64_t>(step / 2, step));
  return std::chrono::milliseconds(jitter(rng_));
}

void ElasticsearchSink::Worker::retry_later(std::vector<Doc> docs, const std::string& reason) {
  retried_.add(docs.size());
  auto wait = backoff();
  ++consecutive_failures_;
  auto now = Clock::now();
  // Said at most every 10 s: a node down for an hour must not fill the log.
  if (now - last_failure_log_ > std::chrono::seconds(10)) {
    log_warn("elasticsearch: documents will be sent again", {{"component", name_}, {"documents", std::to_string(docs.size())},
                                                             {"in_ms", std::to_string(wait.count())}, {"reason", reason.substr(0, 400)}});
    last_failure_log_ = now;
  }
  retries_.emplace(now + wait, std::move(docs));
}

void ElasticsearchSink::Worker::done(const Doc& d) {
  Owner* o = d.owner;
  if (--o->remaining > 0) return;
  o->batch->ack.ack();
  {
    std::lock_guard lock(mu_);
    held_bytes_ -= o->bytes;
    --held_batches_;
    held_bytes_gauge_.set(static_cast<int64_t>(held_bytes_));
  }
  room_.notify_all();
  owners_.erase(o);
  delete o;
}

}  // namespace logship
