// Delivery state of one file: which batches are in flight and how far every event has been
// acknowledged. Shared by the reader thread (track) and the sink threads (the ack callback).
//
//   auto progress = std::make_shared<FileProgress>(checkpoint);
//   batch->ack = FileProgress::track(progress, batch->events.back().end_offset);
//   …sinks ack…  progress->snapshot().offset   // highest contiguous acknowledged offset
//
// Acks may arrive out of order (several sinks, several batches): the committed offset only
// moves past a batch once it and every batch before it are acknowledged. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "core/ack.h"
#include "shipper/sources/file/checkpoint_store.h"

namespace logship {

class FileProgress {
 public:
  explicit FileProgress(FileCheckpoint start) : cp_(std::move(start)) {}

  static AckToken track(const std::shared_ptr<FileProgress>& self, uint64_t end_offset);
  // The file was truncated: batches in flight no longer move the offset, which restarts here.
  void restart_at(uint64_t offset);
  void set_fingerprint(uint32_t bytes, uint64_t hash);
  void set_path(const std::string& path);
  FileCheckpoint snapshot() const;
  bool in_flight() const;

 private:
  void acked(uint64_t generation, uint64_t seq);

  struct Slot {
    uint64_t end_offset;
    bool acked;
  };
  mutable std::mutex mu_;
  FileCheckpoint cp_;
  uint64_t generation_ = 0;
  uint64_t first_seq_ = 0;  // sequence number of in_flight_.front()
  std::deque<Slot> in_flight_;
};

}  // namespace logship
