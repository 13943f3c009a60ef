// Debian's nginx as the TLS-terminating reverse proxy a secured Elasticsearch/OpenSearch is
// reached through in tests (the OpenSearch security plugin is not on the classpath the test
// node uses): HTTPS with a certificate signed by the test CA, basic authentication, and client
// certificates required and checked against the CA. Started and stopped by pid, on a free port.
//
//   TlsProxy proxy(dir / "nginx", node.url(), certs_dir, {.user = "logship", .password = "…"});
//   ASSERT_TRUE(proxy.start());
//   proxy.url()   // https://127.0.0.1:<port>
#pragma once

#include <string>

namespace logship::testing {

struct TlsProxyOptions {
  std::string user;              // basic authentication, when not empty
  std::string password;
  bool client_certificates = false;  // require one signed by the CA
  std::string server_cert = "server.pem";  // in the certificates folder
  std::string server_key = "server.plain.key";
};

class TlsProxy {
 public:
  TlsProxy(std::string dir, std::string upstream, std::string certs, TlsProxyOptions options)
      : dir_(std::move(dir)), upstream_(std::move(upstream)), certs_(std::move(certs)), options_(std::move(options)) {}
  ~TlsProxy() { stop(); }
  bool start();
  void stop();
  const std::string& url() const { return url_; }

 private:
  std::string dir_, upstream_, certs_, url_;
  TlsProxyOptions options_;
  int pid_ = -1;
};

}  // namespace logship::testing
