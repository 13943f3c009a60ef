#include "core/batch_pool.h"

namespace logship {

BatchPool::BatchPool(size_t max_idle, size_t max_buffer_bytes, size_t max_total_bytes) : state_(std::make_shared<State>()) {
  state_->max_idle = max_idle;
  state_->max_buffer_bytes = max_buffer_bytes;
  state_->max_total_bytes = max_total_bytes;
}

BatchPtr BatchPool::acquire() {
  std::unique_ptr<Batch> batch;
  {
    std::lock_guard lock(state_->mu);
    if (!state_->idle.empty()) {
      batch = std::move(state_->idle.back());
      state_->idle.pop_back();
      state_->idle_bytes -= batch->raw.capacity();
    }
  }
  if (!batch) batch = std::make_unique<Batch>();
  std::shared_ptr<State> state = state_;
  return BatchPtr(batch.release(), [state](Batch* b) {
    std::unique_ptr<Batch> owned(b);
    if (b->raw.capacity() + b->encoded.capacity() > state->max_buffer_bytes) return;
    b->origin.reset();
    b->raw.clear();
    b->events.clear();
    // The encoded buffer goes back to its encoder's pool, not along with the batch: a recycled
    // batch waits in the first queue again, raw only, and stale encoded capacity on each (3x
    // the raw size for nginx lines) made the real memory far larger than the queues count.
    b->release_encoded();
    b->event_ids.clear();
    b->event_times.clear();
    b->read_time_nanos = 0;
    b->ack = AckToken();
    std::lock_guard lock(state->mu);
    if (state->idle.size() >= state->max_idle || state->idle_bytes + b->raw.capacity() > state->max_total_bytes) return;
    state->idle_bytes += b->raw.capacity();
    state->idle.push_back(std::move(owned));
  });
}

size_t BatchPool::idle() const {
  std::lock_guard lock(state_->mu);
  return state_->idle.size();
}

}  // namespace logship
