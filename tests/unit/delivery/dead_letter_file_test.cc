#include "delivery/dead_letter_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::mode_of;

TEST(DeadLetterFileTest, FileIs0600InFoldersOf0700EvenUnderUmaskZero) {
  testing::TempDir dir;
  DeadLetterFile file(dir / "data/dead-letter/search.ndjson");
  Status s = [&] {
    testing::UmaskZero umask0;
    return file.append({});
  }();
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(mode_of(dir / "data"), 0700u);
  EXPECT_EQ(mode_of(dir / "data/dead-letter"), 0700u);
  EXPECT_EQ(mode_of(dir / "data/dead-letter/search.ndjson"), 0600u);
}

TEST(DeadLetterFileTest, ExistingWiderFileIsNarrowedTo0600) {
  testing::TempDir dir;
  ASSERT_EQ(::mkdir((dir / "dl").c_str(), 0700), 0);
  testing::write_file(dir / "dl/s.ndjson", "");
  ::chmod((dir / "dl/s.ndjson").c_str(), 0644);
  DeadLetterFile file(dir / "dl/s.ndjson");
  ASSERT_TRUE(file.append({}));
  EXPECT_EQ(mode_of(dir / "dl/s.ndjson"), 0600u);
}

}  // namespace
}  // namespace logship
