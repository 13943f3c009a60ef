// Delivery state of one Kafka partition read by the kafka source: the offsets of batches in
// flight, and how far every message has been acknowledged downstream (what may be committed).
// Shared by the consumer thread (track, revoke) and sink threads (the ack callback).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "core/ack.h"

namespace logship {

class PartitionProgress {
 public:
  PartitionProgress(std::string topic, int32_t partition, int64_t committed)
      : topic_(std::move(topic)), partition_(partition), committed_(committed) {}

  // A batch whose last message has offset `next_offset - 1`.
  static AckToken track(const std::shared_ptr<PartitionProgress>& self, int64_t next_offset);
  // The offset to commit (the next message to read), or -1 when nothing new was acknowledged.
  int64_t take_commit();
  int64_t acknowledged() const;
  // Revoked: acks still in flight no longer count (another consumer owns the partition now).
  void revoke();

  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }

 private:
  void acked(uint64_t seq);
  struct Slot {
    int64_t next_offset;
    bool acked;
  };
  std::string topic_;
  int32_t partition_;
  mutable std::mutex mu_;
  bool revoked_ = false;
  uint64_t first_seq_ = 0;
  std::deque<Slot> in_flight_;
  int64_t committed_;          // last offset committed to Kafka
  int64_t acknowledged_ = -1;  // highest contiguous acknowledged next-offset, -1 when none yet
};

}  // namespace logship
