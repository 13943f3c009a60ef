#include "core/batch_pool.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

TEST(BatchPoolTest, ReturnedBatchIsReusedEmptyWithItsCapacity) {
  BatchPool pool;
  Batch* first = nullptr;
  size_t capacity = 0;
  {
    BatchPtr b = pool.acquire();
    b->add_raw_event(std::string(100000, 'x'), 0, 100001, 0);
    b->encoded = "{}";
    b->is_encoded = true;
    first = b.get();
    capacity = b->raw.capacity();
  }
  EXPECT_EQ(pool.idle(), 1u);
  BatchPtr again = pool.acquire();
  EXPECT_EQ(again.get(), first);
  EXPECT_TRUE(again->raw.empty());
  EXPECT_TRUE(again->events.empty());
  EXPECT_FALSE(again->is_encoded);
  EXPECT_EQ(again->raw.capacity(), capacity);
}

TEST(BatchPoolTest, OversizeBatchesAreFreedNotKept) {
  BatchPool pool(4, 1000);
  {
    BatchPtr b = pool.acquire();
    b->raw.assign(5000, 'x');
  }
  EXPECT_EQ(pool.idle(), 0u);
}

TEST(BatchPoolTest, BatchMayOutliveItsPool) {
  BatchPtr survivor;
  {
    BatchPool pool;
    survivor = pool.acquire();
  }
  survivor->raw = "still usable";
  survivor.reset();  // returns to a pool nobody holds any more: must not crash or leak
}

}  // namespace
}  // namespace logship
