#include "shipper/sources/kafka/partition_progress.h"

namespace logship {

int64_t PartitionProgress::take_commit() {
  std::lock_guard lock(mu_);
  int64_t acked = acks_->acknowledged();
  if (acked < 0 || acked <= committed_) return -1;
  committed_ = acked;
  return committed_;
}

}  // namespace logship
