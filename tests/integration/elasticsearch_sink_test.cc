// The elasticsearch sink against a real OpenSearch node (scripts/opensearch-node): exactly-once
// indexing through Kafka, a node that rejects writes, mapping conflicts, a node restart and an
// indexer killed with SIGKILL.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "tests/integration/kafka_broker.h"
#include "tests/integration/opensearch_node.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;

class ElasticsearchSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<testing::OpenSearchNode>(dir_ / "os");
    ASSERT_TRUE(node_->start()) << testing::read_file(dir_ / "os.start.err");
    std::filesystem::create_directories(dir_ / "logs");
  }
  void start_kafka() {
    broker_ = std::make_unique<testing::KafkaBroker>(dir_ / "kafka");
    ASSERT_TRUE(broker_->start()) << testing::read_file(dir_ / "kafka.start.err");
  }
  int run(const std::string& yaml_name, std::chrono::seconds timeout = 300s) {
    testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / yaml_name}, dir_ / (yaml_name + ".err"));
    return p.wait(timeout);
  }
  std::string numbered_lines(int n, const std::string& prefix = "line-") {
    std::string lines;
    for (int i = 0; i < n; ++i) lines += prefix + std::to_string(i) + "\n";
    return lines;
  }
  // A file -> elasticsearch pipeline; `sink_extra` is YAML for the sink's map (indented 4).
  std::string file_to_es(const std::string& endpoint, const std::string& sink_extra = "", const std::string& dataset = "app",
                         const std::string& transform = "") {
    std::string y = "data_dir: " + dir_ / "data" + "\nsources:\n  app: {type: file, include: ['" + dir_ / "logs/*.log" +
                    "'], dataset: " + dataset + "}\n";
    std::string input = "app";
    if (!transform.empty()) {
      y += "transforms:\n  parsed: " + transform + "\n";
      input = "parsed";
    }
    y += "sinks:\n  search:\n    type: elasticsearch\n    inputs: [" + input + "]\n    endpoints: ['" + endpoint + "']\n" +
         "    retry: {initial: 50ms, max: 1s}\n" + sink_extra;
    return y;
  }
  // fault_proxy.py in front of the node; returns its URL.
  std::string start_proxy(std::vector<std::string> options, const std::string& scheme = "http") {
    std::vector<std::string> argv{"/usr/bin/python3", std::string(LOGSHIP_SOURCE_DIR) + "/tests/integration/fault_proxy.py", node_->url(),
                                  dir_ / "proxy.port", dir_ / "proxy.stats"};
    argv.insert(argv.end(), options.begin(), options.end());
    proxy_ = std::make_unique<testing::Process>(argv, dir_ / "proxy.err");
    EXPECT_TRUE(testing::eventually([&] { return std::filesystem::exists(dir_ / "proxy.port"); }));
    return scheme + "://127.0.0.1:" + testing::read_file(dir_ / "proxy.port");
  }
  testing::TempDir dir_;
  std::unique_ptr<testing::OpenSearchNode> node_;
  std::unique_ptr<testing::KafkaBroker> broker_;
  std::unique_ptr<testing::Process> proxy_;
};

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

TEST_F(ElasticsearchSinkTest, FileToKafkaToOpenSearchIndexesEveryLineExactlyOnceWithTheEventIdAsId) {
  start_kafka();
  testing::write_file(dir_ / "logs/a.log", numbered_lines(3000));
  testing::write_file(dir_ / "sidecar.yaml",
                      "data_dir: " + dir_ / "sc" + "\nsources:\n  app: {type: file, include: ['" + dir_ / "logs/a.log" +
                          "'], dataset: app}\nsinks:\n  k:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: " + broker_->bootstrap() +
                          "\n    topic: 'logs.{{ event.dataset }}'\n    create_topics: {partitions: 3}\n");
  ASSERT_EQ(run("sidecar.yaml"), 0) << testing::read_file(dir_ / "sidecar.yaml.err");
  testing::write_file(dir_ / "indexer.yaml",
                      "data_dir: " + dir_ / "idx" + "\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " + broker_->bootstrap() +
                          "\n    group_id: indexer\n    topics: ['^logs\\..*']\n    librdkafka: {session.timeout.ms: '6000'}\n" +
                          "sinks:\n  search:\n    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + node_->url() +
                          "']\n    max_documents: 500\n");
  ASSERT_EQ(run("indexer.yaml"), 0) << testing::read_file(dir_ / "indexer.yaml.err");

  EXPECT_EQ(node_->count("logs-app-default"), 3000);
  auto docs = node_->ids_and("logs-app-default", "event.id");
  std::set<std::string> ids;
  for (const auto& d : docs) {
    std::string id = d.substr(0, d.find('\t'));
    EXPECT_EQ(id, d.substr(d.find('\t') + 1)) << "_id must be the event id";
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 3000u);
  auto messages = as_set(node_->values_of("logs-app-default", "message"));
  EXPECT_EQ(messages, as_set(testing::split_lines(numbered_lines(3000))));

  // The same topics indexed again by a new group: every document answers 409, nothing is added.
  std::string again = testing::read_file(dir_ / "indexer.yaml");
  again.replace(again.find("group_id: indexer"), 17, "group_id: replay1");
  testing::write_file(dir_ / "replay.yaml", again);
  ASSERT_EQ(run("replay.yaml"), 0) << testing::read_file(dir_ / "replay.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 3000);
}

// The hostile review's first finding, end to end: a 221-byte message on the topic, dressed as
// a logship event with bulk actions on lines of their own, deleted a document and created an
// index with the indexer's credentials, and the run ended 0 with nothing logged. The message is
// now indexed as text, flagged not_an_event, and the cluster is otherwise untouched.
TEST_F(ElasticsearchSinkTest, AForgedKafkaMessageCannotRunBulkActionsOnTheCluster) {
  start_kafka();
  ASSERT_EQ(node_->request("PUT", "/victim/_doc/1?refresh=true", "{\"keep\":\"me\"}").status, 201);
  const std::string id = "0123456789abcdef0123456789abcdef";
  const std::string meta = "},\"event\":{\"id\":\"" + id + "\",\"dataset\":\"app\"}}";
  const std::string forged = "{\"message\":\"x\",\"log\":{\"offset\":1" + meta + "\n{\"delete\":{\"_index\":\"victim\",\"_id\":\"1\"}}\n" +
                             "{\"create\":{\"_index\":\"made-by-attacker\",\"_id\":\"1\"}}\n{\"a\":1,\"log\":{\"offset\":2" + meta;
  const std::string genuine = "{\"message\":\"real\",\"log\":{\"offset\":3},\"event\":{\"id\":\"" + std::string(32, 'a') + "\",\"dataset\":\"app\"}}";
  testing::produce_plain(broker_->bootstrap(), "logs.app", {forged, genuine});
  testing::write_file(dir_ / "indexer.yaml",
                      "data_dir: " + dir_ / "idx" + "\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " + broker_->bootstrap() +
                          "\n    group_id: indexer\n    topics: [logs.app]\n    librdkafka: {session.timeout.ms: '6000'}\n" +
                          "sinks:\n  search:\n    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + node_->url() + "']\n");
  ASSERT_EQ(run("indexer.yaml"), 0) << testing::read_file(dir_ / "indexer.yaml.err");

  EXPECT_EQ(node_->count("victim"), 1) << "the victim document was deleted";
  EXPECT_EQ(node_->request("HEAD", "/made-by-attacker").status, 404) << "an index was created by a message";
  EXPECT_EQ(node_->values_of("logs-app-default", "message"), std::vector<std::string>{"real"}) << "logship's own event passes through";
  // The wrapped message is a new event of the topic's dataset, kept whole as its text.
  EXPECT_EQ(node_->values_of("logs-logs.app-default", "message"), std::vector<std::string>{forged});
  EXPECT_EQ(node_->values_of("logs-logs.app-default", "log.flags"), std::vector<std::string>{"[\"not_an_event\"]"});
}

TEST_F(ElasticsearchSinkTest, RejectedWritesAreRetriedUntilIndexedAndOnlyTheRejectedItemsAreSentAgain) {
  // 4 requests refused whole with 429, then 4 where half the documents come back 429.
  std::string endpoint = start_proxy({"--reject", "4", "--partial", "4"});

  testing::write_file(dir_ / "logs/a.log", numbered_lines(4000));
  testing::write_file(dir_ / "p.yaml", file_to_es(endpoint, "    max_documents: 250\n    max_in_flight: 2\n"));
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");

  std::string stats = testing::read_file(dir_ / "proxy.stats");
  EXPECT_NE(stats.find("\"rejected_requests\": 4"), std::string::npos) << stats;
  EXPECT_NE(stats.find("\"partial_requests\": 4"), std::string::npos) << stats;
  EXPECT_EQ(node_->count("logs-app-default"), 4000);
  auto messages = node_->values_of("logs-app-default", "message");
  EXPECT_EQ(messages.size(), 4000u);
  EXPECT_EQ(as_set(messages), as_set(testing::split_lines(numbered_lines(4000))));
  EXPECT_NE(testing::read_file(dir_ / "p.yaml.err").find("events will be sent again"), std::string::npos);
}

TEST_F(ElasticsearchSinkTest, MappingConflictGoesToTheDefaultDeadLetterFileWithItsReasonAndTheRestIsIndexed) {
  ASSERT_EQ(testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"}).exit_code, 0);
  std::string lines;
  for (int i = 0; i < 100; ++i) {
    // service is an object in the app template; line 42 sends a plain string: a 400 for it alone.
    std::string service = i == 42 ? "\"billing\"" : "{\"name\":\"billing\"}";
    lines += "{\"msg\":\"event " + std::to_string(i) + "\",\"level\":\"info\",\"service\":" + service + "}\n";
  }
  testing::write_file(dir_ / "logs/a.log", lines);
  testing::write_file(dir_ / "p.yaml", file_to_es(node_->url(), "", "app", "{type: json, inputs: [app], rename: {msg: message}}"));
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");

  EXPECT_EQ(node_->count("logs-app-default"), 99);
  // Nothing reads search.dead_letter: the refused event is in data_dir, 0600 in a 0700 folder.
  std::string path = dir_ / "data/dead-letter/search.ndjson";
  auto dead = testing::read_lines(path);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(std::filesystem::status(path).permissions(), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(std::filesystem::status(dir_ / "data/dead-letter").permissions(), std::filesystem::perms::owner_all);
  simdjson::dom::parser parser;
  simdjson::dom::element rec = parser.parse(dead[0]);
  EXPECT_EQ(std::string_view(rec["error"]["type"]), "mapper_parsing_exception");
  EXPECT_NE(std::string(std::string_view(rec["error"]["message"])).find("service"), std::string::npos);
  EXPECT_EQ(std::string_view(rec["logship"]["dead_letter"]["sink"]), "search");
  EXPECT_EQ(std::string_view(rec["event"]["dataset"]), "deadletter");
  std::string original{std::string_view(rec["event"]["original"])};
  EXPECT_NE(original.find("\"message\":\"event 42\""), std::string::npos) << original;
  EXPECT_NE(testing::read_file(dir_ / "p.yaml.err").find("refused events for good"), std::string::npos);
}

TEST_F(ElasticsearchSinkTest, DeadLettersCanGoToAnIndexOnTheSameCluster) {
  ASSERT_EQ(testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"}).exit_code, 0);
  testing::write_file(dir_ / "logs/a.log",
                      "{\"msg\":\"ok\",\"http\":{\"status\":200}}\n{\"msg\":\"bad\",\"http\":{\"status\":\"teapot\"}}\n");
  testing::write_file(dir_ / "p.yaml", file_to_es(node_->url(), "", "app", "{type: json, inputs: [app], rename: {msg: message}}") +
                                           "  refused: {type: elasticsearch, inputs: [search.dead_letter], endpoints: ['" + node_->url() + "']}\n");
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 1);
  EXPECT_EQ(node_->count("logs-deadletter-default"), 1);
  auto originals = node_->values_of("logs-deadletter-default", "event.original");
  ASSERT_EQ(originals.size(), 1u);
  EXPECT_NE(originals[0].find("teapot"), std::string::npos);
}

TEST_F(ElasticsearchSinkTest, BasicAuthIsSentWithAPasswordFromTheEnvironmentAlsoByTheCommands) {
  // "logship:s3cret" in base64, as a secured cluster expects it.
  std::string endpoint = start_proxy({"--auth", "Basic bG9nc2hpcDpzM2NyZXQ="});
  testing::write_file(dir_ / "logs/a.log", numbered_lines(500));
  ::setenv("LOGSHIP_TEST_ES_PASSWORD", "s3cret", 1);
  testing::write_file(dir_ / "p.yaml", file_to_es(endpoint, "    auth: {user: logship, password: '${LOGSHIP_TEST_ES_PASSWORD}'}\n"));
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 500);
  EXPECT_NE(testing::read_file(dir_ / "proxy.stats").find("\"unauthorized\": 0"), std::string::npos);
  // The command line tools take the same credentials.
  auto denied = testing::run_logship({"schemas", "apply", "--endpoint", endpoint});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("HTTP 401"), std::string::npos) << denied.err;
  auto applied = testing::run_logship({"schemas", "apply", "--endpoint", endpoint, "--user", "logship", "--password-env", "LOGSHIP_TEST_ES_PASSWORD"});
  EXPECT_EQ(applied.exit_code, 0) << applied.err;
}

TEST_F(ElasticsearchSinkTest, ApiKeyIsSentAsTheApiKeyAuthorizationHeader) {
  std::string endpoint = start_proxy({"--auth", "ApiKey a2V5aWQ6c2VjcmV0"});
  testing::write_file(dir_ / "logs/a.log", numbered_lines(100));
  testing::write_file(dir_ / "p.yaml", file_to_es(endpoint, "    auth: {api_key: a2V5aWQ6c2VjcmV0}\n"));
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 100);
}

TEST_F(ElasticsearchSinkTest, HttpsEndpointsAreVerifiedAgainstTheConfiguredCaFile) {
  // A certificate for 127.0.0.1, made here with Debian's openssl; the proxy serves it.
  testing::Process gen({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir_ / "key.pem", "-out", dir_ / "cert.pem"},
                       dir_ / "openssl.err");
  ASSERT_EQ(gen.wait(), 0) << testing::read_file(dir_ / "openssl.err");
  std::string endpoint = start_proxy({"--tls", dir_ / "cert.pem", dir_ / "key.pem"}, "https");
  testing::write_file(dir_ / "logs/a.log", numbered_lines(300));
  testing::write_file(dir_ / "p.yaml", file_to_es(endpoint, "    tls: {ca_file: " + dir_ / "cert.pem" + "}\n"));
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 300);
  // Without that CA the certificate is refused, and the command says why.
  auto refused = testing::run_logship({"schemas", "apply", "--endpoint", endpoint});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("SSL"), std::string::npos) << refused.err;
  auto trusted = testing::run_logship({"schemas", "apply", "--endpoint", endpoint, "--ca-file", dir_ / "cert.pem"});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
}

TEST_F(ElasticsearchSinkTest, AnEndpointThatIsDownIsSetAsideAndTheNextOneTakesOver) {
  // A port nobody listens on, first in the list.
  testing::write_file(dir_ / "logs/a.log", numbered_lines(2000));
  testing::write_file(dir_ / "p.yaml", "data_dir: " + dir_ / "data" + "\nsources:\n  app: {type: file, include: ['" + dir_ / "logs/*.log" +
                                           "'], dataset: app}\nsinks:\n  search:\n    type: elasticsearch\n    inputs: [app]\n"
                                           "    endpoints: ['http://127.0.0.1:1', '" + node_->url() + "']\n    max_documents: 100\n");
  ASSERT_EQ(run("p.yaml", 120s), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 2000);
  EXPECT_EQ(as_set(node_->values_of("logs-app-default", "message")).size(), 2000u);
}

TEST_F(ElasticsearchSinkTest, DeadLettersCanGoToAKafkaTopic) {
  start_kafka();
  ASSERT_EQ(testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"}).exit_code, 0);
  testing::write_file(dir_ / "logs/a.log", "{\"msg\":\"ok\",\"http\":{\"status\":200}}\n{\"msg\":\"bad\",\"http\":{\"status\":\"teapot\"}}\n");
  testing::write_file(dir_ / "p.yaml", file_to_es(node_->url(), "", "app", "{type: json, inputs: [app], rename: {msg: message}}") +
                                           "  refused: {type: kafka, inputs: [search.dead_letter], bootstrap_servers: '" + broker_->bootstrap() +
                                           "', topic: logs.dead-letter, headers: true}\n");
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 1);
  auto dead = testing::consume_all(broker_->bootstrap(), "logs.dead-letter", 1, 60s);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].value.find("mapper_parsing_exception"), std::string::npos) << dead[0].value;
  EXPECT_NE(dead[0].value.find("teapot"), std::string::npos);
  EXPECT_EQ(dead[0].headers["event.id"].size(), 32u);
}

TEST_F(ElasticsearchSinkTest, NodeRestartAndIndexerKilledWithSigkillLoseNothingAndDuplicateNothing) {
  start_kafka();
  const int kLines = 20000;
  testing::write_file(dir_ / "logs/a.log", numbered_lines(kLines));
  testing::write_file(dir_ / "sidecar.yaml",
                      "data_dir: " + dir_ / "sc" + "\nsources:\n  app: {type: file, include: ['" + dir_ / "logs/a.log" +
                          "'], dataset: app}\nsinks:\n  k:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: " + broker_->bootstrap() +
                          "\n    topic: 'logs.{{ event.dataset }}'\n    create_topics: {partitions: 3}\n");
  ASSERT_EQ(run("sidecar.yaml"), 0) << testing::read_file(dir_ / "sidecar.yaml.err");
  // Small requests and a short commit interval, so that a lot happens mid-stream.
  std::string indexer = "data_dir: " + dir_ / "idx" + "\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " + broker_->bootstrap() +
                        "\n    group_id: indexer\n    topics: ['^logs\\..*']\n    batch_bytes: 4KiB\n    commit_interval: 100ms\n"
                        "    librdkafka: {session.timeout.ms: '6000'}\n"
                        "sinks:\n  search:\n    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + node_->url() +
                        "']\n    max_documents: 100\n    flush_interval: 50ms\n    max_in_flight: 2\n    retry: {initial: 100ms, max: 1s}\n";
  testing::write_file(dir_ / "indexer.yaml", indexer);
  {
    testing::Process idx({testing::logship_binary(), "run", "-c", dir_ / "indexer.yaml"}, dir_ / "indexer1.err");
    ASSERT_TRUE(testing::eventually([&] { return node_->count("logs-app-default") > 2000; }, 120s));
    // The node goes away mid-stream and comes back on the same port.
    ASSERT_TRUE(node_->restart_same_port()) << testing::read_file(dir_ / "os.restart.err");
    int64_t before_kill = 0;
    ASSERT_TRUE(testing::eventually([&] { return (before_kill = node_->count("logs-app-default")) > 6000; }, 180s))
        << testing::read_file(dir_ / "indexer1.err");
    ASSERT_LT(before_kill, kLines) << "the indexer finished before it could be killed; make the test slower";
    idx.signal(SIGKILL);
    idx.wait();
  }
  ASSERT_EQ(run("indexer.yaml"), 0) << testing::read_file(dir_ / "indexer.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), kLines);
  auto messages = node_->values_of("logs-app-default", "message");
  EXPECT_EQ(messages.size(), static_cast<size_t>(kLines));
  EXPECT_EQ(as_set(messages).size(), static_cast<size_t>(kLines));
  std::string log = testing::read_file(dir_ / "indexer1.err") + testing::read_file(dir_ / "indexer.yaml.err");
  EXPECT_NE(log.find("events will be sent again"), std::string::npos) << "the restart was not noticed";
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

using namespace std::chrono_literals;

TEST_F(ElasticsearchSinkTest, PerItem429sInsideA200BackOffExponentiallyAsA429AnswerDoes) {
  // Ten answers in a row hold half the documents back with item 429s.
  std::string endpoint = start_proxy({"--partial", "10"});
  testing::write_file(dir_ / "logs/a.log", numbered_lines(400));
  std::string y = "data_dir: " + dir_ / "data" + "\nsources:\n  app: {type: file, include: ['" + dir_ / "logs/*.log" +
                  "'], dataset: app}\nsinks:\n  search:\n    type: elasticsearch\n    inputs: [app]\n    endpoints: ['" + endpoint +
                  "']\n    max_in_flight: 1\n    flush_interval: 10ms\n    retry: {initial: 20ms, max: 30s}\n";
  testing::write_file(dir_ / "p.yaml", y);
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 400);
  simdjson::dom::parser parser;
  simdjson::dom::element stats = parser.parse(testing::read_file(dir_ / "proxy.stats"));
  std::vector<double> times;
  for (double t : stats["bulk_times"].get_array()) times.push_back(t);
  ASSERT_GE(times.size(), 11u);
  EXPECT_LE(times.size(), 13u) << "each retry waits for its backoff: no storm of resends";
  std::vector<double> gaps;
  for (size_t i = 1; i < 11; ++i) gaps.push_back(times[i] - times[i - 1]);
  std::cout << "[ info ] gaps between the resends of 10 answers with item 429s (s):";
  for (double g : gaps) std::cout << " " << g;
  std::cout << "\n";
  // Backoff from 20 ms doubling with jitter down to half the step puts the tenth wait above
  // 2.5 s; waits that did not grow stay near 20 ms plus the request's own time (which a busy
  // machine can stretch to a second, so the check is not a ratio to the first gap).
  EXPECT_GT(gaps[9], 2.0) << "the wait grows although every answer was a 200";
  EXPECT_GT(gaps[9], gaps[1] + 1.5) << "the wait grows although every answer was a 200";
}

TEST_F(ElasticsearchSinkTest, AnAnswerThatSaysNothingAboutTheDocumentsIsRetriedNotDeadLettered) {
  // A proxy in front of the cluster answers 404 for a while (a route missing during a deploy).
  std::string control = dir_ / "control";
  testing::write_file(control, "404");
  std::string endpoint = start_proxy({"--control", control});
  testing::write_file(dir_ / "logs/a.log", numbered_lines(300));
  testing::write_file(dir_ / "p.yaml", file_to_es(endpoint));
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "p.yaml.err");
  ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir_ / "proxy.stats").find("\"controlled_requests\": 3") != std::string::npos; }, 60s));
  std::filesystem::remove(control);
  ASSERT_EQ(p.wait(120s), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 300);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "data/dead-letter/search.ndjson")) << "nothing was refused for good";
}

TEST_F(ElasticsearchSinkTest, A429AnswersRetryAfterIsWaitedOut) {
  std::string endpoint = start_proxy({"--reject", "1", "--retry-after", "2"});
  testing::write_file(dir_ / "logs/a.log", numbered_lines(50));
  testing::write_file(dir_ / "p.yaml", file_to_es(endpoint, "    max_in_flight: 1\n"));
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 50);
  simdjson::dom::parser parser;
  simdjson::dom::element stats = parser.parse(testing::read_file(dir_ / "proxy.stats"));
  simdjson::dom::array times = stats["bulk_times"];
  ASSERT_GE(times.size(), 2u);
  EXPECT_GE(double(times.at(1)) - double(times.at(0)), 1.95) << "Retry-After: 2";
}

TEST_F(ElasticsearchSinkTest, SigtermWithTheClusterDownEndsWithinShutdownTimeoutAndTheIndexerResumesLater) {
  start_kafka();
  testing::produce_plain(broker_->bootstrap(), "logs.app", testing::split_lines(numbered_lines(5000)));
  std::string control = dir_ / "down";
  std::string endpoint = start_proxy({"--control", control});
  testing::write_file(control, "503");  // the cluster answers nothing useful
  std::string indexer = "data_dir: " + dir_ / "idx" + "\nshutdown_timeout: 3s\nsources:\n  logs:\n    type: kafka\n    bootstrap_servers: " +
                        broker_->bootstrap() + "\n    group_id: indexer\n    topics: [logs.app]\n    dataset: app\nsinks:\n  search:\n"
                        "    type: elasticsearch\n    inputs: [logs]\n    endpoints: ['" + endpoint + "']\n    retry: {initial: 50ms, max: 1s}\n";
  testing::write_file(dir_ / "indexer.yaml", indexer);
  {
    testing::Process idx({testing::logship_binary(), "run", "-c", dir_ / "indexer.yaml"}, dir_ / "indexer1.err");
    auto log = [&] { return testing::read_file(dir_ / "indexer1.err"); };
    ASSERT_TRUE(testing::eventually([&] { return log().find("destination failed") != std::string::npos; }, 60s)) << log();
    std::this_thread::sleep_for(1s);
    auto start = std::chrono::steady_clock::now();
    idx.signal(SIGTERM);
    EXPECT_EQ(idx.wait(30s), 0) << log();
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ info ] SIGTERM with the cluster down: ended in " << took << " s (shutdown_timeout 3 s)\n";
    EXPECT_LT(took, 4.5) << log();
    EXPECT_NE(log().find("shutdown_timeout reached with events undelivered"), std::string::npos) << log();
  }
  EXPECT_LE(node_->count("logs-app-default"), 0) << "nothing got through";
  // The cluster is back: the offsets were not committed past anything, so all of it comes.
  std::filesystem::remove(control);
  indexer.replace(indexer.find("shutdown_timeout: 3s"), 20, "shutdown_timeout: 60s");
  testing::write_file(dir_ / "indexer2.yaml", indexer);
  ASSERT_EQ(run("indexer2.yaml"), 0) << testing::read_file(dir_ / "indexer2.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 5000);
  EXPECT_EQ(as_set(node_->values_of("logs-app-default", "message")).size(), 5000u);
}

TEST_F(ElasticsearchSinkTest, ADeadLetterDestinationThatFailsHoldsTheBatchUntilItRecovers) {
  // One document the cluster refuses; its dead letter goes to a Kafka topic whose broker is away.
  start_kafka();
  ASSERT_EQ(testing::run_logship({"schemas", "apply", "--endpoint", node_->url(), "--replicas", "0"}).exit_code, 0);
  std::string lines;
  for (int i = 0; i < 50; ++i) lines += "{\"msg\":\"event " + std::to_string(i) + "\",\"http\":{\"status\":" + (i == 7 ? "\"teapot\"" : "200") + "}}\n";
  testing::write_file(dir_ / "logs/a.log", lines);
  ASSERT_EQ(testing::create_topic(broker_->bootstrap(), "logs.dead-letter", 1), "");
  broker_->stop();
  testing::write_file(dir_ / "p.yaml", "api: {address: '127.0.0.1:0', max_blocked: 2s}\n" +
                                           file_to_es(node_->url(), "", "app", "{type: json, inputs: [app], rename: {msg: message}}") +
                                           "  refused: {type: kafka, inputs: [search.dead_letter], bootstrap_servers: '" + broker_->bootstrap() +
                                           "', topic: logs.dead-letter}\n");
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "logship.err");
  auto log = [&] { return testing::read_file(dir_ / "logship.err"); };
  ASSERT_TRUE(testing::eventually([&] { return node_->count("logs-app-default") == 49; }, 60s)) << log();
  std::this_thread::sleep_for(3s);
  // The batch holding the refused document is not acknowledged while its dead letter waits.
  EXPECT_EQ(testing::read_file(dir_ / "data/app.checkpoints.json").find("\"offset\":" + std::to_string(lines.size())), std::string::npos);
  std::string url = testing::api_url_in_log(log());
  EsConnection conn;
  conn.endpoints = {url};
  EsClient api(conn);
  EsResponse health = api.request("GET", "/health");
  EXPECT_EQ(health.status, 503) << health.body;
  EXPECT_NE(health.body.find("refused"), std::string::npos) << "the dead-letter sink is the one stuck: " << health.body;
  ASSERT_TRUE(broker_->restart_same_port()) << testing::read_file(dir_ / "kafka.restart.err");
  auto dead = testing::consume_all(broker_->bootstrap(), "logs.dead-letter", 1, 120s);
  ASSERT_EQ(dead.size(), 1u) << log();
  EXPECT_NE(dead[0].value.find("teapot"), std::string::npos);
  ASSERT_TRUE(testing::eventually(
      [&] { return testing::read_file(dir_ / "data/app.checkpoints.json").find("\"offset\":" + std::to_string(lines.size())) != std::string::npos; },
      60s))
      << "acknowledged once the dead letter is durable\n" << log();
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(60s), 0);
}

class ElasticsearchBodyLimitTest : public ElasticsearchSinkTest {
 protected:
  void SetUp() override {
    // A node that takes request bodies of at most 1 MiB (http.max_content_length).
    node_ = std::make_unique<testing::OpenSearchNode>(dir_ / "os");
    ASSERT_TRUE(node_->start({"http.max_content_length=1mb"})) << testing::read_file(dir_ / "os.start.err");
    std::filesystem::create_directories(dir_ / "logs");
  }
};

TEST_F(ElasticsearchBodyLimitTest, A413IsSplitUntilTheDocumentsFitAndADocumentTooLargeAloneIsDeadLettered) {
  std::string lines;
  std::string chunk;
  for (int i = 0; chunk.size() < 20000; ++i) chunk += std::to_string(static_cast<uint64_t>(i) * 2654435761u % 1000003);
  for (int i = 0; i < 200; ++i) lines += "doc-" + std::to_string(i) + " " + chunk + "\n";  // 4 MB in all
  std::string huge = "huge " + std::string(1500000, 'h');
  lines += huge + "\n";
  testing::write_file(dir_ / "logs/a.log", lines);
  testing::write_file(dir_ / "p.yaml", file_to_es(node_->url(), "    compression: none\n"));
  ASSERT_EQ(run("p.yaml"), 0) << testing::read_file(dir_ / "p.yaml.err");
  EXPECT_EQ(node_->count("logs-app-default"), 200);
  auto dead = testing::read_lines(dir_ / "data/dead-letter/search.ndjson");
  ASSERT_EQ(dead.size(), 1u);
  simdjson::dom::parser parser;
  simdjson::dom::element rec = parser.parse(dead[0]);
  EXPECT_EQ(std::string_view(rec["error"]["type"]), "http_413");
  EXPECT_NE(std::string(std::string_view(rec["event"]["original"])).find("huge hhhh"), std::string::npos);
}

}  // namespace
}  // namespace logship
