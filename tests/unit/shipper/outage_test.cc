// The file source while the pipeline is blocked (a sink's destination away): reading stops,
// discovery does not. Files that appear are opened at once and held until read and delivered,
// whatever happens to their names meanwhile; max_open_files is the one bound, and never silent.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "core/metrics.h"
#include "tests/support/test_support.h"
#include "tests/unit/shipper/file_source_harness.h"

namespace logship {
namespace {

using testing::FileSourceHarness;
using testing::numbered_lines;
using testing::quick_config;
using testing::write_file;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

int64_t open_files() { return metrics().value("logship_file_open_files", {{"component", "src"}}); }

// The value of a collected gauge with these labels (-1 when absent).
double collected(const std::string& name, const Labels& labels) {
  for (const auto& sample : metrics().collect())
    if (sample.name == name && sample.labels == labels) return sample.value;
  return -1;
}

TEST(OutageTest, FilesCreatedAndRotatedAwayWhileTheSinkIsBlockedAreHeldAndReadAfterwardsInOrder) {
  testing::TempDir dir;
  FileSourceHarness h(quick_config({dir / "*.json.log"}), dir / "data");
  h.set_blocked(true);
  h.start();
  // Five generations, each renamed out of the glob onto the same name (the previous one is
  // deleted by that rename): only the descriptor logship opened keeps it.
  std::string expected;
  for (int gen = 0; gen < 5; ++gen) {
    std::string lines = numbered_lines("gen" + std::to_string(gen), 0, 200);
    expected += lines;
    write_file(dir / "app.json.log", lines);
    ASSERT_TRUE(testing::eventually([&] { return open_files() == gen + 1; })) << "generation " << gen << " was not opened while blocked";
    std::filesystem::rename(dir / "app.json.log", dir / "app.json.log.1");
  }
  EXPECT_TRUE(h.texts().empty()) << "nothing is read while blocked... ";
  EXPECT_TRUE(testing::eventually([] { return metrics().value("logship_file_deleted_held_bytes", {{"component", "src"}}) > 0; }))
      << "the overwritten generations hold disk space";
  h.set_blocked(false);
  ASSERT_TRUE(h.wait_for_count(1000));
  h.stop();
  // ...and afterwards everything arrives, generation after generation.
  EXPECT_EQ(h.texts(), testing::split_lines(expected));
}

TEST(OutageTest, ARotatedFileThatGrewWhileReadingWasPausedIsNotLetGoUnread) {
  // Read to its end, then written to and rotated away while nothing is read: its last read
  // said "end of file", but that is stale; it must be read again before it is released.
  testing::TempDir dir;
  write_file(dir / "app.log", numbered_lines("before", 0, 50));
  FileSourceHarness h(quick_config({dir / "app.log", dir / "other.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(50));
  h.set_blocked(true);
  // Another file's batch is what waits for room; app.log is not read any more.
  write_file(dir / "other.log", numbered_lines("other", 0, 10));
  ASSERT_TRUE(testing::eventually([&] { return open_files() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  testing::append_file(dir / "app.log", numbered_lines("during", 0, 50));
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // past rotate_wait (200 ms)
  h.set_blocked(false);
  ASSERT_TRUE(h.wait_for_count(110));
  h.stop();
  EXPECT_EQ(sorted(h.texts()), testing::split_lines(numbered_lines("before", 0, 50) + numbered_lines("during", 0, 50) + numbered_lines("other", 0, 10), true));
}

TEST(OutageTest, ADeletedFileIsReleasedOnlyOnceItsBatchesAreAcknowledged) {
  testing::TempDir dir;
  write_file(dir / "a.log", numbered_lines("a", 0, 50));
  FileSourceHarness h(quick_config({dir / "*.log"}), dir / "data", /*once=*/false, /*auto_ack=*/false);
  h.start();
  ASSERT_TRUE(h.wait_for_count(50));
  std::filesystem::remove(dir / "a.log");
  // Read to its end and past rotate_wait (200 ms), but not acknowledged: still held.
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(open_files(), 1);
  h.ack_all();
  EXPECT_TRUE(testing::eventually([&] { return open_files() == 0; }));
  h.stop();
}

TEST(OutageTest, ANewFileAtTheNameOfAHeldDeletedOneIsANewFileAndBothAreRead) {
  // While logship holds a deleted file its inode cannot be reused, so the new file at the same
  // path is another file: both are read, the old one first.
  testing::TempDir dir;
  FileSourceHarness h(quick_config({dir / "*.log"}), dir / "data");
  h.set_blocked(true);
  h.start();
  write_file(dir / "a.log", numbered_lines("old", 0, 30));
  ASSERT_TRUE(testing::eventually([&] { return open_files() == 1; }));
  struct stat old_st {};
  ASSERT_EQ(::stat((dir / "a.log").c_str(), &old_st), 0);
  std::filesystem::remove(dir / "a.log");
  write_file(dir / "a.log", numbered_lines("new", 0, 30));
  struct stat new_st {};
  ASSERT_EQ(::stat((dir / "a.log").c_str(), &new_st), 0);
  EXPECT_NE(old_st.st_ino, new_st.st_ino);
  ASSERT_TRUE(testing::eventually([&] { return open_files() == 2; }));
  h.set_blocked(false);
  ASSERT_TRUE(h.wait_for_count(60));
  h.stop();
  EXPECT_EQ(h.texts(), testing::split_lines(numbered_lines("old", 0, 30) + numbered_lines("new", 0, 30)));
}

TEST(OutageTest, AFileCreatedAndRenamedBetweenTwoScansIsReadOnceUnderItsNewName) {
  testing::TempDir dir;
  auto config = quick_config({dir / "*.log*"});
  config.scan_interval.value = std::chrono::seconds(3600);  // only inotify wakes a scan
  write_file(dir / "ready.log", "ready\n");
  FileSourceHarness h(config, dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(1));  // running, and watching the folder
  write_file(dir / "x.log", numbered_lines("x", 0, 100));
  std::filesystem::rename(dir / "x.log", dir / "x.log.1");  // before any scan could see x.log, most likely
  ASSERT_TRUE(h.wait_for_count(101));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  h.stop();
  EXPECT_EQ(h.texts(), testing::split_lines("ready\n" + numbered_lines("x", 0, 100))) << "exactly once";
}

TEST(OutageTest, MaxOpenFilesIsTheOnlyBoundAndItIsNeverSilent) {
  testing::TempDir dir;
  auto config = quick_config({dir / "*.log"});
  config.max_open_files = 2;
  FileSourceHarness h(config, dir / "data");
  h.set_blocked(true);
  h.start();
  const Counter& skipped = metrics().counter("logship_file_skipped_files_total", "", {{"component", "src"}});
  uint64_t skipped_before = skipped.value();
  for (int i = 0; i < 4; ++i) write_file(dir / ("f" + std::to_string(i) + ".log"), numbered_lines("f" + std::to_string(i), 0, 10));
  ASSERT_TRUE(testing::eventually([&] { return skipped.value() - skipped_before == 2; }));
  EXPECT_EQ(open_files(), 2);
  auto problems = h.health_problems();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("max_open_files (2) reached, 2 matching files not held"), std::string::npos) << problems[0];
  // The held files go away once read: the others are opened, and the problem clears.
  h.set_blocked(false);
  ASSERT_TRUE(h.wait_for_count(20));
  for (const auto& e : h.events()) std::filesystem::remove(e.path);
  ASSERT_TRUE(h.wait_for_count(40));
  EXPECT_TRUE(testing::eventually([&] { return h.health_problems().empty(); }));
  h.stop();
  EXPECT_EQ(skipped.value() - skipped_before, 2u) << "each file counted once per spell";
}

TEST(OutageTest, LagCountsEveryHeldFileWhileReadingIsPaused) {
  testing::TempDir dir;
  FileSourceHarness h(quick_config({dir / "*.log"}), dir / "data");
  h.set_blocked(true);
  h.start();
  write_file(dir / "a.log", numbered_lines("a", 0, 100));
  write_file(dir / "b.log", numbered_lines("b", 0, 50));
  auto size = [&](const std::string& name) { return static_cast<double>(std::filesystem::file_size(dir / name)); };
  EXPECT_TRUE(testing::eventually([&] {
    return collected("logship_file_lag_bytes", {{"component", "src"}, {"path", dir / "a.log"}}) == size("a.log") &&
           collected("logship_file_lag_bytes", {{"component", "src"}, {"path", dir / "b.log"}}) == size("b.log");
  }));
  // a.log was read into the batch that waits for room; b.log is held unread.
  EXPECT_EQ(metrics().value("logship_file_held_unread_files", {{"component", "src"}}), 1);
  h.set_blocked(false);
  ASSERT_TRUE(h.wait_for_count(150));
  EXPECT_TRUE(testing::eventually([&] { return collected("logship_file_lag_bytes", {{"component", "src"}, {"path", dir / "a.log"}}) == 0; }));
  h.stop();
}

}  // namespace
}  // namespace logship
