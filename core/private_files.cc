#include "core/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace logship {

Status make_dirs(const std::string& dir, mode_t mode) {
  if (dir.empty()) return {};
  // Each prefix in turn, as `mkdir -p` does, so that every folder made here gets `mode`.
  for (size_t end = dir.find('/', 1);; end = dir.find('/', end + 1)) {
    std::string prefix = dir.substr(0, end);
    if (!prefix.empty() && prefix.back() != '/') {
      if (::mkdir(prefix.c_str(), mode) == 0) {
        // mkdir's mode went through the umask: set it exactly.
        if (::chmod(prefix.c_str(), mode) != 0) return Error::io("cannot set the mode of " + prefix, errno);
      } else if (errno != EEXIST) {
        return Error::io("cannot create " + prefix, errno);
      }
    }
    if (end == std::string::npos) break;
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Error::io("cannot create " + dir, errno);
  if (!S_ISDIR(st.st_mode)) return Error::invalid("cannot create " + dir + ": a file of that name is in the way");
  return {};
}

Result<int> open_created(const std::string& path, int flags, mode_t mode, bool force_mode) {
  flags |= O_NOFOLLOW | O_CLOEXEC;
  for (int attempt = 0; attempt < 3; ++attempt) {
    // O_EXCL first, to know whether this call created the file (and so owns its mode).
    int fd = ::open(path.c_str(), flags | O_CREAT | O_EXCL, mode);
    bool created = fd >= 0;
    if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), flags & ~O_CREAT, mode);
    if (fd < 0 && errno == ENOENT && !created) continue;  // deleted in between: create it
    if (fd < 0 && errno == ELOOP) return Error::invalid("refusing to open " + path + ": it is a symbolic link (logship does not follow links for files it writes)");
    if (fd < 0) return Error::io("cannot open " + path, errno);
    if ((created || force_mode) && ::fchmod(fd, mode) != 0) {
      int err = errno;
      ::close(fd);
      return Error::io("cannot set the mode of " + path, err);
    }
    return fd;
  }
  return Error::io("cannot open " + path, ENOENT);
}

}  // namespace logship
