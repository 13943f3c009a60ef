#include "shipper/sources/file/file_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include "core/log.h"
#include "core/private_files.h"
#include "core/time_format.h"
#include "shipper/sources/file/glob.h"

namespace logship {
namespace {

constexpr size_t kReadChunk = 256 * 1024;
constexpr size_t kReadBudget = 4 * 1024 * 1024;  // per file per turn
constexpr size_t kJoiningBudget = 32u << 20;     // multiline events being assembled, all files
constexpr auto kIdleWait = std::chrono::milliseconds(100);
// Lines gathered during read_delay go out in batches this many times batch_bytes (1 MiB with
// the default): at a trickle every batch costs a wakeup of each stage and its share of an
// fsync, which is most of the CPU there (10 MB/s steady: 6.8 -> 5.5 % of a core with 1 MiB
// instead of 128 KiB). At full speed there is no delay and batches stay small, to stay in
// cache and bound memory.
constexpr size_t kGatheredBatchFactor = 4;

bool same_file(const FileCheckpoint& a, const FileCheckpoint& b) {
  return a.path == b.path && a.device == b.device && a.inode == b.inode && a.offset == b.offset &&
         a.fingerprint_bytes == b.fingerprint_bytes && a.fingerprint == b.fingerprint;
}

}  // namespace

Result<std::unique_ptr<FileSource>> FileSource::create(const FileSourceConfig& config, const BuildContext& ctx) {
  // Checkpoints name the files read and how far: for logship's user alone.
  if (Status s = make_dirs(ctx.data_dir, 0700); !s) return Error::invalid("cannot create data_dir: " + s.error().message);
  std::string lock_path = ctx.data_dir + "/" + ctx.name + ".lock";
  Result<int> opened = open_created(lock_path, O_RDWR, 0600, /*force_mode=*/true);
  if (!opened) return opened.error();
  int lock_fd = *opened;
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return Error::invalid("another logship process is running source '" + ctx.name + "' with data_dir " + ctx.data_dir +
                          " (" + lock_path + " is locked)");
  }
  std::unique_ptr<FileSource> source(new FileSource(config, ctx, lock_fd));
  auto loaded = source->store_.load();
  if (!loaded) return loaded.error();
  source->unclaimed_ = loaded.value();
  source->saved_ = loaded.value();
  return source;
}

FileSource::FileSource(FileSourceConfig config, const BuildContext& ctx, int lock_fd)
    : config_(std::move(config)),
      name_(ctx.name),
      store_(ctx.data_dir + "/" + ctx.name + ".checkpoints.json"),
      lock_fd_(lock_fd) {
  Labels labels{{"component", name_}};
  tctx_.config = &config_;
  tctx_.source_name = name_;
  tctx_.dataset = config_.dataset.empty() ? name_ : config_.dataset;
  tctx_.host = ctx.host_name;
  tctx_.read_buffer.resize(kReadChunk);
  tctx_.read_bytes = &metrics().counter("logship_file_read_bytes_total", "Bytes read from files.", labels);
  tctx_.truncated_lines = &metrics().counter("logship_file_truncated_lines_total", "Lines cut at max_line_bytes.", labels);
  tctx_.truncated_events = &metrics().counter("logship_file_truncated_events_total", "Multiline events cut at max_event_bytes.", labels);
  tctx_.partial_lines = &metrics().counter("logship_file_partial_lines_total", "Last lines without a newline, sent when their file went away.", labels);
  open_files_ = &metrics().gauge("logship_file_open_files", "Files a file source holds open.", labels);
  held_unread_ = &metrics().gauge("logship_file_held_unread_files", "Files held open with bytes not read yet (they wait for back-pressure to end).", labels);
  deleted_held_bytes_ = &metrics().gauge("logship_file_deleted_held_bytes",
                                         "Bytes of deleted files held open until they are read and delivered: disk space not freed yet.", labels);
  skipped_files_ = &metrics().counter("logship_file_skipped_files_total",
                                      "Files not opened because max_open_files were held (they can be lost if rotated away meanwhile).", labels);
  checkpoints_current_at_ = now_unix_nanos();
  collector_id_ = metrics().add_collector([this](std::vector<Sample>& out) {
    std::lock_guard lock(stats_mu_);
    for (const FileStats& f : stats_) {
      Labels l{{"component", name_}, {"path", f.path}};
      out.push_back({"logship_file_read_offset_bytes", "Where logship reads in a file.", MetricType::kGauge, l, static_cast<double>(f.read_offset)});
      out.push_back({"logship_file_size_bytes", "Size of a file being read.", MetricType::kGauge, l, static_cast<double>(f.size)});
      out.push_back({"logship_file_lag_bytes",
                     "Bytes not yet acknowledged by every sink (size minus acknowledged offset) of the file at a path and of those rotated away from it and still held.",
                     MetricType::kGauge, l, static_cast<double>(f.lag)});
    }
    out.push_back({"logship_checkpoint_age_seconds", "Seconds since the stored checkpoints last matched what the sinks acknowledged.",
                   MetricType::kGauge, {{"component", name_}}, static_cast<double>(now_unix_nanos() - checkpoints_current_at_) / 1e9});
  });
}

FileSource::~FileSource() {
  metrics().remove_collector(collector_id_);
  tailers_.clear();
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
  ::close(lock_fd_);
}

// A checkpoint for this file, if one was loaded: same device and inode, and the same leading
// bytes (else the inode was reused by a new file). Removed from the unclaimed list.
std::optional<FileCheckpoint> FileSource::take_checkpoint(uint64_t device, uint64_t inode, int fd, uint64_t size) {
  for (auto it = unclaimed_.begin(); it != unclaimed_.end(); ++it) {
    if (it->device != device || it->inode != inode) continue;
    uint64_t hash = 0;
    bool same = it->fingerprint_bytes == 0 ||
                (it->fingerprint_bytes <= size && fingerprint_file(fd, it->fingerprint_bytes, hash) && hash == it->fingerprint);
    if (!same) continue;
    FileCheckpoint found = *it;
    unclaimed_.erase(it);
    return found;
  }
  return std::nullopt;
}

bool FileSource::open_file(const std::string& path, const struct stat& st, OpenMode mode) {
  if (holds_max_open_files()) return false;
  // A path swapped for a link or a FIFO between the scan and here is not opened: no
  // following unless asked, no blocking open, regular files only.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (config_.follow_symlinks ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    if (errno != ELOOP) log_warn("cannot open file", {{"component", name_}, {"path", path}, {"error", std::strerror(errno)}});
    return false;
  }
  struct stat fst;
  if (::fstat(fd, &fst) != 0 || fst.st_ino != st.st_ino || !S_ISREG(fst.st_mode)) {  // replaced between stat and open: next scan
    ::close(fd);
    return false;
  }
  auto size = static_cast<uint64_t>(fst.st_size);
  FileCheckpoint cp;
  cp.path = path;
  cp.device = fst.st_dev;
  cp.inode = fst.st_ino;
  std::string why;
  if (auto saved = take_checkpoint(fst.st_dev, fst.st_ino, fd, size)) {
    cp = *saved;
    cp.path = path;
    if (cp.offset > size) {
      cp.offset = 0;
      cp.fingerprint_bytes = 0;
      why = "checkpoint beyond end of file (truncated while stopped)";
    } else {
      why = "checkpoint";
    }
  } else if (mode == OpenMode::kOnlyWithCheckpoint) {
    ::close(fd);
    return false;
  } else if (mode == OpenMode::kFirstScan && config_.read_from == "end") {
    cp.offset = size;
    why = "read_from end";
  } else {
    why = "new file";
  }
  // A file opened without a checkpoint gets one before its first line is shipped (see scan):
  // else a kill -9 before the next periodic save, then a rotation while stopped, would leave
  // its delivered head with no record of the file, and its tail unread.
  if (why != "checkpoint") unsaved_new_files_ = true;
  auto progress = std::make_shared<FileProgress>(cp);
  tailers_.push_back(std::make_unique<FileTailer>(tctx_, fd, fst, path, cp.offset, std::move(progress)));
  open_files_->set(static_cast<int64_t>(tailers_.size()));
  log_info("file opened", {{"component", name_}, {"path", path}, {"offset", std::to_string(cp.offset)}, {"from", why}});
  return true;
}

// Files renamed (to a name no glob matches) while logship was stopped: look for the inode next
// to the old path and finish them from their checkpoint.
// Files renamed (to a name no glob matches) while logship was stopped: look for the inode next
// to the old path and finish them from their checkpoint. Those max_open_files leaves no room
// for wait (kept in the checkpoints, counted as skipped) and are tried again at every scan.
void FileSource::recover_renamed_while_down(bool first_scan, std::set<std::pair<uint64_t, uint64_t>>& skipped) {
  std::vector<FileCheckpoint> leftovers = first_scan ? std::move(unclaimed_) : std::move(awaiting_room_);
  unclaimed_.clear();
  awaiting_room_.clear();
  for (const FileCheckpoint& cp : leftovers) {
    std::string dir = std::filesystem::path(cp.path).parent_path().string();
    DIR* d = ::opendir(dir.empty() ? "." : dir.c_str());
    if (!d) continue;
    while (dirent* e = ::readdir(d)) {
      if (e->d_ino != cp.inode) continue;
      std::string candidate = (dir.empty() ? "" : dir + "/") + e->d_name;
      struct stat st;
      if (::lstat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != cp.device || st.st_ino != cp.inode) continue;
      if (static_cast<uint64_t>(st.st_size) <= cp.offset) break;  // nothing left to read
      if (holds_max_open_files()) {
        awaiting_room_.push_back(cp);
        skipped.insert({cp.device, cp.inode});
        break;
      }
      unclaimed_ = {cp};
      if (open_file(candidate, st, OpenMode::kOnlyWithCheckpoint)) {
        tailers_.back()->detached = true;
        log_info("found a file rotated while stopped; finishing it", {{"component", name_}, {"path", candidate}});
      }
      break;
    }
    ::closedir(d);
  }
  unclaimed_.clear();
}

void FileSource::scan(Emitter& out, bool first_scan) {
  std::set<std::pair<uint64_t, uint64_t>> matched, skipped;
  expand_globs(first_scan, matched, skipped);
  for (auto& t : tailers_) {
    bool was = t->detached;
    if (!matched.count({t->device(), t->inode()})) t->detached = true;
    if (t->detached && !was) log_info("file rotated away; finishing it", {{"component", name_}, {"path", t->path()}});
    t->check_file(out, /*verify_fingerprint=*/true);
  }
  if (first_scan || !awaiting_room_.empty()) recover_renamed_while_down(first_scan, skipped);
  note_skipped(skipped);
  if (unsaved_new_files_) {
    save_checkpoints(/*force=*/true, /*stats=*/false);  // before any of their lines is read
    unsaved_new_files_ = false;
  }
  watch_folders();
}

// Opens what the globs name and is not held yet (up to max_open_files); `matched` gets every
// file they name, `skipped` those left unopened.
void FileSource::expand_globs(bool first_scan, std::set<std::pair<uint64_t, uint64_t>>& matched,
                              std::set<std::pair<uint64_t, uint64_t>>& skipped) {
  GlobResult globbed = find_matching_files(config_.include, config_.exclude, config_.follow_symlinks);
  for (const auto& [path, why] : globbed.refused)
    if (refused_logged_.insert(path).second) log_warn("matching path not read", {{"component", name_}, {"path", path}, {"reason", why}});
  for (const std::string& path : globbed.files) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    auto key = std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
    if (!matched.insert(key).second) continue;  // a second path (symlink) to a file already seen
    auto it = std::find_if(tailers_.begin(), tailers_.end(),
                           [&](const auto& t) { return t->device() == key.first && t->inode() == key.second; });
    if (it != tailers_.end()) {
      if ((*it)->path() != path) (*it)->set_path(path);  // renamed to a name that still matches
      (*it)->detached = false;
      continue;
    }
    if (holds_max_open_files()) {
      skipped.insert(key);
      continue;
    }
    open_file(path, st, first_scan ? OpenMode::kFirstScan : OpenMode::kLater);
  }
}

// max_open_files: what a scan could not hold. Said once when a spell begins and once when it
// ends, with the number of files; each file is counted once per spell.
void FileSource::note_skipped(const std::set<std::pair<uint64_t, uint64_t>>& skipped) {
  size_t before = skipped_seen_.size();
  skipped_seen_.insert(skipped.begin(), skipped.end());
  skipped_files_->add(skipped_seen_.size() - before);
  if (!skipped.empty() && !skipping_) {
    skipping_ = true;
    log_warn("max_open_files reached: files beyond it are not held until others are finished (a file rotated away meanwhile is lost)",
             {{"component", name_}, {"max_open_files", std::to_string(config_.max_open_files)}, {"files_not_held", std::to_string(skipped.size())}});
  } else if (skipped.empty() && skipping_) {
    skipping_ = false;
    log_info("max_open_files: every matching file is held again",
             {{"component", name_}, {"files_not_held_during_the_spell", std::to_string(skipped_seen_.size())}});
    skipped_seen_.clear();
  }
  std::lock_guard lock(stats_mu_);
  health_problem_ = skipping_ ? "source " + name_ + ": max_open_files (" + std::to_string(config_.max_open_files) + ") reached, " +
                                    std::to_string(skipped.size()) + " matching files not held"
                              : "";
}

std::vector<std::string> FileSource::health_problems() const {
  std::lock_guard lock(stats_mu_);
  std::vector<std::string> problems;
  if (!health_problem_.empty()) problems.push_back(health_problem_);
  if (!checkpoint_problem_.empty()) problems.push_back(checkpoint_problem_);
  return problems;
}

void FileSource::retire_finished(Emitter& out, bool once, std::chrono::steady_clock::time_point now) {
  for (auto it = tailers_.begin(); it != tailers_.end();) {
    FileTailer& t = **it;
    bool gone = t.detached || t.deleted();
    // A deleted file is held until everything read from it is acknowledged: once closed, its
    // bytes could not be read again after a crash. A renamed one is found again by inode.
    bool releasable = !t.deleted() || !t.progress()->in_flight();
    if (gone && !t.has_pending() && releasable && (once || now - t.last_growth() >= config_.rotate_wait.value) && t.read_to_end()) {
      t.flush_all(out);
      if (t.has_pending()) {  // its last partial line waits for room
        ++it;
        continue;
      }
      log_info("file closed", {{"component", name_}, {"path", t.path()}, {"reason", t.deleted() ? "deleted" : "rotated"}});
      retiring_.push_back(t.progress());
      it = tailers_.erase(it);
      open_files_->set(static_cast<int64_t>(tailers_.size()));
    } else {
      ++it;
    }
  }
}

void FileSource::watch_folders() {
  if (inotify_fd_ < 0) return;
  std::set<std::string> dirs;
  for (const auto& pattern : config_.include) {
    std::string base = glob_base(pattern);
    dirs.insert(base.empty() ? "." : base);
  }
  for (const auto& t : tailers_) {
    std::string dir = std::filesystem::path(t->path()).parent_path().string();
    dirs.insert(dir.empty() ? "." : dir);
  }
  for (const auto& dir : dirs) {
    if (watched_.count(dir)) continue;
    int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(),
                                 IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB);
    if (wd >= 0) watched_[dir] = wd;
  }
}

// Sleeps until a watched folder changes or `timeout` passes; true when files appeared or went.
bool FileSource::wait_for_change(std::chrono::milliseconds timeout) {
  if (inotify_fd_ < 0) {
    std::this_thread::sleep_for(timeout);
    return false;
  }
  pollfd p{inotify_fd_, POLLIN, 0};
  woke_on_write_ = false;
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  woke_on_write_ = true;
  alignas(inotify_event) char buf[16384];
  bool structural = false;
  ssize_t n;
  while ((n = ::read(inotify_fd_, buf, sizeof(buf))) > 0) {
    for (char* ptr = buf; ptr < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(ptr);
      if (ev->mask & (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_IGNORED)) structural = true;
      if (ev->mask & IN_IGNORED) {
        for (auto it = watched_.begin(); it != watched_.end(); ++it) {
          if (it->second == ev->wd) {
            watched_.erase(it);
            break;
          }
        }
      }
      ptr += sizeof(inotify_event) + ev->len;
    }
  }
  return structural;
}

void FileSource::save_checkpoints(bool force, bool stats) {
  auto now = std::chrono::steady_clock::now();
  if (stats && (force || now - last_stats_ >= std::chrono::milliseconds(250))) {
    last_stats_ = now;
    publish_stats();
  }
  if (!force && now - last_save_ < config_.checkpoint_interval.value) return;
  last_save_ = now;
  std::vector<FileCheckpoint> current;
  for (const auto& t : tailers_) current.push_back(t->progress()->snapshot());
  current.insert(current.end(), awaiting_room_.begin(), awaiting_room_.end());
  for (auto it = retiring_.begin(); it != retiring_.end();) {
    current.push_back((*it)->snapshot());
    // Once every batch of a closed file is acknowledged, its entry is written one last time
    // and then forgotten.
    it = (*it)->in_flight() ? it + 1 : retiring_.erase(it);
  }
  bool changed = current.size() != saved_.size() ||
                 !std::equal(current.begin(), current.end(), saved_.begin(), same_file);
  if (changed) {
    if (Status s = store_.save(current); !s) {
      log_error("cannot save checkpoints", {{"component", name_}, {"error", s.error().message}});
      // A restart would read again from older offsets: duplicates, and lost rotated files.
      std::lock_guard lock(stats_mu_);
      checkpoint_problem_ = "source " + name_ + " cannot save its checkpoints: " + s.error().message;
      return;
    }
    saved_ = std::move(current);
  }
  if (!checkpoint_problem_.empty()) {
    std::lock_guard lock(stats_mu_);
    checkpoint_problem_.clear();
  }
  std::lock_guard lock(stats_mu_);
  checkpoints_current_at_ = now_unix_nanos();
}

void FileSource::publish_stats() {
  std::vector<FileStats> stats;
  int64_t unread = 0, deleted_bytes = 0;
  for (const auto& t : tailers_) {
    struct stat st{};
    uint64_t size = ::fstat(t->fd(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
    uint64_t acked = t->progress()->snapshot().offset;
    auto it = std::find_if(stats.begin(), stats.end(), [&](const FileStats& f) { return f.path == t->path(); });
    if (it == stats.end()) it = stats.insert(stats.end(), FileStats{t->path()});
    it->lag += size > acked ? size - acked : 0;
    if (!t->detached || !it->current) {
      it->read_offset = t->read_offset();
      it->size = size;
      it->current = !t->detached;
    }
    if (t->read_offset() < size) ++unread;
    if (st.st_nlink == 0) deleted_bytes += static_cast<int64_t>(size);
  }
  held_unread_->set(unread);
  deleted_held_bytes_->set(deleted_bytes);
  std::lock_guard lock(stats_mu_);
  stats_ = std::move(stats);
}

bool FileSource::drain_pending(Emitter& out, std::chrono::milliseconds wait) {
  for (auto& t : tailers_) {
    if (!t->drain_pending(out, wait)) return false;
    wait = std::chrono::milliseconds(0);
  }
  return true;
}

bool FileSource::read_files(Emitter& out, const RunContext& ctx, size_t batch_bytes, size_t& progress) {
  // Files of one lineage (a path and what it was rotated into) in the order they were opened:
  // a newer one waits until the older ones are read to their end.
  std::set<std::string> waiting_lineages;
  // Events being joined hold up to max_event_bytes each, and many files at once add up. Past
  // kJoiningBudget only the file with the largest event reads on: it ends or is cut, and
  // lets go. Memory stays near the budget whatever the number of files.
  size_t joining = 0;
  FileTailer* largest = nullptr;
  for (auto& t : tailers_) {
    joining += t->joining_bytes();
    if (!largest || t->joining_bytes() > largest->joining_bytes()) largest = t.get();
  }
  if (joining > kJoiningBudget && largest) {
    progress += largest->read_some(out, kReadBudget, batch_bytes);
    return largest->has_pending();
  }
  for (auto& t : tailers_) {
    if (ctx.stopping()) break;
    if (waiting_lineages.count(t->lineage())) continue;
    size_t held_before = t->joining_bytes();
    progress += t->read_some(out, kReadBudget, batch_bytes);
    joining = joining - held_before + t->joining_bytes();
    if (t->has_pending()) return true;
    if (!t->at_eof()) waiting_lineages.insert(t->lineage());
    if (joining > kJoiningBudget) break;  // the next turns go to the largest event
  }
  return false;
}

Status FileSource::run(Emitter& out, const RunContext& ctx) {
  once_ = ctx.once;
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) log_warn("inotify unavailable; relying on periodic scans", {{"error", std::strerror(errno)}});
  scan(out, /*first_scan=*/true);
  auto next_scan = std::chrono::steady_clock::now() + config_.scan_interval.value;
  bool gathered = false;  // the last wait let lines gather for read_delay
  while (!ctx.stopping()) {
    size_t progress = 0;
    // What found no room last time goes first; until it has gone, nothing more is read, but
    // files are still discovered, opened and checkpointed below (back-pressure pauses reading
    // only). The wait is short so that a new file is opened within ~50 ms.
    bool blocked = !drain_pending(out, std::chrono::milliseconds(50));
    if (!blocked) {
      size_t batch_bytes = config_.batch_bytes.value * (gathered ? kGatheredBatchFactor : 1);
      gathered = false;
      blocked = read_files(out, ctx, batch_bytes, progress);
    }
    auto now = std::chrono::steady_clock::now();
    if (!blocked) {
      for (auto& t : tailers_) {
        if (t->at_eof()) t->check_file(out, /*verify_fingerprint=*/false);
        t->flush_idle_multiline(out, now);
      }
    }
    if (ctx.once) {
      bool all_done = std::all_of(tailers_.begin(), tailers_.end(), [](const auto& t) { return t->at_eof() && !t->has_pending(); });
      if (!blocked && all_done && progress == 0) {
        for (auto& t : tailers_) t->flush_all(out);
        // The last partial lines must go on too; the pipeline may still be full.
        while (!drain_pending(out, std::chrono::milliseconds(100)) && !ctx.stopping()) save_checkpoints(false);
        break;
      }
      save_checkpoints(false);
      continue;
    }
    retire_finished(out, false, now);
    save_checkpoints(false);
    bool rescan = now >= next_scan;
    if (blocked) {
      // Paused by back-pressure: a folder change still triggers a scan at once.
      rescan |= wait_for_change(std::chrono::milliseconds(0));
    } else if (progress == 0) {
      bool folder_changed = wait_for_change(kIdleWait);
      rescan |= folder_changed;
      // New lines after a quiet spell: let the writer go on for read_delay, so that what it
      // writes in that time becomes one batch instead of many small ones, each a wakeup of
      // every stage and an fsync in file sinks. A file created or renamed meanwhile ends the
      // wait: one that lives less than read_delay would otherwise never be opened.
      auto until = std::chrono::steady_clock::now() + config_.read_delay.value;
      gathered = woke_on_write_ && !folder_changed && config_.read_delay.value.count() > 0;
      while (gathered && !ctx.stopping() && std::chrono::steady_clock::now() < until) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (wait_for_change(std::clamp(left, std::chrono::milliseconds(1), kIdleWait))) {
          rescan = true;
          break;
        }
      }
    }
    if (rescan) {
      scan(out, false);
      next_scan = std::chrono::steady_clock::now() + config_.scan_interval.value;
    }
  }
  return {};
}

// Files that appear while the pipeline shuts down (up to shutdown_timeout with a destination
// away) are opened, unread, so that they go into the checkpoints: renamed away before the next
// start, they are still found there by inode. Only files created and rotated away while
// logship is not running at all cannot be found.
void FileSource::keep_track_while_stopping() {
  if (once_) return;
  std::set<std::pair<uint64_t, uint64_t>> matched, skipped;
  expand_globs(false, matched, skipped);
  note_skipped(skipped);
  save_checkpoints(false);
}

void FileSource::finish() {
  keep_track_while_stopping();
  save_checkpoints(/*force=*/true);
  // A deleted file whose bytes were not all acknowledged cannot be read after exit.
  for (const auto& t : tailers_) {
    if (!t->deleted()) continue;
    struct stat st{};
    if (::fstat(t->fd(), &st) != 0) continue;
    uint64_t acked = t->progress()->snapshot().offset;
    if (static_cast<uint64_t>(st.st_size) > acked)
      log_warn("a deleted file held open still had bytes not delivered; they cannot be read after exit",
               {{"component", name_}, {"path", t->path()}, {"bytes", std::to_string(static_cast<uint64_t>(st.st_size) - acked)}});
  }
}



}  // namespace logship
