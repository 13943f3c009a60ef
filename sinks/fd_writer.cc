#include "sinks/fd_writer.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace logship {

int write_delivery(int fd, const Delivery& delivery, std::vector<iovec>& iov) {
  iov.clear();
  for (const DeliveryPart& part : delivery.parts) {
    const Batch& b = *part.batch;
    if (part.events.empty()) {
      if (!b.encoded.empty()) iov.push_back({const_cast<char*>(b.encoded.data()), b.encoded.size()});
      continue;
    }
    for (uint32_t index : part.events) {
      std::string_view text = b.encoded_text(b.events[index]);
      if (!text.empty()) iov.push_back({const_cast<char*>(text.data()), text.size()});
    }
  }
  size_t first = 0;
  while (first < iov.size()) {
    int count = static_cast<int>(std::min<size_t>(iov.size() - first, IOV_MAX));
    ssize_t n = ::writev(fd, iov.data() + first, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // A non-blocking descriptor (an inherited stdout): wait for room rather than leave
        // half a line behind.
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, 1000) >= 0) continue;
      }
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
