#include "tests/integration/mariadb_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

namespace logship::testing {

int free_local_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool MariadbServer::available() {
  return std::filesystem::exists("/usr/sbin/mariadbd") && std::filesystem::exists("/usr/bin/mariadb-install-db");
}

MariadbServer::MariadbServer(std::string dir, std::string slow_verbosity)
    : dir_(std::move(dir)), verbosity_(std::move(slow_verbosity)), slow_log_(dir_ + "/slow.log") {}

MariadbServer::~MariadbServer() { stop(); }

bool MariadbServer::start() {
  // As root, the server must be told to stay root (CI runs as root); otherwise it runs as us.
  std::vector<std::string> user;
  if (::getuid() == 0) user.push_back("--user=root");
  // A tmpdir of its own: servers bootstrapping at the same time in the shared /tmp clash on
  // their temporary table files ("Error on delete of '/tmp/#sql-temptable-…'"), which failed
  // a parallel CI run.
  std::string tmpdir = dir_ + "/tmp";
  std::filesystem::create_directories(tmpdir);
  std::vector<std::string> install_argv{"/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + dir_ + "/data",
                                        "--tmpdir=" + tmpdir, "--auth-root-authentication-method=normal", "--skip-test-db"};
  install_argv.insert(install_argv.end(), user.begin(), user.end());
  Process install(install_argv, dir_ + "/install.log", dir_ + "/install.out");
  if (install.wait(std::chrono::seconds(120)) != 0) {
    std::cerr << "mariadb-install-db failed:\n" << read_file(dir_ + "/install.log") << read_file(dir_ + "/install.out");
    return false;
  }
  port_ = free_local_port();
  std::vector<std::string> server_argv{"/usr/sbin/mariadbd", "--no-defaults", "--datadir=" + dir_ + "/data",
                               "--tmpdir=" + tmpdir, "--bind-address=127.0.0.1", "--port=" + std::to_string(port_), "--socket=" + dir_ + "/mysqld.sock",
                               "--pid-file=" + dir_ + "/mysqld.pid", "--log-error=" + dir_ + "/error.log",
                               "--slow-query-log=1", "--slow-query-log-file=" + slow_log_, "--long-query-time=0",
                               "--log-slow-verbosity=" + verbosity_, "--innodb-buffer-pool-size=16M", "--skip-name-resolve"};
  server_argv.insert(server_argv.end(), user.begin(), user.end());
  server_ = std::make_unique<Process>(server_argv, dir_ + "/stderr.log");
  bool up = eventually([&] {
    Process ping({"/usr/bin/mariadb", "--no-defaults", "-h127.0.0.1", "-P" + std::to_string(port_), "-uroot", "-e", "DO 1"},
                 dir_ + "/ping.log", dir_ + "/ping.out");
    return ping.wait(std::chrono::seconds(10)) == 0;
  }, std::chrono::seconds(60));
  if (!up) std::cerr << "mariadbd did not answer:\n" << read_file(dir_ + "/error.log") << read_file(dir_ + "/stderr.log");
  return up;
}

void MariadbServer::stop() {
  if (!server_) return;
  server_->signal(SIGTERM);
  server_->wait(std::chrono::seconds(60));
  server_.reset();
}

std::string MariadbServer::query(const std::string& sql, const std::string& database) {
  std::vector<std::string> argv{"/usr/bin/mariadb", "--no-defaults", "-h127.0.0.1", "-P" + std::to_string(port_), "-uroot", "-N", "-B"};
  if (!database.empty()) argv.push_back("-D" + database);
  argv.push_back("-e");
  argv.push_back(sql);
  Process client(argv, dir_ + "/client.err", dir_ + "/client.out");
  int code = client.wait(std::chrono::seconds(60));
  EXPECT_EQ(code, 0) << sql << ": " << read_file(dir_ + "/client.err");
  return read_file(dir_ + "/client.out");
}

}  // namespace logship::testing
