#include "core/private_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::mode_of;
using testing::UmaskZero;

TEST(PrivateFilesTest, FoldersAndFilesGetExactlyTheirModeWhateverTheUmask) {
  testing::TempDir dir;
  UmaskZero umask0;
  ASSERT_TRUE(make_dirs(dir / "a/b/c", 0700));
  EXPECT_EQ(mode_of(dir / "a"), 0700u);
  EXPECT_EQ(mode_of(dir / "a/b/c"), 0700u);
  Result<int> fd = open_created(dir / "a/b/c/f", O_WRONLY, 0600);
  ASSERT_TRUE(fd) << fd.error().message;
  ::close(*fd);
  EXPECT_EQ(mode_of(dir / "a/b/c/f"), 0600u);
}

TEST(PrivateFilesTest, ExistingFileKeepsItsModeUnlessForced) {
  testing::TempDir dir;
  testing::write_file(dir / "f", "x");
  ::chmod((dir / "f").c_str(), 0644);
  Result<int> kept = open_created(dir / "f", O_RDONLY, 0600);
  ASSERT_TRUE(kept);
  ::close(*kept);
  EXPECT_EQ(mode_of(dir / "f"), 0644u);
  Result<int> forced = open_created(dir / "f", O_RDONLY, 0600, true);
  ASSERT_TRUE(forced);
  ::close(*forced);
  EXPECT_EQ(mode_of(dir / "f"), 0600u);
}

TEST(PrivateFilesTest, SymbolicLinkAtThePathIsRefusedAndNotFollowed) {
  testing::TempDir dir;
  testing::write_file(dir / "target", "keep");
  ASSERT_EQ(::symlink((dir / "target").c_str(), (dir / "link").c_str()), 0);
  Result<int> fd = open_created(dir / "link", O_WRONLY | O_TRUNC, 0600);
  ASSERT_FALSE(fd);
  EXPECT_NE(fd.error().message.find("symbolic link"), std::string::npos) << fd.error().message;
  EXPECT_EQ(testing::read_file(dir / "target"), "keep");
}

}  // namespace
}  // namespace logship
