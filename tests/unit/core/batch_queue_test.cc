#include "core/batch_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/test_support.h"

namespace logship {
namespace {

BatchPtr batch_of(size_t raw_bytes) {
  auto b = std::make_shared<Batch>();
  b->raw.assign(raw_bytes, 'x');
  return b;
}

TEST(BatchQueueTest, PushBlocksWhileFullAndResumesWhenDrained) {
  BatchQueue q(10000, 1);
  q.push(batch_of(8000));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(batch_of(8000));  // over capacity: must wait
    pushed = true;
  });
  // Nothing can make the second push go through but a pop: give it a fair chance to misbehave.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(pushed.load());
  ASSERT_NE(q.pop(), nullptr);
  EXPECT_TRUE(testing::eventually([&] { return pushed.load(); }));
  producer.join();
  EXPECT_GT(q.blocked_nanos(), 0u);
}

TEST(BatchQueueTest, AcceptsABatchLargerThanCapacityWhenEmpty) {
  BatchQueue q(100, 1);
  q.push(batch_of(1000));
  EXPECT_NE(q.pop_for(std::chrono::milliseconds(10)), nullptr);
}

TEST(BatchQueueTest, PopReturnsNullOnlyAfterEveryProducerIsDoneAndQueueIsEmpty) {
  BatchQueue q(1 << 20, 2);
  q.push(batch_of(10));
  q.producer_done();
  EXPECT_NE(q.pop(), nullptr);
  EXPECT_EQ(q.pop_for(std::chrono::milliseconds(10)), nullptr);
  EXPECT_FALSE(q.done());
  q.producer_done();
  EXPECT_EQ(q.pop(), nullptr);
  EXPECT_TRUE(q.done());
}

}  // namespace
}  // namespace logship
