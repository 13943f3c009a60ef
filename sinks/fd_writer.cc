#include "sinks/fd_writer.h"

#include <sys/uio.h>

#include <cerrno>
#include <vector>

namespace logship {

int write_batches(int fd, std::span<const BatchPtr> batches) {
  std::vector<iovec> iov;
  iov.reserve(batches.size());
  for (const auto& b : batches) {
    if (!b->encoded.empty()) iov.push_back({const_cast<char*>(b->encoded.data()), b->encoded.size()});
  }
  size_t first = 0;
  while (first < iov.size()) {
    int count = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
    ssize_t n = ::writev(fd, iov.data() + first, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    auto written = static_cast<size_t>(n);
    while (first < iov.size() && written >= iov[first].iov_len) {
      written -= iov[first].iov_len;
      ++first;
    }
    if (first < iov.size() && written > 0) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + written;
      iov[first].iov_len -= written;
    }
  }
  return 0;
}

}  // namespace logship
