// Slow logs written by a real MariaDB server, read back by logship: every entry, the right
// fields, across log_slow_verbosity settings and a FLUSH SLOW LOGS in the middle.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <map>

#include "parser/mysql_slowlog/slowlog_transform.h"
#include "shipper/cli/offline_reader.h"
#include "tests/integration/mariadb_server.h"

namespace logship {
namespace {

using testing::MariadbServer;

struct Parsed {
  std::vector<std::string> lines;
  int entries = 0, headers = 0, fragments = 0;
};

Parsed parse_file(const std::string& path) {
  Parsed p;
  auto t = SlowlogTransform::create({}, BuildContext{"it", "", ""});
  OfflineReaderOptions options;
  options.multiline = slowlog_framing();
  int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_TRUE(read_batches(fd, path, options, [&](BatchPtr b) {
    (*t)->encode(*b);
    for (const auto& e : b->events) {
      p.lines.emplace_back(b->encoded_text(e));
      std::string_view raw = b->raw_text(e);
      if (raw.find("started with:") != std::string_view::npos) ++p.headers;
      else if (e.flags & kFlagSlowlogFragment) ++p.fragments;
      else ++p.entries;
    }
  }));
  ::close(fd);
  return p;
}

int count_occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(MariadbSlowlogTest, EveryEntryOfARealServerIsParsedAcrossVerbositiesAndFlushLogs) {
  if (!MariadbServer::available()) GTEST_SKIP() << "mariadb-server is not installed (scripts/install-deps installs it)";
  testing::TempDir dir;
  MariadbServer db(dir.path(), "query_plan");
  ASSERT_TRUE(db.start()) << testing::read_file(dir / "error.log");

  db.query("CREATE DATABASE shop");
  db.query("CREATE TABLE items (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(50), price DECIMAL(10,2), cat INT, KEY(cat))", "shop");
  db.query("INSERT INTO items (name, price, cat) VALUES ('apple', 1.50, 1), ('pear', 2.25, 1), ('O\\'Brien''s ham', 9.99, 2)", "shop");
  db.query("SELECT name\n  FROM items\n\n WHERE cat IN (1, 2, 3)\n ORDER BY price ASC", "shop");
  db.query("SET GLOBAL log_slow_verbosity='query_plan,explain'");
  db.query("SELECT i.name, SUM(j.price) FROM items i JOIN items j ON i.cat=j.cat GROUP BY i.name", "shop");
  db.query("FLUSH SLOW LOGS");  // the server reopens the file and writes its header again
  db.query("SET GLOBAL log_slow_verbosity='query_plan,explain,engine,warnings'");
  db.query("SELECT CAST('abc' AS INT) + 1", "shop");
  db.query("UPDATE items SET price = price * 1.1 WHERE cat = 1", "shop");
  db.query("SELECT SLEEP(0.05)");
  db.stop();

  std::string raw = testing::read_file(db.slow_log_path());
  Parsed p = parse_file(db.slow_log_path());
  EXPECT_EQ(p.entries, count_occurrences(raw, "# Query_time:"));
  EXPECT_EQ(p.headers, count_occurrences(raw, "started with:"));
  EXPECT_GE(p.headers, 2);  // start-up and FLUSH SLOW LOGS
  EXPECT_EQ(p.fragments, 0);

  simdjson::dom::parser parser;
  std::map<std::string, simdjson::dom::element> by_fingerprint;
  std::vector<simdjson::dom::parser> parsers(p.lines.size());
  for (size_t i = 0; i < p.lines.size(); ++i) {
    simdjson::dom::element doc;
    ASSERT_EQ(parsers[i].parse(p.lines[i]).get(doc), simdjson::SUCCESS) << p.lines[i];
    std::string_view fp;
    if (!doc["mysql"]["slowlog"]["fingerprint"].get(fp)) by_fingerprint[std::string(fp)] = doc;
  }
  auto find = [&](const std::string& fp) {
    auto it = by_fingerprint.find(fp);
    EXPECT_NE(it, by_fingerprint.end()) << "no entry with fingerprint " << fp;
    return it == by_fingerprint.end() ? simdjson::dom::element() : it->second;
  };
  auto select_in = find("select name from items where cat in(?+) order by price");
  EXPECT_EQ(std::string_view(select_in["mysql"]["slowlog"]["query"]), "SELECT name\n  FROM items\n\n WHERE cat IN (1, 2, 3)\n ORDER BY price ASC");
  EXPECT_EQ(std::string_view(select_in["mysql"]["slowlog"]["schema"]), "shop");
  EXPECT_EQ(std::string_view(select_in["user"]["name"]), "root");
  EXPECT_EQ(std::string_view(select_in["source"]["ip"]), "127.0.0.1");
  EXPECT_TRUE(bool(select_in["mysql"]["slowlog"]["filesort"]));  // query_plan verbosity
  auto insert = find("insert into items (name, price, cat) values(?+)");
  EXPECT_EQ(int64_t(insert["mysql"]["slowlog"]["rows_affected"]), 3);
  auto join = find("select i.name, sum(j.price) from items i join items j on i.cat=j.cat group by i.name");
  EXPECT_GE(join["mysql"]["slowlog"]["explain"].get_array().size(), 2u);  // header row + rows
  auto cast = find("select cast(? as int) ? ?");
  EXPECT_NE(std::string_view(cast["mysql"]["slowlog"]["warnings"].at(0)).find("1292"), std::string_view::npos);
  auto sleep = find("select sleep(?)");
  EXPECT_GE(uint64_t(sleep["event"]["duration"]), 50'000'000u);
}

TEST(MariadbSlowlogTest, PipelineShipsTheServersSlowLogThroughTheBinary) {
  if (!MariadbServer::available()) GTEST_SKIP() << "mariadb-server is not installed";
  testing::TempDir dir;
  MariadbServer db(dir.path(), "query_plan,explain");
  ASSERT_TRUE(db.start());
  for (int i = 0; i < 20; ++i) db.query("SELECT " + std::to_string(i) + " AS n");
  db.stop();
  testing::write_file(dir / "p.yaml", "data_dir: " + dir / "state" + "\nsources:\n  slow:\n    type: file\n    include: ['" +
                                          db.slow_log_path() + "']\n    multiline: {preset: mysql_slowlog}\n"
                                          "transforms:\n  queries: {type: mysql_slowlog, inputs: [slow]}\n"
                                          "sinks:\n  out: {type: file, inputs: [queries], path: " + dir / "out.ndjson" + "}\n");
  testing::Process p({testing::logship_binary(), "run", "--once", "-c", dir / "p.yaml"}, dir / "logship.err");
  ASSERT_EQ(p.wait(), 0) << testing::read_file(dir / "logship.err");
  std::string out = testing::read_file(dir / "out.ndjson");
  std::string raw = testing::read_file(db.slow_log_path());
  EXPECT_EQ(count_occurrences(out, "\"fingerprint\":\"select ? as n\""), 20);
  EXPECT_EQ(count_occurrences(out, "\"query\":"), count_occurrences(raw, "# Query_time:"));
}

}  // namespace
}  // namespace logship
