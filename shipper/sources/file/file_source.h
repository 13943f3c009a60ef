// `type: file` source: tails files matched by globs, follows rotation, and commits per file the
// offset up to which the sinks acknowledged every event.
//
// One reader thread serves every file of the source, round robin, `read_budget` bytes a turn,
// so one busy file cannot starve the others. It sleeps on inotify (folders of the globs) with a
// short timeout, and expands the globs again every scan_interval.
//
// Rotation, as Filebeat and Vector handle it:
//   rename        the old file is read to its end (and for rotate_wait after its last growth,
//                 for late writes), then closed; the new file at the path is read from 0
//   copytruncate  size below the read offset, or changed leading bytes: read again from 0
//   delete        the open descriptor is read to the end, then released
// A file renamed while logship was down is found again next to its old path by inode and
// fingerprint, and finished from its checkpoint.
//
// Back-pressure stops reading, nothing else: while a sink is blocked the thread keeps
// discovering and opening files (their identity goes into the checkpoints at once), so files
// that appear and are rotated away during an outage stay readable through their descriptors
// and are read, file by file in the order they were opened, once the pipeline moves again. A
// deleted file is let go only once every batch of it was acknowledged. `max_open_files` bounds
// what is held; past it files are skipped, logged once per spell, counted, and /health says so.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/component.h"
#include "shipper/sources/file/checkpoint_store.h"
#include "shipper/sources/file/file_source_config.h"
#include "shipper/sources/file/file_tailer.h"

namespace logship {

class FileSource final : public Source {
 public:
  static Result<std::unique_ptr<FileSource>> create(const FileSourceConfig& config, const BuildContext& ctx);
  ~FileSource() override;

  Status run(Emitter& out, const RunContext& ctx) override;
  void keep_track_while_stopping() override;
  void finish() override;
  std::vector<std::string> health_problems() const override;

 private:
  FileSource(FileSourceConfig config, const BuildContext& ctx, int lock_fd);
  void scan(Emitter& out, bool first_scan);
  void expand_globs(bool first_scan, std::set<std::pair<uint64_t, uint64_t>>& matched, std::set<std::pair<uint64_t, uint64_t>>& skipped);
  bool once_ = false;
  std::set<std::string> refused_logged_;  // matching paths not read (links, devices), said once each
  enum class OpenMode { kFirstScan, kLater, kOnlyWithCheckpoint };
  bool open_file(const std::string& path, const struct stat& st, OpenMode mode);
  bool holds_max_open_files() const { return tailers_.size() >= static_cast<size_t>(config_.max_open_files); }
  void recover_renamed_while_down(bool first_scan, std::set<std::pair<uint64_t, uint64_t>>& skipped);
  void retire_finished(Emitter& out, bool once, std::chrono::steady_clock::time_point now);
  // Hands on what waits for room downstream; false while some still does.
  bool drain_pending(Emitter& out, std::chrono::milliseconds wait);
  // Reads each file once, in lineage order; true when a batch found no room (reading stops).
  bool read_files(Emitter& out, const RunContext& ctx, size_t batch_bytes, size_t& progress);
  void note_skipped(const std::set<std::pair<uint64_t, uint64_t>>& skipped);
  void watch_folders();
  // Waits for inotify (or the timeout); true when a folder changed (a rescan is due).
  // woke_on_write_ says whether a watched file changed.
  bool wait_for_change(std::chrono::milliseconds timeout);
  bool woke_on_write_ = false;
  // `force`: now, whatever checkpoint_interval says. `stats`: also publish the per-file
  // figures (lag, held files) when due; a save right after a scan comes before any reading,
  // and figures published then would stand for 250 ms with nothing read yet.
  void save_checkpoints(bool force, bool stats = true);
  std::optional<FileCheckpoint> take_checkpoint(uint64_t device, uint64_t inode, int fd, uint64_t size);

  FileSourceConfig config_;
  std::string name_;
  CheckpointStore store_;
  int lock_fd_;
  TailerContext tctx_;
  std::vector<std::unique_ptr<FileTailer>> tailers_;
  std::vector<std::shared_ptr<FileProgress>> retiring_;  // closed files with batches in flight
  std::vector<FileCheckpoint> saved_;                    // what the store holds now
  std::vector<FileCheckpoint> unclaimed_;                // loaded, not yet matched to a file
  std::vector<FileCheckpoint> awaiting_room_;            // rotated while stopped, not opened for max_open_files yet
  std::chrono::steady_clock::time_point last_save_;
  int inotify_fd_ = -1;
  std::map<std::string, int> watched_;
  Gauge* open_files_;
  Gauge* held_unread_;
  Gauge* deleted_held_bytes_;
  Counter* skipped_files_;
  std::set<std::pair<uint64_t, uint64_t>> skipped_seen_;  // files not held during this spell (device, inode)
  bool skipping_ = false;                                 // a spell of max_open_files reached
  std::string health_problem_;                            // under stats_mu_

  // For /metrics, read on the HTTP thread: refreshed at every checkpoint interval.
  // Per path: the file there now, plus the unacknowledged bytes of the files rotated away
  // from it and still held (one series per path: Prometheus keeps one of duplicate series).
  struct FileStats {
    std::string path;
    uint64_t read_offset = 0;
    uint64_t size = 0;
    uint64_t lag = 0;
    bool current = false;  // read_offset and size are those of the file at the path now
  };
  void publish_stats();
  std::chrono::steady_clock::time_point last_stats_;
  mutable std::mutex stats_mu_;
  std::string checkpoint_problem_;  // the last save failed (for /health); under stats_mu_
  std::vector<FileStats> stats_;
  int64_t checkpoints_current_at_ = 0;  // wall-clock ns when the stored checkpoints last matched the acknowledged offsets
  int collector_id_ = 0;
  bool unsaved_new_files_ = false;  // opened without a checkpoint since the last save
};

}  // namespace logship
