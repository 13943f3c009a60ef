// The file sink's output once synced: on disk, and (by default) no longer in the page cache.
#include "sinks/file/file_sink.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "core/plain_encoder.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

// Pages of `path` the page cache holds (mincore on a mapping of the file).
size_t resident_pages(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0 || st.st_size == 0) return 0;
  size_t size = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return 0;
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((size + page - 1) / page);
  size_t resident = 0;
  if (::mincore(map, size, in_core.data()) == 0)
    for (unsigned char c : in_core) resident += c & 1;
  ::munmap(map, size);
  return resident;
}

// Writes 4 MiB of events through a file sink configured by `drop`; returns the pages cached.
size_t cached_after_writing(const testing::TempDir& dir, bool drop) {
  FileSinkConfig config;
  config.path = dir / (drop ? "dropped.ndjson" : "kept.ndjson");
  config.drop_from_page_cache = drop;
  auto sink = FileSink::create(config, BuildContext{"out", "", ""});
  EXPECT_TRUE(sink);
  auto batch = std::make_shared<Batch>();
  auto origin = std::make_shared<Origin>();
  origin->source = origin->dataset = "app";
  batch->origin = origin;
  std::string line(1000, 'x');
  for (uint64_t i = 0; i < 4096; ++i) batch->add_raw_event(line, i * 1001, i * 1001 + 1001, 0);
  encode_plain(*batch);
  Delivery delivery;
  delivery.parts.push_back({batch, {}});
  EXPECT_TRUE((*sink)->write(delivery).all_delivered());
  EXPECT_GT(std::filesystem::file_size(config.path), 4u << 20);
  return resident_pages(config.path);
}

TEST(FileSinkTest, SyncedOutputLeavesThePageCacheUnlessAskedToStay) {
  testing::TempDir dir;
  struct statfs fs;
  if (::statfs(dir.path().c_str(), &fs) == 0 && fs.f_type == 0x01021994) GTEST_SKIP() << "tmpfs: the page cache is the file";
  EXPECT_EQ(cached_after_writing(dir, true), 0u);
  EXPECT_GT(cached_after_writing(dir, false), 1000u) << "kept: the same write stays cached";
}

TEST(FileSinkTest, OutputIsCreated0640InFoldersOf0750EvenUnderUmaskZero) {
  testing::TempDir dir;
  FileSinkConfig config;
  config.path = dir / "out/all.ndjson";
  auto sink = [&] {
    testing::UmaskZero umask0;
    return FileSink::create(config, BuildContext{"out", "", ""});
  }();
  ASSERT_TRUE(sink) << sink.error().message;
  struct stat st {};
  ASSERT_EQ(::stat(config.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(::stat((dir / "out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
}

TEST(FileSinkTest, SymlinkAtTheOutputPathIsRefusedWithAClearError) {
  testing::TempDir dir;
  testing::write_file(dir / "elsewhere", "untouched\n");
  ASSERT_EQ(::symlink((dir / "elsewhere").c_str(), (dir / "out.ndjson").c_str()), 0);
  FileSinkConfig config;
  config.path = dir / "out.ndjson";
  auto sink = FileSink::create(config, BuildContext{"out", "", ""});
  ASSERT_FALSE(sink);
  EXPECT_NE(sink.error().message.find("symbolic link"), std::string::npos) << sink.error().message;
  EXPECT_EQ(testing::read_file(dir / "elsewhere"), "untouched\n");
}

}  // namespace
}  // namespace logship
