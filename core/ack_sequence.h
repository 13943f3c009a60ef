// How far a stream of batches (a file, a Kafka partition) has been acknowledged without gaps.
//
//   auto seq = std::make_shared<AckSequence>(0);
//   batch->ack = AckSequence::track(seq, /*end=*/4096);   // position just past the batch
//   …sinks ack, in any order…
//   seq->acknowledged();   // the highest end before which every batch was acknowledged
//
// Acks may arrive out of order (several sinks, several batches): the position only moves past
// a batch once it and every batch before it are acknowledged. reset() starts over (a file
// truncated, a partition revoked): acks of batches tracked before it no longer count.
// Thread-safe: the producer tracks, sink threads acknowledge.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "core/ack.h"

namespace logship {

class AckSequence {
 public:
  explicit AckSequence(int64_t start) : acknowledged_(start) {}

  static AckToken track(const std::shared_ptr<AckSequence>& self, int64_t end);
  void reset(int64_t start);
  int64_t acknowledged() const;
  bool in_flight() const;

 private:
  void acked(uint64_t generation, uint64_t seq);
  struct Slot {
    int64_t end;
    bool acked;
  };
  mutable std::mutex mu_;
  uint64_t generation_ = 0;
  uint64_t first_seq_ = 0;  // sequence number of in_flight_.front()
  std::deque<Slot> in_flight_;
  int64_t acknowledged_;
};

}  // namespace logship
