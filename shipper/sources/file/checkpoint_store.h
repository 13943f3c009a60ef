// Where each file of a source has been read to, kept in `data_dir` across restarts.
//
//   CheckpointStore store("/var/lib/logship/app_logs.checkpoints.json");
//   auto saved = store.load();                 // [] when the file does not exist yet
//   store.save(current);                       // atomic: temp file, fsync, rename, fsync folder
//
// A checkpoint names a file by device + inode and by a fingerprint (hash of its first bytes), so
// a new file that got a reused inode is told apart from the file that was read. The offset is
// the highest one up to which every event was acknowledged by the sinks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"

namespace logship {

struct FileCheckpoint {
  std::string path;
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t offset = 0;
  uint32_t fingerprint_bytes = 0;  // how many leading bytes the fingerprint covers
  uint64_t fingerprint = 0;        // XXH3-64 of those bytes
};

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string path) : path_(std::move(path)) {}
  Result<std::vector<FileCheckpoint>> load() const;
  Status save(const std::vector<FileCheckpoint>& files) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// XXH3-64 of the first `length` bytes of an open file; false when they cannot all be read.
bool fingerprint_file(int fd, uint32_t length, uint64_t& out);

}  // namespace logship
