// `type: file` sink: appends NDJSON (one event per line) to `path`, fsyncs, then acknowledges.
//
//   sinks:
//     archive: {type: file, inputs: [app], path: /var/lib/logship/out.ndjson}
//
// Several queued batches are written with one writev and one fsync (group commit), so the
// fsync cost is paid per few MiB, not per batch. When the file is moved or deleted by someone
// else (log rotation of our own output), it is reopened at `path`. Once synced, the written
// pages are dropped from the page cache (`drop_from_page_cache`): a sidecar writing GBs of
// output nobody reads back soon should not push the app server's own data out of memory.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/component.h"
#include "sinks/fd_writer.h"

namespace logship {

struct FileSinkConfig {
  std::string path;
  bool fsync = true;
  bool drop_from_page_cache = true;
  ByteSize group_commit_bytes{4 << 20};
  size_t batch_bytes() const { return group_commit_bytes.value; }
};

class FileSink final : public SyncSink {
 public:
  static const Schema<FileSinkConfig>& schema();
  static Result<std::unique_ptr<FileSink>> create(const FileSinkConfig& config, const BuildContext& ctx);
  ~FileSink() override;

  DeliveryReport write(const Delivery& delivery) override;

 private:
  FileSink(FileSinkConfig config, std::string name);
  Status open_file();
  // False when the file was moved or deleted and cannot be opened again at `path`: writing
  // to the old descriptor then could lose the lines (a deleted file), so the write is retried.
  bool reopen_if_moved();
  bool reopen_pending_ = false;

  FileSinkConfig config_;
  std::string name_;
  int fd_ = -1;
  bool failing_ = false;  // logs once per streak of errors, not per retry
  std::vector<iovec> iov_;
};

}  // namespace logship
