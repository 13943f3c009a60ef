// Writing a delivery's encoded events to a file descriptor, retrying short writes and EINTR.
#pragma once

#include <sys/uio.h>

#include <vector>

#include "core/delivery.h"

namespace logship {

// Writes the encoded bytes of every event of `delivery` with writev(2): whole batches as one
// piece, the events of a partial part one by one. `iov` is scratch space kept by the caller.
// Returns 0, or the errno that stopped it.
int write_delivery(int fd, const Delivery& delivery, std::vector<iovec>& iov);

}  // namespace logship
