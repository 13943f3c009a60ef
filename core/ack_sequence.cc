#include "core/ack_sequence.h"

namespace logship {

AckToken AckSequence::track(const std::shared_ptr<AckSequence>& self, int64_t end) {
  std::lock_guard lock(self->mu_);
  uint64_t seq = self->first_seq_ + self->in_flight_.size();
  uint64_t generation = self->generation_;
  self->in_flight_.push_back({end, false});
  return AckToken([self, generation, seq] { self->acked(generation, seq); });
}

void AckSequence::acked(uint64_t generation, uint64_t seq) {
  std::lock_guard lock(mu_);
  if (generation != generation_ || seq < first_seq_) return;
  in_flight_[seq - first_seq_].acked = true;
  while (!in_flight_.empty() && in_flight_.front().acked) {
    acknowledged_ = in_flight_.front().end;
    in_flight_.pop_front();
    ++first_seq_;
  }
}

void AckSequence::reset(int64_t start) {
  std::lock_guard lock(mu_);
  ++generation_;
  first_seq_ += in_flight_.size();
  in_flight_.clear();
  acknowledged_ = start;
}

int64_t AckSequence::acknowledged() const {
  std::lock_guard lock(mu_);
  return acknowledged_;
}

bool AckSequence::in_flight() const {
  std::lock_guard lock(mu_);
  return !in_flight_.empty();
}

}  // namespace logship
