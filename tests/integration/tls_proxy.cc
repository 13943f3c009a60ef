#include "tests/integration/tls_proxy.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/test_support.h"

namespace logship::testing {

namespace {

int free_port() {
  std::string out = run_for_value({"/usr/bin/python3", "-c",
                                   "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print('PORT=%d' % s.getsockname()[1])"},
                                  "/tmp/logship-free-port", "PORT", std::chrono::seconds(10));
  return out.empty() ? 0 : std::stoi(out);
}

}  // namespace

bool TlsProxy::start() {
  std::filesystem::create_directories(dir_ + "/logs");
  int port = free_port();
  if (port == 0) return false;
  std::string auth;
  if (!options_.user.empty()) {
    // An htpasswd line with an MD5-crypt hash, as `openssl passwd -apr1` makes it.
    Process hash({"/usr/bin/openssl", "passwd", "-apr1", options_.password}, dir_ + "/passwd.err", dir_ + "/passwd.out");
    if (hash.wait(std::chrono::seconds(10)) != 0) return false;
    std::string h = read_file(dir_ + "/passwd.out");
    while (!h.empty() && h.back() == '\n') h.pop_back();
    write_file(dir_ + "/htpasswd", options_.user + ":" + h + "\n");
    auth = "    auth_basic \"logship test\";\n    auth_basic_user_file " + dir_ + "/htpasswd;\n";
  }
  std::string client = options_.client_certificates
                           ? "  ssl_client_certificate " + certs_ + "/ca.pem;\n  ssl_verify_client on;\n"
                           : "";
  write_file(dir_ + "/nginx.conf",
             // As root, nginx's workers would drop to www-data, who cannot read the test's
             // private folder (htpasswd, certificates): they stay the test's user.
             std::string(::geteuid() == 0 ? "user root root;\n" : "") +
             "worker_processes 1;\nerror_log " + dir_ + "/logs/error.log warn;\npid " + dir_ + "/nginx.pid;\n"
             "events { worker_connections 256; }\n"
             "http {\n  access_log " + dir_ + "/logs/access.log;\n"
             "  client_body_temp_path " + dir_ + "/body;\n  proxy_temp_path " + dir_ + "/proxy;\n"
             "  fastcgi_temp_path " + dir_ + "/fastcgi;\n  uwsgi_temp_path " + dir_ + "/uwsgi;\n  scgi_temp_path " + dir_ + "/scgi;\n"
             "  client_max_body_size 100m;\n"
             "  server {\n    listen 127.0.0.1:" + std::to_string(port) + " ssl;\n"
             "    ssl_certificate " + certs_ + "/" + options_.server_cert + ";\n"
             "    ssl_certificate_key " + certs_ + "/" + options_.server_key + ";\n" + client + auth +
             "    location / {\n      proxy_pass " + upstream_ + ";\n      proxy_http_version 1.1;\n"
             "      proxy_set_header Connection \"\";\n      proxy_set_header Authorization \"\";\n    }\n  }\n}\n");
  pid_t pid = ::fork();
  if (pid == 0) {
    // In the foreground (daemon off), so that this pid is nginx's master, stopped by it.
    ::execl("/usr/sbin/nginx", "nginx", "-c", (dir_ + "/nginx.conf").c_str(), "-p", dir_.c_str(), "-g", "daemon off;", (char*)nullptr);
    ::_exit(127);
  }
  pid_ = pid;
  url_ = "https://127.0.0.1:" + std::to_string(port);
  // Serving once the port answers.
  for (int i = 0; i < 100; ++i) {
    Process probe({"/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port)});
    if (probe.wait(std::chrono::seconds(2)) == 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void TlsProxy::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace logship::testing
