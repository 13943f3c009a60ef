#include "shipper/sources/file/file_progress.h"

namespace logship {

void FileProgress::restart_at(uint64_t offset) {
  std::lock_guard lock(mu_);
  acks_->reset(static_cast<int64_t>(offset));
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
  FileCheckpoint c = cp_;
  c.offset = static_cast<uint64_t>(acks_->acknowledged());
  return c;
}

}  // namespace logship
