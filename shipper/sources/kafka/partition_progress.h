// Delivery state of one Kafka partition read by the kafka source: an AckSequence over
// offsets (the next offset to read after each batch) and what was last committed.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/ack_sequence.h"

namespace logship {

class PartitionProgress {
 public:
  PartitionProgress(std::string topic, int32_t partition, int64_t committed)
      : topic_(std::move(topic)), partition_(partition), committed_(committed), acks_(std::make_shared<AckSequence>(-1)) {}

  // A batch whose last message has offset `next_offset - 1`.
  AckToken track(int64_t next_offset) { return AckSequence::track(acks_, next_offset); }
  // The offset to commit (the next message to read), or -1 when nothing new was acknowledged.
  int64_t take_commit();
  int64_t acknowledged() const { return acks_->acknowledged(); }
  // Revoked: acks still in flight no longer count (another consumer owns the partition now).
  void revoke() { acks_->reset(-1); }

  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_; }

 private:
  std::string topic_;
  int32_t partition_;
  std::mutex mu_;
  int64_t committed_;  // last offset committed to Kafka, -1 when none
  std::shared_ptr<AckSequence> acks_;
};

}  // namespace logship
