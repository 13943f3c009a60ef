// Strings that keep the capacity of their earlier use, handed from stage to stage.
//
//   auto pool = std::make_shared<StringPool>();
//   std::string out = pool->take();     // empty, usually with the capacity of an earlier batch
//   … fill it, move it into batch.encoded, set batch.encoded_pool = pool;
//   the batch gives it back when it is recycled or destroyed (Batch::release_encoded).
//
// Why: an encoder fills one buffer per batch. Growing a fresh string each time costs a chain
// of reallocations and, above glibc's mmap threshold, page faults on every new page: at a
// steady 10 MB/s that was a sixth of the sidecar's CPU. Thread-safe (batches die on sink
// threads); bounded, so memory stays what the pipeline needs.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace logship {

class StringPool {
 public:
  // At most `max_idle` strings of at most `max_capacity` each, and `max_total` bytes of
  // capacity in all: a run of huge events must not leave the pool holding megabytes apiece.
  explicit StringPool(size_t max_idle = 8, size_t max_capacity = 8 << 20, size_t max_total = 24 << 20)
      : max_idle_(max_idle), max_capacity_(max_capacity), max_total_(max_total) {}

  std::string take() {
    std::lock_guard lock(mu_);
    if (idle_.empty()) return {};
    std::string s = std::move(idle_.back());
    idle_.pop_back();
    idle_bytes_ -= s.capacity();
    return s;
  }

  // Keeps `s` for a later take() unless the pool is full or `s` grew unusually large.
  void give(std::string&& s) {
    if (s.capacity() > max_capacity_ || s.capacity() == std::string().capacity()) return;
    s.clear();
    std::lock_guard lock(mu_);
    if (idle_.size() >= max_idle_ || idle_bytes_ + s.capacity() > max_total_) return;
    idle_bytes_ += s.capacity();
    idle_.push_back(std::move(s));
  }

  size_t idle() const {
    std::lock_guard lock(mu_);
    return idle_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> idle_;
  size_t max_idle_;
  size_t max_capacity_;
  size_t max_total_;
  size_t idle_bytes_ = 0;  // capacity of the strings in idle_
};

}  // namespace logship
