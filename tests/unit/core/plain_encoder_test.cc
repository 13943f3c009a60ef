#include "core/plain_encoder.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/event_id.h"

namespace logship {
namespace {

Batch make_batch() {
  auto origin = std::make_shared<Origin>();
  origin->source = "app";
  origin->dataset = "app.web";
  origin->path = "/var/log/app.log";
  origin->host = "web-1";
  origin->id_seed = origin_id_seed("app", 2049, 12345);
  Batch b;
  b.origin = origin;
  b.read_time_nanos = 1'700'000'000'123'456'789;
  b.add_raw_event("GET /x \"200\"", 0, 13, 0);
  b.add_raw_event("cut", 13, 2000, kFlagTruncated);
  return b;
}

TEST(PlainEncoderTest, WritesOneValidEcsObjectPerLine) {
  Batch b = make_batch();
  encode_plain(b);
  ASSERT_TRUE(b.is_encoded);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(std::string(b.encoded_text(b.events[0]))).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(doc["message"]), "GET /x \"200\"");
  EXPECT_EQ(std::string_view(doc["@timestamp"]), "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(std::string_view(doc["log"]["file"]["path"]), "/var/log/app.log");
  EXPECT_EQ(uint64_t(doc["log"]["offset"]), 0u);
  EXPECT_EQ(std::string_view(doc["event"]["dataset"]), "app.web");
  EXPECT_EQ(std::string_view(doc["host"]["name"]), "web-1");
  EXPECT_EQ(std::string_view(doc["event"]["id"]).size(), 32u);
  EXPECT_EQ(b.encoded_text(b.events[0]).back(), '\n');

  ASSERT_EQ(parser.parse(std::string(b.encoded_text(b.events[1]))).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(doc["log"]["flags"].at(0)), "truncated");
  EXPECT_EQ(uint64_t(doc["log"]["offset"]), 13u);
}

TEST(PlainEncoderTest, EventIdIsTheSameForTheSameBytesAtTheSamePlace) {
  Batch a = make_batch();
  Batch b = make_batch();
  b.read_time_nanos += 999;  // read at another time, e.g. after a restart
  encode_plain(a);
  encode_plain(b);
  simdjson::dom::parser p1, p2;
  auto id = [](simdjson::dom::parser& p, const Batch& batch, size_t i) {
    return std::string(std::string_view(p.parse(std::string(batch.encoded_text(batch.events[i])))["event"]["id"]));
  };
  EXPECT_EQ(id(p1, a, 0), id(p2, b, 0));
  EXPECT_NE(id(p1, a, 0), id(p2, a, 1));
  std::string other_offset;
  append_event_id(other_offset, a.origin->id_seed, 99, "GET /x \"200\"");
  EXPECT_NE(other_offset, id(p1, a, 0));
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

// What the kafka source reads back from a logship event instead of record headers.
TEST(PlainEncoderTest, EventMetadataIsFoundBackInTheEncodedEvent) {
  Batch b = make_batch();
  b.add_raw_event(R"({"event":{"id":"00000000000000000000000000000000","dataset":"fake"}})", 2000, 2070, 0);
  encode_plain(b);
  for (size_t i = 0; i < b.events.size(); ++i) {
    std::string expected_id;
    append_event_id(expected_id, b.origin->id_seed, b.events[i].offset, b.raw_text(b.events[i]));
    std::string_view id, dataset;
    ASSERT_TRUE(find_event_metadata(b.encoded_text(b.events[i]), id, dataset)) << b.encoded_text(b.events[i]);
    EXPECT_EQ(id, expected_id);
    EXPECT_EQ(dataset, "app.web");
  }
  // An escaped dataset name is not read back (the id still is).
  auto quoted = std::make_shared<Origin>(*b.origin);
  quoted->dataset = "a\"b";
  b.origin = quoted;
  b.is_encoded = false;
  encode_plain(b);
  std::string_view id, dataset = "unset";
  ASSERT_TRUE(find_event_metadata(b.encoded_text(b.events[0]), id, dataset));
  EXPECT_EQ(dataset, "");
  // Other producers' messages.
  for (const char* foreign : {"", "plain text", R"({"a":1})", R"({"log":{},"event":{"id":"abc","dataset":"x"}})",
                              R"({"log":{},"event":{"id":"0000000000000000000000000000000G","dataset":"x"}})",
                              R"({"log":{},"event":{"id":"00000000000000000000000000000000","kind":"x"}})"})
    EXPECT_FALSE(find_event_metadata(foreign, id, dataset)) << foreign;
}

}  // namespace
}  // namespace logship
