// Fanout: the edge list a reload swaps while batches flow.
#include "shipper/runtime/fanout.h"

#include <gtest/gtest.h>

#include <thread>

namespace logship {
namespace {

BatchPtr batch_with_ack(std::atomic<int>& acked) {
  auto b = std::make_shared<Batch>();
  b->ack = AckToken([&acked] { ++acked; });
  return b;
}

class FanoutTest : public ::testing::Test {
 protected:
  Counter events_, bytes_;
};

TEST_F(FanoutTest, AProducerWaitingForAFullReaderDoesNotHoldARewire) {
  // A reader whose sink is stuck: its queue is full and an emit waits. A reload's rewire must
  // still go through (it used to wait for the emit, and so did SIGTERM behind the reload).
  BatchQueue stuck(1, 0), other(1 << 20, 0);
  Fanout out(events_, bytes_, false);
  out.rewire({{&stuck, false}});
  std::atomic<int> acked{0};
  out.emit(batch_with_ack(acked));  // fills it
  std::thread producer([&] { out.emit(batch_with_ack(acked)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto start = std::chrono::steady_clock::now();
  out.rewire({{&other, false}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  producer.join();  // went to the new reader
  EXPECT_NE(other.pop(), nullptr);
  out.close();
}

TEST_F(FanoutTest, RewiringMovesTheProducerToTheNewQueueAndEndsTheOldOneAfterItsLastBatch) {
  BatchQueue old_queue(1 << 20, 0), new_queue(1 << 20, 0);
  Fanout out(events_, bytes_, false);
  out.rewire({{&old_queue, false}});
  std::atomic<int> acked{0};
  out.emit(batch_with_ack(acked));
  out.rewire({{&new_queue, false}});
  out.emit(batch_with_ack(acked));
  EXPECT_NE(old_queue.pop(), nullptr);
  EXPECT_TRUE(old_queue.done()) << "the old reader sees the end of its input once the producer moved";
  EXPECT_NE(new_queue.pop(), nullptr);
  EXPECT_FALSE(new_queue.done());
  out.close();
  EXPECT_TRUE(new_queue.done());
}

TEST_F(FanoutTest, AReplacementProducerKeepsASharedReaderOpenUntilBothAreDone) {
  BatchQueue reader(1 << 20, 0);
  Fanout old_producer(events_, bytes_, false), replacement(events_, bytes_, false);
  old_producer.rewire({{&reader, true}});
  replacement.rewire({{&reader, true}});
  old_producer.close();
  EXPECT_FALSE(reader.done());
  replacement.close();
  EXPECT_TRUE(reader.done());
}

TEST_F(FanoutTest, TrackedBatchesStayInFlightUntilEveryReaderAcknowledged) {
  BatchQueue a(1 << 20, 0), b(1 << 20, 0);
  Fanout out(events_, bytes_, /*track_acks=*/true);
  out.rewire({{&a, true}, {&b, true}});
  std::atomic<int> acked{0};
  out.emit(batch_with_ack(acked));
  EXPECT_EQ(out.in_flight(), 1);
  a.pop()->ack.ack();
  EXPECT_EQ(out.in_flight(), 1);
  EXPECT_EQ(acked.load(), 0);
  b.pop()->ack.ack();
  EXPECT_EQ(acked.load(), 1) << "the source heard of it";
  EXPECT_EQ(out.in_flight(), 0);
}

TEST_F(FanoutTest, RewireWaitsForAnEmitBlockedOnAFullQueue) {
  BatchQueue small(1, 0), next(1 << 20, 0);
  Fanout out(events_, bytes_, false);
  out.rewire({{&small, false}});
  std::atomic<int> acked{0};
  out.emit(batch_with_ack(acked));  // fills it
  std::thread producer([&] { out.emit(batch_with_ack(acked)); });  // blocks until a pop
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::thread rewire([&] { out.rewire({{&next, false}}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(small.done()) << "the blocked batch has not been pushed: the old queue may not end yet";
  EXPECT_NE(small.pop(), nullptr);
  producer.join();
  rewire.join();
  EXPECT_NE(small.pop(), nullptr) << "the second batch went to the old queue, whole";
  EXPECT_TRUE(small.done());
}

}  // namespace
}  // namespace logship
