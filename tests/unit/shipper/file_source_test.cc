#include "shipper/sources/file/file_source.h"

#include <gtest/gtest.h>

#include <thread>

#include <filesystem>

#include "core/batch.h"
#include "core/metrics.h"
#include "tests/support/test_support.h"
#include "tests/unit/shipper/file_source_harness.h"

namespace logship {
namespace {

using testing::append_file;
using testing::FileSourceHarness;
using testing::numbered_lines;
using testing::quick_config;
using testing::split_lines;
using testing::write_file;

TEST(FileSourceTest, ReadsExistingFilesAndFilesCreatedWhileRunning) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "logs/sub");
  write_file(dir / "logs/a.log", numbered_lines("a", 0, 50));
  FileSourceHarness h(quick_config({dir / "logs/**/*.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(50));
  write_file(dir / "logs/sub/b.log", numbered_lines("b", 0, 30));
  append_file(dir / "logs/a.log", numbered_lines("a", 50, 60));
  ASSERT_TRUE(h.wait_for_count(90));
  h.stop();
  auto texts = h.texts();
  std::sort(texts.begin(), texts.end());
  auto expected = split_lines(numbered_lines("a", 0, 60) + numbered_lines("b", 0, 30));
  EXPECT_EQ(texts, expected);
}

// A file read at full speed goes out in batches of about batch_bytes (here: one per 256 KiB
// read); lines that gathered during read_delay go out in batches up to 8 times as large.
TEST(FileSourceTest, LinesGatheredDuringReadDelayGoOutInFewerLargerBatches) {
  testing::TempDir dir;
  std::string lines = numbered_lines(std::string(40, 'x'), 0, 12000);  // 47 bytes a line, ~550 KiB
  write_file(dir / "full.log", lines);
  FileSourceConfig config = quick_config({dir / "*.log"});
  config.batch_bytes.value = 64 << 10;
  config.read_delay.value = std::chrono::milliseconds(500);
  FileSourceHarness h(config, dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(12000));
  EXPECT_GE(h.batches(), 3u) << "read at once, in 256 KiB reads";
  // read_delay applies after a quiet spell: the source must have found nothing more to read
  // first (appending at once raced its next read, which then took the first append alone).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  size_t before = h.batches();
  for (int part = 0; part < 6; ++part) append_file(dir / "full.log", numbered_lines(std::string(40, 'y'), part * 2000, part * 2000 + 2000));
  ASSERT_TRUE(h.wait_for_count(24000));
  h.stop();
  EXPECT_LE(h.batches() - before, 2u) << "six writes within read_delay: ~550 KiB in batches of up to 512 KiB";
  EXPECT_EQ(h.texts().size(), 24000u);
}

TEST(FileSourceTest, EventsCarryPathOffsetAndKeepFileOrder) {
  testing::TempDir dir;
  write_file(dir / "a.log", "first\nsecond\r\n\nthird\n");
  FileSourceHarness h(quick_config({dir / "*.log"}), dir / "data", /*once=*/true);
  h.start();
  h.stop();
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 3u);  // the blank line carries nothing
  EXPECT_EQ(ev[0].text, "first");
  EXPECT_EQ(ev[1].text, "second");
  EXPECT_EQ(ev[1].offset, 6u);
  EXPECT_EQ(ev[2].text, "third");
  EXPECT_EQ(ev[2].offset, 15u);
  EXPECT_EQ(ev[0].path, dir / "a.log");
}

TEST(FileSourceTest, RestartResumesFromTheCheckpointWithoutLossOrRepeat) {
  testing::TempDir dir;
  write_file(dir / "a.log", numbered_lines("x", 0, 100));
  {
    FileSourceHarness h(quick_config({dir / "a.log"}), dir / "data");
    h.start();
    ASSERT_TRUE(h.wait_for_count(100));
    h.stop();
  }
  append_file(dir / "a.log", numbered_lines("x", 100, 150));
  FileSourceHarness h(quick_config({dir / "a.log"}), dir / "data", /*once=*/true);
  h.start();
  h.stop();
  EXPECT_EQ(h.texts(), split_lines(numbered_lines("x", 100, 150)));
}

TEST(FileSourceTest, CommitsOnlyWhatSinksAcknowledged) {
  testing::TempDir dir;
  write_file(dir / "a.log", numbered_lines("x", 0, 10));
  {
    FileSourceHarness h(quick_config({dir / "a.log"}), dir / "data", /*once=*/true, /*auto_ack=*/false);
    h.start();
    h.stop();  // nothing acknowledged: the checkpoint stays at 0
    EXPECT_EQ(h.events().size(), 10u);
  }
  {
    FileSourceHarness h(quick_config({dir / "a.log"}), dir / "data", /*once=*/true, /*auto_ack=*/false);
    h.start();
    ASSERT_TRUE(h.wait_for_count(10));
    h.ack_all();
    h.stop();
    EXPECT_EQ(h.events().size(), 10u);  // read again, all of it
  }
  FileSourceHarness h(quick_config({dir / "a.log"}), dir / "data", /*once=*/true);
  h.start();
  h.stop();
  EXPECT_TRUE(h.events().empty());
}

TEST(FileSourceTest, ReadFromEndSkipsExistingContentButNotNewFiles) {
  testing::TempDir dir;
  write_file(dir / "old.log", numbered_lines("old", 0, 20));
  auto config = quick_config({dir / "*.log"});
  config.read_from = "end";
  FileSourceHarness h(config, dir / "data");
  h.start();
  // Wait until the source has opened old.log at its end (the checkpoint names it).
  ASSERT_TRUE(testing::eventually([&] { return testing::read_file(dir / "data/src.checkpoints.json").find("old.log") != std::string::npos; }));
  append_file(dir / "old.log", "appended\n");
  write_file(dir / "new.log", "fresh\n");
  ASSERT_TRUE(h.wait_for_count(2));
  h.stop();
  auto texts = h.texts();
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (std::vector<std::string>{"appended", "fresh"}));
}

TEST(FileSourceTest, HoldsALastLineWithoutNewlineUntilItIsCompleted) {
  testing::TempDir dir;
  write_file(dir / "a.log", "complete\nhalf");
  FileSourceHarness h(quick_config({dir / "a.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(1));
  append_file(dir / "a.log", " and the rest\n");
  ASSERT_TRUE(h.wait_for_count(2));
  h.stop();
  EXPECT_EQ(h.texts(), (std::vector<std::string>{"complete", "half and the rest"}));
  EXPECT_EQ(h.events()[1].flags, 0u);
}

TEST(FileSourceTest, OnceModeSendsAFinalLineWithoutNewlineFlaggedPartial) {
  testing::TempDir dir;
  write_file(dir / "a.log", "complete\nno newline");
  FileSourceHarness h(quick_config({dir / "a.log"}), dir / "data", /*once=*/true);
  h.start();
  h.stop();
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].text, "no newline");
  EXPECT_EQ(ev[1].flags, static_cast<uint32_t>(kFlagPartial));
}

TEST(FileSourceTest, OversizeLinesAreTruncatedFlaggedAndTheFileKeepsBeingRead) {
  testing::TempDir dir;
  std::string huge(3 * 1024 * 1024, 'z');  // longer than a read chunk and than the limit
  write_file(dir / "a.log", "before\n" + huge + "\nafter\n");
  auto config = quick_config({dir / "a.log"});
  config.max_line_bytes.value = 1024;
  FileSourceHarness h(config, dir / "data", /*once=*/true);
  h.start();
  h.stop();
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[1].text, std::string(1024, 'z'));
  EXPECT_EQ(ev[1].flags, static_cast<uint32_t>(kFlagTruncated));
  EXPECT_EQ(ev[2].text, "after");
  EXPECT_EQ(ev[2].offset, 7u + huge.size() + 1);
}

TEST(FileSourceTest, MultilineEventIsSentAfterTimeoutWhenNoMoreLinesCome) {
  testing::TempDir dir;
  write_file(dir / "a.log", "Exception in thread main\n\tat A.b(A.java:1)\n\tat A.c(A.java:2)\n");
  auto config = quick_config({dir / "a.log"});
  config.multiline.emplace();
  config.multiline->preset = "java";
  config.multiline->timeout.value = std::chrono::milliseconds(100);
  FileSourceHarness h(config, dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(1));
  h.stop();
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].text, "Exception in thread main\n\tat A.b(A.java:1)\n\tat A.c(A.java:2)");
  EXPECT_EQ(ev[0].flags, static_cast<uint32_t>(kFlagMultiline));
}

TEST(FileSourceTest, SlowlogEntryOfManyLongLinesIsCutAtMaxEventBytesAndCounted) {
  // Found by the hostile-input review: one entry of 100 lines of 1 MiB took 766 MB of memory.
  testing::TempDir dir;
  std::string entry = "# User@Host: a[a] @ localhost []\nINSERT INTO t VALUES\n";
  for (int i = 0; i < 100; ++i) entry += std::string(64 * 1024, 'v') + "\n";
  write_file(dir / "slow.log", entry + "# User@Host: b[b] @ localhost []\nSELECT 1;\n");
  auto config = quick_config({dir / "slow.log"});
  config.multiline.emplace();
  config.multiline->preset = "mysql_slowlog";
  config.multiline->max_event_bytes.value = 256 * 1024;
  double cut_before = metrics().value("logship_file_truncated_events_total", {{"component", "src"}});
  double lines_before = metrics().value("logship_file_truncated_lines_total", {{"component", "src"}});
  FileSourceHarness h(config, dir / "data", /*once=*/true);
  h.start();
  h.stop();
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].text.size(), 256u * 1024);
  EXPECT_EQ(ev[0].flags, static_cast<uint32_t>(kFlagTruncated));
  EXPECT_EQ(ev[1].text, "# User@Host: b[b] @ localhost []\nSELECT 1;");
  EXPECT_EQ(ev[1].offset, entry.size());
  EXPECT_EQ(metrics().value("logship_file_truncated_events_total", {{"component", "src"}}) - cut_before, 1);
  EXPECT_EQ(metrics().value("logship_file_truncated_lines_total", {{"component", "src"}}) - lines_before, 0)
      << "an event cut is not a line cut";
}

// Found by the hostile review: with many files, each entry waited while the others were read,
// its timeout passed, and it was sent in two pieces (the second a fragment); and every file
// held an entry of up to 4 MiB at once (120 files: 854 MB). Entries end early only when their
// writer paused, and the entries being joined share a budget.
TEST(FileSourceTest, ManyFilesOfHugeSlowlogEntriesAreEachCutOnceNeverSplit) {
  testing::TempDir dir;
  std::string entry = "# User@Host: a[a] @ localhost []\nINSERT INTO t VALUES\n";
  for (int i = 0; i < 80; ++i) entry += "(" + std::string(64 * 1024, '1') + "),\n";  // 5 MiB: past the preset's 4 MiB
  const std::string next = "# User@Host: b[b] @ localhost []\nSELECT 1;\n";
  for (int f = 0; f < 12; ++f) write_file(dir / ("slow" + std::to_string(f) + ".log"), entry + next);
  auto config = quick_config({dir / "*.log"});
  config.multiline.emplace();
  config.multiline->preset = "mysql_slowlog";
  config.multiline->timeout.value = std::chrono::milliseconds(10);
  FileSourceHarness h(config, dir / "data", /*once=*/true);
  h.start();
  h.stop();
  auto ev = h.events();
  size_t cut = 0, whole = 0;
  for (const auto& e : ev) {
    if (e.text.rfind("# User@Host: a[a]", 0) == 0 && e.flags == kFlagTruncated && e.text.size() == (4u << 20)) ++cut;
    if (e.text == "# User@Host: b[b] @ localhost []\nSELECT 1;" && e.flags == 0) ++whole;
  }
  EXPECT_EQ(ev.size(), 24u);
  EXPECT_EQ(cut, 12u);
  EXPECT_EQ(whole, 12u);
}

// Found by the second hostile review: files left waiting by the joining budget kept the
// "read to the end" of their last read, so their entries were flushed at the timeout while
// their writers were still adding lines, and the rest came as separate events.
TEST(FileSourceTest, EntriesOfFilesWaitingForTheJoiningBudgetAreNotFlushedWhileTheirWritersWrite) {
  testing::TempDir dir;
  std::string entry = "# User@Host: a[a] @ localhost []\nINSERT INTO t VALUES\n";
  for (int i = 0; i < 56; ++i) entry += "(" + std::string(64 * 1024, '1') + "),\n";  // 3.5 MiB each, 12 of them: past 32 MiB
  for (int f = 0; f < 12; ++f) write_file(dir / ("slow" + std::to_string(f) + ".log"), entry);
  auto config = quick_config({dir / "*.log"});
  config.multiline.emplace();
  config.multiline->preset = "mysql_slowlog";
  config.multiline->timeout.value = std::chrono::milliseconds(200);
  FileSourceHarness h(config, dir / "data");
  h.start();
  for (int round = 0; round < 10; ++round) {  // every 100 ms, a line more in each entry: no writer pauses
    for (int f = 0; f < 12; ++f) append_file(dir / ("slow" + std::to_string(f) + ".log"), "(2),\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int f = 0; f < 12; ++f) append_file(dir / ("slow" + std::to_string(f) + ".log"), "(3);\n# User@Host: b[b] @ localhost []\nSELECT 1;\n");
  ASSERT_TRUE(h.wait_for_count(24));
  h.stop();
  size_t entries = 0, fragments = 0;
  for (const auto& e : h.events()) {
    if (e.text.rfind("# User@Host: a[a]", 0) == 0) ++entries;
    else if (e.text.rfind("# User@Host: b[b]", 0) != 0) ++fragments;
  }
  EXPECT_EQ(entries, 12u);
  EXPECT_EQ(fragments, 0u) << "an entry was flushed while its writer was still writing";
}

TEST(FileSourceTest, SymlinkedFileIsReadOnceWhenLinksAreFollowedAndNotAtAllByDefault) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "real");
  std::filesystem::create_directories(dir / "logs");
  write_file(dir / "real/app.log", "via link\n");
  std::filesystem::create_symlink(dir / "real/app.log", dir / "logs/app.log");
  std::filesystem::create_symlink(dir / "real/app.log", dir / "logs/again.log");
  for (bool follow : {true, false}) {
    auto config = quick_config({dir / "logs/*.log"});
    config.follow_symlinks = follow;
    FileSourceHarness h(config, dir / (follow ? "data1" : "data2"), /*once=*/true);
    h.start();
    h.stop();
    EXPECT_EQ(h.texts(), follow ? std::vector<std::string>{"via link"} : std::vector<std::string>{}) << follow;
  }
}

TEST(FileSourceTest, SecondProcessOnTheSameDataDirIsRefused) {
  testing::TempDir dir;
  auto first = FileSource::create(quick_config({dir / "*.log"}), BuildContext{"src", dir / "data", "h"});
  ASSERT_TRUE(first);
  auto second = FileSource::create(quick_config({dir / "*.log"}), BuildContext{"src", dir / "data", "h"});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("another logship process"), std::string::npos);
}

}  // namespace
}  // namespace logship
