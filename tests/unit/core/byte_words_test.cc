#include "core/byte_words.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

using namespace byte_words;

// Every byte value at every position, next to every kind of neighbour: the flags must be
// exact per byte (they are counted, not only searched).
TEST(ByteWordsTest, FlagsExactlyTheBytesEqualToOrBelowAValue) {
  for (int neighbour : {0x00, 0x01, 0x1f, 0x20, 0x22, 0x7f, 0x80, 0xff}) {
    for (int value = 0; value < 256; ++value) {
      for (unsigned at = 0; at < 8; ++at) {
        unsigned char bytes[8];
        for (auto& b : bytes) b = static_cast<unsigned char>(neighbour);
        bytes[at] = static_cast<unsigned char>(value);
        uint64_t w = load(bytes);
        for (unsigned char c : {static_cast<unsigned char>(0x22), static_cast<unsigned char>(value)}) {
          uint64_t expected = 0;
          for (unsigned i = 0; i < 8; ++i)
            if (bytes[i] == c) expected |= 0x80ull << (8 * i);
          ASSERT_EQ(bytes_equal(w, c), expected) << value << " at " << at << " next to " << neighbour;
          ASSERT_EQ(count(expected), static_cast<unsigned>(__builtin_popcountll(expected)));
        }
        for (unsigned char bound : {static_cast<unsigned char>(0x01), static_cast<unsigned char>(0x20), static_cast<unsigned char>(0x80)}) {
          uint64_t expected = 0;
          for (unsigned i = 0; i < 8; ++i)
            if (bytes[i] < bound) expected |= 0x80ull << (8 * i);
          ASSERT_EQ(bytes_below(w, bound), expected) << value << " at " << at << " below " << int(bound);
          if (expected != 0) {
            ASSERT_EQ(first(expected), static_cast<unsigned>(__builtin_ctzll(expected) / 8));
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace logship
