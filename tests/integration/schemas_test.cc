// `logship schemas apply` and `logship views run` against a real OpenSearch node: templates
// installed idempotently and shaping the data streams, and every saved view answering with the
// numbers of known data.
#include <gtest/gtest.h>

#include <cstdlib>
#include <simdjson.h>

#include <map>

#include "core/time_format.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

class SchemasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<testing::OpenSearchNode>(dir_ / "os");
    ASSERT_TRUE(node_->start()) << testing::read_file(dir_ / "os.start.err");
    auto r = testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // Indexes `docs` (JSON objects without @timestamp: now is added) into a data stream.
  void index(const std::string& stream, const std::vector<std::string>& docs) {
    std::string now;
    append_rfc3339_millis(now, now_unix_nanos() - 60'000'000'000LL);  // a minute ago
    std::string body;
    for (const auto& d : docs) body += "{\"create\":{\"_index\":\"" + stream + "\"}}\n{\"@timestamp\":\"" + now + "\"," + d.substr(1) + "\n";
    EsResponse r = node_->request("POST", "/_bulk?refresh=true", body);
    ASSERT_TRUE(r.ok()) << r.describe();
    ASSERT_EQ(r.body.find("\"errors\":true"), std::string::npos) << r.body.substr(0, 1000);
  }
  // `logship views run NAME --format json`, as rows of column -> text.
  std::vector<std::map<std::string, std::string>> view(const std::string& name) {
    auto r = testing::run_logship({"views", "run", name, "--endpoint", node_->url(), "--since", "1h", "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::map<std::string, std::string>> rows;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(r.out).get(doc)) {
      ADD_FAILURE() << "not JSON: " << r.out;
      return rows;
    }
    for (auto row : doc.get_array()) {
      std::map<std::string, std::string> m;
      for (auto field : row.get_object()) {
        std::string_view s;
        m[std::string(field.key)] = field.value.get(s) ? simdjson::minify(field.value) : std::string(s);
      }
      rows.push_back(std::move(m));
    }
    return rows;
  }
  testing::TempDir dir_;
  std::unique_ptr<testing::OpenSearchNode> node_;
};

double num(const std::string& s) { return std::stod(s); }

TEST_F(SchemasTest, ApplyIsIdempotentAndTheTemplatesShapeTheDataStreams) {
  auto again = testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("index template logs-mysql.slowlog: applied"), std::string::npos) << again.out;

  // nginx lines through the real pipeline, located by the geoip transform (test databases):
  // the data stream is created with the template.
  std::string make = std::string(LOGSHIP_SOURCE_DIR) + "/tests/support/make_test_geoip.pl " + dir_.path();
  ASSERT_EQ(std::system(make.c_str()), 0);
  testing::write_file(dir_ / "access.log",
                      "10.0.0.7 - - [26/Nov/2026:09:00:00 +0000] \"GET /a HTTP/1.1\" 502 12 \"-\" \"curl/8\"\n"
                      "85.181.35.98 - - [26/Nov/2026:09:00:01 +0000] \"GET /b HTTP/1.1\" 200 12 \"-\" \"curl/8\"\n");
  testing::write_file(dir_ / "p.yaml", "data_dir: " + dir_ / "data" + "\nsources:\n  web: {type: file, include: ['" + dir_ / "access.log" +
                                           "'], dataset: nginx.access}\ntransforms:\n  f: {type: rules, inputs: [web], rules: [nginx]}\n"
                                           "  g: {type: geoip, inputs: [f], database: '" + dir_ / "City.mmdb" + "', asn_database: '" + dir_ / "ASN.mmdb" +
                                           "'}\nsinks:\n  s: {type: elasticsearch, inputs: [g], endpoints: ['" + node_->url() + "']}\n");
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "p.err");
  ASSERT_EQ(p.wait(std::chrono::seconds(120)), 0) << testing::read_file(dir_ / "p.err");

  EsResponse ds = node_->request("GET", "/_data_stream/logs-nginx.access-default");
  ASSERT_TRUE(ds.ok()) << ds.describe();
  EXPECT_NE(ds.body.find("\"template\":\"logs-nginx.access\""), std::string::npos) << ds.body;
  EsResponse mapping = node_->request("GET", "/logs-nginx.access-default/_mapping/field/source.ip,http.response.status_code,event.id");
  ASSERT_TRUE(mapping.ok());
  EXPECT_NE(mapping.body.find("\"type\":\"ip\""), std::string::npos) << mapping.body;
  EXPECT_NE(mapping.body.find("\"type\":\"long\""), std::string::npos) << mapping.body;
  EXPECT_NE(mapping.body.find("\"type\":\"keyword\""), std::string::npos) << mapping.body;
  // The location is a geo_point (Kibana's maps need one): a box around Hamburg finds the request.
  EsResponse geo = node_->request("GET", "/logs-nginx.access-default/_mapping/field/source.geo.location,source.as.number");
  EXPECT_NE(geo.body.find("\"type\":\"geo_point\""), std::string::npos) << geo.body;
  node_->request("POST", "/logs-nginx.access-default/_refresh");
  EsResponse box = node_->request("POST", "/logs-nginx.access-default/_count",
                                  R"({"query":{"geo_bounding_box":{"source.geo.location":{"top_left":{"lat":54,"lon":9},"bottom_right":{"lat":53,"lon":11}}}}})");
  EXPECT_NE(box.body.find("\"count\":1,"), std::string::npos) << box.body;
  EsResponse asn = node_->request("POST", "/logs-nginx.access-default/_count", R"({"query":{"term":{"source.as.number":3320}}})");
  EXPECT_NE(asn.body.find("\"count\":1,"), std::string::npos) << asn.body;
  EsResponse settings = node_->request("GET", "/logs-nginx.access-default/_settings/index.number_of_replicas");
  EXPECT_NE(settings.body.find("\"number_of_replicas\":\"0\""), std::string::npos) << settings.body;
}

TEST_F(SchemasTest, EverySavedViewAnswersWithTheNumbersOfKnownData) {
  std::vector<std::string> slow;
  for (int64_t d : {1'000'000'000LL, 2'000'000'000LL, 3'000'000'000LL})
    slow.push_back(R"({"event":{"dataset":"mysql.slowlog","duration":)" + std::to_string(d) +
                   R"(},"mysql":{"slowlog":{"fingerprint":"select * from a where id = ?","rows_examined":10}}})");
  for (int i = 0; i < 10; ++i)
    slow.push_back(R"({"event":{"dataset":"mysql.slowlog","duration":100000000},"mysql":{"slowlog":{"fingerprint":"select b","rows_examined":1}}})");
  index("logs-mysql.slowlog-test", slow);

  auto top = view("top_slow_queries");
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0]["fingerprint"], "select * from a where id = ?");
  EXPECT_EQ(num(top[0]["fingerprint.count"]), 3);
  EXPECT_EQ(num(top[0]["total_time"]), 6e9);
  EXPECT_EQ(num(top[0]["max"]), 3e9);
  EXPECT_EQ(num(top[0]["rows_examined"]), 30);
  EXPECT_EQ(top[1]["fingerprint"], "select b");
  EXPECT_EQ(num(top[1]["fingerprint.count"]), 10);
  EXPECT_EQ(num(top[1]["total_time"]), 1e9);
  EXPECT_EQ(num(top[1]["p95"]), 1e8);

  auto p95 = view("p95_latency_by_fingerprint");
  ASSERT_EQ(p95.size(), 2u);
  EXPECT_EQ(p95[0]["fingerprint"], "select * from a where id = ?");  // slower every time, though rarer
  EXPECT_EQ(num(p95[0]["latency.99"]), 3e9);
  EXPECT_EQ(num(p95[0]["latency.50"]), 2e9);
  EXPECT_EQ(num(p95[1]["latency.95"]), 1e8);

  std::vector<std::string> app;
  auto line = [&](const char* service, const char* level, const char* path, int status, double ms) {
    app.push_back(std::string(R"({"service":{"name":")") + service + R"("},"log":{"level":")" + level + R"("},"http":{"path":")" + path +
                  R"(","status":)" + std::to_string(status) + R"(},"duration_ms":)" + std::to_string(ms) + "}");
  };
  line("billing", "error", "/slow", 500, 100);
  line("billing", "error", "/slow", 200, 200);
  line("billing", "warn", "/slow", 200, 300);
  line("billing", "info", "/slow", 200, 400);
  line("billing", "info", "/slow", 200, 500);
  line("accounts", "error", "/fast", 200, 1);
  line("accounts", "info", "/fast", 200, 2);
  index("logs-app-test", app);

  auto errors = view("errors_by_service_and_level");
  std::map<std::string, double> by;
  for (auto& r : errors) by[r["service"] + "/" + r["level"]] = num(r["level.count"]);
  EXPECT_EQ(by, (std::map<std::string, double>{{"accounts/error", 1}, {"billing/error", 2}, {"billing/warn", 1}}));

  auto endpoints = view("slowest_endpoints");
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0]["endpoint"], "/slow");
  EXPECT_EQ(num(endpoints[0]["endpoint.count"]), 5);
  EXPECT_EQ(num(endpoints[0]["duration_ms.50"]), 300);
  EXPECT_EQ(num(endpoints[0]["server_errors"]), 1);
  EXPECT_EQ(endpoints[1]["endpoint"], "/fast");
  EXPECT_EQ(num(endpoints[1]["server_errors"]), 0);

  std::vector<std::string> web;
  auto hit = [&](const char* path, int status, int times, int64_t ms) {
    for (int i = 0; i < times; ++i)
      web.push_back(std::string(R"({"url":{"original":")") + path + "?n=" + std::to_string(i) + R"(","path":")" + path +
                    R"("},"http":{"response":{"status_code":)" + std::to_string(status) + R"(}},"event":{"duration":)" +
                    std::to_string(ms * 1'000'000) + "}}");
  };
  hit("/x", 500, 3, 40);
  hit("/y", 502, 1, 900);
  hit("/z", 200, 5, 10);
  hit("/z", 503, 1, 10);
  index("logs-nginx.access-test", web);
  auto http = view("http_errors_by_endpoint");
  ASSERT_EQ(http.size(), 3u);
  EXPECT_EQ(http[0]["url"], "/x");
  EXPECT_EQ(num(http[0]["status.count"]), 3);
  EXPECT_EQ(http[0]["status"], "500");
  EXPECT_EQ(http[1]["url"], "/y");  // (then /z's one 503)
  EXPECT_EQ(http[1]["status"], "502");

  // Per endpoint: requests per second over the hour, the 5xx share, p95 in milliseconds.
  auto traffic = view("endpoint_traffic");
  ASSERT_EQ(traffic.size(), 3u);
  EXPECT_EQ(traffic[0]["endpoint"], "/z");  // the busiest first
  EXPECT_NEAR(num(traffic[0]["per_second"]), 6.0 / 3600, 1e-8);  // (six significant digits)
  EXPECT_NEAR(num(traffic[0]["server_error_share"]), 1.0 / 6, 1e-6);
  EXPECT_EQ(num(traffic[0]["p95_ms"]), 10);
  EXPECT_EQ(traffic[1]["endpoint"], "/x");
  EXPECT_EQ(num(traffic[1]["server_error_share"]), 1);
  EXPECT_EQ(num(traffic[1]["p95_ms"]), 40);
  EXPECT_EQ(num(traffic[2]["p95_ms"]), 900);
}

}  // namespace
}  // namespace logship
