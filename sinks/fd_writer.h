// Writing whole batches to a file descriptor, retrying short writes and EINTR.
#pragma once

#include <span>

#include "core/batch.h"

namespace logship {

// Writes the encoded bytes of every batch with writev(2). Returns 0, or the errno that stopped it.
int write_batches(int fd, std::span<const BatchPtr> batches);

}  // namespace logship
