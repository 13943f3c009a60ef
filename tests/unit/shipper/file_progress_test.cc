#include "shipper/sources/file/file_progress.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

TEST(FileProgressTest, AdvancesOnlyToTheHighestContiguousAcknowledgedOffset) {
  auto p = std::make_shared<FileProgress>(FileCheckpoint{"f", 1, 2, 0, 0, 0});
  AckToken a = p->track(100);
  AckToken b = p->track(200);
  AckToken c = p->track(300);
  c.ack();
  EXPECT_EQ(p->snapshot().offset, 0u);  // 100 and 200 still in flight
  a.ack();
  EXPECT_EQ(p->snapshot().offset, 100u);
  b.ack();
  EXPECT_EQ(p->snapshot().offset, 300u);
  EXPECT_FALSE(p->in_flight());
}

TEST(FileProgressTest, AcksFromBeforeATruncationNoLongerMoveTheOffset) {
  auto p = std::make_shared<FileProgress>(FileCheckpoint{"f", 1, 2, 0, 0, 0});
  AckToken old = p->track(5000);
  p->restart_at(0);
  AckToken fresh = p->track(40);
  old.ack();
  EXPECT_EQ(p->snapshot().offset, 0u);
  fresh.ack();
  EXPECT_EQ(p->snapshot().offset, 40u);
}

}  // namespace
}  // namespace logship
