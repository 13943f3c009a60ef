#include "parser/filter/filter_transform.h"

#include <gtest/gtest.h>

#include "core/plain_encoder.h"

namespace logship {
namespace {

struct Capture : Emitter {
  std::vector<BatchPtr> batches;
  void emit(BatchPtr b) override { batches.push_back(std::move(b)); }
};

BatchPtr make_batch(const std::vector<std::string>& lines, int* acked) {
  auto b = std::make_shared<Batch>();
  auto origin = std::make_shared<Origin>();
  origin->source = "s";
  b->origin = origin;
  uint64_t off = 0;
  for (const auto& l : lines) {
    b->add_raw_event(l, off, off + l.size() + 1, 0);
    off += l.size() + 1;
  }
  b->ack = AckToken([acked] { ++*acked; });
  return b;
}

std::unique_ptr<FilterTransform> make(FilterConfig config) {
  auto r = FilterTransform::create(config, BuildContext{"f", "", ""});
  EXPECT_TRUE(r);
  return std::move(r.value());
}

TEST(FilterTransformTest, KeepsIncludedAndDropsExcludedEventsIncludingEncodedBytes) {
  auto filter = make({{"ERROR", "WARN"}, {"healthcheck"}});
  int acked = 0;
  auto batch = make_batch({"INFO ok", "ERROR disk", "WARN healthcheck slow", "WARN memory"}, &acked);
  encode_plain(*batch);
  Capture out;
  filter->process(batch, out);
  ASSERT_EQ(out.batches.size(), 1u);
  const Batch& b = *out.batches[0];
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.raw_text(b.events[0]), "ERROR disk");
  EXPECT_EQ(b.raw_text(b.events[1]), "WARN memory");
  EXPECT_NE(b.encoded.find("\"message\":\"ERROR disk\""), std::string::npos);
  EXPECT_EQ(b.encoded.find("INFO ok"), std::string::npos);
  EXPECT_EQ(std::count(b.encoded.begin(), b.encoded.end(), '\n'), 2);
  EXPECT_EQ(acked, 0);  // the sinks acknowledge it
}

TEST(FilterTransformTest, AcknowledgesABatchWhoseEventsAreAllDropped) {
  auto filter = make({{}, {"."}});
  int acked = 0;
  Capture out;
  filter->process(make_batch({"a", "b"}, &acked), out);
  EXPECT_TRUE(out.batches.empty());
  EXPECT_EQ(acked, 1);
}

}  // namespace
}  // namespace logship
