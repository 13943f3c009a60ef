#include "core/event_id.h"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdio>
#include <random>

namespace logship {
namespace {

// An id must never change between versions: a line read again after an upgrade has to get the
// id it was shipped with before, or the index stores it twice.
TEST(EventIdTest, IsTheSameAsInEveryEarlierVersion) {
  std::string id;
  append_event_id(id, origin_id_seed("app", 2049, 131074), 1234, R"({"level":"info","message":"hello"})");
  EXPECT_EQ(id, "a9f7a9775979cd070b9d42cb4f42bb7a");
}

// The 128-bit XXH3 of the bytes, seeded with the origin and the offset, high word first, as
// lower-case hex; for lines of every length and any bytes.
TEST(EventIdTest, IsTheXxh3OfTheLineInLowerCaseHex) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string line(rng() % 300, '\0');
    for (char& c : line) c = static_cast<char>(rng());
    uint64_t seed = rng(), offset = rng() % (1ull << 40);
    XXH128_hash_t h = XXH3_128bits_withSeed(line.data(), line.size(), seed ^ (offset * 0x9E3779B97F4A7C15ull));
    char expected[33];
    std::snprintf(expected, sizeof(expected), "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    std::string id = "prefix:";
    append_event_id(id, seed, offset, line);
    ASSERT_EQ(id, std::string("prefix:") + expected) << i;
  }
}

}  // namespace
}  // namespace logship
