#include "core/memory_tuning.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <cstring>

namespace logship {
namespace {

// mallinfo2().hblks counts the blocks glibc currently serves with their own mapping.
size_t mapped_blocks() { return mallinfo2().hblks; }

// AddressSanitizer brings its own allocator: glibc's settings and counters do not apply.
#if defined(__SANITIZE_ADDRESS__)
#define SKIP_WITHOUT_GLIBC_MALLOC() GTEST_SKIP() << "AddressSanitizer replaces glibc's malloc"
#else
#define SKIP_WITHOUT_GLIBC_MALLOC() (void)0
#endif

TEST(MemoryTuningTest, ServesRequestBufferSizedBlocksFromTheHeapInsteadOfFreshMappings) {
  // Without the settings glibc starts with a 128 KiB threshold: a 4 MiB block is a mapping of
  // its own, unmapped again on free (the churn librdkafka's per-request buffers caused).
  SKIP_WITHOUT_GLIBC_MALLOC();
  size_t before = mapped_blocks();
  ASSERT_TRUE(keep_freed_memory_for_reuse());
  for (size_t size : {size_t{1} << 20, size_t{4} << 20, size_t{16} << 20}) {
    void* block = std::malloc(size);
    ASSERT_NE(block, nullptr);
    std::memset(block, 1, size);
    EXPECT_EQ(mapped_blocks(), before) << size << " bytes were mapped on their own";
    std::free(block);
  }
}

TEST(MemoryTuningTest, StillMapsBlocksLargerThanTheThresholdOnTheirOwn) {
  SKIP_WITHOUT_GLIBC_MALLOC();
  ASSERT_TRUE(keep_freed_memory_for_reuse());
  size_t before = mapped_blocks();
  void* block = std::malloc(size_t{64} << 20);
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(mapped_blocks(), before + 1);
  std::free(block);
  EXPECT_EQ(mapped_blocks(), before);
}

}  // namespace
}  // namespace logship
