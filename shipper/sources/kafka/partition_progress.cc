#include "shipper/sources/kafka/partition_progress.h"

namespace logship {

AckToken PartitionProgress::track(const std::shared_ptr<PartitionProgress>& self, int64_t next_offset) {
  std::lock_guard lock(self->mu_);
  uint64_t seq = self->first_seq_ + self->in_flight_.size();
  self->in_flight_.push_back({next_offset, false});
  return AckToken([self, seq] { self->acked(seq); });
}

void PartitionProgress::acked(uint64_t seq) {
  std::lock_guard lock(mu_);
  if (revoked_ || seq < first_seq_) return;
  in_flight_[seq - first_seq_].acked = true;
  while (!in_flight_.empty() && in_flight_.front().acked) {
    acknowledged_ = in_flight_.front().next_offset;
    in_flight_.pop_front();
    ++first_seq_;
  }
}

int64_t PartitionProgress::take_commit() {
  std::lock_guard lock(mu_);
  if (acknowledged_ < 0 || acknowledged_ <= committed_) return -1;
  committed_ = acknowledged_;
  return committed_;
}

int64_t PartitionProgress::acknowledged() const {
  std::lock_guard lock(mu_);
  return acknowledged_;
}

void PartitionProgress::revoke() {
  std::lock_guard lock(mu_);
  revoked_ = true;
  in_flight_.clear();
}

}  // namespace logship
