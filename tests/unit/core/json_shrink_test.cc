// Cutting an oversized event down to a limit: fields kept, longest strings cut, flag added.
#include "core/json_shrink.h"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace logship {
namespace {

simdjson::dom::element parsed(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element e;
  EXPECT_FALSE(parser.parse(json).get(e)) << json;
  return e;
}

TEST(JsonShrinkTest, CutsTheLongestStringsKeepsEveryFieldAndFlagsTruncated) {
  std::string query(5000, 'q');
  std::string message(3000, 'm');
  std::string json = "{\"@timestamp\":\"2026-12-04T10:00:00Z\",\"message\":\"" + message + "\",\"mysql\":{\"slowlog\":{\"query\":\"" + query +
                     "\",\"rows_sent\":12}},\"log\":{\"file\":{\"path\":\"/var/log/slow.log\"},\"offset\":77},"
                     "\"event\":{\"id\":\"0123456789abcdef0123456789abcdef\",\"dataset\":\"mysql.slowlog\"},\"host\":{\"name\":\"db-1\"}}";
  std::string out;
  ASSERT_TRUE(shrink_event_json(json, 2000, out));
  EXPECT_LE(out.size(), 2000u);
  simdjson::dom::parser parser;
  auto e = parsed(parser, out);
  EXPECT_EQ(int64_t(e["mysql"]["slowlog"]["rows_sent"]), 12);
  EXPECT_EQ(std::string_view(e["@timestamp"]), "2026-12-04T10:00:00Z");
  EXPECT_EQ(std::string_view(e["event"]["id"]), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(std::string_view(e["log"]["file"]["path"]), "/var/log/slow.log");
  EXPECT_EQ(std::string_view(e["log"]["flags"].at(0)), "truncated");
  std::string_view q = e["mysql"]["slowlog"]["query"];
  std::string_view m = e["message"];
  EXPECT_EQ(q.substr(0, 10), "qqqqqqqqqq");
  EXPECT_GT(q.size(), 500u) << "both long strings cut to about the same length, the rest of the budget";
  EXPECT_LE(q.size() > m.size() ? q.size() - m.size() : m.size() - q.size(), 8u);
}

TEST(JsonShrinkTest, AddsToExistingFlagsAndNeverSplitsAnEscapeOrACharacter) {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "\\u00e9\\n\xc3\xa9\\\"";
  std::string json = "{\"message\":\"" + text + "\",\"log\":{\"flags\":[\"multiline\"],\"offset\":1}}";
  simdjson::dom::parser parser;
  for (size_t limit = 120; limit < json.size(); limit += 37) {
    std::string out;
    ASSERT_TRUE(shrink_event_json(json, limit, out)) << limit;
    EXPECT_LE(out.size(), limit);
    auto e = parsed(parser, out);
    simdjson::dom::array flags = e["log"]["flags"];
    ASSERT_EQ(flags.size(), 2u);
    EXPECT_EQ(std::string_view(flags.at(0)), "truncated");
    EXPECT_EQ(std::string_view(flags.at(1)), "multiline");
  }
}

TEST(JsonShrinkTest, AnEventWithoutALogObjectGetsOneAndAnImpossibleLimitIsRefused) {
  std::string json = "{\"message\":\"" + std::string(1000, 'x') + "\"}";
  std::string out;
  ASSERT_TRUE(shrink_event_json(json, 100, out));
  simdjson::dom::parser parser;
  auto e = parsed(parser, out);
  EXPECT_EQ(std::string_view(e["log"]["flags"].at(0)), "truncated");
  EXPECT_FALSE(shrink_event_json("{\"a\":1,\"b\":2,\"c\":3}", 10, out)) << "nothing to cut";
  EXPECT_FALSE(shrink_event_json("not json", 100, out));
}

TEST(JsonShrinkTest, OnlyEventIdAndDatasetAreKeptWholeNotEventOriginal) {
  std::string json = "{\"event\":{\"id\":\"" + std::string(32, 'a') + "\",\"dataset\":\"deadletter\",\"original\":\"" +
                     std::string(5000, 'o') + "\"}}";
  std::string out;
  ASSERT_TRUE(shrink_event_json(json, 1000, out));
  simdjson::dom::parser parser;
  auto e = parsed(parser, out);
  EXPECT_EQ(std::string_view(e["event"]["id"]), std::string(32, 'a'));
  EXPECT_EQ(std::string_view(e["event"]["dataset"]), "deadletter");
  EXPECT_LT(std::string_view(e["event"]["original"]).size(), 1000u);
}

TEST(JsonShrinkTest, ASurrogatePairIsNeverCutInHalf) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += "\\ud83d\\ude00";  // 😀 escaped, 12 bytes each
  std::string json = "{\"message\":\"" + text + "\"}";
  for (size_t limit = 60; limit < json.size(); limit += 7) {
    std::string out;
    ASSERT_TRUE(shrink_event_json(json, limit, out));
    size_t begin = out.find("\"message\":\"") + 11;
    size_t end = out.find('"', begin);
    EXPECT_EQ((end - begin) % 12, 0u) << "limit " << limit << ": " << out;
  }
}

}  // namespace
}  // namespace logship
