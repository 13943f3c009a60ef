// The elasticsearch sink's engine: one thread that turns queued batches into `_bulk` requests,
// keeps up to max_in_flight of them on the wire (libcurl multi), reads every answer item by
// item, and acknowledges each batch once all its documents are created, already there (409)
// or dead-lettered. write() only queues, and blocks while buffer_bytes are held.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
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

  Worker(ElasticsearchSinkConfig config, std::string name, std::unique_ptr<DeadLetterWriter> dead_letter);
  ~Worker();

  void enqueue(std::span<const BatchPtr> batches);  // any thread; blocks while the buffer is full
  void drain(const Sink::Deadline& deadline);

 private:
  // One batch being indexed: acknowledged when `remaining` reaches zero.
  struct Owner {
    BatchPtr batch;
    std::string index;
    size_t remaining = 0;
    size_t bytes = 0;
  };
  struct Doc {
    Owner* owner;
    uint32_t event;
  };
  struct Request {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::vector<Doc> docs;
    std::string body;
    std::string compressed;
    std::string response;
    size_t endpoint = 0;
    Clock::time_point started;
    bool busy = false;
  };

  void run();
  void take_incoming();
  void release_due_retries(Clock::time_point now);
  bool should_send(Clock::time_point now) const;
  void send(Request& r, Clock::time_point now);
  void build_body(Request& r);
  size_t pick_endpoint(Clock::time_point now);
  void finished(Request& r, CURLcode rc);
  void handle_items(Request& r);
  void dead_letter(const std::vector<Doc>& docs, const std::vector<BulkItem>& why);
  void retry_later(std::vector<Doc> docs, const std::string& reason);
  void split_or_dead_letter(Request& r, long status);
  void done(const Doc& d);
  std::chrono::milliseconds backoff();
  int poll_timeout_ms(Clock::time_point now) const;

  ElasticsearchSinkConfig config_;
  EsConnection conn_;
  std::string name_;
  std::unique_ptr<DeadLetterWriter> dead_letter_;
  std::chrono::milliseconds initial_backoff_;
  std::chrono::milliseconds max_backoff_;

  // Shared with write()/drain(), under mu_.
  std::mutex mu_;
  std::condition_variable room_;
  std::deque<BatchPtr> incoming_;
  size_t held_bytes_ = 0;
  size_t held_batches_ = 0;
  bool stop_ = false;
  std::atomic<bool> flush_now_{false};  // drain(): send what is queued without waiting to fill requests

  // The worker thread's own.
  CURLM* multi_ = nullptr;
  std::vector<std::unique_ptr<Request>> requests_;
  std::deque<Doc> ready_;
  size_t ready_bytes_ = 0;
  Clock::time_point ready_since_;
  std::multimap<Clock::time_point, std::vector<Doc>> retries_;
  std::vector<Clock::time_point> endpoint_down_until_;
  size_t next_endpoint_ = 0;
  int consecutive_failures_ = 0;
  size_t split_limit_ = 0;  // after a refused whole request: documents per request while
  size_t split_left_ = 0;   // split_left_ documents are resent in smaller requests
  std::unordered_set<Owner*> owners_;  // every batch held, to free them at exit
  Clock::time_point last_failure_log_{};
  std::mt19937_64 rng_{std::random_device{}()};
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
  Counter& dead_lettered_;
  Counter& requests_ok_;
  Counter& requests_failed_;
  Counter& bytes_sent_;
  Counter& blocked_nanos_;
  Gauge& in_flight_;
  Gauge& held_bytes_gauge_;
  Gauge& blocked_;
};

}  // namespace logship
