// Rotation cases of the file source: each must deliver every line exactly once.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "tests/support/test_support.h"
#include "tests/unit/shipper/file_source_harness.h"

namespace logship {
namespace {

using testing::append_file;
using testing::FileSourceHarness;
using testing::numbered_lines;
using testing::quick_config;
using testing::write_file;

std::vector<std::string> split_lines_sorted(const std::string& text) { return testing::split_lines(text, true); }

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(RotationTest, RenameFinishesTheOldFileThenFollowsTheNewOne) {
  testing::TempDir dir;
  write_file(dir / "app.log", numbered_lines("gen1", 0, 100) + "gen1-partial");
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(100));
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  append_file(dir / "app.log.1", "-end\n" + numbered_lines("late", 0, 10));  // the writer had not reopened yet
  write_file(dir / "app.log", numbered_lines("gen2", 0, 100));
  ASSERT_TRUE(h.wait_for_count(211));
  h.stop();
  EXPECT_EQ(sorted(h.texts()), split_lines_sorted(numbered_lines("gen1", 0, 100) + "gen1-partial-end\n" +
                                            numbered_lines("late", 0, 10) + numbered_lines("gen2", 0, 100)));
}

TEST(RotationTest, RenamedFileWithoutFinalNewlineIsSentFlaggedPartialWhenReleased) {
  testing::TempDir dir;
  write_file(dir / "app.log", "one\ntwo-without-newline");
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(1));
  std::filesystem::rename(dir / "app.log", dir / "rotated");
  ASSERT_TRUE(h.wait_for_count(2));
  h.stop();
  auto ev = h.events();
  EXPECT_EQ(ev[1].text, "two-without-newline");
  EXPECT_EQ(ev[1].flags, static_cast<uint32_t>(kFlagPartial));
}

TEST(RotationTest, CopytruncateRestartsFromZeroWithoutLoss) {
  testing::TempDir dir;
  write_file(dir / "app.log", numbered_lines("before", 0, 100));
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(100));
  std::filesystem::copy_file(dir / "app.log", dir / "app.log.1");
  ::truncate((dir / "app.log").c_str(), 0);
  append_file(dir / "app.log", numbered_lines("after", 0, 50));
  ASSERT_TRUE(h.wait_for_count(150));
  h.stop();
  EXPECT_EQ(sorted(h.texts()), split_lines_sorted(numbered_lines("before", 0, 100) + numbered_lines("after", 0, 50)));
}

// copytruncate, then a writer fast enough to pass the old read offset before logship looks
// again: the size never appears smaller. Only the leading bytes tell the new content apart;
// read on from the offset, its first lines were lost and the rest shipped twice once noticed.
// (One write over the file in place stands for that, without the race.)
TEST(RotationTest, ContentReplacedPastTheReadOffsetIsReadFromTheStartExactlyOnce) {
  testing::TempDir dir;
  write_file(dir / "app.log", numbered_lines("before", 0, 100));
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the source has found the end of the file
  std::string replacement = numbered_lines("after", 0, 300);
  int fd = ::open((dir / "app.log").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, replacement.data(), replacement.size(), 0), static_cast<ssize_t>(replacement.size()));
  ::close(fd);
  ASSERT_TRUE(h.wait_for_count(400));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // room for duplicates to show
  h.stop();
  EXPECT_EQ(sorted(h.texts()), split_lines_sorted(numbered_lines("before", 0, 100) + numbered_lines("after", 0, 300)));
}

TEST(RotationTest, TruncationWhileALineIsHalfWrittenKeepsTheHalfFlaggedPartial) {
  testing::TempDir dir;
  write_file(dir / "app.log", "whole line\nhalf a li");
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(1));
  ::truncate((dir / "app.log").c_str(), 0);  // truncated before the writer finished the line
  append_file(dir / "app.log", "fresh start\n");
  ASSERT_TRUE(h.wait_for_count(3));
  h.stop();
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[1].text, "half a li");
  EXPECT_EQ(ev[1].flags, static_cast<uint32_t>(kFlagPartial));
  EXPECT_EQ(ev[2].text, "fresh start");
  EXPECT_EQ(ev[2].offset, 0u);
}

TEST(RotationTest, CopytruncateWhileStoppedIsToldApartByTheFingerprint) {
  testing::TempDir dir;
  write_file(dir / "app.log", numbered_lines("old", 0, 10));
  {
    FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data", /*once=*/true);
    h.start();
    h.stop();
    ASSERT_EQ(h.events().size(), 10u);
  }
  // Truncated and refilled past the old offset: same inode, larger size, other leading bytes.
  ::truncate((dir / "app.log").c_str(), 0);
  append_file(dir / "app.log", numbered_lines("new", 0, 30));
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data", /*once=*/true);
  h.start();
  h.stop();
  EXPECT_EQ(sorted(h.texts()), split_lines_sorted(numbered_lines("new", 0, 30)));
}

TEST(RotationTest, DeleteWhileReadingFinishesTheOpenFileThenReleasesIt) {
  testing::TempDir dir;
  int writer = ::open((dir / "app.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::string first = numbered_lines("x", 0, 100);
  ASSERT_EQ(::write(writer, first.data(), first.size()), static_cast<ssize_t>(first.size()));
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data");
  h.start();
  ASSERT_TRUE(h.wait_for_count(100));
  ::unlink((dir / "app.log").c_str());
  std::string more = numbered_lines("x", 100, 120);  // still written through the open descriptor
  ASSERT_EQ(::write(writer, more.data(), more.size()), static_cast<ssize_t>(more.size()));
  ASSERT_TRUE(h.wait_for_count(120));
  ::close(writer);
  // Released: the checkpoint entry disappears once the file is closed and acknowledged.
  EXPECT_TRUE(testing::eventually([&] {
    return testing::read_file(dir / "data/src.checkpoints.json").find("app.log") == std::string::npos;
  }));
  h.stop();
  EXPECT_EQ(sorted(h.texts()), split_lines_sorted(numbered_lines("x", 0, 120)));
}

TEST(RotationTest, InodeReuseIsToldApartFromTheCheckpointedFile) {
  testing::TempDir dir;
  write_file(dir / "app.log", "a brand new file that got an old inode\n");
  struct stat st;
  ASSERT_EQ(::stat((dir / "app.log").c_str(), &st), 0);
  // A checkpoint left by an earlier file with the same device and inode, read to offset 12.
  std::filesystem::create_directories(dir / "data");
  write_file(dir / "data/src.checkpoints.json",
             "{\"version\":1,\"files\":[{\"path\":\"" + dir / "app.log" + "\",\"device\":" + std::to_string(st.st_dev) +
                 ",\"inode\":" + std::to_string(st.st_ino) + ",\"offset\":12,\"fingerprint_bytes\":12,\"fingerprint\":42}]}");
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data", /*once=*/true);
  h.start();
  h.stop();
  EXPECT_EQ(h.texts(), (std::vector<std::string>{"a brand new file that got an old inode"}));
}

TEST(RotationTest, FileRenamedWhileStoppedIsFinishedFromItsCheckpoint) {
  testing::TempDir dir;
  write_file(dir / "app.log", numbered_lines("a", 0, 50));
  {
    FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data", /*once=*/true);
    h.start();
    h.stop();
  }
  append_file(dir / "app.log", numbered_lines("a", 50, 70));  // written after we stopped
  std::filesystem::rename(dir / "app.log", dir / "app.log.1");
  write_file(dir / "app.log", numbered_lines("b", 0, 5));
  FileSourceHarness h(quick_config({dir / "app.log"}), dir / "data", /*once=*/true);
  h.start();
  h.stop();
  EXPECT_EQ(sorted(h.texts()), split_lines_sorted(numbered_lines("a", 50, 70) + numbered_lines("b", 0, 5)));
}

}  // namespace
}  // namespace logship
