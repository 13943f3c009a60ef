#include "shipper/sources/file/glob.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace logship {
namespace {

TEST(GlobTest, StarStaysWithinOneFolder) {
  EXPECT_TRUE(glob_match("/var/log/*.log", "/var/log/app.log"));
  EXPECT_FALSE(glob_match("/var/log/*.log", "/var/log/nginx/access.log"));
  EXPECT_TRUE(glob_match("/var/log/app-?.log", "/var/log/app-1.log"));
  EXPECT_TRUE(glob_match("/var/log/app.[0-9]", "/var/log/app.3"));
}

TEST(GlobTest, DoubleStarMatchesAnyNumberOfFoldersIncludingNone) {
  EXPECT_TRUE(glob_match("/var/log/**/*.log", "/var/log/app.log"));
  EXPECT_TRUE(glob_match("/var/log/**/*.log", "/var/log/a/b/c/app.log"));
  EXPECT_TRUE(glob_match("**/*.gz", "/var/log/old/app.log.gz"));
  EXPECT_TRUE(glob_match("**/*.gz", "relative/app.log.gz"));
  EXPECT_FALSE(glob_match("/var/*.gz", "var/app.gz"));  // absolute pattern, relative path
  EXPECT_TRUE(glob_match("/var/**", "/var/log/x"));
  EXPECT_FALSE(glob_match("/var/log/**/*.log", "/var/log/app.txt"));
}

TEST(GlobTest, BaseIsThePartBeforeTheFirstWildcard) {
  EXPECT_EQ(glob_base("/var/log/**/*.log"), "/var/log");
  EXPECT_EQ(glob_base("/var/log/app.log"), "/var/log/app.log");
  EXPECT_EQ(glob_base("*.log"), "");
  EXPECT_EQ(glob_base("/*.log"), "/");
}

TEST(GlobTest, FindsFilesRecursivelyHonouringExcludes) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "a/b/c");
  testing::write_file(dir / "top.log", "x\n");
  testing::write_file(dir / "a/b/c/deep.log", "x\n");
  testing::write_file(dir / "a/skip.log.gz", "x\n");
  testing::write_file(dir / "a/notes.txt", "x\n");
  auto found = find_matching_files({dir.path() + "/**/*.log", dir.path() + "/**/*.gz"}, {"**/*.gz"});
  EXPECT_EQ(found.files, (std::vector<std::string>{dir / "a/b/c/deep.log", dir / "top.log"}));
  EXPECT_EQ(find_matching_files({dir.path() + "/*.log"}, {}).files, (std::vector<std::string>{dir / "top.log"}));
  EXPECT_EQ(find_matching_files({dir.path() + "/a/b/c/deep.log"}, {}).files, (std::vector<std::string>{dir / "a/b/c/deep.log"}));
}

// A link in a log folder to a 0600 key, to a folder outside the globs or to /proc/self/environ
// was shipped. By default links are not followed (as with Filebeat's filestream), and each
// refusal says why; followed on request, they lead only to regular files off /proc and /sys.
TEST(GlobTest, SymbolicLinksAreNotFollowedUnlessAskedAndNeverToDevicesFifosOrProc) {
  testing::TempDir dir;
  testing::TempDir elsewhere;  // outside the walked tree: only reachable through a link
  std::filesystem::create_directories(dir / "a/b");
  testing::write_file(dir / "app.log", "x\n");
  testing::write_file(elsewhere / "key.log", "secret\n");
  testing::write_file(elsewhere / "linked.log", "x\n");
  std::filesystem::create_symlink(elsewhere / "key.log", dir / "key.log");
  std::filesystem::create_symlink("/proc/self/environ", dir / "environ.log");
  std::filesystem::create_symlink("/dev/zero", dir / "zero.log");
  ASSERT_EQ(::mkfifo((dir / "fifo.log").c_str(), 0600), 0);
  std::filesystem::create_directory_symlink(elsewhere.path(), dir / "a/link");
  std::filesystem::create_directory_symlink(dir.path(), dir / "a/b/loop");  // a loop must end

  auto plain = find_matching_files({dir.path() + "/**/*.log"}, {});
  EXPECT_EQ(plain.files, (std::vector<std::string>{dir / "app.log"}));
  EXPECT_EQ(plain.refused.at(dir / "key.log"), "a symbolic link (follow_symlinks is false)");
  EXPECT_EQ(plain.refused.at(dir / "environ.log"), "a symbolic link (follow_symlinks is false)");
  EXPECT_EQ(plain.refused.at(dir / "fifo.log"), "not a regular file (a device, FIFO or socket)");
  EXPECT_EQ(plain.refused.count(dir / "a/link/linked.log"), 0u) << "a linked folder is not even walked";

  auto followed = find_matching_files({dir.path() + "/**/*.log"}, {}, /*follow_symlinks=*/true);
  EXPECT_EQ(followed.files, (std::vector<std::string>{dir / "a/link/key.log", dir / "a/link/linked.log", dir / "app.log", dir / "key.log"}));
  EXPECT_EQ(followed.refused.at(dir / "environ.log"), "on /proc or /sys");
  EXPECT_EQ(followed.refused.at(dir / "zero.log"), "not a regular file (a device, FIFO or socket)");
  EXPECT_EQ(followed.refused.at(dir / "fifo.log"), "not a regular file (a device, FIFO or socket)");
  // Named outright, /proc is still refused.
  EXPECT_TRUE(find_matching_files({"/proc/self/environ"}, {}, true).files.empty());
}

}  // namespace
}  // namespace logship
