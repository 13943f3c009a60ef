// logship's Kafka sink and source over TLS, against a real broker with a SASL_SSL listener
// (PLAIN: Debian's librdkafka 2.0.2 cannot do SCRAM with Kafka 4, see kafka_security.cc) and an
// SSL listener that requires client certificates. The certificate authority, the broker's key
// store and the client certificates are made by openssl at test time
// (make_test_certificates.sh). A wrong password, an unknown authority or an expired client
// certificate gives a clear log line and /health 503 without a busy loop, and nothing is lost:
// after a reload with the right settings every line arrives.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "clients/elasticsearch/es_connection.h"
#include "tests/integration/kafka_broker.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;

class KafkaSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = dir_ / "certs";
    testing::Process make({"/bin/bash", std::string(LOGSHIP_SOURCE_DIR) + "/tests/support/make_test_certificates.sh", certs_},
                          dir_ / "certs.err");
    ASSERT_EQ(make.wait(60s), 0) << testing::read_file(dir_ / "certs.err");
    broker_ = std::make_unique<testing::KafkaBroker>(dir_ / "kafka");
    ASSERT_TRUE(broker_->start({
        "listeners+=SASL_SSL://127.0.0.1:@PORT_SASL@,SSL://127.0.0.1:@PORT_MTLS@",
        "advertised.listeners+=SASL_SSL://127.0.0.1:@PORT_SASL@,SSL://127.0.0.1:@PORT_MTLS@",
        "listener.security.protocol.map+=SASL_SSL:SASL_SSL,SSL:SSL",
        "sasl.enabled.mechanisms=PLAIN",
        "listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
        "user_shipper=\"shipper-secret\";",
        "ssl.keystore.type=PEM",
        "ssl.keystore.location=" + certs_ + "/server-keystore.pem",
        "ssl.key.password=server-key-secret",
        "ssl.truststore.type=PEM",
        "ssl.truststore.location=" + certs_ + "/ca.pem",
        "listener.name.ssl.ssl.client.auth=required",
    })) << testing::read_file(dir_ / "kafka.start.err");
    sasl_ = "127.0.0.1:" + std::to_string(broker_->port("SASL"));
    mtls_ = "127.0.0.1:" + std::to_string(broker_->port("MTLS"));
    std::filesystem::create_directories(dir_ / "logs");
    ::setenv("KAFKA_PASSWORD", "shipper-secret", 1);
  }

  std::string numbered(int from, int to) {
    std::string s;
    for (int i = from; i < to; ++i) s += "secure-" + std::to_string(i) + "\n";
    return s;
  }

  // The file -> kafka pipeline; `security` is the sink's tls:/sasl: YAML (indented 4).
  void write_sidecar(const std::string& name, const std::string& log, const std::string& servers, const std::string& topic,
                     const std::string& security) {
    testing::write_file(dir_ / name, "data_dir: " + dir_ / (name + ".data") + "\napi: {address: '127.0.0.1:0', max_blocked: 2s}\n" +
                                         "shutdown_timeout: 5s\nsources:\n  app: {type: file, include: ['" + dir_ / log + "'], dataset: app}\n" +
                                         "sinks:\n  k:\n    type: kafka\n    inputs: [app]\n    bootstrap_servers: " + servers +
                                         "\n    topic: " + topic + "\n" + security);
  }

  // Reads `topic` with logship's kafka source (--once) into a file; the messages found there.
  std::vector<std::string> read_back(const std::string& name, const std::string& servers, const std::string& topic,
                                     const std::string& security) {
    testing::write_file(dir_ / name, "data_dir: " + dir_ / (name + ".data") + "\nsources:\n  k:\n    type: kafka\n    bootstrap_servers: " +
                                         servers + "\n    group_id: " + name + "\n    topics: [" + topic + "]\n" + security +
                                         "sinks:\n  out: {type: file, inputs: [k], path: '" + dir_ / (name + ".out") + "'}\n");
    testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / name}, dir_ / (name + ".err"));
    EXPECT_EQ(p.wait(120s), 0) << testing::read_file(dir_ / (name + ".err"));
    return testing::messages_of(dir_ / (name + ".out"));
  }

  std::string tls(const std::string& extra = "") { return "    tls: {ca_file: '" + certs_ + "/ca.pem'" + extra + "}\n"; }
  std::string client_cert(const std::string& cert = "client.pem") {
    return ", cert_file: '" + certs_ + "/" + cert + "', key_file: '" + certs_ + "/client.key'";
  }
  std::string sasl(const std::string& password = "'${KAFKA_PASSWORD}'") {
    return "    sasl: {mechanism: PLAIN, user: shipper, password: " + password + "}\n";
  }

  testing::TempDir dir_;
  std::string certs_, sasl_, mtls_;
  std::unique_ptr<testing::KafkaBroker> broker_;
};

TEST_F(KafkaSecurityTest, SinkAndSourceShipOverSaslSslAndOverMutualTlsWithThePasswordFromTheEnvironment) {
  testing::write_file(dir_ / "logs/a.log", numbered(0, 500));
  write_sidecar("over-sasl.yaml", "logs/a.log", sasl_, "secure.sasl", tls() + sasl());
  testing::Process a({testing::logship_binary(), "run", "--once", "-c", dir_ / "over-sasl.yaml"}, dir_ / "over-sasl.err");
  ASSERT_EQ(a.wait(120s), 0) << testing::read_file(dir_ / "over-sasl.err");
  write_sidecar("over-mtls.yaml", "logs/a.log", mtls_, "secure.mtls", tls(client_cert()));
  testing::Process b({testing::logship_binary(), "run", "--once", "-c", dir_ / "over-mtls.yaml"}, dir_ / "over-mtls.err");
  ASSERT_EQ(b.wait(120s), 0) << testing::read_file(dir_ / "over-mtls.err");
  // Read back crosswise: what went over SASL is read over mutual TLS and the other way round.
  std::set<std::string> want;
  for (const auto& l : testing::split_lines(numbered(0, 500))) want.insert(l);
  auto from_sasl = read_back("read-sasl.yaml", mtls_, "secure.sasl", tls(client_cert()));
  auto from_mtls = read_back("read-mtls.yaml", sasl_, "secure.mtls", tls() + sasl());
  EXPECT_EQ(std::set<std::string>(from_sasl.begin(), from_sasl.end()), want);
  EXPECT_EQ(std::set<std::string>(from_mtls.begin(), from_mtls.end()), want);
  // The password never shows in the log.
  for (const char* log : {"over-sasl.err", "over-mtls.err", "read-sasl.yaml.err", "read-mtls.yaml.err"})
    EXPECT_EQ(testing::read_file(dir_ / log).find("shipper-secret"), std::string::npos) << log;
}

struct BadSettings {
  const char* name;
  bool over_sasl;            // else over mutual TLS
  const char* wrong;         // what is wrong, as YAML for the sink
  const char* log_says;      // in the clear log line
};

// Its name in test listings (not the struct's bytes).
void PrintTo(const BadSettings& bad, std::ostream* os) { *os << bad.name; }

class KafkaSecurityFailureTest : public KafkaSecurityTest, public ::testing::WithParamInterface<BadSettings> {};

TEST_P(KafkaSecurityFailureTest, IsOneClearLineAndHealth503WithoutABusyLoopAndNothingIsLostAfterAReload) {
  const BadSettings& bad = GetParam();
  testing::write_file(dir_ / "logs/a.log", numbered(0, 300));
  std::string servers = bad.over_sasl ? sasl_ : mtls_;
  std::string wrong = std::string(bad.wrong);
  for (std::string key : {"@CERTS@"})
    for (size_t at; (at = wrong.find(key)) != std::string::npos;) wrong.replace(at, key.size(), certs_);
  write_sidecar("p.yaml", "logs/a.log", servers, "secure.reload", wrong);
  testing::Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "p.err");
  auto log = [&] { return testing::read_file(dir_ / "p.err"); };
  std::string url;
  ASSERT_TRUE(testing::eventually([&] { return !(url = testing::api_url_in_log(log())).empty(); }, 30s)) << log();
  EsConnection conn;
  conn.endpoints = {url};
  EsClient api(conn);
  EXPECT_TRUE(testing::eventually([&] { return log().find(bad.log_says) != std::string::npos; }, 30s)) << log();
  // 503 because the sink is blocked (not merely because the pipeline is starting).
  ASSERT_TRUE(testing::eventually(
      [&] {
        EsResponse h = api.request("GET", "/health");
        return h.status == 503 && h.body.find("sink k blocked") != std::string::npos;
      },
      30s))
      << log() << api.request("GET", "/health").body;
  // No busy loop: over 10 s, a handful of lines about it at most (librdkafka backs off).
  auto count_lines = [&] {
    size_t n = 0;
    for (const auto& l : testing::split_lines(log()))
      if (l.find("level=error") != std::string::npos || l.find("level=warn") != std::string::npos) ++n;
    return n;
  };
  size_t before = count_lines();
  std::this_thread::sleep_for(10s);
  EXPECT_LE(count_lines() - before, 8u) << log();
  EXPECT_EQ(log().find("shipper-secret"), std::string::npos);
  // The right settings, reloaded: everything arrives, and health comes back.
  testing::append_file(dir_ / "logs/a.log", numbered(300, 400));
  write_sidecar("p.yaml", "logs/a.log", servers, "secure.reload", bad.over_sasl ? tls() + sasl() : tls(client_cert()));
  p.signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return api.request("GET", "/health").status == 200; }, 60s)) << log();
  auto messages = testing::consume_all(broker_->bootstrap(), "secure.reload", 400, 60s, 3s);
  std::set<std::string> got;
  for (const auto& m : messages) got.insert(m.value);
  std::set<std::string> seen;
  for (const auto& v : got) {
    size_t at = v.find("secure-");
    if (at != std::string::npos) seen.insert(v.substr(at, v.find('"', at) - at));
  }
  EXPECT_EQ(seen.size(), 400u) << "lines lost across the failure and the reload";
  p.signal(SIGTERM);
  EXPECT_EQ(p.wait(60s), 0) << log();
}

INSTANTIATE_TEST_SUITE_P(
    Settings, KafkaSecurityFailureTest,
    ::testing::Values(
        BadSettings{"WrongPassword", true,
                    "    tls: {ca_file: '@CERTS@/ca.pem'}\n    sasl: {mechanism: PLAIN, user: shipper, password: not-the-password}\n",
                    "Authentication failed"},
        BadSettings{"UnknownCertificateAuthority", true,
                    "    tls: {ca_file: '@CERTS@/other-ca.pem'}\n    sasl: {mechanism: PLAIN, user: shipper, password: '${KAFKA_PASSWORD}'}\n",
                    "certificate verify failed"},
        BadSettings{"ExpiredClientCertificate", false,
                    "    tls: {ca_file: '@CERTS@/ca.pem', cert_file: '@CERTS@/client-expired.pem', key_file: '@CERTS@/client.key'}\n",
                    "SSL"}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace logship
