// Inside the topology: one component, its thread, its input queue and its output (shared by
// topology.cc and topology_reload.cc only).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "delivery/sink_driver.h"
#include "shipper/runtime/fanout.h"
#include "shipper/runtime/topology.h"

namespace logship {

inline int64_t steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline int64_t to_nanos(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

inline constexpr int64_t kNoDeadline = INT64_MAX;

struct Topology::Node {
  std::string name;
  ComponentKind kind;
  std::string signature;  // the YAML it was built from: a reload keeps it when unchanged
  std::unique_ptr<Source> source;
  std::vector<std::unique_ptr<Transform>> transforms;  // one per worker thread
  std::unique_ptr<Sink> sink;
  std::unique_ptr<BatchQueue> input;  // transforms and sinks
  std::unique_ptr<Fanout> output;     // sources and transforms; a sink's dead letters
  SinkDriverOptions sink_options;     // sinks: what their driver is given
  SinkDriverState sink_state;         // sinks: read by /health and the status line
  Counter* sink_events = nullptr;
  Counter* sent_events = nullptr;  // sources and transforms
  std::thread thread;
  std::atomic<bool> running{false};
  std::atomic<bool> awaiting_predecessor{false};  // a replacement that starts once the old one is gone
  std::atomic<bool> stop{false};                  // sources: stop reading
  std::atomic<int64_t> deadline{kNoDeadline};     // steady ns: past it, sinks give up what they hold
  // A sink a reload replaces: what it did not deliver by its deadline goes to its successor
  // (kept in `unsent` until that one starts) instead of waiting for the next start.
  std::atomic<bool> has_successor{false};
  std::vector<BatchPtr> unsent;
  std::atomic<int64_t> started_at{0};             // unix ns

  bool past_deadline() const { return steady_nanos() >= deadline.load(std::memory_order_relaxed); }
  std::chrono::steady_clock::time_point deadline_point() const {
    int64_t d = deadline.load();
    if (d == kNoDeadline) return std::chrono::steady_clock::time_point::max();
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(d));
  }
};

}  // namespace logship
