// Slow log entry assembly and parsing on the cases the sample files do not all show.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <fcntl.h>
#include <unistd.h>

#include "parser/mysql_slowlog/slowlog_entry.h"
#include "parser/mysql_slowlog/slowlog_transform.h"
#include "shipper/cli/offline_reader.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

// Runs text through the file framing and the transform; returns each event's JSON.
std::vector<std::string> parse_log(const std::string& text) {
  testing::TempDir dir;
  testing::write_file(dir / "slow.log", text);
  auto transform = SlowlogTransform::create({}, BuildContext{"t", "", ""});
  OfflineReaderOptions options;
  options.multiline = slowlog_framing();
  std::vector<std::string> out;
  int fd = ::open((dir / "slow.log").c_str(), O_RDONLY);
  EXPECT_TRUE(read_batches(fd, "slow.log", options, [&](BatchPtr b) {
    (*transform)->encode(*b);
    for (const auto& e : b->events) out.emplace_back(b->encoded_text(e));
  }));
  ::close(fd);
  return out;
}

simdjson::dom::element json(simdjson::dom::parser& p, const std::string& text) { return p.parse(text); }

constexpr const char* kMysql8Extra =
    "# Time: 2024-03-01T10:00:00.123456Z\n"
    "# User@Host: app[app] @ web-1 [10.0.0.5]  Id:    42\n"
    "# Query_time: 1.500000  Lock_time: 0.000100 Rows_sent: 10  Rows_examined: 5000 Thread_id: 42 Errno: 0 Killed: 0 "
    "Bytes_received: 120 Bytes_sent: 900 Read_first: 1 Read_last: 0 Read_key: 2 Read_next: 0 Read_prev: 0 Read_rnd: 0 "
    "Read_rnd_next: 5001 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 10 Sort_scan_count: 1 "
    "Created_tmp_disk_tables: 0 Created_tmp_tables: 1 Start: 2024-03-01T09:59:58.623456Z End: 2024-03-01T10:00:00.123456Z\n"
    "use shop;\n"
    "SET timestamp=1709287198;\n"
    "SELECT *\n\nFROM orders\n\nWHERE total > 100 ORDER BY created_at;\n";

TEST(SlowlogTest, Mysql8LogSlowExtraFieldsAreTyped) {
  auto events = parse_log(kMysql8Extra);
  ASSERT_EQ(events.size(), 1u);
  simdjson::dom::parser p;
  auto d = json(p, events[0]);
  EXPECT_EQ(std::string_view(d["@timestamp"]), "2024-03-01T09:59:58Z");
  EXPECT_EQ(uint64_t(d["event"]["duration"]), 1500000000u);
  EXPECT_EQ(std::string_view(d["event"]["start"]), "2024-03-01T09:59:58.623456Z");
  EXPECT_EQ(std::string_view(d["event"]["end"]), "2024-03-01T10:00:00.123456Z");
  EXPECT_EQ(std::string_view(d["user"]["name"]), "app");
  EXPECT_EQ(std::string_view(d["source"]["domain"]), "web-1");
  EXPECT_EQ(std::string_view(d["source"]["ip"]), "10.0.0.5");
  EXPECT_EQ(uint64_t(d["mysql"]["thread_id"]), 42u);
  auto s = d["mysql"]["slowlog"];
  EXPECT_EQ(std::string_view(s["schema"]), "shop");
  EXPECT_EQ(uint64_t(s["rows_examined"]), 5000u);
  EXPECT_EQ(uint64_t(s["read_rnd_next"]), 5001u);
  EXPECT_EQ(uint64_t(s["tmp_tables"]), 1u);
  EXPECT_EQ(uint64_t(s["bytes_received"]), 120u);
  EXPECT_EQ(double(s["lock_time"]["sec"]), 0.0001);
  // The statement keeps its blank lines; the fingerprint squeezes them.
  EXPECT_EQ(std::string_view(s["query"]), "SELECT *\n\nFROM orders\n\nWHERE total > 100 ORDER BY created_at");
  EXPECT_EQ(std::string_view(s["fingerprint"]), "select * from orders where total > ? order by created_at");
}

TEST(SlowlogTest, FileStartingAndEndingMidEntryLosesNothingAndSwallowsNothing) {
  auto events = parse_log(
      "Rows_examined: 5\n"  // the tail of an entry whose beginning was rotated away
      "SELECT 1;\n"
      "# User@Host: a[a] @ h []\n"
      "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "SET timestamp=1700000000;\n"
      "SELECT 2;\n"
      "# User@Host: b[b] @ h []\n"
      "# Query_time: 0.2  Lock_time: 0.0 Rows_sent: 1");  // cut off here
  ASSERT_EQ(events.size(), 3u);
  simdjson::dom::parser p;
  auto first = json(p, events[0]);
  EXPECT_EQ(std::string_view(first["log"]["flags"].at(0)), "slowlog_fragment");
  EXPECT_EQ(std::string_view(first["message"]), "Rows_examined: 5\nSELECT 1;");
  EXPECT_EQ(std::string_view(json(p, events[1])["mysql"]["slowlog"]["query"]), "SELECT 2");
  auto last = json(p, events[2]);
  EXPECT_EQ(std::string_view(last["user"]["name"]), "b");
  EXPECT_EQ(std::string_view(last["mysql"]["slowlog"]["query"]), "");
  EXPECT_EQ(std::string_view(last["log"]["flags"].at(0)), "partial");
}

TEST(SlowlogTest, ServerHeaderInTheMiddleIsAnEventOfItsOwnAndDoesNotJoinTheStatement) {
  auto events = parse_log(
      "# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "SET timestamp=1700000000;\nSELECT 1;\n"
      "/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1-log (Debian 12). started with:\n"
      "Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock\n"
      "Time\t\t    Id Command\tArgument\n"
      "# User@Host: b[b] @ h []\n# Query_time: 0.2  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "SET timestamp=1700000001;\nSELECT 2;\n");
  ASSERT_EQ(events.size(), 3u);
  simdjson::dom::parser p;
  EXPECT_EQ(std::string_view(json(p, events[0])["mysql"]["slowlog"]["query"]), "SELECT 1");
  EXPECT_EQ(std::string_view(json(p, events[1])["mysql"]["slowlog"]["server_header"]["version"]),
            "10.11.19-MariaDB-0+deb12u1-log");
  EXPECT_EQ(std::string_view(json(p, events[2])["mysql"]["slowlog"]["query"]), "SELECT 2");
}

TEST(SlowlogTest, AdministratorCommandsAndUseLines) {
  SlowlogEntry e;
  parse_slowlog_entry(
      "# User@Host: root[root] @ localhost []  Id:     7\n"
      "# Query_time: 0.000010  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\n"
      "use `shop`;\nSET timestamp=1700000000;\n# administrator command: Init DB;",
      e);
  EXPECT_TRUE(e.administrator_command);
  EXPECT_EQ(e.statement, "administrator command: Init DB");
  EXPECT_EQ(e.use_db, "shop");
  EXPECT_EQ(e.connection_id, "7");
  EXPECT_EQ(e.set_timestamp, 1700000000);
}

TEST(SlowlogTest, UnknownAttributesAreKeptAndInvalidValuesFlagged) {
  auto events = parse_log(
      "# User@Host: a[a] @ h []\n"
      "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: many  Rows_examined: 1\n"
      "# Brand_new_counter: 17  Shiny: Yes  Mode: turbo\n"
      "SET timestamp=1700000000;\nSELECT 1;\n");
  ASSERT_EQ(events.size(), 1u);
  simdjson::dom::parser p;
  auto d = json(p, events[0]);
  auto s = d["mysql"]["slowlog"];
  EXPECT_EQ(uint64_t(s["brand_new_counter"]), 17u);
  EXPECT_EQ(bool(s["shiny"]), true);
  EXPECT_EQ(std::string_view(s["mode"]), "turbo");
  EXPECT_EQ(std::string_view(s["invalid_attributes"].at(0)), "Rows_sent: many");
  EXPECT_EQ(std::string_view(d["log"]["flags"].at(0)), "invalid_attribute");
}

TEST(SlowlogTest, AbsurdSetTimestampIsIgnoredNotOverflowed) {
  auto events = parse_log("# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
                          "SET timestamp=99999999999999999;\nSELECT 1;\n");
  ASSERT_EQ(events.size(), 1u);
  simdjson::dom::parser p;
  auto s = json(p, events[0])["mysql"]["slowlog"];
  EXPECT_EQ(std::string_view(s["query"]), "SELECT 1");  // the SET line is header, as pt-query-digest reads it
  // The time falls back to when the entry was read (this century), not to a wrapped value.
  EXPECT_EQ(std::string_view(json(p, events[0])["@timestamp"]).substr(0, 2), "20");
}

TEST(SlowlogTest, NumbersWithLeadingZerosAreNotWrittenAsJsonNumbers) {
  // Found by fuzz_slowlog: "Thread_id: 09" came out as "thread_id":09, which is not JSON.
  auto events = parse_log("# User@Host: a[a] @ h []\n# Thread_id: 09  Rows_sent: 007  Odd_counter: 0012  Lock_time: 00.5\n"
                          "# Query_time: 0.1\nSET timestamp=1700000000;\nSELECT 1;\n");
  ASSERT_EQ(events.size(), 1u);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(events[0]).get(doc), simdjson::SUCCESS) << events[0];
  EXPECT_EQ(doc["mysql"]["thread_id"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(std::string_view(doc["mysql"]["slowlog"]["odd_counter"]), "0012");  // kept, as text
  EXPECT_NE(events[0].find("Rows_sent: 007"), std::string::npos);               // in invalid_attributes
}

TEST(SlowlogTest, NumbersBeyond64BitsAreKeptAsText) {
  // Found by fuzz_slowlog: a 25-digit counter was written as a number no 64-bit reader takes.
  auto events = parse_log("# User@Host: a[a] @ h []\n# Query_time: 0.1  Log_slow_rate_limit: 9999999999999999999999992"
                          "  Huge_thing: 1e999\nSET timestamp=1700000000;\nSELECT 1;\n");
  ASSERT_EQ(events.size(), 1u);
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  ASSERT_EQ(p.parse(events[0]).get(doc), simdjson::SUCCESS) << events[0];
  EXPECT_EQ(std::string_view(doc["mysql"]["slowlog"]["huge_thing"]), "1e999");
  EXPECT_NE(events[0].find("Log_slow_rate_limit: 9999999999999999999999992"), std::string::npos);
}

TEST(SlowlogTest, OldPerconaTimeAndUserHostOnOneLine) {
  SlowlogEntry e;
  parse_slowlog_entry("# Time: 071218 11:48:27 # User@Host: [SQL_SLAVE] @  []\n# Thread_id: 10\nBEGIN;", e);
  EXPECT_EQ(e.kind, SlowlogEntry::Kind::kEntry);
  EXPECT_EQ(e.time, "071218 11:48:27");
  EXPECT_EQ(e.user, "SQL_SLAVE");
  EXPECT_EQ(e.statement, "BEGIN");
  std::string ts;
  ASSERT_TRUE(slowlog_time_to_rfc3339(e.time, ts));
  EXPECT_EQ(ts, "2007-12-18T11:48:27Z");
  ASSERT_TRUE(slowlog_time_to_rfc3339("261126  0:39:34", ts));
  EXPECT_EQ(ts, "2026-11-26T00:39:34Z");
  EXPECT_FALSE(slowlog_time_to_rfc3339("yesterday", ts));
  // ISO values are checked and written in UTC (found by fuzz_slowlog: control bytes got through).
  ASSERT_TRUE(slowlog_time_to_rfc3339("2016-07-20T20:13:25.5+02:00", ts));
  EXPECT_EQ(ts, "2016-07-20T18:13:25.500000Z");
  EXPECT_FALSE(slowlog_time_to_rfc3339(std::string_view("2016-07-20T18:1\x01\x003:25.699880Z", 30), ts));
}

TEST(SlowlogTest, EntriesWithoutATimeOfTheirOwnInheritThePreviousOne) {
  auto events = parse_log(
      "# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "SET timestamp=1700000000;\nSELECT 1;\n"
      "# User@Host: a[a] @ h []\n# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\nSELECT 2;\n");
  simdjson::dom::parser p;
  EXPECT_EQ(std::string_view(json(p, events[1])["@timestamp"]), "2023-11-14T22:13:20Z");
}


// Found by the hostile review: a Query_time line written twice gave two "duration" keys. The
// first value wins, as the digest reads it.
TEST(SlowlogTest, AnAttributeWrittenTwiceGivesOneKey) {
  auto events = parse_log("# Time: 2024-03-01T10:00:00.000000Z\n# Query_time: 1.0  Lock_time: 0.0\n"
                          "# Query_time: 7.0  Lock_time: 0.0\nselect 1;\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].find("\"duration\""), events[0].rfind("\"duration\"")) << events[0];
  simdjson::dom::parser p;
  EXPECT_EQ(int64_t(json(p, events[0])["event"]["duration"]), 1000000000);
}

TEST(SlowlogTest, ThousandsOfDistinctAttributesAreEachWrittenOnce) {
  std::string log = "# Query_time: 1.0  Lock_time: 0.0\n";
  for (int i = 0; i < 5000; ++i) log += "# K" + std::to_string(i) + ": 1\n";
  for (int i = 0; i < 5000; ++i) log += "# K" + std::to_string(i) + ": 2\n";  // again: first wins
  log += "select 1;\n";
  auto events = parse_log(log);
  ASSERT_EQ(events.size(), 1u);
  simdjson::dom::parser p;
  auto s = json(p, events[0])["mysql"]["slowlog"];  // duplicate keys would still parse: count them
  EXPECT_EQ(int64_t(s["k4999"]), 1);
  size_t keys = 0;
  for (size_t at = 0; (at = events[0].find("\"k", at)) != std::string::npos; ++at)
    if (events[0][at + 2] >= '0' && events[0][at + 2] <= '9') ++keys;
  EXPECT_EQ(keys, 5000u);
}

}  // namespace
}  // namespace logship
