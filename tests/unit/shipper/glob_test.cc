#include "shipper/sources/file/glob.h"

#include <gtest/gtest.h>
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

TEST(GlobTest, FindsFilesRecursivelyHonouringExcludesAndSymlinks) {
  testing::TempDir dir;
  testing::TempDir elsewhere;  // outside the walked tree: only reachable through the link
  std::filesystem::create_directories(dir / "a/b/c");
  testing::write_file(dir / "top.log", "x\n");
  testing::write_file(dir / "a/b/c/deep.log", "x\n");
  testing::write_file(dir / "a/skip.log.gz", "x\n");
  testing::write_file(dir / "a/notes.txt", "x\n");
  testing::write_file(elsewhere / "linked.log", "x\n");
  std::filesystem::create_directory_symlink(elsewhere.path(), dir / "a/link");
  std::filesystem::create_directory_symlink(dir.path(), dir / "a/b/loop");  // a loop must end

  auto found = find_matching_files({dir.path() + "/**/*.log", dir.path() + "/**/*.gz"}, {"**/*.gz"});
  EXPECT_EQ(found, (std::vector<std::string>{dir / "a/b/c/deep.log", dir / "a/link/linked.log", dir / "top.log"}));
  EXPECT_EQ(find_matching_files({dir.path() + "/*.log"}, {}), (std::vector<std::string>{dir / "top.log"}));
  EXPECT_EQ(find_matching_files({dir.path() + "/a/b/c/deep.log"}, {}), (std::vector<std::string>{dir / "a/b/c/deep.log"}));
}

}  // namespace
}  // namespace logship
