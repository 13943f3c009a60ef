// Where a sink's dead letters go when nothing reads its `<sink>.dead_letter` output:
// `<data_dir>/dead-letter/<sink>.ndjson`, appended and fsynced before the refused events are
// acknowledged. The folder is 0700 and the file 0600 (a refused event can hold anything a log
// line held), and a link in their place is refused rather than followed.
//
//   DeadLetterFile file(data_dir + "/dead-letter/search.ndjson");
//   Status s = file.append(batches);   // durable when ok; on error nothing is assumed written
#pragma once

#include <string>
#include <vector>

#include "core/batch.h"
#include "core/error.h"

namespace logship {

class DeadLetterFile {
 public:
  explicit DeadLetterFile(std::string path) : path_(std::move(path)) {}
  ~DeadLetterFile();
  DeadLetterFile(const DeadLetterFile&) = delete;
  DeadLetterFile& operator=(const DeadLetterFile&) = delete;

  // Appends every batch's encoded records and fsyncs.
  Status append(const std::vector<BatchPtr>& batches);
  // Appends NDJSON records (each ending in a line break) and fsyncs.
  Status append_text(std::string_view records);
  const std::string& path() const { return path_; }

 private:
  Status open();
  Status write_all(std::string_view text);
  Status sync();
  std::string path_;
  int fd_ = -1;
};

}  // namespace logship
