// Sends a source's or transform's output to every stage that lists it as an input.
//
//   Fanout out(events, bytes, /*track_acks=*/true);
//   out.rewire({{&sink_queue, true}});   // registers as a producer of each queue
//   out.emit(batch);                     // blocks while a queue is full (back-pressure)
//   out.close();                         // producer_done() on every queue
//
// A reload can rewire a running stage: the edge list is swapped under the same mutex emit()
// holds, so a batch goes either to the old queues or to the new ones, never half and half, and
// a dropped queue hears producer_done() only after the last batch pushed into it.
//
// With track_acks (sources), every emitted batch counts as in flight until all its readers
// acknowledged it: a reload waits for that before the replacement of a source reads the
// checkpoints the old one wrote.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "core/batch_queue.h"
#include "core/component.h"
#include "core/metrics.h"

namespace logship {

struct FanoutEdge {
  BatchQueue* queue;
  bool to_sink;  // sinks read encoded bytes; transforms change batches in place
};

class Fanout final : public Emitter {
 public:
  Fanout(Counter& events, Counter& bytes, bool track_acks);

  void emit(BatchPtr batch) override;
  // Waits at most `wait` for room in every reader's queue; pushes only when all have it.
  bool try_emit(BatchPtr& batch, std::chrono::milliseconds wait) override;
  // For a sink's dead letters, which go to a file of their own rather than being let go when
  // nothing reads them: hands the batch on only when something reads this output and has room
  // within `wait` (the batch is left with the caller otherwise).
  enum class Handed { kHanded, kNoReader, kNoRoom };
  Handed try_emit_if_read(BatchPtr& batch, std::chrono::milliseconds wait);
  // Replaces the edge list: add_producer() on the queues that are new, producer_done() on the
  // ones left out. Waits for an emit() in progress.
  void rewire(std::vector<FanoutEdge> edges);
  void close();
  // Batches emitted and not yet acknowledged by every reader (track_acks only).
  int64_t in_flight() const { return in_flight_->load(); }

 private:
  bool room_locked(const Batch& batch, std::chrono::milliseconds wait);  // mu_ held
  void emit_locked(BatchPtr batch);  // mu_ held, edges_ not empty, room checked

  std::mutex mu_;
  std::vector<FanoutEdge> edges_;
  bool closed_ = false;
  Counter& events_;
  Counter& bytes_;
  bool track_acks_;
  // Shared with the ack callbacks, which may run after a retired source is gone.
  std::shared_ptr<std::atomic<int64_t>> in_flight_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace logship
