#include "core/batch_pool.h"

#include <gtest/gtest.h>

#include "core/plain_encoder.h"

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

TEST(BatchPoolTest, EncodedBufferGoesBackToItsEncoderNotWithTheBatch) {
  BatchPool batches;
  auto buffers = std::make_shared<StringPool>();
  const char* encoded_data = nullptr;
  {
    BatchPtr b = batches.acquire();
    b->add_raw_event(std::string(1000, 'x'), 0, 1001, 0);
    encode_each(*b, buffers, [](EventView&, std::string& out) { out.append(70000, 'y'); });
    encoded_data = b->encoded.data();
  }
  // The recycled batch carries no stale encoded capacity; the encoder's pool has the buffer.
  BatchPtr again = batches.acquire();
  EXPECT_EQ(again->encoded.capacity(), std::string().capacity());
  ASSERT_EQ(buffers->idle(), 1u);
  std::string reused = buffers->take();
  EXPECT_TRUE(reused.empty());
  EXPECT_EQ(reused.data(), encoded_data);  // the same memory: no allocation, no page faults
}

TEST(BatchPoolTest, BufferPoolIsBoundedAndKeepsNoHugeBuffers) {
  StringPool pool(/*max_idle=*/2, /*max_capacity=*/1 << 20);
  for (int i = 0; i < 3; ++i) pool.give(std::string(1000, 'x'));
  EXPECT_EQ(pool.idle(), 2u);
  StringPool small(4, 1 << 20);
  small.give(std::string(2 << 20, 'x'));
  EXPECT_EQ(small.idle(), 0u);
}

}  // namespace
}  // namespace logship
