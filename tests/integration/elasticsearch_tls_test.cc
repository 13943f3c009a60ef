// The elasticsearch sink and the cluster commands over HTTPS with authentication: Debian's
// nginx in front of a real OpenSearch node (tls_proxy.h) with a certificate of the test CA,
// basic authentication and client certificates (certificates made by openssl at test time).
// Certificates are really verified: an unknown CA or a host name that does not match is
// refused unless `verify: false` is written, which logship warns about at start.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/integration/opensearch_node.h"
#include "tests/integration/tls_proxy.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;

class ElasticsearchTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists("/usr/sbin/nginx")) GTEST_SKIP() << "nginx is not installed (scripts/install-deps installs it)";
    certs_ = dir_ / "certs";
    testing::Process make({"/bin/bash", std::string(LOGSHIP_SOURCE_DIR) + "/tests/support/make_test_certificates.sh", certs_},
                          dir_ / "certs.err");
    ASSERT_EQ(make.wait(60s), 0) << testing::read_file(dir_ / "certs.err");
    node_ = std::make_unique<testing::OpenSearchNode>(dir_ / "os");
    ASSERT_TRUE(node_->start()) << testing::read_file(dir_ / "os.start.err");
    std::filesystem::create_directories(dir_ / "logs");
    ::setenv("ES_PASSWORD", "proxy-secret", 1);
  }

  std::unique_ptr<testing::TlsProxy> proxy(const std::string& name, testing::TlsProxyOptions options) {
    auto p = std::make_unique<testing::TlsProxy>(dir_ / name, node_->url(), certs_, std::move(options));
    EXPECT_TRUE(p->start()) << testing::read_file(dir_ / (name + "/logs/error.log"));
    return p;
  }

  // file -> elasticsearch at `endpoint` with the sink's `security` YAML (indented 4).
  int ship(const std::string& name, const std::string& endpoint, const std::string& security, int lines = 200) {
    std::string data;
    for (int i = 0; i < lines; ++i) data += name + "-" + std::to_string(i) + "\n";
    testing::write_file(dir_ / ("logs/" + name + ".log"), data);
    testing::write_file(dir_ / (name + ".yaml"), "data_dir: " + dir_ / (name + ".data") + "\nshutdown_timeout: 5s\nsources:\n  app: {type: file, include: ['" +
                                                     dir_ / ("logs/" + name + ".log") + "'], dataset: " + name +
                                                     "}\nsinks:\n  search:\n    type: elasticsearch\n    inputs: [app]\n    endpoints: ['" +
                                                     endpoint + "']\n    retry: {initial: 100ms, max: 1s}\n" + security);
    testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / (name + ".yaml")}, dir_ / (name + ".err"));
    return p.wait(120s);
  }
  std::string log(const std::string& name) { return testing::read_file(dir_ / (name + ".err")); }

  std::string client_tls(const std::string& ca = "ca.pem", const std::string& extra = "") {
    return "    tls: {ca_file: '" + certs_ + "/" + ca + "', cert_file: '" + certs_ + "/client.pem', key_file: '" + certs_ + "/client.key'" +
           extra + "}\n";
  }
  std::string basic_auth() { return "    auth: {user: logship, password: '${ES_PASSWORD}'}\n"; }

  testing::TempDir dir_;
  std::string certs_;
  std::unique_ptr<testing::OpenSearchNode> node_;
};

TEST_F(ElasticsearchTlsTest, BasicAuthAndAClientCertificateOverVerifiedHttpsGetTheSinkAndTheCommandsIn) {
  auto secured = proxy("nginx", {.user = "logship", .password = "proxy-secret", .client_certificates = true});
  ASSERT_EQ(ship("secure", secured->url(), client_tls() + basic_auth()), 0) << log("secure");
  EXPECT_EQ(node_->count("logs-secure-default"), 200);
  EXPECT_EQ(log("secure").find("proxy-secret"), std::string::npos);
  auto apply = testing::run_logship({"schemas", "apply", "--endpoint", secured->url(), "--ca-file", certs_ + "/ca.pem", "--cert-file",
                                     certs_ + "/client.pem", "--key-file", certs_ + "/client.key", "--user", "logship", "--password-env",
                                     "ES_PASSWORD"});
  EXPECT_EQ(apply.exit_code, 0) << apply.err;
  // Without the client certificate, or with a wrong password, the proxy refuses the command.
  auto no_cert = testing::run_logship({"schemas", "apply", "--endpoint", secured->url(), "--ca-file", certs_ + "/ca.pem", "--user",
                                       "logship", "--password-env", "ES_PASSWORD"});
  EXPECT_NE(no_cert.exit_code, 0);
  ::setenv("WRONG_PASSWORD", "not-it", 1);
  auto wrong = testing::run_logship({"schemas", "apply", "--endpoint", secured->url(), "--ca-file", certs_ + "/ca.pem", "--cert-file",
                                     certs_ + "/client.pem", "--key-file", certs_ + "/client.key", "--user", "logship", "--password-env",
                                     "WRONG_PASSWORD"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("401"), std::string::npos) << wrong.err;
}

TEST_F(ElasticsearchTlsTest, AnUnknownAuthorityOrAnotherHostNameIsRefusedUnlessVerifyIsOffWhichIsWarnedAbout) {
  auto good = proxy("nginx-good", {});
  auto other_host = proxy("nginx-other-host", {.server_cert = "wrong-host.pem", .server_key = "wrong-host.key"});
  // An authority that did not sign the proxy's certificate.
  auto unknown_ca = testing::run_logship({"schemas", "apply", "--endpoint", good->url(), "--ca-file", certs_ + "/other-ca.pem"});
  EXPECT_NE(unknown_ca.exit_code, 0);
  EXPECT_NE(unknown_ca.err.find("SSL"), std::string::npos) << unknown_ca.err;
  // Signed by the right authority, but for another host name.
  auto wrong_host = testing::run_logship({"schemas", "apply", "--endpoint", other_host->url(), "--ca-file", certs_ + "/ca.pem"});
  EXPECT_NE(wrong_host.exit_code, 0);
  EXPECT_NE(wrong_host.err.find("SSL"), std::string::npos) << wrong_host.err;
  auto right = testing::run_logship({"schemas", "apply", "--endpoint", good->url(), "--ca-file", certs_ + "/ca.pem"});
  EXPECT_EQ(right.exit_code, 0) << right.err;
  // verify: false gets in anyway, and says so at start.
  ASSERT_EQ(ship("unverified", other_host->url(), "    tls: {verify: false}\n"), 0) << log("unverified");
  EXPECT_EQ(node_->count("logs-unverified-default"), 200);
  EXPECT_NE(log("unverified").find("tls.verify is false"), std::string::npos) << log("unverified");
}

TEST_F(ElasticsearchTlsTest, CredentialsSentOverPlainHttpAreWarnedAbout) {
  ASSERT_EQ(ship("plain", node_->url(), basic_auth()), 0) << log("plain");
  EXPECT_NE(log("plain").find("over http://"), std::string::npos) << log("plain");
}

}  // namespace
}  // namespace logship
