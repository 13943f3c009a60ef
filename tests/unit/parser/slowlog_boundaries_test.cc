// Where one slow log entry ends and the next begins, and what its statement is, as
// pt-query-digest reads them (../shared/SLOWLOG.md, "One entry"): records split at every ';'
// line end followed by a '#' line, "use db;" is not the query, a glued "# Time: … # User@Host:"
// line followed by the same User@Host is one entry. Each variant has a small log of its own;
// the same text goes through the file framing that `logship parse` and `logship digest` share.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "parser/mysql_slowlog/digest.h"
#include "parser/mysql_slowlog/slowlog_entry.h"
#include "shipper/cli/offline_reader.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

struct Entry {
  std::string text;
  SlowlogEntry::Kind kind;
  std::string statement, use_db, user, time, fingerprint;
  bool no_query = false;
  double query_time = -1;
};

// The entries the mysql_slowlog framing cuts `log` into, each parsed.
std::vector<Entry> entries_of(const std::string& log) {
  testing::TempDir dir;
  testing::write_file(dir / "slow.log", log);
  OfflineReaderOptions options;
  options.multiline = slowlog_framing();
  std::vector<Entry> out;
  SlowlogEntry e;
  Fingerprinter fp;
  int fd = ::open((dir / "slow.log").c_str(), O_RDONLY);
  EXPECT_TRUE(read_batches(fd, "slow.log", options, [&](BatchPtr b) {
    for (const auto& ev : b->events) {
      std::string text(b->raw_text(ev));
      parse_slowlog_entry(text, e);
      Entry x{text, e.kind, std::string(e.statement), std::string(e.use_db), std::string(e.user), std::string(e.time),
              std::string(fp.fingerprint(e.statement)), e.no_query};
      e.number("Query_time", x.query_time);
      out.push_back(std::move(x));
    }
  }));
  ::close(fd);
  return out;
}

TEST(SlowlogBoundariesTest, OldPerconaUserLinesWithoutTimeOrUserHostSplitAtEachStatementEnd) {
  auto entries = entries_of(
      "# User: app[app] @ [10.0.0.1]\n"
      "# Query_time: 0.5  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 10\n"
      "SELECT * FROM a WHERE id = 1;\n"
      "# User: app[app] @ [10.0.0.1]\n"
      "# Query_time: 0.7  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 10\n"
      "UPDATE b SET x = 2\n  WHERE id = 3;\n"
      "# User: web[web] @ [10.0.0.2]\n"
      "# Query_time: 0.9  Lock_time: 0.0  Rows_sent: 0  Rows_examined: 0\n"
      "DELETE FROM c;\n");
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].statement, "SELECT * FROM a WHERE id = 1");
  EXPECT_EQ(entries[1].statement, "UPDATE b SET x = 2\n  WHERE id = 3");
  EXPECT_EQ(entries[2].statement, "DELETE FROM c");
  EXPECT_EQ(entries[2].query_time, 0.9);
}

TEST(SlowlogBoundariesTest, EntriesBeginningWithQueryTimeSplitAtEachStatementEnd) {
  auto entries = entries_of(
      "# Time: 2024-03-01T10:00:00.000000Z\n"
      "# User@Host: app[app] @ web [10.0.0.5]  Id: 4\n"
      "# Query_time: 1.0  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "SET timestamp=1709287200;\nSELECT 1;\n"
      "# Query_time: 2.0  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "SET timestamp=1709287201;\nSELECT 2;\n"
      "# Query_time: 3.0  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "SELECT 3;\n");
  ASSERT_EQ(entries.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(entries[i].statement, "SELECT " + std::to_string(i + 1));
    EXPECT_EQ(entries[i].query_time, i + 1.0);
  }
  EXPECT_EQ(entries[1].kind, SlowlogEntry::Kind::kEntry) << "a \"# Query_time:\" line opens an entry";
}

TEST(SlowlogBoundariesTest, UseLineGivesTheDatabaseAndTheNextStatementIsTheQuery) {
  auto entries = entries_of(
      "# Time: 2024-03-01T10:00:00.000000Z\n"
      "# User@Host: app[app] @ web [10.0.0.5]\n"
      "# Query_time: 1.0  Lock_time: 0.0 Rows_sent: 1  Rows_examined: 1\n"
      "use shop;\nSET timestamp=1709287200;\nSELECT * FROM orders WHERE id = 7;\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].use_db, "shop");
  EXPECT_EQ(entries[0].statement, "SELECT * FROM orders WHERE id = 7");
  EXPECT_EQ(entries[0].fingerprint, "select * from orders where id = ?");
}

TEST(SlowlogBoundariesTest, AnEntryWhoseOnlyStatementIsUseHasNoQueryAndAnEmptyFingerprint) {
  auto entries = entries_of(
      "# Time: 2024-03-01T10:00:00.000000Z\n"
      "# User@Host: app[app] @ web [10.0.0.5]\n"
      "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\n"
      "use shop;\n"
      "# Time: 2024-03-01T10:00:01.000000Z\n"
      "# User@Host: app[app] @ web [10.0.0.5]\n"
      "# Query_time: 0.2  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\n"
      "use shop;\nSELECT 1;\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_TRUE(entries[0].no_query);
  EXPECT_EQ(entries[0].statement, "/* No query */");
  EXPECT_EQ(entries[0].fingerprint, "");
  EXPECT_EQ(query_id(entries[0].fingerprint), "D41D8CD98F00B204E9800998ECF8427E");
  EXPECT_EQ(entries[0].use_db, "shop");
  EXPECT_FALSE(entries[1].no_query);
  EXPECT_EQ(entries[1].statement, "SELECT 1");
}

TEST(SlowlogBoundariesTest, UpperCaseUseIsAStatementNotTheDatabase) {
  auto entries = entries_of(
      "# User@Host: app[app] @ web [10.0.0.5]\n"
      "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\n"
      "SET timestamp=1709287200;\nUSE `shop`;\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].use_db, "");
  EXPECT_EQ(entries[0].statement, "USE `shop`");
  EXPECT_EQ(entries[0].fingerprint, "use ?");
}

TEST(SlowlogBoundariesTest, GluedTimeAndUserHostFollowedByTheSameUserHostIsOneEntry) {
  auto entries = entries_of(
      "# Time: 071218 11:48:27 # User@Host: [SQL_SLAVE] @  []\n"
      "# User@Host: [SQL_SLAVE] @  []\n"
      "# Query_time: 0.3  Lock_time: 0.0  Rows_sent: 0  Rows_examined: 0\n"
      "BEGIN;\n"
      "# Time: 071218 11:48:28 # User@Host: [SQL_SLAVE] @  []\n"
      "# Query_time: 0.4  Lock_time: 0.0  Rows_sent: 0  Rows_examined: 0\n"
      "COMMIT;\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].kind, SlowlogEntry::Kind::kEntry);
  EXPECT_EQ(entries[0].time, "071218 11:48:27");
  EXPECT_EQ(entries[0].user, "SQL_SLAVE");
  EXPECT_EQ(entries[0].statement, "BEGIN");
  EXPECT_EQ(entries[0].query_time, 0.3);
  EXPECT_EQ(entries[1].statement, "COMMIT");
}

TEST(SlowlogBoundariesTest, AdministratorCommandAfterTheSetLineStaysInItsEntry) {
  auto entries = entries_of(
      "# User@Host: app[app] @ web [10.0.0.5]\n"
      "# Query_time: 0.0  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\n"
      "use shop;\nSET timestamp=1709287200;\n# administrator command: Quit;\n"
      "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\n"
      "SET timestamp=1709287201;\nSELECT 1;\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].statement, "administrator command: Quit");
  EXPECT_EQ(entries[0].fingerprint, "administrator command: Quit");
  EXPECT_EQ(entries[1].statement, "SELECT 1");
}

TEST(SlowlogBoundariesTest, AStatementLineEndingInSemicolonBeforeACommentLineEndsTheEntry) {
  // pt-query-digest's records end at ";\n#", even inside what a client sent as one statement.
  auto entries = entries_of(
      "# User@Host: app[app] @ web [10.0.0.5]\n"
      "# Query_time: 0.1  Lock_time: 0.0 Rows_sent: 0  Rows_examined: 0\n"
      "SET timestamp=1709287200;\nSELECT 1;\n# a comment the client sent\nSELECT 2;\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].statement, "SELECT 1");
  EXPECT_EQ(entries[1].kind, SlowlogEntry::Kind::kFragment);
  EXPECT_EQ(entries[1].statement, "SELECT 2");
}

TEST(SlowlogBoundariesTest, ParseAndDigestCountTheSameEntries) {
  std::string log =
      "# User: app[app] @ [10.0.0.1]\n# Query_time: 0.5  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 10\n"
      "use shop;\nSELECT 1;\n"
      "# Query_time: 0.7  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 10\nuse shop;\n"
      "# Query_time: 0.9  Lock_time: 0.0  Rows_sent: 1  Rows_examined: 10\nSELECT 2;\n";
  auto entries = entries_of(log);
  QueryDigest digest;
  SlowlogEntry e;
  for (const auto& x : entries) {
    parse_slowlog_entry(x.text, e);
    digest.add(e);
  }
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(digest.total_queries(), 3u);
  EXPECT_EQ(digest.ranked().size(), 2u) << "SELECT ? and the empty fingerprint of the no-query entry";
}


// Found by the hostile review: the administrator command line is the entry's statement, so a
// '#' line after it that is no "# Key:" comment begins the next entry.
TEST(SlowlogBoundariesTest, AnAdministratorCommandEntryDoesNotSwallowTheNextOne) {
  auto entries = entries_of(
      "# Query_time: 1.0  Lock_time: 0.0\nSET timestamp=1;\n# administrator command: Quit;\n"
      "# InnoDB_trx_id: 1A\n# Query_time: 2.0  Lock_time: 0.0\nSET timestamp=2;\nselect 2;\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].statement, "administrator command: Quit");
  EXPECT_EQ(entries[0].query_time, 1.0);
  EXPECT_EQ(entries[1].statement, "select 2");
  EXPECT_EQ(entries[1].query_time, 2.0);
}

TEST(SlowlogBoundariesTest, TheFirstOfTwoAdministratorCommandsIsTheStatement) {
  SlowlogEntry e;
  parse_slowlog_entry("# Query_time: 1.0  Lock_time: 0.0\n# administrator command: Quit;\n# administrator command: Ping;", e);
  EXPECT_EQ(e.statement, "administrator command: Quit");
}

TEST(SlowlogBoundariesTest, AStatementLineCutAtMaxLineBytesStillEndsItsEntry) {
  std::string huge = "select " + std::string(1400000, '1') + ";\n";
  auto entries = entries_of("# Query_time: 1.0  Lock_time: 0.0\nSET timestamp=1;\n" + huge +
                            "# Query_time: 2.0  Lock_time: 0.0\nSET timestamp=2;\nselect 2;\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].statement, "select 2");
  EXPECT_EQ(entries[1].query_time, 2.0);
}

TEST(SlowlogBoundariesTest, AStatementQuotingAServerHeaderIsNoHeader) {
  auto entries = entries_of(
      "# Query_time: 5.0  Lock_time: 0.0\nSET timestamp=1;\n"
      "insert into notes values ('app, Version: 2 started with:\n"
      "x');\n");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].kind, SlowlogEntry::Kind::kEntry);
  EXPECT_EQ(entries[0].statement, "insert into notes values ('app, Version: 2 started with:\nx')");
  // A real one, Windows' included, still is.
  SlowlogEntry e;
  parse_slowlog_entry("D:\\MySQL\\MySQL Server 5.1\\bin\\mysqld, Version: 5.1.30-community-log (MySQL Community Server (GPL)). started with:", e);
  EXPECT_EQ(e.kind, SlowlogEntry::Kind::kServerHeader);
}

TEST(SlowlogBoundariesTest, UseWithoutItsSemicolonStillNamesTheDatabase) {
  SlowlogEntry e;
  parse_slowlog_entry("# Query_time: 1.0  Lock_time: 0.0\nuse db8\nSET timestamp=1;\nselect 1;", e);
  EXPECT_EQ(e.use_db, "db8");
  EXPECT_EQ(e.statement, "select 1");
}

TEST(SlowlogBoundariesTest, TheDigestCarriesTheDatabaseOfAnEntryItDoesNotCount) {
  // The middle entry has no Query_time: not counted, but its "use" holds for what follows.
  auto entries = entries_of(
      "# Query_time: 1.0  Lock_time: 0.0\nuse db1;\nselect 1;\n"
      "# Lock_time: 0.0\nuse db2;\nselect 1;\n"
      "# Query_time: 1.0  Lock_time: 0.0\nselect 1;\n");
  QueryDigest digest;
  SlowlogEntry e;
  for (const auto& x : entries) {
    parse_slowlog_entry(x.text, e);
    digest.add(e);
  }
  ASSERT_EQ(digest.ranked().size(), 1u);
  const QueryClass& c = *digest.ranked()[0];
  EXPECT_EQ(c.count, 2u);
  ASSERT_EQ(c.databases.size(), 2u);
  EXPECT_EQ(c.databases[1].first, "db2");
}

TEST(SlowlogBoundariesTest, AnEntryCutOffByTheEndOfItsFileIsNotANoQueryEntryForTheDigest) {
  SlowlogEntry e;
  parse_slowlog_entry("# Query_time: 1.0  Lock_time: 0.0\nuse db;", e);
  ASSERT_TRUE(e.no_query);
  Fingerprinter fp;
  DigestSample complete, partial;
  QueryDigest::sample_of(e, fp, complete, false);
  QueryDigest::sample_of(e, fp, partial, true);
  EXPECT_TRUE(complete.countable);
  EXPECT_FALSE(partial.countable);
}

}  // namespace
}  // namespace logship
