#include "core/batch_queue.h"

namespace logship {

BatchQueue::BatchQueue(size_t capacity_bytes, int producers)
    : capacity_(capacity_bytes), producers_(producers) {}

void BatchQueue::push(BatchPtr batch) {
  size_t size = batch->memory_bytes();
  std::unique_lock lock(mu_);
  if (!items_.empty() && bytes_ + size > capacity_) {
    auto start = std::chrono::steady_clock::now();
    ++waiting_;
    if (!stalled_since_) stalled_since_ = start;
    not_full_.wait(lock, [&] { return items_.empty() || bytes_ + size <= capacity_; });
    --waiting_;
    blocked_nanos_ += static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  }
  bytes_ += size;
  items_.push_back(std::move(batch));
  stalled_since_.reset();
  not_empty_.notify_one();
}

bool BatchQueue::wait_room(size_t size, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  auto room = [&] { return items_.empty() || bytes_ + size <= capacity_; };
  if (room()) return true;
  auto start = std::chrono::steady_clock::now();
  ++waiting_;
  // A producer that tries again after giving up is still the same stall: it began with the
  // first wait and ends when something is pushed.
  if (!stalled_since_) stalled_since_ = start;
  bool ok = not_full_.wait_until(lock, deadline, room);
  --waiting_;
  blocked_nanos_ += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  return ok;
}

void BatchQueue::push_now(BatchPtr batch) {
  size_t size = batch->memory_bytes();
  std::lock_guard lock(mu_);
  bytes_ += size;
  items_.push_back(std::move(batch));
  stalled_since_.reset();
  not_empty_.notify_one();
}

void BatchQueue::push_front_now(std::vector<BatchPtr> batches) {
  std::lock_guard lock(mu_);
  for (auto it = batches.rbegin(); it != batches.rend(); ++it) {
    bytes_ += (*it)->memory_bytes();
    items_.push_front(std::move(*it));
  }
  stalled_since_.reset();
  not_empty_.notify_one();
}

BatchPtr BatchQueue::take_front_locked() {
  if (items_.empty()) return nullptr;
  BatchPtr b = std::move(items_.front());
  items_.pop_front();
  bytes_ -= b->memory_bytes();
  not_full_.notify_all();
  return b;
}

BatchPtr BatchQueue::pop() {
  std::unique_lock lock(mu_);
  not_empty_.wait(lock, [&] { return !items_.empty() || producers_ == 0; });
  return take_front_locked();
}

BatchPtr BatchQueue::pop_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  not_empty_.wait_for(lock, timeout, [&] { return !items_.empty() || producers_ == 0; });
  return take_front_locked();
}

BatchPtr BatchQueue::pop_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  not_empty_.wait_until(lock, deadline, [&] { return !items_.empty() || producers_ == 0 || interrupted_; });
  interrupted_ = false;
  return take_front_locked();
}

void BatchQueue::wait_interrupt(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  not_empty_.wait_until(lock, deadline, [&] { return interrupted_; });
  interrupted_ = false;
}

void BatchQueue::interrupt() {
  std::lock_guard lock(mu_);
  interrupted_ = true;
  not_empty_.notify_all();
}

void BatchQueue::drain_into(std::deque<BatchPtr>& out, size_t max_bytes) {
  std::lock_guard lock(mu_);
  size_t taken = 0;
  while (!items_.empty() && taken < max_bytes) {
    size_t size = items_.front()->memory_bytes();
    taken += size;
    bytes_ -= size;
    out.push_back(std::move(items_.front()));
    items_.pop_front();
  }
  not_full_.notify_all();
}

void BatchQueue::producer_done() {
  std::lock_guard lock(mu_);
  if (producers_ > 0) --producers_;
  not_empty_.notify_all();
}

void BatchQueue::add_producer() {
  std::lock_guard lock(mu_);
  ++producers_;
}

bool BatchQueue::done() const {
  std::lock_guard lock(mu_);
  return producers_ == 0 && items_.empty();
}

size_t BatchQueue::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

std::optional<std::chrono::steady_clock::time_point> BatchQueue::blocked_since() const {
  std::lock_guard lock(mu_);
  return stalled_since_;
}

uint64_t BatchQueue::blocked_nanos() const {
  std::lock_guard lock(mu_);
  return blocked_nanos_;
}

}  // namespace logship
