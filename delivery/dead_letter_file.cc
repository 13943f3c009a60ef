#include "delivery/dead_letter_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "core/private_files.h"

namespace logship {

DeadLetterFile::~DeadLetterFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status DeadLetterFile::open() {
  std::filesystem::path folder = std::filesystem::path(path_).parent_path();
  if (!folder.empty()) {
    // Dead letters hold whole events: for logship's user alone.
    if (Status s = make_dirs(folder.string(), 0700); !s) return s;
  }
  // The folder itself must not be a link elsewhere, nor the file.
  int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) return Error::io("cannot open the dead-letter folder " + folder.string(), errno);
  std::string name = std::filesystem::path(path_).filename();
  int fd = ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  // 0600 exactly, whatever the umask or an older logship left.
  if (fd < 0 || ::fchmod(fd, 0600) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    ::close(dir);
    return Error::io("cannot open dead-letter file " + path_, err);
  }
  // The file's name must survive a crash as well as its bytes (once, when it is opened).
  ::fsync(dir);
  ::close(dir);
  if (folder.has_parent_path()) {
    int parent = ::open(folder.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parent >= 0) {
      ::fsync(parent);
      ::close(parent);
    }
  }
  fd_ = fd;
  return {};
}

Status DeadLetterFile::append(const std::vector<BatchPtr>& batches) {
  for (const BatchPtr& b : batches) {
    if (Status s = write_all(b->encoded); !s) return s;
  }
  return sync();
}

Status DeadLetterFile::append_text(std::string_view records) {
  if (Status s = write_all(records); !s) return s;
  return sync();
}

Status DeadLetterFile::write_all(std::string_view text) {
  if (fd_ < 0) {
    if (Status s = open(); !s) return s;
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      // A torn record would glue onto the next attempt's first one: end the line.
      if (done > 0) (void)!::write(fd_, "\n", 1);
      ::close(fd_);
      fd_ = -1;  // reopened at the next attempt (the folder may have been fixed meanwhile)
      return Error::io("cannot write dead-letter file " + path_, err);
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Status DeadLetterFile::sync() {
  if (fd_ < 0) {
    if (Status s = open(); !s) return s;
  }
  if (::fdatasync(fd_) != 0) {
    int err = errno;
    ::close(fd_);
    fd_ = -1;
    return Error::io("cannot fsync dead-letter file " + path_, err);
  }
  return {};
}

}  // namespace logship
