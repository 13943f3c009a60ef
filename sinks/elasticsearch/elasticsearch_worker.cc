#include "sinks/elasticsearch/elasticsearch_worker.h"

#include <algorithm>
#include <cstring>

#include "core/event_id.h"
#include "core/log.h"
#include "core/redact.h"
#include "sinks/elasticsearch/bulk_body.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call

namespace {

Counter& item_counter(const std::string& component, const char* outcome) {
  return metrics().counter("logship_elasticsearch_items_total",
                           "Bulk items by outcome: created, conflict (already indexed: a replay), retried, rejected (to dead letters).",
                           {{"component", component}, {"outcome", outcome}});
}

Counter& request_counter(const std::string& component, const char* outcome) {
  return metrics().counter("logship_elasticsearch_requests_total",
                           "Bulk requests by outcome: ok (answered 200) or failed (no answer, 429, 5xx, refused).",
                           {{"component", component}, {"outcome", outcome}});
}

// Retry-After in seconds (the form clusters and proxies send), 0 when absent or a date.
std::chrono::milliseconds retry_after(CURL* easy) {
  curl_header* h = nullptr;
  if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) != CURLHE_OK || !h || !h->value) return std::chrono::milliseconds(0);
  char* end = nullptr;
  long seconds = std::strtol(h->value, &end, 10);
  if (end == h->value || seconds < 0) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds(std::min<long>(seconds, 3600) * 1000);
}

}  // namespace

ElasticsearchSink::Worker::Worker(ElasticsearchSinkConfig config, std::string name)
    : config_(std::move(config)),
      conn_(config_.connection()),
      name_(std::move(name)),
      created_(item_counter(name_, "created")),
      conflicts_(item_counter(name_, "conflict")),
      retried_(item_counter(name_, "retried")),
      rejected_(item_counter(name_, "rejected")),
      requests_ok_(request_counter(name_, "ok")),
      requests_failed_(request_counter(name_, "failed")),
      bytes_sent_(metrics().counter("logship_elasticsearch_sent_bytes_total", "Bytes of bulk request bodies sent (after compression).", {{"component", name_}})),
      in_flight_(metrics().gauge("logship_elasticsearch_in_flight_requests", "Bulk requests on the wire.", {{"component", name_}})) {
  std::string index = config_.index.empty() ? "logs-{{ event.dataset }}-" + config_.data_stream_namespace : config_.index;
  std::string error;
  EventTemplate::parse(index, index_template_, error);  // validated with the config
  if (config_.compression == "gzip") gzip_ = std::make_unique<GzipCompressor>(1);
  url_suffix_ = "/_bulk?filter_path=errors,items.*.status,items.*.error";
  endpoint_down_until_.assign(conn_.endpoints.size(), Clock::time_point{});
  endpoint_failures_.assign(conn_.endpoints.size(), 0);
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
  abort();
  for (auto& r : requests_) {
    if (r->busy) curl_multi_remove_handle(multi_, r->easy);
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
  }
  curl_multi_cleanup(multi_);
  // Deliveries still held were never reported: the runtime left them unacknowledged, so their
  // source reads them again at the next start.
  for (Pending* p : pending_) delete p;
}

void ElasticsearchSink::Worker::abort() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  curl_multi_wakeup(multi_);
  if (thread_.joinable()) thread_.join();
}

void ElasticsearchSink::Worker::enqueue(std::shared_ptr<const Delivery> delivery, DeliveryDone done) {
  {
    std::lock_guard lock(mu_);
    incoming_.emplace_back(std::move(delivery), std::move(done));
  }
  curl_multi_wakeup(multi_);
}

void ElasticsearchSink::Worker::flush() {
  flush_now_.store(true);
  curl_multi_wakeup(multi_);
}

void ElasticsearchSink::Worker::take_incoming() {
  std::deque<std::pair<std::shared_ptr<const Delivery>, DeliveryDone>> taken;
  {
    std::lock_guard lock(mu_);
    taken.swap(incoming_);
  }
  for (auto& [delivery, done] : taken) {
    auto* p = new Pending;
    pending_.insert(p);
    p->delivery = std::move(delivery);
    p->done = std::move(done);
    size_t n = p->delivery->events();
    p->report = DeliveryReport(n);
    p->remaining = n;
    if (ready_.empty()) ready_since_ = Clock::now();
    uint32_t pos = 0;
    for (uint32_t part = 0; part < p->delivery->parts.size(); ++part) {
      const DeliveryPart& dp = p->delivery->parts[part];
      std::string& index = p->index.emplace_back();
      index_template_.render(*dp.batch->origin, index);
      sanitize_index_name(index);
      for (size_t i = 0; i < dp.size(); ++i) {
        ready_.push_back({p, pos++, part, dp.index(i)});
        ready_bytes_ += dp.event(i).enc_len;
      }
    }
    if (n == 0) {
      pending_.erase(p);
      p->done(std::move(p->report));
      delete p;
    }
  }
}

bool ElasticsearchSink::Worker::should_send(Clock::time_point now) const {
  if (ready_.empty()) return false;
  if (ready_.size() >= static_cast<size_t>(config_.max_documents) || ready_bytes_ >= config_.max_bytes.value) return true;
  return flush_now_.load() || split_left_ > 0 || now - ready_since_ >= config_.flush_interval.value;
}

int ElasticsearchSink::Worker::poll_timeout_ms(Clock::time_point now) const {
  auto wait = std::chrono::milliseconds(1000);
  if (!ready_.empty()) {
    wait = std::min(wait, std::max(std::chrono::milliseconds(1),
                                   std::chrono::duration_cast<std::chrono::milliseconds>(ready_since_ + config_.flush_interval.value - now)));
  }
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

// An endpoint that does not answer (or answers 5xx) is passed over for a while, longer each
// time in a row, so requests go to the others; when every one is set aside the one back first
// is used. This picks where to send, not when: retrying is the runtime's.
void ElasticsearchSink::Worker::set_endpoint_aside(size_t endpoint) {
  int failures = std::min(endpoint_failures_[endpoint]++, 8);
  endpoint_down_until_[endpoint] = Clock::now() + std::chrono::milliseconds(250LL << failures);
}

void ElasticsearchSink::Worker::build_body(Request& r) {
  r.docs.clear();
  r.body.clear();
  size_t limit = static_cast<size_t>(config_.max_documents);
  if (split_left_ > 0) limit = std::min(limit, split_limit_);
  while (!ready_.empty() && r.docs.size() < limit && r.body.size() < config_.max_bytes.value) {
    Doc d = ready_.front();
    ready_.pop_front();
    const Batch& b = d.batch();
    const EventView& e = b.events[d.event];
    ready_bytes_ -= e.enc_len;
    // The index was sanitized when the delivery came in and the id is hex: neither needs escaping.
    if (!append_bulk_create(r.body, d.owner->index[d.part], event_id_of(b, d.event, id_scratch_), b.encoded_text(e))) {
      resolve(d, Outcome::kRejected,
              d.owner->report.add_reason("not_one_json_line", "the event is not one JSON object on one line; it was not put in a bulk request"));
      continue;
    }
    r.docs.push_back(d);
  }
  split_left_ -= std::min(split_left_, r.docs.size());
  if (!ready_.empty()) ready_since_ = Clock::now();
}

void ElasticsearchSink::Worker::send(Request& r, Clock::time_point now) {
  build_body(r);
  if (r.docs.empty()) return;
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
  r.busy = true;
  in_flight_.add(1);
  bytes_sent_.add(payload.size());
  curl_multi_add_handle(multi_, r.easy);
}

void ElasticsearchSink::Worker::resolve(const Doc& d, Outcome outcome, uint16_t reason) {
  Pending* p = d.owner;
  p->report.set(d.pos, outcome, reason);
  if (--p->remaining > 0) return;
  pending_.erase(p);
  p->done(std::move(p->report));
  delete p;
}

void ElasticsearchSink::Worker::all_retry(const std::vector<Doc>& docs, const std::string& type, const std::string& reason,
                                          std::chrono::milliseconds after) {
  retried_.add(docs.size());
  Pending* last = nullptr;
  uint16_t r = 0;
  for (const Doc& d : docs) {
    if (d.owner != last) {
      last = d.owner;
      r = last->report.add_reason(type, reason, after);
    }
    resolve(d, Outcome::kRetry, r);
  }
}

void ElasticsearchSink::Worker::finished(Request& r, CURLcode rc) {
  std::string endpoint = redact_url_credentials(conn_.endpoints[r.endpoint]);  // reasons reach logs and dead letters
  if (rc != CURLE_OK) {
    requests_failed_.add();
    set_endpoint_aside(r.endpoint);
    all_retry(r.docs, "no_answer", std::string(curl_easy_strerror(rc)) + " (" + endpoint + ")", std::chrono::milliseconds(0));
    return;
  }
  long status = 0;
  curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &status);
  if (status == 200) {
    requests_ok_.add();
    endpoint_failures_[r.endpoint] = 0;
    handle_items(r);
    return;
  }
  requests_failed_.add();
  std::string reason = "HTTP " + std::to_string(status) + " from " + endpoint + ": " + r.response.substr(0, 300);
  if (status == 400 || status == 413) {
    // The request itself was refused: a document in it is at fault (too large, malformed).
    split_or_reject(r, "http_" + std::to_string(status), reason);
    return;
  }
  // Overloaded, restarting, credentials being rotated, a proxy answering for a node that is
  // away (404, 502…): nothing says the documents are wrong, so they are all sent again. An
  // endpoint that does not answer as a cluster does is set aside for a while.
  if (status != 429 && status != 401 && status != 403 && status != 408) set_endpoint_aside(r.endpoint);
  all_retry(r.docs, "http_" + std::to_string(status), reason, retry_after(r.easy));
}

// A whole request refused (413 too large, 400 malformed) or answered with the wrong number of
// items: halve it to find the document at fault; a document refused this way on its own is
// rejected (dead letters).
void ElasticsearchSink::Worker::split_or_reject(Request& r, const std::string& type, const std::string& reason) {
  if (r.docs.size() > 1) {
    log_warn("elasticsearch refused a whole bulk request; sending it again in halves",
             {{"component", name_}, {"type", type}, {"documents", std::to_string(r.docs.size())}, {"reason", reason.substr(0, 300)}});
    split_limit_ = std::max<size_t>(1, r.docs.size() / 2);
    split_left_ = r.docs.size();
    for (auto it = r.docs.rbegin(); it != r.docs.rend(); ++it) {
      ready_.push_front(*it);
      ready_bytes_ += it->batch().events[it->event].enc_len;
    }
    return;
  }
  rejected_.add(r.docs.size());
  for (const Doc& d : r.docs) resolve(d, Outcome::kRejected, d.owner->report.add_reason(type, reason.substr(0, 2000)));
}

void ElasticsearchSink::Worker::handle_items(Request& r) {
  std::string error;
  switch (reader_.read(r.response, r.docs.size(), items_, error)) {
    case BulkAnswer::kOk:
      break;
    case BulkAnswer::kNotBulkAnswer:
      // A 200 that is not a bulk answer (a proxy's page, a cut answer): what happened to the
      // documents is unknown, and sending them again is safe (create + _id).
      all_retry(r.docs, "bad_bulk_answer", error + " (" + redact_url_credentials(conn_.endpoints[r.endpoint]) + ")", std::chrono::milliseconds(0));
      return;
    case BulkAnswer::kCountMismatch:
      split_or_reject(r, "bulk_item_count_mismatch", error);
      return;
  }
  if (items_.empty()) {  // "errors": false
    created_.add(r.docs.size());
    for (const Doc& d : r.docs) resolve(d, Outcome::kDelivered);
    return;
  }
  for (size_t i = 0; i < r.docs.size(); ++i) {
    const Doc& d = r.docs[i];
    const BulkItem& item = items_[i];
    switch (classify_item(item.status)) {
      case ItemOutcome::kCreated:
        created_.add();
        resolve(d, Outcome::kDelivered);
        break;
      case ItemOutcome::kConflict:
        conflicts_.add();
        resolve(d, Outcome::kDelivered);
        break;
      case ItemOutcome::kRetry:
        retried_.add();
        resolve(d, Outcome::kRetry,
                d.owner->report.add_reason(item.error_type.empty() ? "item_" + std::to_string(item.status) : item.error_type,
                                           "item " + std::to_string(item.status) + ": " + item.error_reason));
        break;
      case ItemOutcome::kDeadLetter:
        rejected_.add();
        resolve(d, Outcome::kRejected,
                d.owner->report.add_reason(item.error_type.empty() ? "item_" + std::to_string(item.status) : item.error_type,
                                           "item " + std::to_string(item.status) + ": " + item.error_reason));
        break;
    }
  }
}

}  // namespace logship
