// Dead-letter events: one JSON line each, the refused event as text with its id and the reason.
#include "delivery/dead_letter_record.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "core/event_id.h"
#include "core/plain_encoder.h"

namespace logship {
namespace {

TEST(DeadLetterRecordTest, KeepsTheRefusedEventAsTextWithItsIdReasonAndSink) {
  auto b = std::make_shared<Batch>();
  auto origin = std::make_shared<Origin>();
  origin->source = "app";
  origin->dataset = "app";
  origin->path = "/var/log/app.log";
  origin->host = "web-1";
  origin->id_seed = 99;
  b->origin = origin;
  b->add_raw_event("say \"hi\"\nand more", 100, 120, kFlagMultiline);
  b->add_raw_event("second", 120, 127, 0);
  encode_plain(*b);
  auto reason = std::make_shared<Reason>(Reason{"mapper_parsing_exception", "failed to parse [\"x\"]\n at line 1", {}});
  DeadLetterEncoder encoder("search");
  auto out = encoder.encode({{b, 0, reason}, {b, 1, reason}}, 1'700'000'000'000'000'000);
  ASSERT_EQ(out.size(), 1u) << "one origin, one batch";
  const Batch& dl = *out[0];
  ASSERT_EQ(dl.events.size(), 2u);
  EXPECT_EQ(dl.origin->dataset, "deadletter");
  simdjson::dom::parser parser;
  for (uint32_t i = 0; i < 2; ++i) {
    std::string_view line = dl.encoded_text(dl.events[i]);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
    simdjson::dom::element rec = parser.parse(std::string(line));
    std::string id;
    append_event_id(id, 99, b->events[i].offset, b->raw_text(b->events[i]));
    EXPECT_EQ(std::string_view(rec["event"]["id"]), id);
    EXPECT_EQ(std::string_view(rec["event"]["dataset"]), "deadletter");
    std::string_view original = rec["event"]["original"];
    std::string_view sent = b->encoded_text(b->events[i]);
    EXPECT_EQ(original, sent.substr(0, sent.size() - 1)) << "exactly as the sink sent it";
    EXPECT_EQ(std::string_view(rec["error"]["type"]), "mapper_parsing_exception");
    EXPECT_EQ(std::string_view(rec["error"]["message"]), "failed to parse [\"x\"]\n at line 1");
    EXPECT_EQ(std::string_view(rec["logship"]["dead_letter"]["sink"]), "search");
    EXPECT_EQ(std::string_view(rec["@timestamp"]).substr(0, 4), "2023");
    EXPECT_EQ(uint64_t(rec["log"]["offset"]), b->events[i].offset);
    std::string_view found_id, found_dataset;
    ASSERT_TRUE(find_event_metadata(line, found_id, found_dataset)) << "a kafka source reading it keeps the id";
    EXPECT_EQ(found_id, id);
  }
  EXPECT_NE(std::string(dl.encoded_text(dl.events[0])).find("\"flags\":[\"multiline\"]"), std::string::npos);
}

}  // namespace
}  // namespace logship
