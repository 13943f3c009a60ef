#include "sinks/file/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/log.h"
#include "core/private_files.h"

namespace logship {

const Schema<FileSinkConfig>& FileSink::schema() {
  static const auto s = Schema<FileSinkConfig>()
                            .field("path", &FileSinkConfig::path, "File to append events to, one JSON object per line; parent folders are created.")
                            .required()
                            .field("fsync", &FileSinkConfig::fsync, "fsync the file before acknowledging, so a crash cannot lose an acknowledged event.")
                            .field("group_commit_bytes", &FileSinkConfig::group_commit_bytes, "Most bytes written with one writev and one fsync when several batches are queued.")
                            .field("drop_from_page_cache", &FileSinkConfig::drop_from_page_cache, "After each fsync, tell the kernel the written pages will not be read again soon (POSIX_FADV_DONTNEED), so shipped logs do not fill the host's page cache. Set false when something reads the file right behind logship.");
  return s;
}

FileSink::FileSink(FileSinkConfig config, std::string name) : config_(std::move(config)), name_(std::move(name)) {}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<FileSink>> FileSink::create(const FileSinkConfig& config, const BuildContext& ctx) {
  std::unique_ptr<FileSink> sink(new FileSink(config, ctx.name));
  if (Status s = sink->open_file(); !s) return s.error();
  return sink;
}

Status FileSink::open_file() {
  // Logs may hold what others should not read: group-readable at most. A link at `path` is
  // refused, so the output cannot be pointed at another file (O_NOFOLLOW).
  auto parent = std::filesystem::path(config_.path).parent_path();
  if (Status s = make_dirs(parent.string(), 0750); !s) return s;
  Result<int> opened = open_created(config_.path, O_RDWR | O_APPEND, 0640);
  if (!opened) return opened.error();
  int fd = *opened;
  // A crash in the middle of a write can leave a torn last line: end it, so that what follows
  // starts on a line of its own and stays valid NDJSON.
  struct stat st;
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && ::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
    ssize_t ignored = ::write(fd, "\n", 1);
    (void)ignored;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  return {};
}

bool FileSink::reopen_if_moved() {
  // Checked before every write (a stat and an fstat per delivery of up to group_commit_bytes):
  // a write to a file deleted a moment ago would be lost.
  struct stat by_path, by_fd;
  bool moved = reopen_pending_ || ::stat(config_.path.c_str(), &by_path) != 0 ||
               (::fstat(fd_, &by_fd) == 0 && (by_path.st_ino != by_fd.st_ino || by_path.st_dev != by_fd.st_dev));
  if (!moved) return true;
  if (!reopen_pending_) log_info("output file moved away, reopening", {{"component", name_}, {"path", config_.path}});
  if (Status s = open_file(); !s) {
    if (!reopen_pending_) log_error("cannot reopen output file; retrying", {{"component", name_}, {"error", s.error().message}});
    reopen_pending_ = true;
    return false;
  }
  if (reopen_pending_) log_info("output file reopened", {{"component", name_}, {"path", config_.path}});
  reopen_pending_ = false;
  return true;
}

DeliveryReport FileSink::write(const Delivery& delivery) {
  if (!reopen_if_moved()) return DeliveryReport::retry(delivery.events(), "cannot_open", "cannot open " + config_.path + " again");
  int err = write_delivery(fd_, delivery, iov_);
  if (err == 0 && config_.fsync && ::fdatasync(fd_) != 0) err = errno;
  // Deleted while we wrote: those lines are not durable anywhere; write them again to `path`.
  struct stat st;
  if (err == 0 && ::fstat(fd_, &st) == 0 && st.st_nlink == 0) {
    reopen_pending_ = true;
    return DeliveryReport::retry(delivery.events(), "deleted", config_.path + " was deleted while it was written");
  }
  // Clean after the fsync, so this only forgets them; without fsync it would start writeback.
  if (err == 0 && config_.fsync && config_.drop_from_page_cache) (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED);
  if (err != 0) {
    if (!failing_) {
      log_error("writing to file failed; retrying", {{"component", name_}, {"path", config_.path}, {"error", std::strerror(err)}});
    }
    failing_ = true;
    // A partial write may have left half a line: start the retry on a fresh line so the
    // duplicate lines that follow are at least whole JSON objects.
    ssize_t ignored = ::write(fd_, "\n", 1);
    (void)ignored;
    return DeliveryReport::retry(delivery.events(), "write_failed", "writing " + config_.path + ": " + std::strerror(err));
  }
  if (failing_) log_info("writing to file works again", {{"component", name_}, {"path", config_.path}});
  failing_ = false;
  return DeliveryReport::delivered(delivery.events());
}

}  // namespace logship
