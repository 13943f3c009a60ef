#include "bench/micro/bench_data.h"

#include <cstdio>
#include <random>

namespace logship::bench {

std::string json_lines(int lines) {
  std::mt19937_64 rng(1);
  std::string out;
  const char* levels[] = {"info", "info", "info", "debug", "warn", "error"};
  const char* paths[] = {"/api/orders", "/api/users", "/api/invoices", "/login", "/api/search"};
  char buf[1024];
  for (int i = 0; i < lines; ++i) {
    int n = std::snprintf(buf, sizeof(buf),
                          R"({"ts":"2026-11-26T09:%02d:%02d.%03dZ","level":"%s","service":{"name":"checkout","version":"1.4.%d"},)"
                          R"("message":"request finished","http":{"request":{"method":"GET","id":"%016llx%016llx"},"response":{"status_code":%d}},)"
                          R"("url":{"path":"%s"},"user":{"id":%d},"event":{"duration":%d},"trace":{"id":"%016llx"},"tags":["a","b"]})"
                          "\n",
                          static_cast<int>(i / 60 % 60), static_cast<int>(i % 60), static_cast<int>(rng() % 1000), levels[rng() % 6],
                          static_cast<int>(rng() % 30), static_cast<unsigned long long>(rng()), static_cast<unsigned long long>(rng()),
                          static_cast<int>(200 + rng() % 3 * 100), paths[rng() % 5], static_cast<int>(rng() % 500000),
                          static_cast<int>(rng() % 900000000), static_cast<unsigned long long>(rng()));
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string nginx_lines(int lines) {
  std::mt19937_64 rng(2);
  std::string out;
  char buf[512];
  for (int i = 0; i < lines; ++i) {
    int n = std::snprintf(buf, sizeof(buf),
                          "10.%d.%d.%d - - [26/Nov/2026:09:%02d:%02d +0000] \"GET /api/orders/%d?page=%d HTTP/1.1\" %d %d "
                          "\"https://example.com/\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0\"\n",
                          static_cast<int>(rng() % 256), static_cast<int>(rng() % 256), static_cast<int>(1 + rng() % 254),
                          static_cast<int>(i / 60 % 60), static_cast<int>(i % 60), static_cast<int>(rng() % 1000000),
                          static_cast<int>(rng() % 9), static_cast<int>(rng() % 2 ? 200 : 404), static_cast<int>(rng() % 50000));
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string slowlog(int entries) {
  std::mt19937_64 rng(3);
  const char* tables[] = {"orders", "users", "invoices", "payments", "products", "carts", "sessions", "audit_log"};
  const char* cols[] = {"id", "user_id", "status", "created_at", "total", "sku"};
  std::string out = "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:\n"
                    "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\nTime                 Id Command    Argument\n";
  char buf[2048];
  for (int i = 0; i < entries; ++i) {
    const char* t = tables[rng() % 8];
    const char* c = cols[rng() % 6];
    std::string q;
    switch (rng() % 4) {
      case 0: q = "SELECT * FROM " + std::string(t) + " WHERE " + c + " = " + std::to_string(rng() % 1000000); break;
      case 1:
        q = "SELECT id, " + std::string(c) + " FROM " + t + " WHERE " + c + " IN (" + std::to_string(rng() % 99) + ", " +
            std::to_string(rng() % 99) + ") ORDER BY id ASC LIMIT 10";
        break;
      case 2: q = "UPDATE " + std::string(t) + " SET status = 'paid', updated_at = NOW() WHERE id = " + std::to_string(rng() % 1000000); break;
      default:
        q = "INSERT INTO " + std::string(t) + " (user_id, status, total) VALUES (" + std::to_string(rng() % 99999) + ", 'new', 12.50), (" +
            std::to_string(rng() % 99999) + ", 'new', 3.10)";
    }
    int thread = static_cast<int>(10 + rng() % 5000);
    int n = std::snprintf(buf, sizeof(buf),
                          "# Time: 2026-11-26T09:%02d:%02d.%06dZ\n# User@Host: app[app] @ web-%d [10.0.0.%d]  Id: %5d\n"
                          "# Query_time: 0.%06d  Lock_time: 0.000%03d Rows_sent: %d  Rows_examined: %d Thread_id: %d Errno: 0 "
                          "Killed: 0 Bytes_received: %zu Bytes_sent: %d Read_first: 0 Read_last: 0 Read_key: 1 Read_next: 0 Read_prev: 0 "
                          "Read_rnd: 0 Read_rnd_next: 5000 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 0 Sort_scan_count: 0 "
                          "Created_tmp_disk_tables: 0 Created_tmp_tables: 0 Start: 2026-11-26T09:00:00.000000Z End: 2026-11-26T09:00:00.100000Z\n"
                          "SET timestamp=%d;\n%s;\n",
                          static_cast<int>(i / 60 % 60), static_cast<int>(i % 60), static_cast<int>(rng() % 1000000),
                          static_cast<int>(rng() % 9), static_cast<int>(2 + rng() % 250), thread, static_cast<int>(rng() % 999999),
                          static_cast<int>(rng() % 999), static_cast<int>(rng() % 500), static_cast<int>(rng() % 100000), thread,
                          q.size(), static_cast<int>(rng() % 20000), 1795683600 + i, q.c_str());
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace logship::bench
