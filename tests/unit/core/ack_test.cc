#include "core/ack.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

TEST(AckTokenTest, FiresOnceAfterEveryFanOutCopyIsAcknowledged) {
  int fired = 0;
  AckToken token([&] { ++fired; });
  token.add_pending(2);  // three sinks
  token.ack();
  token.ack();
  EXPECT_EQ(fired, 0);
  token.ack();
  EXPECT_EQ(fired, 1);
}

TEST(AckTokenTest, NeverFiresWhenABatchIsDroppedWithoutAck) {
  int fired = 0;
  {
    AckToken token([&] { ++fired; });
    AckToken copy = token;
  }
  EXPECT_EQ(fired, 0);
}

}  // namespace
}  // namespace logship
