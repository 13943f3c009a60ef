// What logship keeps to itself: the secrets of its configuration never appear in anything it
// writes or serves, and its own files are readable by its user alone.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "clients/elasticsearch/es_connection.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::TempDir;

const std::vector<std::string> kSecrets = {"EsUrlSecret123", "EsAuthSecret456", "KafkaSecret789"};

// A pipeline with every kind of secret, its servers unreachable (127.0.0.1:1) so that the
// connection errors, which name the servers, are logged.
std::string pipeline_with_secrets(const TempDir& dir) {
  return "data_dir: " + dir / "data" + "\napi: {address: '127.0.0.1:0'}\nshutdown_timeout: 2s\nsources:\n  app: {type: file, include: ['" +
         dir / "app.log" +
         "']}\nsinks:\n"
         "  search:\n    type: elasticsearch\n    inputs: [app]\n"
         "    endpoints: ['http://esuser:EsUrlSecret123@127.0.0.1:1']\n"
         "    auth: {user: esuser, password: EsAuthSecret456}\n"
         "  bus:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: 127.0.0.1:1\n    topic: logs\n"
         "    librdkafka: {security.protocol: SASL_PLAINTEXT, sasl.mechanism: PLAIN, sasl.username: kuser, sasl.password: KafkaSecret789}\n";
}

void expect_no_secret(const std::string& what, const std::string& text) {
  for (const auto& s : kSecrets) EXPECT_EQ(text.find(s), std::string::npos) << what << " shows " << s << ":\n" << text;
}

TEST(PrivateDataTest, NoSecretInTheLogMetricsHealthValidateOrConfigDocs) {
  TempDir dir;
  testing::write_file(dir / "app.log", "{\"msg\":\"hello\"}\n");
  testing::write_file(dir / "p.yaml", pipeline_with_secrets(dir));
  Process run({testing::logship_binary(), "run", "-c", dir / "p.yaml"}, dir / "stderr");
  std::string url;
  ASSERT_TRUE(testing::eventually([&] { return !(url = testing::api_url_in_log(testing::read_file(dir / "stderr"))).empty(); })) << testing::read_file(dir / "stderr");
  // The elasticsearch sink's failure names its endpoint: with the password masked.
  ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir / "stderr").find("esuser:***@127.0.0.1:1") != std::string::npos; }, 30s))
      << testing::read_file(dir / "stderr");
  EsConnection conn;
  conn.endpoints = {url};
  EsClient client(conn);
  EsResponse metrics = client.request("GET", "/metrics");
  EsResponse health = client.request("GET", "/health");
  EXPECT_EQ(metrics.status, 200);
  expect_no_secret("/metrics", metrics.body);
  expect_no_secret("/health", health.body);
  run.signal(SIGTERM);
  run.wait(30s);
  expect_no_secret("the log", testing::read_file(dir / "stderr"));

  testing::CommandResult validate = testing::run_logship({"validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  expect_no_secret("validate", validate.out + validate.err);
  // A refused endpoint is quoted back, masked.
  std::string broken = pipeline_with_secrets(dir);
  broken.replace(broken.find("http://esuser"), 4, "ftp");
  testing::write_file(dir / "broken.yaml", broken);
  testing::CommandResult refused = testing::run_logship({"validate", "-c", dir / "broken.yaml"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("ftp://esuser:***@127.0.0.1:1"), std::string::npos) << refused.err;
  expect_no_secret("validate of a broken pipeline", refused.out + refused.err);

  testing::CommandResult docs = testing::run_logship({"config-docs"});
  EXPECT_EQ(docs.exit_code, 0);
  expect_no_secret("config-docs", docs.out + docs.err);
}

using testing::mode_of;

TEST(PrivateDataTest, DataDirCheckpointsAndLocksAreForLogshipsUserAloneEvenUnderUmaskZero) {
  TempDir dir;
  testing::write_file(dir / "app.log", "{\"msg\":\"hello\"}\n");
  testing::write_file(dir / "p.yaml", "data_dir: " + dir / "var/data" + "\nsources:\n  app: {type: file, include: ['" + dir / "app.log" +
                                          "']}\nsinks:\n  out: {type: file, inputs: [app], path: " + dir / "out/all.ndjson" + "}\n");
  testing::CommandResult r = [&] {
    testing::UmaskZero umask0;  // inherited by logship
    return testing::run_logship({"run", "--once", "-c", dir / "p.yaml"});
  }();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(mode_of(dir / "var"), 0700u);
  EXPECT_EQ(mode_of(dir / "var/data"), 0700u);
  EXPECT_EQ(mode_of(dir / "var/data/app.checkpoints.json"), 0600u);
  EXPECT_EQ(mode_of(dir / "var/data/app.lock"), 0600u);
  EXPECT_EQ(mode_of(dir / "out/all.ndjson"), 0640u);
}

}  // namespace
}  // namespace logship
