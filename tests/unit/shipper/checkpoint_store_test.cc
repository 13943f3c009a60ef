#include "shipper/sources/file/checkpoint_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace logship {
namespace {

TEST(CheckpointStoreTest, RoundTripsEntriesIncludingOddPaths) {
  testing::TempDir dir;
  CheckpointStore store(dir / "src.checkpoints.json");
  std::vector<FileCheckpoint> files{
      {"/var/log/a \"quoted\".log", 2049, 77, 123456789012ull, 1024, 18446744073709551615ull},
      {"/var/log/b.log", 1, 2, 0, 0, 0},
  };
  ASSERT_TRUE(store.save(files));
  auto loaded = store.load();
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].path, files[0].path);
  EXPECT_EQ((*loaded)[0].offset, files[0].offset);
  EXPECT_EQ((*loaded)[0].fingerprint, files[0].fingerprint);
  EXPECT_EQ((*loaded)[1].inode, 2u);
  EXPECT_FALSE(std::filesystem::exists(dir / "src.checkpoints.json.tmp"));
}

TEST(CheckpointStoreTest, CheckpointFileIs0600EvenUnderUmaskZero) {
  testing::TempDir dir;
  Status saved = [&] {
    testing::UmaskZero umask0;
    return CheckpointStore(dir / "src.checkpoints.json").save({{"/var/log/a.log", 1, 2, 3, 0, 0}});
  }();
  ASSERT_TRUE(saved);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "src.checkpoints.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(CheckpointStoreTest, MissingFileMeansNoCheckpoints) {
  testing::TempDir dir;
  auto loaded = CheckpointStore(dir / "none.json").load();
  ASSERT_TRUE(loaded);
  EXPECT_TRUE(loaded->empty());
}

TEST(CheckpointStoreTest, CorruptFileIsAClearError) {
  testing::TempDir dir;
  testing::write_file(dir / "bad.json", "{\"version\":1,\"files\":[{\"path\":");
  auto loaded = CheckpointStore(dir / "bad.json").load();
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("move it away"), std::string::npos);
}

TEST(CheckpointStoreTest, FingerprintCoversExactlyTheLeadingBytes) {
  testing::TempDir dir;
  testing::write_file(dir / "f", "0123456789");
  int fd = ::open((dir / "f").c_str(), O_RDONLY);
  uint64_t a = 0, b = 0, c = 0;
  EXPECT_TRUE(fingerprint_file(fd, 5, a));
  testing::append_file(dir / "f", "more");
  EXPECT_TRUE(fingerprint_file(fd, 5, b));
  EXPECT_EQ(a, b);
  EXPECT_TRUE(fingerprint_file(fd, 6, c));
  EXPECT_NE(a, c);
  EXPECT_FALSE(fingerprint_file(fd, 100, c));  // shorter than asked
  ::close(fd);
}

}  // namespace
}  // namespace logship
