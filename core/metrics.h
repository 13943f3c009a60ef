// Numbers about logship itself: counters and gauges, registered by name and labels.
//
//   Counter& lines = metrics().counter("logship_events_out_total", "Events sent on.",
//                                      {{"component", "app_logs"}});
//   lines.add(batch.events.size());      // lock-free on the hot path
//
// Registration takes a lock and returns a reference that stays valid for the process's life;
// the HTTP endpoint (see the operations issue) walks the registry with for_each().
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
};

class MetricsRegistry {
 public:
  // Same name and labels -> same counter.
  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  void for_each(const std::function<void(const MetricInfo&)>& fn) const;
  // Value of a counter or gauge, 0 when absent (for tests and `status` lines).
  int64_t value(const std::string& name, const Labels& labels = {}) const;

 private:
  MetricInfo* find(const std::string& name, const Labels& labels);
  mutable std::mutex mu_;
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<MetricInfo> infos_;
};

MetricsRegistry& metrics();

}  // namespace logship
