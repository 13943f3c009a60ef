// Numbers about logship itself: counters and gauges, registered by name and labels.
//
//   Counter& lines = metrics().counter("logship_events_out_total", "Events sent on.",
//                                      {{"component", "app_logs"}});
//   lines.add(batch.events.size());      // lock-free on the hot path
//
// Registration takes a lock and returns a reference that stays valid for the process's life;
// the HTTP endpoint (shipper/api/) renders the registry with core/prometheus_text.h.
// Durations are counted in nanoseconds (integers, lock-free) and exposed in seconds, the
// Prometheus base unit: register them with seconds_counter(). Values known only when asked
// (process RSS, a checkpoint's age) come from collectors run at every scrape.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace logship {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

enum class MetricType { kCounter, kGauge };

struct MetricInfo {
  std::string name;
  std::string help;
  Labels labels;
  MetricType type;
  const Counter* counter = nullptr;
  const Gauge* gauge = nullptr;
  double scale = 1.0;  // exposed value = stored value * scale (1e-9: nanoseconds as seconds)
  double exposed() const {
    return scale * (counter ? static_cast<double>(counter->value()) : static_cast<double>(gauge->value()));
  }
};

// A value computed at scrape time.
struct Sample {
  std::string name;
  std::string help;
  MetricType type;
  Labels labels;
  double value;
};
using Collector = std::function<void(std::vector<Sample>& out)>;

class MetricsRegistry {
 public:
  // Same name and labels -> same counter.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // A counter of nanoseconds, exposed in seconds; `name` ends in _seconds_total.
  Counter& seconds_counter(const std::string& name, const std::string& help, const Labels& labels = {});
  // Returns an id for remove_collector (a collector that reads an object must go with it).
  int add_collector(Collector collector);
  void remove_collector(int id);
  void for_each(const std::function<void(const MetricInfo&)>& fn) const;
  // What the collectors say now.
  std::vector<Sample> collect() const;
  // Value of a counter or gauge, 0 when absent (for tests and `status` lines).
  int64_t value(const std::string& name, const Labels& labels = {}) const;

 private:
  MetricInfo* find(const std::string& name, const Labels& labels);
  mutable std::mutex mu_;
  mutable std::mutex collect_mu_;  // held while collectors run, so removal waits for them
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<MetricInfo> infos_;
  std::vector<std::pair<int, Collector>> collectors_;
  int next_collector_id_ = 1;
};

MetricsRegistry& metrics();

}  // namespace logship
