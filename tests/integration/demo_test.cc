// The pipelines users start from, on the bundled sample logs: pipelines/demo.yaml to files, and
// what scripts/demo does — pipelines/sidecar.yaml into a real Kafka broker, pipelines/indexer.yaml
// on into a real OpenSearch node — checked by querying back what landed.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>

#include "tests/integration/kafka_broker.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// Runs the binary from the source folder (the pipelines name files relative to it).
int run_pipeline(const std::string& env, const std::string& pipeline, const std::string& err) {
  testing::Process p({"/bin/sh", "-c",
                      "cd '" + std::string(LOGSHIP_SOURCE_DIR) + "' && " + env + " exec '" + testing::logship_binary() + "' run --once -c " + pipeline},
                     err);
  return p.wait(std::chrono::seconds(300));
}

TEST(DemoPipelineTest, BundledLogsParseCleanlyIntoFiles) {
  testing::TempDir dir;
  ASSERT_EQ(run_pipeline("LOGSHIP_DEMO_DIR='" + dir.path() + "'", "pipelines/demo.yaml", dir / "stderr"), 0)
      << testing::read_file(dir / "stderr");
  std::string events = testing::read_file(dir / "events.ndjson");
  EXPECT_EQ(count(events, "\n"), 300 + 300 + 120 + 29);  // app, access, service (traces joined), slow log (27 + 2 headers)
  EXPECT_EQ(count(events, "json_parse_error"), 0);
  EXPECT_EQ(count(events, "unparsed"), 0);
  EXPECT_EQ(count(events, "\"logger\":\"c.e.b.InvoiceController\""), 120) << "every service event parsed by rules: [java]";
  EXPECT_EQ(count(events, "slowlog_fragment"), 0);
  EXPECT_EQ(count(events, "\"fingerprint\":"), 27);
  EXPECT_EQ(count(events, "\"dataset\":\"nginx.access\""), 300);
  EXPECT_GT(testing::split_lines(testing::read_file(dir / "errors.ndjson")).size(), 0u);
}

TEST(DemoPipelineTest, SidecarAndIndexerShipTheSampleLogsThroughKafkaIntoOpenSearch) {
  testing::TempDir dir;
  testing::KafkaBroker broker(dir / "kafka");
  ASSERT_TRUE(broker.start()) << testing::read_file(dir / "kafka.start.err");
  testing::OpenSearchNode node(dir / "os");
  ASSERT_TRUE(node.start()) << testing::read_file(dir / "os.start.err");
  ASSERT_EQ(testing::run_logship({"schemas", "apply", "--endpoint", node.url(), "--replicas", "0"}).exit_code, 0);

  std::string logs = std::string(LOGSHIP_SOURCE_DIR) + "/pipelines/demo/logs";
  std::string sidecar_env = "LOGSHIP_DATA_DIR='" + dir / "sc" + "' KAFKA_BOOTSTRAP='" + broker.bootstrap() + "' APP_JSON_LOGS='" + logs +
                            "/app.log' APP_TIMESTAMP_FIELD=ts SERVICE_LOGS='" + logs + "/service.log' SERVICE_DATASET=billing.service" +
                            " NGINX_ACCESS_LOG='" + logs + "/access.log' MYSQL_SLOW_LOG='" + logs + "/mysql-slow.log'";
  ASSERT_EQ(run_pipeline(sidecar_env, "pipelines/sidecar.yaml", dir / "sidecar.err"), 0) << testing::read_file(dir / "sidecar.err");
  std::string indexer_env = "LOGSHIP_DATA_DIR='" + dir / "idx" + "' KAFKA_BOOTSTRAP='" + broker.bootstrap() + "' ES_URL='" + node.url() + "'";
  ASSERT_EQ(run_pipeline(indexer_env, "pipelines/indexer.yaml", dir / "indexer.err"), 0) << testing::read_file(dir / "indexer.err");

  EXPECT_EQ(node.count("logs-app-default"), 300);
  EXPECT_EQ(node.count("logs-nginx.access-default"), 300);
  EXPECT_EQ(node.count("logs-billing.service-default"), 120);  // stack traces joined by the java preset
  EXPECT_EQ(node.count("logs-mysql.slowlog-default"), 29);
  // Nothing flagged but the joined stack traces (no parse error, fragment…), nothing dead-lettered.
  EsResponse joined = node.request("GET", "/logs-billing.service-default/_count?q=log.flags:multiline");
  EXPECT_EQ(joined.body.find("\"count\":0,"), std::string::npos) << joined.body;
  EsResponse flagged = node.request("GET", "/logs-*/_count?q=_exists_:log.flags%20AND%20NOT%20log.flags:multiline");
  EXPECT_NE(flagged.body.find("\"count\":0"), std::string::npos) << flagged.body;
  EXPECT_LE(node.count("logs-deadletter-default"), 0) << "nothing refused";
  EXPECT_FALSE(std::filesystem::exists(dir / "idx/dead-letter"));

  auto top = testing::run_logship({"views", "run", "top_slow_queries", "--endpoint", node.url(), "--since", "10y", "--format", "json"});
  ASSERT_EQ(top.exit_code, 0) << top.err;
  simdjson::dom::parser parser;
  simdjson::dom::array rows = parser.parse(top.out);
  ASSERT_EQ(rows.size(), 10u);
  EXPECT_EQ(std::string_view(rows.at(0)["fingerprint"]), "select sleep(?)");
  EXPECT_EQ(int64_t(rows.at(0)["total_time"]), 200209000);
  auto errors = testing::run_logship({"views", "run", "errors_by_service_and_level", "--endpoint", node.url(), "--since", "10y"});
  ASSERT_EQ(errors.exit_code, 0) << errors.err;
  EXPECT_NE(errors.out.find("billing"), std::string::npos) << errors.out;
  // The Java service's lines have their own times and levels (rules: [java]): its range is the
  // log's four minutes, and its errors are the four ERROR lines.
  auto summary = testing::run_logship({"views", "run", "events_by_dataset", "--endpoint", node.url(), "--since", "10y", "--format", "json"});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  simdjson::dom::array datasets = parser.parse(summary.out);
  bool found = false;
  for (simdjson::dom::object row : datasets) {
    if (std::string_view(row["dataset"]) != "billing.service") continue;
    found = true;
    EXPECT_EQ(std::string(simdjson::minify(row["oldest"])), "\"2026-11-26T09:00:00.000Z\"") << summary.out;
    EXPECT_EQ(std::string(simdjson::minify(row["newest"])), "\"2026-11-26T09:03:58.833Z\"") << summary.out;
    EXPECT_EQ(std::string(simdjson::minify(row["errors"])), "4") << summary.out;
  }
  EXPECT_TRUE(found) << summary.out;
}

}  // namespace
}  // namespace logship
