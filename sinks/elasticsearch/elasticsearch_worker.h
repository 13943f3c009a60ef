// The elasticsearch sink's engine: one thread that cuts the deliveries it is handed into
// `_bulk` requests, keeps up to max_in_flight of them on the wire (libcurl multi), reads every
// answer item by item, and reports each delivery once every document of it has an outcome:
// created or already there (409) = delivered; 429 / 5xx / no answer = retry (with the
// server's Retry-After); refused (400, mapping conflict) = rejected, with the cluster's reason.
// It never waits out a backoff itself: the runtime's driver sends retries again.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/metrics.h"
#include "sinks/elasticsearch/bulk_response.h"
#include "sinks/elasticsearch/elasticsearch_sink.h"
#include "sinks/elasticsearch/gzip.h"

namespace logship {

struct ElasticsearchSink::Worker {
  using Clock = std::chrono::steady_clock;

  Worker(ElasticsearchSinkConfig config, std::string name);
  ~Worker();

  void enqueue(std::shared_ptr<const Delivery> delivery, DeliveryDone done);  // any thread; never blocks
  void flush();
  void abort();  // stops the thread; no report is made after it returns

 private:
  // One delivery being indexed: reported when `remaining` reaches zero.
  struct Pending {
    std::shared_ptr<const Delivery> delivery;
    DeliveryDone done;
    DeliveryReport report;
    std::vector<std::string> index;  // per part
    size_t remaining = 0;
  };
  struct Doc {
    Pending* owner;
    uint32_t pos;    // in the delivery's report
    uint32_t part;
    uint32_t event;  // index into the part's batch
    const Batch& batch() const { return *owner->delivery->parts[part].batch; }
  };
  struct Request {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::vector<Doc> docs;
    std::string body;
    std::string compressed;
    std::string response;
    size_t endpoint = 0;
    bool busy = false;
  };

  void run();
  void take_incoming();
  bool should_send(Clock::time_point now) const;
  void send(Request& r, Clock::time_point now);
  void build_body(Request& r);
  size_t pick_endpoint(Clock::time_point now);
  void set_endpoint_aside(size_t endpoint);
  void finished(Request& r, CURLcode rc);
  void handle_items(Request& r);
  void all_retry(const std::vector<Doc>& docs, const std::string& type, const std::string& reason, std::chrono::milliseconds after);
  void split_or_reject(Request& r, const std::string& type, const std::string& reason);
  void resolve(const Doc& d, Outcome outcome, uint16_t reason = 0);
  int poll_timeout_ms(Clock::time_point now) const;

  ElasticsearchSinkConfig config_;
  EsConnection conn_;
  std::string name_;

  // Shared with enqueue()/flush()/abort(), under mu_.
  std::mutex mu_;
  std::deque<std::pair<std::shared_ptr<const Delivery>, DeliveryDone>> incoming_;
  bool stop_ = false;
  std::atomic<bool> flush_now_{false};  // the input ended: send what is queued without waiting to fill requests

  // The worker thread's own.
  CURLM* multi_ = nullptr;
  std::vector<std::unique_ptr<Request>> requests_;
  std::deque<Doc> ready_;
  size_t ready_bytes_ = 0;
  Clock::time_point ready_since_;
  std::vector<Clock::time_point> endpoint_down_until_;
  std::vector<int> endpoint_failures_;
  size_t next_endpoint_ = 0;
  size_t split_limit_ = 0;  // after a refused whole request: documents per request while
  size_t split_left_ = 0;   // split_left_ documents are resent in smaller requests
  std::unordered_set<Pending*> pending_;  // every delivery held, to free them at exit
  std::unique_ptr<GzipCompressor> gzip_;
  BulkResponseReader reader_;
  std::vector<BulkItem> items_;
  std::string id_scratch_;
  std::string url_suffix_;
  EventTemplate index_template_;
  std::thread thread_;

  Counter& created_;
  Counter& conflicts_;
  Counter& retried_;
  Counter& rejected_;
  Counter& requests_ok_;
  Counter& requests_failed_;
  Counter& bytes_sent_;
  Gauge& in_flight_;
};

}  // namespace logship
