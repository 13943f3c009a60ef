// One open file of a file source: reads it from an offset, frames lines, joins multiline
// events, and hands batches on with an ack token per batch.
//
// The tailer reads by offset (pread) on the descriptor it opened, so it keeps reading the same
// file after a rename or delete until it decides to let go (see FileSource). Not thread-safe:
// owned by the source's reader thread; its FileProgress is what the sink threads touch.
//
// It never waits for the pipeline: a batch the next stage has no room for stays pending
// (has_pending), reading stops, and the source goes on with its other work (opening new files,
// checkpoints) until drain_pending() gets it out.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "core/batch_pool.h"
#include "core/component.h"
#include "core/metrics.h"
#include "parser/container/container_log.h"
#include "parser/multiline/multiline_joiner.h"
#include "shipper/sources/file/file_progress.h"
#include "shipper/sources/file/file_source_config.h"
#include "shipper/sources/file/line_framer.h"

namespace logship {

// What every tailer of one source shares.
struct TailerContext {
  const FileSourceConfig* config;
  std::string source_name;
  std::string dataset;
  std::string host;
  std::string read_buffer;  // reused by every read; lines are copied out before the next
  BatchPool batches;
  Counter* read_bytes;
  Counter* truncated_lines;
  Counter* truncated_events;  // multiline events cut at max_event_bytes
  Counter* partial_lines;
};

class FileTailer {
 public:
  FileTailer(TailerContext& ctx, int fd, const struct stat& st, std::string path, uint64_t offset,
             std::shared_ptr<FileProgress> progress);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Reads up to `budget` bytes and emits what they complete, in batches of about
  // `batch_bytes`; stops early when a batch finds no room (it stays pending). Reads nothing
  // while a batch is pending. Returns the bytes read.
  size_t read_some(Emitter& out, size_t budget, size_t batch_bytes);
  // Hands on the pending batches, in order; false when one still finds no room (the first
  // waits up to `wait` for it).
  bool drain_pending(Emitter& out, std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  bool has_pending() const { return !pending_.empty(); }
  // Bytes held by the multiline event being joined.
  size_t joining_bytes() const {
    return (joiner_ ? joiner_->pending_bytes() : 0) + (container_ ? container_->pending_bytes() : 0);
  }
  // Emits the held partial line and the event being joined (file going away, --once).
  void flush_all(Emitter& out);
  // Emits a multiline event that waited longer than its timeout for more lines.
  void flush_idle_multiline(Emitter& out, std::chrono::steady_clock::time_point now);
  // Looks for truncation (copytruncate) and deletion; handles truncation by starting over.
  void check_file(Emitter& out, bool verify_fingerprint);

  uint64_t device() const { return device_; }
  uint64_t inode() const { return inode_; }
  const std::string& path() const { return path_; }
  // The path it was opened at: files of one lineage (a path and what it was rotated into)
  // are read in the order they were opened.
  const std::string& lineage() const { return lineage_; }
  void set_path(const std::string& path);
  bool at_eof() const { return at_eof_; }
  // Read to the end as the file is now (at_eof() only says what the last read found, and
  // nothing is read while the pipeline is blocked).
  bool read_to_end() const;
  bool deleted() const { return deleted_; }
  bool detached = false;  // no matched path leads to this file any more (renamed away)
  std::chrono::steady_clock::time_point last_growth() const { return last_growth_; }
  const std::shared_ptr<FileProgress>& progress() const { return progress_; }
  uint64_t read_offset() const { return framer_.position(); }
  int fd() const { return fd_; }

 private:
  void on_line(std::string_view line, uint64_t offset, uint64_t end_offset, uint32_t flags);
  // A line as the application wrote it (out of the container runtime's framing, if any).
  void on_message(const ContainerLine& m);
  void add_event(std::string_view text, uint64_t offset, uint64_t end_offset, uint32_t flags);
  void add_joined(const JoinedEvent& e);
  // Whether the first fingerprint_len_ bytes differ from those recorded (another content).
  bool leading_bytes_changed() const;
  // Sends what is held and reads the file again from offset 0.
  void start_over(Emitter& out, const std::string& why);
  void send(Emitter& out);
  void update_fingerprint();

  TailerContext& ctx_;
  int fd_;
  uint64_t device_;
  uint64_t inode_;
  std::string path_;
  std::string lineage_;
  std::shared_ptr<const Origin> origin_;
  std::shared_ptr<FileProgress> progress_;
  LineFramer framer_;
  std::optional<ContainerLogDecoder> container_;
  std::optional<MultilineJoiner> joiner_;
  LineStamps stamps_;  // the runtime's time and stream of the lines the joiner holds
  // Highest offset handed to progress_->track: lines read and left out (blank lines, another
  // container stream) after the last event are acknowledged up to where nothing is held.
  uint64_t tracked_to_ = 0;
  BatchPtr batch_;
  std::deque<BatchPtr> pending_;  // complete, waiting for room downstream
  uint32_t fingerprint_len_ = 0;
  bool at_eof_ = false;
  bool size_lies_ = false;  // said once: see check_file
  bool deleted_ = false;
  std::chrono::steady_clock::time_point last_growth_;
};

}  // namespace logship
