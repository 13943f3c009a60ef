#include "shipper/sources/file/file_progress.h"

namespace logship {

AckToken FileProgress::track(const std::shared_ptr<FileProgress>& self, uint64_t end_offset) {
  std::lock_guard lock(self->mu_);
  uint64_t seq = self->first_seq_ + self->in_flight_.size();
  uint64_t generation = self->generation_;
  self->in_flight_.push_back({end_offset, false});
  return AckToken([self, generation, seq] { self->acked(generation, seq); });
}

void FileProgress::acked(uint64_t generation, uint64_t seq) {
  std::lock_guard lock(mu_);
  if (generation != generation_ || seq < first_seq_) return;
  in_flight_[seq - first_seq_].acked = true;
  while (!in_flight_.empty() && in_flight_.front().acked) {
    cp_.offset = in_flight_.front().end_offset;
    in_flight_.pop_front();
    ++first_seq_;
  }
}

void FileProgress::restart_at(uint64_t offset) {
  std::lock_guard lock(mu_);
  ++generation_;
  first_seq_ += in_flight_.size();
  in_flight_.clear();
  cp_.offset = offset;
  cp_.fingerprint_bytes = 0;
  cp_.fingerprint = 0;
}

void FileProgress::set_fingerprint(uint32_t bytes, uint64_t hash) {
  std::lock_guard lock(mu_);
  cp_.fingerprint_bytes = bytes;
  cp_.fingerprint = hash;
}

void FileProgress::set_path(const std::string& path) {
  std::lock_guard lock(mu_);
  cp_.path = path;
}

FileCheckpoint FileProgress::snapshot() const {
  std::lock_guard lock(mu_);
  return cp_;
}

bool FileProgress::in_flight() const {
  std::lock_guard lock(mu_);
  return !in_flight_.empty();
}

}  // namespace logship
