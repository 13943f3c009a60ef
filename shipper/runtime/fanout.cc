#include "shipper/runtime/fanout.h"

#include <algorithm>

#include "core/plain_encoder.h"

namespace logship {

Fanout::Fanout(Counter& events, Counter& bytes, bool track_acks) : events_(events), bytes_(bytes), track_acks_(track_acks) {}

void Fanout::emit(BatchPtr batch) {
  // In short waits, so that the mutex is free in between: a reload's rewire() must not wait
  // for a stuck reader (it would hold the reload, and SIGTERM behind it, forever).
  while (!try_emit(batch, std::chrono::milliseconds(100))) {
  }
}

bool Fanout::try_emit(BatchPtr& batch, std::chrono::milliseconds wait) {
  std::lock_guard lock(mu_);
  if (edges_.empty()) {  // nobody reads this output (validate warned about it)
    events_.add(batch->events.size());
    bytes_.add(batch->raw.size());
    batch->ack.ack();
    batch.reset();
    return true;
  }
  if (!room_locked(*batch, wait)) return false;
  emit_locked(std::move(batch));
  batch.reset();
  return true;
}

Fanout::Handed Fanout::try_emit_if_read(BatchPtr& batch, std::chrono::milliseconds wait) {
  std::lock_guard lock(mu_);
  if (edges_.empty()) return Handed::kNoReader;
  if (!room_locked(*batch, wait)) return Handed::kNoRoom;
  emit_locked(std::move(batch));
  batch.reset();
  return Handed::kHanded;
}

bool Fanout::room_locked(const Batch& batch, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  size_t size = batch.memory_bytes();
  for (const auto& e : edges_)
    if (!e.queue->wait_room(size, deadline)) return false;
  return true;
}

void Fanout::emit_locked(BatchPtr batch) {
  events_.add(batch->events.size());
  bytes_.add(batch->raw.size());
  if (track_acks_) {
    in_flight_->fetch_add(1);
    batch->ack = AckToken([source_ack = std::move(batch->ack), in_flight = in_flight_] {
      source_ack.ack();  // first: the source has recorded it before in_flight says so
      in_flight->fetch_sub(1);
    });
  }
  bool any_sink = false;
  for (const auto& e : edges_) any_sink |= e.to_sink;
  // Encode once, before fan-out, so several sinks share the same bytes.
  if (any_sink && !batch->is_encoded) encode_plain(*batch);
  if (edges_.size() > 1) batch->ack.add_pending(static_cast<int>(edges_.size() - 1));
  for (size_t i = 0; i < edges_.size(); ++i) {
    bool last = i + 1 == edges_.size();
    // Transforms change batches in place: each one after the first gets its own copy.
    // Room was checked: no waiting here (other producers may overshoot the bound by a batch).
    edges_[i].queue->push_now(!edges_[i].to_sink && !last ? std::make_shared<Batch>(*batch) : last ? std::move(batch) : batch);
  }
}

void Fanout::rewire(std::vector<FanoutEdge> edges) {
  auto has = [](const std::vector<FanoutEdge>& list, BatchQueue* q) {
    return std::any_of(list.begin(), list.end(), [q](const FanoutEdge& e) { return e.queue == q; });
  };
  std::lock_guard lock(mu_);
  for (const auto& e : edges)
    if (!has(edges_, e.queue)) e.queue->add_producer();
  for (const auto& e : edges_)
    if (!has(edges, e.queue)) e.queue->producer_done();
  edges_ = std::move(edges);
}

void Fanout::close() {
  std::lock_guard lock(mu_);
  if (closed_) return;
  closed_ = true;
  for (const auto& e : edges_) e.queue->producer_done();
}

}  // namespace logship
