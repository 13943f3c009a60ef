// A real MariaDB server for tests: its own data folder, a free port on 127.0.0.1, the slow
// query log on with long_query_time=0, stopped by pid by the test that started it.
//
//   MariadbServer db(tmp.path(), "query_plan,explain");
//   ASSERT_TRUE(db.start());
//   db.query("CREATE DATABASE shop");
//   std::string log = db.slow_log_path();
#pragma once

#include <memory>
#include <string>

#include "tests/support/test_support.h"

namespace logship::testing {

class MariadbServer {
 public:
  MariadbServer(std::string dir, std::string slow_verbosity);
  ~MariadbServer();
  bool start();
  void stop();
  // Runs SQL with the mariadb client; returns its output. Fails the test on error.
  std::string query(const std::string& sql, const std::string& database = "");
  const std::string& slow_log_path() const { return slow_log_; }
  int port() const { return port_; }
  static bool available();

 private:
  std::string dir_;
  std::string verbosity_;
  std::string slow_log_;
  int port_ = 0;
  std::unique_ptr<Process> server_;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_local_port();

}  // namespace logship::testing
