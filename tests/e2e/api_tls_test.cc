// The API over HTTPS (api.tls): served to clients that trust its certificate, with client
// certificates required when api.tls.ca_file is set, plain HTTP on its port answered with a
// 400 that says so, a half-done handshake holding no thread, and bad key material refused by
// `validate`. The certificates are made at test time (tests/support/make_test_certificates.sh).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "clients/elasticsearch/es_connection.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using namespace std::chrono_literals;
using testing::Process;
using testing::TempDir;

// A TCP connection to the API's port, closed at destruction.
int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

// A TLS client of OpenSSL's own, for what curl does not let a test see: session resumption,
// the server's certificate, a TCP half-close after the request.
class TlsClient {
 public:
  TlsClient(const std::string& certs, bool with_client_certificate) : ctx_(SSL_CTX_new(TLS_client_method())) {
    ::signal(SIGPIPE, SIG_IGN);  // OpenSSL writes with write(): a server that closed first must not end the test
    SSL_CTX_load_verify_locations(ctx_, (certs + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (with_client_certificate) {
      SSL_CTX_use_certificate_file(ctx_, (certs + "/client.pem").c_str(), SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(ctx_, (certs + "/client.key").c_str(), SSL_FILETYPE_PEM);
    }
  }
  ~TlsClient() {
    if (session_) SSL_SESSION_free(session_);
    SSL_CTX_free(ctx_);
  }
  struct Exchange {
    bool handshake = false;
    bool resumed = false;
    std::string answer;
    std::string server_subject;
  };
  // One connection: handshake (resuming the last session when there is one), `request`, then
  // (with half_close) a TCP FIN without close_notify, and what comes back until the server closes.
  Exchange exchange(int port, const std::string& request, bool half_close) {
    Exchange out;
    int fd = connect_to(port);
    if (fd < 0) return out;
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    if (session_) SSL_set_session(ssl, session_);
    out.handshake = SSL_connect(ssl) == 1;
    if (out.handshake) {
      out.resumed = SSL_session_reused(ssl) == 1;
      if (X509* cert = SSL_get1_peer_certificate(ssl)) {
        char name[256];
        X509_NAME_oneline(X509_get_subject_name(cert), name, sizeof(name));
        out.server_subject = name;
        X509_free(cert);
      }
      SSL_write(ssl, request.data(), static_cast<int>(request.size()));
      if (half_close) ::shutdown(fd, SHUT_WR);
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) out.answer.append(buf, static_cast<size_t>(n));
      // TLS 1.3 sends its tickets after the handshake: the session is complete now.
      if (SSL_SESSION* s = SSL_get1_session(ssl)) {
        if (session_) SSL_SESSION_free(session_);
        session_ = s;
      }
      SSL_shutdown(ssl);  // freed without it, OpenSSL marks the session not resumable
    }
    SSL_free(ssl);
    ::close(fd);
    ERR_clear_error();
    return out;
  }

 private:
  SSL_CTX* ctx_;
  SSL_SESSION* session_ = nullptr;
};

int count_answers(const std::string& text) {
  int n = 0;
  for (size_t p = text.find("HTTP/1.1 200"); p != std::string::npos; p = text.find("HTTP/1.1 200", p + 1)) ++n;
  return n;
}

class ApiTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = dir_ / "certs";
    Process make({"/bin/bash", std::string(LOGSHIP_SOURCE_DIR) + "/tests/support/make_test_certificates.sh", certs_}, dir_ / "certs.log");
    ASSERT_EQ(make.wait(60s), 0) << testing::read_file(dir_ / "certs.log");
    testing::write_file(dir_ / "app.log", "{\"msg\":\"hello\"}\n");
  }
  void TearDown() override {
    if (!process_) return;
    process_->signal(SIGTERM);
    EXPECT_EQ(process_->wait(10s), 0) << log();
  }

  // The pipeline with `tls_keys` inside api.tls.
  std::string pipeline(const std::string& tls_keys) {
    return "data_dir: " + dir_ / "data" + "\napi:\n  address: '127.0.0.1:0'\n  tls: {" + tls_keys + "}\nsources:\n  app: {type: file, include: ['" +
           dir_ / "app.log" + "']}\nsinks:\n  out: {type: file, inputs: [app], path: " + dir_ / "out.ndjson" + "}\n";
  }
  std::string server_keys() {
    return "cert_file: " + certs_ + "/server.pem, key_file: " + certs_ + "/server.key, key_password: '${API_KEY_PASSWORD}'";
  }

  void start(const std::string& tls_keys) {
    testing::write_file(dir_ / "p.yaml", pipeline(tls_keys));
    process_ = std::make_unique<Process>(std::vector<std::string>{"/usr/bin/env", "API_KEY_PASSWORD=server-key-secret",
                                                                  testing::logship_binary(), "run", "-c", dir_ / "p.yaml"},
                                         dir_ / "stderr");
    ASSERT_TRUE(testing::eventually([&] { return !(url_ = testing::api_url_in_log(log())).empty(); }, 20s)) << log();
    port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
  }
  std::string log() { return testing::read_file(dir_ / "stderr"); }

  // GET `path` trusting `ca` (a file of certs_, or "" for the system's authorities), presenting
  // the client certificate `cert` (with client.key) when given.
  EsResponse get(const std::string& path, const std::string& ca, const std::string& cert = "") {
    EsConnection conn;
    conn.endpoints = {url_};
    conn.request_timeout.value = 10s;
    EsTls tls;
    if (!ca.empty()) tls.ca_file = certs_ + "/" + ca;
    if (!cert.empty()) {
      tls.cert_file = certs_ + "/" + cert;
      tls.key_file = certs_ + "/client.key";
    }
    conn.tls = tls;
    EsClient client(conn);
    return client.request("GET", path);
  }

  TempDir dir_;
  std::string certs_;
  std::unique_ptr<Process> process_;
  std::string url_;
  int port_ = 0;
};

TEST_F(ApiTlsTest, HealthAndMetricsAreServedOverHttpsToClientsThatTrustTheCertificate) {
  start(server_keys());
  ASSERT_EQ(url_.rfind("https://", 0), 0u) << log();
  EXPECT_NE(log().find("scheme=https client_certificates=no"), std::string::npos) << log();
  // Many requests in a row on one client: keep-alive connections carry on over TLS.
  for (int i = 0; i < 20; ++i) {
    EsResponse health = get("/health", "ca.pem");
    ASSERT_EQ(health.status, 200) << health.describe();
    EXPECT_EQ(health.body, "{\"status\":\"ok\"}\n");
  }
  EsResponse metrics = get("/metrics", "ca.pem");
  ASSERT_EQ(metrics.status, 200) << metrics.describe();
  EXPECT_NE(metrics.body.find("process_resident_memory_bytes"), std::string::npos);
  // A client that does not know the test authority refuses the certificate.
  EXPECT_EQ(get("/health", "other-ca.pem").status, 0);
  EXPECT_EQ(get("/health", "").status, 0);
}

TEST_F(ApiTlsTest, PlainHttpOnTheHttpsPortIsAnsweredWithA400ThatSaysToUseHttps) {
  start(server_keys());
  int fd = connect_to(port_);
  ASSERT_GE(fd, 0);
  std::string request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  std::string answer;
  char buf[1024];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400 Bad Request", 0), 0u) << answer;
  EXPECT_NE(answer.find("use https://"), std::string::npos) << answer;
  EXPECT_EQ(get("/health", "ca.pem").status, 200);
}

TEST_F(ApiTlsTest, WithCaFileOnlyClientsPresentingACertificateItSignedAreServed) {
  start(server_keys() + ", ca_file: " + certs_ + "/ca.pem");
  EXPECT_NE(log().find("client_certificates=required"), std::string::npos) << log();
  EsResponse with_cert = get("/health", "ca.pem", "client.pem");
  EXPECT_EQ(with_cert.status, 200) << with_cert.describe();
  EXPECT_EQ(get("/health", "ca.pem").status, 0) << "no client certificate";
  EXPECT_EQ(get("/health", "ca.pem", "client-other-ca.pem").status, 0) << "signed by an authority the API does not trust";
  EXPECT_EQ(get("/health", "ca.pem", "client-expired.pem").status, 0) << "expired";
  EXPECT_EQ(get("/metrics", "ca.pem", "client.pem").status, 200) << "refused handshakes leave the API serving";
}

// Handshakes are read by the gate like request heads: clients that connect and send half a
// ClientHello, or nothing, hold a descriptor each, never a worker thread.
TEST_F(ApiTlsTest, ClientsStuckInTheHandshakeDoNotKeepHealthFromAnswering) {
  start(server_keys());
  std::vector<int> stuck;
  // The first bytes of a TLS record header announcing a handshake, and then nothing.
  const char partial_hello[] = {0x16, 0x03, 0x01, 0x02};
  for (int i = 0; i < 40; ++i) {
    int fd = connect_to(port_);
    ASSERT_GE(fd, 0);
    if (i % 2 == 0) {
      ASSERT_EQ(::send(fd, partial_hello, sizeof(partial_hello), MSG_NOSIGNAL), 4);
    }
    stuck.push_back(fd);
  }
  for (int i = 0; i < 5; ++i) {
    EsResponse health = get("/health", "ca.pem");
    EXPECT_EQ(health.status, 200) << health.describe();
  }
  // And the gate lets them go once request_deadline (10 s) has passed.
  int fd = stuck.front();
  char byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0) << "a stuck handshake is closed by the server";
  for (int s : stuck) ::close(s);
}

// From the hostile review: without a session id context OpenSSL failed every resumed session
// once client certificates were required ("internal error" on the client's second connection).
TEST_F(ApiTlsTest, ClientsWithCertificatesResumeTheirSessions) {
  start(server_keys() + ", ca_file: " + certs_ + "/ca.pem");
  TlsClient client(certs_, true);
  const std::string get = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  auto first = client.exchange(port_, get, false);
  ASSERT_TRUE(first.handshake);
  EXPECT_EQ(count_answers(first.answer), 1) << first.answer;
  auto second = client.exchange(port_, get, false);
  ASSERT_TRUE(second.handshake) << "a resumed session must not fail";
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(count_answers(second.answer), 1) << second.answer;
}

// From the hostile review: a request and at once a TCP FIN (no close_notify) got no answer, and
// of pipelined requests before a close only the first was answered.
TEST_F(ApiTlsTest, EveryRequestSentBeforeTheClientClosesItsSideIsAnswered) {
  start(server_keys());
  TlsClient client(certs_, false);
  const std::string get = "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n";
  auto one = client.exchange(port_, get, true);
  ASSERT_TRUE(one.handshake);
  EXPECT_EQ(count_answers(one.answer), 1) << one.answer;
  auto three = client.exchange(port_, get + get + get, true);
  EXPECT_EQ(count_answers(three.answer), 3) << three.answer;
}

// A certificate renewed at the same path (certbot, cert-manager) is served after SIGHUP,
// although the pipeline file did not change.
TEST_F(ApiTlsTest, ARenewedCertificateAtTheSamePathIsServedAfterSighup) {
  std::filesystem::copy_file(certs_ + "/server.pem", certs_ + "/live.pem");
  std::filesystem::copy_file(certs_ + "/server.key", certs_ + "/live.key");
  start("cert_file: " + certs_ + "/live.pem, key_file: " + certs_ + "/live.key, key_password: '${API_KEY_PASSWORD}'");
  TlsClient client(certs_, false);
  const std::string get = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  EXPECT_NE(client.exchange(port_, get, false).server_subject.find("CN=localhost"), std::string::npos);
  // The renewal: another certificate (for another name, so the test can tell) and its key.
  std::filesystem::copy_file(certs_ + "/wrong-host.pem", certs_ + "/live.pem", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(certs_ + "/wrong-host.key", certs_ + "/live.key", std::filesystem::copy_options::overwrite_existing);
  process_->signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return log().find("TLS certificate loaded again") != std::string::npos; })) << log();
  TlsClient fresh(certs_, false);  // no session to resume: a full handshake shows the certificate
  EXPECT_NE(fresh.exchange(port_, get, false).server_subject.find("CN=elsewhere.invalid"), std::string::npos) << log();
  // A renewal gone wrong (a key that is not the certificate's) is refused like any bad
  // configuration, and the certificate in use stays.
  std::filesystem::copy_file(certs_ + "/client.key", certs_ + "/live.key", std::filesystem::copy_options::overwrite_existing);
  process_->signal(SIGHUP);
  ASSERT_TRUE(testing::eventually([&] { return log().find("is not the key of") != std::string::npos; })) << log();
  EXPECT_NE(log().find("reload refused"), std::string::npos) << log();
  TlsClient third(certs_, false);
  EXPECT_NE(third.exchange(port_, get, false).server_subject.find("CN=elsewhere.invalid"), std::string::npos);
}

TEST_F(ApiTlsTest, ValidateRefusesKeyMaterialTheApiCouldNotUseWithThePathAndLine) {
  auto validate = [&](const std::string& tls_keys, const std::vector<std::string>& env = {}) {
    testing::write_file(dir_ / "v.yaml", pipeline(tls_keys));
    std::vector<std::string> args = {"/usr/bin/env"};
    args.insert(args.end(), env.begin(), env.end());
    args.insert(args.end(), {testing::logship_binary(), "validate", "-c", dir_ / "v.yaml"});
    Process p(args, dir_ / "validate.log");
    int rc = p.wait(30s);
    return std::make_pair(rc, testing::read_file(dir_ / "validate.log"));
  };
  auto [ok_rc, ok_out] = validate(server_keys(), {"API_KEY_PASSWORD=server-key-secret"});
  EXPECT_EQ(ok_rc, 0) << ok_out;

  auto [wrong_rc, wrong_out] = validate(server_keys(), {"API_KEY_PASSWORD=not-it"});
  EXPECT_EQ(wrong_rc, 2);
  EXPECT_NE(wrong_out.find("v.yaml:4:"), std::string::npos) << wrong_out;
  EXPECT_NE(wrong_out.find("api.tls.key_file: cannot use"), std::string::npos) << wrong_out;
  EXPECT_NE(wrong_out.find("wrong key_password?"), std::string::npos) << wrong_out;

  auto [other_rc, other_out] = validate("cert_file: " + certs_ + "/server.pem, key_file: " + certs_ + "/client.key");
  EXPECT_EQ(other_rc, 2);
  EXPECT_NE(other_out.find("is not the key of"), std::string::npos) << other_out;

  auto [missing_rc, missing_out] = validate("cert_file: " + certs_ + "/nowhere.pem, key_file: " + certs_ + "/client.key, ca_file: " + certs_ + "/none.pem");
  EXPECT_EQ(missing_rc, 2);
  EXPECT_NE(missing_out.find("api.tls.cert_file: cannot read"), std::string::npos) << missing_out;
  EXPECT_NE(missing_out.find("api.tls.ca_file: cannot read"), std::string::npos) << missing_out;

  auto [half_rc, half_out] = validate("cert_file: " + certs_ + "/server.pem");
  EXPECT_EQ(half_rc, 2);
  EXPECT_NE(half_out.find("api.tls.key_file: missing required key"), std::string::npos) << half_out;
}

}  // namespace
}  // namespace logship
