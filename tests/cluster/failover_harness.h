// What the cluster failover tests share: an app writing numbered lines at a steady rate, a
// watch on a running logship's delivered-events counter (to say how long it blocked during an
// outage), and the final accounting: every sequence number once in OpenSearch, at least once in
// the topic, a duplicate in the topic always with the same event.id.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace logship::testing {

// Appends `total` lines "seq=<8 digits> <padding>" to the files, spread over them in turn, at
// `per_second` lines per second, from a thread of its own.
class NumberedWriter {
 public:
  NumberedWriter(std::vector<std::string> files, int64_t total, int per_second)
      : files_(std::move(files)), total_(total), rate_(per_second) {}
  ~NumberedWriter() { stop(); }
  void start();
  void stop();
  bool done() const { return written_.load() >= total_; }
  int64_t written() const { return written_.load(); }

 private:
  std::vector<std::string> files_;
  int64_t total_;
  int rate_;
  std::atomic<int64_t> written_{0};
  std::atomic<bool> running_{false};
  std::thread thread_;
};

// Polls a logship API's /metrics every 100 ms and keeps (time, value) of one counter.
class CounterWatch {
 public:
  CounterWatch(std::string api_url, std::string series) : url_(std::move(api_url)), series_(std::move(series)) {}
  ~CounterWatch() { stop(); }
  void start();
  void stop();
  double latest() const;
  // The longest stretch between `from` and `to` during which the counter did not move, in
  // seconds: how long the pipeline delivered nothing.
  double longest_stall(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) const;

 private:
  std::string url_, series_;
  mutable std::mutex mu_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, double>> samples_;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

struct TopicAccount {
  int64_t messages = 0;
  int64_t distinct = 0;               // sequence numbers seen
  int64_t duplicates = 0;             // messages beyond the first of a sequence number
  int64_t duplicates_with_other_id = 0;  // of those, ones whose event.id differs: must be 0
  std::vector<int64_t> missing;       // sequence numbers 0..total-1 not in the topic (first 20)
};
// Reads `topic` from the beginning (until 10 s pass without a message) and accounts for
// sequence numbers 0..total-1.
TopicAccount account_topic(const std::string& bootstrap, const std::string& topic, int64_t total);

struct IndexAccount {
  int64_t documents = 0;
  int64_t distinct = 0;
  std::vector<int64_t> missing;      // first 20
  std::vector<int64_t> duplicated;   // first 20
};
// Every document's message in `index` of the cluster at `url`, accounted for 0..total-1.
IndexAccount account_index(const std::string& url, const std::string& index, int64_t total);

// "seq=00000042 ..." -> 42; -1 when the text holds none.
int64_t sequence_of(const std::string& text);

// A figure with one decimal ("8.2").
std::string one_decimal(double v);

// One line for the closing note: "[figures] <test>: key=value ...".
void print_figures(const std::string& test, const std::vector<std::pair<std::string, std::string>>& figures);

}  // namespace logship::testing
