// The elasticsearch sink's pure parts: reading bulk answers, what each item status means,
// index names, gzip bodies, event ids carried through batches.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zlib.h>

#include "core/event_id.h"
#include "sinks/elasticsearch/bulk_body.h"
#include "sinks/elasticsearch/bulk_response.h"
#include "sinks/elasticsearch/elasticsearch_sink.h"
#include "sinks/elasticsearch/gzip.h"

namespace logship {
namespace {

TEST(BulkResponseTest, AnswerWithoutErrorsNeedsNoItemDetailsButTheirCount) {
  BulkResponseReader reader;
  std::vector<BulkItem> items;
  std::string error;
  ASSERT_EQ(reader.read(R"({"errors":false,"items":[{"create":{"status":201}}]})", 1, items, error), BulkAnswer::kOk) << error;
  EXPECT_TRUE(items.empty());
}

TEST(BulkResponseTest, AnAnswerWithoutErrorsButOtherItemsThanSentIsNotASuccess) {
  // An injected action line makes the cluster answer for more items than logship sent.
  BulkResponseReader reader;
  std::vector<BulkItem> items;
  std::string error;
  EXPECT_EQ(reader.read(R"({"errors":false,"items":[{"create":{"status":201}},{"delete":{"status":200}}]})", 1, items, error),
            BulkAnswer::kCountMismatch);
  EXPECT_NE(error.find("2 items for 1 documents"), std::string::npos) << error;
}

TEST(BulkResponseTest, ItemsKeepStatusTypeAndTheCauseInTheReason) {
  BulkResponseReader reader;
  std::vector<BulkItem> items;
  std::string error;
  const char* body = R"({"errors":true,"items":[
    {"create":{"status":201}},
    {"create":{"status":409,"error":{"type":"version_conflict_engine_exception","reason":"[x]: version conflict"}}},
    {"create":{"status":400,"error":{"type":"mapper_parsing_exception","reason":"failed to parse field [http.status]",
               "caused_by":{"type":"number_format_exception","reason":"For input string: \"teapot\""}}}},
    {"create":{"status":429,"error":{"type":"es_rejected_execution_exception","reason":"rejected"}}}]})";
  ASSERT_EQ(reader.read(body, 4, items, error), BulkAnswer::kOk) << error;
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[0].status, 201);
  EXPECT_EQ(items[2].error_type, "mapper_parsing_exception");
  EXPECT_EQ(items[2].error_reason, "failed to parse field [http.status]: For input string: \"teapot\"");
  EXPECT_EQ(items[3].status, 429);
}

TEST(BulkResponseTest, NotABulkAnswerOrTheWrongNumberOfItemsIsAnError) {
  BulkResponseReader reader;
  std::vector<BulkItem> items;
  std::string error;
  EXPECT_EQ(reader.read("<html>502 Bad Gateway</html>", 1, items, error), BulkAnswer::kNotBulkAnswer);
  EXPECT_EQ(reader.read(R"({"acknowledged":true})", 1, items, error), BulkAnswer::kNotBulkAnswer);
  EXPECT_EQ(reader.read(R"({"errors":true,"items":[{"create":{"status":429}}]})", 2, items, error), BulkAnswer::kCountMismatch);
  EXPECT_NE(error.find("1 items for 2 documents"), std::string::npos) << error;
}

TEST(BulkItemOutcomeTest, ConflictIsSuccessOverloadIsRetriedBadDocumentsAreDeadLettered) {
  EXPECT_EQ(classify_item(201), ItemOutcome::kCreated);
  EXPECT_EQ(classify_item(200), ItemOutcome::kCreated);
  EXPECT_EQ(classify_item(409), ItemOutcome::kConflict);
  for (int s : {429, 500, 502, 503, 408, 403}) EXPECT_EQ(classify_item(s), ItemOutcome::kRetry) << s;
  for (int s : {400, 404, 413}) EXPECT_EQ(classify_item(s), ItemOutcome::kDeadLetter) << s;
}

TEST(IndexNameTest, DatasetsBecomeValidLowerCaseNames) {
  std::string a = "logs-Nginx.Access-default";
  sanitize_index_name(a);
  EXPECT_EQ(a, "logs-nginx.access-default");
  std::string b = "logs-my app/v2:x-default";
  sanitize_index_name(b);
  EXPECT_EQ(b, "logs-my_app_v2_x-default");
  std::string c = "_hidden";
  sanitize_index_name(c);
  EXPECT_EQ(c, "hidden");
}

// Found by fuzz_bulk_body: a name with bytes that are not UTF-8 (a file name, a host name)
// made the action line invalid JSON, and Elasticsearch refused the whole request.
TEST(IndexNameTest, BytesThatAreNotUtf8BecomeUnderscoresAndUnicodeStays) {
  std::string a = "logs-caf\xc3\xa9-\xc1\xc1-\xe2\x82-default";
  sanitize_index_name(a);
  EXPECT_EQ(a, "logs-caf\xc3\xa9-__-__-default");
  std::string b = std::string(254, 'a') + "\xc3\xa9";  // 256 bytes: the cut falls inside the é
  sanitize_index_name(b);
  EXPECT_EQ(b, std::string(254, 'a'));
}

TEST(BulkBodyTest, OnlyDocumentsOfOneJsonLineGoInAndEveryActionLineIsLogships) {
  std::string body;
  EXPECT_TRUE(append_bulk_create(body, "logs-a-default", "0123", "{\"message\":\"x\"}\n"));
  EXPECT_FALSE(append_bulk_create(body, "logs-a-default", "4567", "{\"message\":\"x\"}\n{\"delete\":{\"_index\":\"logs-a-default\",\"_id\":\"1\"}}"));
  EXPECT_FALSE(append_bulk_create(body, "logs-a-default", "4567", "{\"a\":\r1}"));
  EXPECT_FALSE(append_bulk_create(body, "logs-a-default", "4567", "not json"));
  EXPECT_FALSE(append_bulk_create(body, "logs-a-default", "4567", ""));
  EXPECT_TRUE(append_bulk_create(body, "logs-a-default", "89ab", "{}\n\n\n"));  // found by fuzz_bulk_body: no empty lines
  EXPECT_EQ(body, "{\"create\":{\"_index\":\"logs-a-default\",\"_id\":\"0123\"}}\n{\"message\":\"x\"}\n"
                  "{\"create\":{\"_index\":\"logs-a-default\",\"_id\":\"89ab\"}}\n{}\n");
}

// One environment variable can name every node of a cluster: `scripts/stack up --cluster`
// prints OPENSEARCH_URL=http://127.0.0.1:1,http://127.0.0.1:2.
TEST(EndpointListTest, AnEntryWithCommasIsSeveralEndpoints) {
  EXPECT_EQ(split_endpoint_list({"http://a:1, http://b:2,,http://c:3", "https://d:4"}),
            (std::vector<std::string>{"http://a:1", "http://b:2", "http://c:3", "https://d:4"}));
  EXPECT_TRUE(split_endpoint_list({" , "}).empty());
  ElasticsearchSinkConfig config;
  config.endpoints = {"http://a:1,http://b:2"};
  EXPECT_EQ(config.connection().endpoints.size(), 2u);
}

TEST(GzipTest, BodiesRoundTripThroughZlib) {
  std::string body;
  for (int i = 0; i < 5000; ++i) body += "{\"create\":{\"_index\":\"logs-app-default\"}}\n{\"message\":\"line " + std::to_string(i) + "\"}\n";
  GzipCompressor gz(1);
  std::string compressed;
  gz.compress(body, compressed);
  EXPECT_LT(compressed.size(), body.size() / 4);
  gz.compress(body, compressed);  // the stream is reused
  z_stream s{};
  ASSERT_EQ(inflateInit2(&s, 15 + 16), Z_OK);
  std::string back(body.size() + 16, '\0');
  s.next_in = reinterpret_cast<Bytef*>(compressed.data());
  s.avail_in = static_cast<uInt>(compressed.size());
  s.next_out = reinterpret_cast<Bytef*>(back.data());
  s.avail_out = static_cast<uInt>(back.size());
  ASSERT_EQ(inflate(&s, Z_FINISH), Z_STREAM_END);
  back.resize(s.total_out);
  inflateEnd(&s);
  EXPECT_EQ(back, body);
}

TEST(EventIdOfTest, UsesTheIdTheEventArrivedWithElseComputesIt) {
  Batch b;
  auto origin = std::make_shared<Origin>();
  origin->id_seed = 42;
  b.origin = origin;
  b.add_raw_event("first", 0, 6, 0);
  b.add_raw_event("second", 6, 13, 0);
  std::string scratch;
  std::string expected;
  append_event_id(expected, 42, 6, "second");
  EXPECT_EQ(event_id_of(b, 1, scratch), expected);
  b.event_ids = std::string(32, 'a') + std::string(32, 'b');
  EXPECT_EQ(event_id_of(b, 1, scratch), std::string(32, 'b'));
}

TEST(ClusterInfoTest, TellsOpenSearchFromElasticsearch) {
  auto os = parse_cluster_info(R"({"version":{"distribution":"opensearch","number":"2.19.6"}})");
  ASSERT_TRUE(os);
  EXPECT_TRUE(os->is_opensearch());
  EXPECT_EQ(os->major, 2);
  auto es = parse_cluster_info(R"({"version":{"number":"8.15.1","build_flavor":"default"},"tagline":"You Know, for Search"})");
  ASSERT_TRUE(es);
  EXPECT_FALSE(es->is_opensearch());
  EXPECT_EQ(es->major, 8);
  EXPECT_FALSE(parse_cluster_info("<html>"));
}

}  // namespace
}  // namespace logship
