// A queue of batches bounded in bytes, between two pipeline stages.
//
//   BatchQueue q(8 << 20, /*producers=*/2);
//   q.push(batch);            // blocks while the queue holds more than its capacity
//   q.producer_done();        // each producer, once
//   while (auto b = q.pop())  // nullptr once every producer is done and the queue is empty
//
// Blocking push is how back-pressure reaches the sources: a slow sink fills its queue, the
// stage before it blocks, and in the end the file reader stops reading (the file is the buffer).
// A batch larger than the capacity is still accepted when the queue is empty, so nothing can
// get stuck. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "core/batch.h"

namespace logship {

class BatchQueue {
 public:
  BatchQueue(size_t capacity_bytes, int producers);

  void push(BatchPtr batch);
  // Waits until a batch of `size` bytes would be taken without waiting, or `deadline`; false
  // then. Counts as a producer waiting (blocked_since, blocked_nanos) meanwhile.
  bool wait_room(size_t size, std::chrono::steady_clock::time_point deadline);
  // Takes the batch without waiting for room: after wait_room, so the bound is overshot by at
  // most what other producers pushed in between.
  void push_now(BatchPtr batch);
  // Puts `batches` before everything queued, in their order, without waiting for room: what a
  // replaced sink did not deliver goes ahead of what reached its successor since.
  void push_front_now(std::vector<BatchPtr> batches);
  // Waits for a batch; nullptr when all producers are done and nothing is left.
  BatchPtr pop();
  // Like pop(), but returns nullptr after `timeout` too (check done() to tell them apart).
  BatchPtr pop_for(std::chrono::milliseconds timeout);
  // Like pop_for, until `deadline`; also returns nullptr as soon as interrupt() is called (a
  // sink's driver waits here for input and for its sink's reports at once).
  BatchPtr pop_until(std::chrono::steady_clock::time_point deadline);
  // Waits until interrupt() or `deadline`, without taking anything.
  void wait_interrupt(std::chrono::steady_clock::time_point deadline);
  // Wakes the reader waiting in pop_until / wait_interrupt (or its next wait). Any thread.
  void interrupt();
  // Everything queued right now, without waiting (for sinks that write group commits).
  void drain_into(std::deque<BatchPtr>& out, size_t max_bytes);
  void producer_done();
  // One more producer (a reload wiring a new stage in front of a running one). Call it before
  // the producer it replaces says producer_done(), or the reader may see the end of its input.
  void add_producer();
  bool done() const;
  size_t bytes() const;
  // Nanoseconds producers spent blocked because the queue was full.
  uint64_t blocked_nanos() const;
  // Since when producers have been finding no room without anything being pushed; nullopt
  // when the queue is moving. A queue that stays full this way means its reader is stuck.
  std::optional<std::chrono::steady_clock::time_point> blocked_since() const;
  size_t capacity() const { return capacity_; }

 private:
  BatchPtr take_front_locked();  // mu_ held; nullptr when empty

  mutable std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<BatchPtr> items_;
  size_t bytes_ = 0;
  size_t capacity_;
  int producers_;
  uint64_t blocked_nanos_ = 0;
  int waiting_ = 0;
  bool interrupted_ = false;
  std::optional<std::chrono::steady_clock::time_point> stalled_since_;  // a producer found no room, nothing pushed since
};

}  // namespace logship
