// Delivery state of one file: its checkpoint (identity, fingerprint) and how far every event
// has been acknowledged (an AckSequence over byte offsets). Shared by the reader thread
// (track) and the sink threads (the ack callback).
//
//   auto progress = std::make_shared<FileProgress>(checkpoint);
//   batch->ack = progress->track(batch->events.back().end_offset);
//   …sinks ack…  progress->snapshot().offset   // highest contiguous acknowledged offset
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "core/ack_sequence.h"
#include "shipper/sources/file/checkpoint_store.h"

namespace logship {

class FileProgress {
 public:
  explicit FileProgress(FileCheckpoint start)
      : cp_(std::move(start)), acks_(std::make_shared<AckSequence>(static_cast<int64_t>(cp_.offset))) {}

  AckToken track(uint64_t end_offset) { return AckSequence::track(acks_, static_cast<int64_t>(end_offset)); }
  // The file was truncated: batches in flight no longer move the offset, which restarts here.
  void restart_at(uint64_t offset);
  void set_fingerprint(uint32_t bytes, uint64_t hash);
  void set_path(const std::string& path);
  FileCheckpoint snapshot() const;
  bool in_flight() const { return acks_->in_flight(); }

 private:
  mutable std::mutex mu_;  // guards cp_'s identity fields; the offset lives in acks_
  FileCheckpoint cp_;
  std::shared_ptr<AckSequence> acks_;
};

}  // namespace logship
