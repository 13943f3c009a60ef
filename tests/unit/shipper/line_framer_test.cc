#include "shipper/sources/file/line_framer.h"

#include <gtest/gtest.h>

#include <vector>

namespace logship {
namespace {

struct Line {
  std::string text;
  uint64_t offset;
  uint64_t end;
  uint32_t flags;
  bool operator==(const Line&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Line& l) {
  return os << "{'" << l.text << "', " << l.offset << ", " << l.end << ", " << l.flags << "}";
}

struct Collector {
  std::vector<Line> lines;
  void operator()(std::string_view t, uint64_t o, uint64_t e, uint32_t f) { lines.push_back({std::string(t), o, e, f}); }
};

TEST(LineFramerTest, SplitsLinesAndStripsCarriageReturns) {
  LineFramer f(100, 0);
  Collector c;
  f.feed("a\r\nbb\n\nccc\n", std::ref(c));
  EXPECT_EQ(c.lines, (std::vector<Line>{{"a", 0, 3, 0}, {"bb", 3, 6, 0}, {"", 6, 7, 0}, {"ccc", 7, 11, 0}}));
  EXPECT_EQ(f.position(), 11u);
  EXPECT_FALSE(f.holds_partial());
}

TEST(LineFramerTest, HoldsALineWithoutNewlineUntilItIsCompleted) {
  LineFramer f(100, 10);
  Collector c;
  f.feed("hel", std::ref(c));
  EXPECT_TRUE(c.lines.empty());
  EXPECT_TRUE(f.holds_partial());
  f.feed("lo\r", std::ref(c));
  f.feed("\nnext", std::ref(c));
  EXPECT_EQ(c.lines, (std::vector<Line>{{"hello", 10, 17, 0}}));
  f.flush_partial(std::ref(c));
  EXPECT_EQ(c.lines.back(), (Line{"next", 17, 21, kFlagPartial}));
}

TEST(LineFramerTest, TruncatesOversizeLinesAndSkipsToTheNextLine) {
  LineFramer f(4, 0);
  Collector c;
  f.feed("abcdefgh\nxy\n", std::ref(c));
  EXPECT_EQ(c.lines, (std::vector<Line>{{"abcd", 0, 9, kFlagTruncated}, {"xy", 9, 12, 0}}));
}

TEST(LineFramerTest, TruncatesOversizeLinesSpreadOverManyReadsWithBoundedMemory) {
  LineFramer f(5, 0);
  Collector c;
  f.feed("abc", std::ref(c));
  f.feed("defg", std::ref(c));
  f.feed("hijkl", std::ref(c));  // still the same line
  f.feed("m\nok\n", std::ref(c));
  EXPECT_EQ(c.lines, (std::vector<Line>{{"abcde", 0, 14, kFlagTruncated}, {"ok", 14, 17, 0}}));
}

TEST(LineFramerTest, ALineOfExactlyTheLimitIsNotTruncated) {
  LineFramer f(4, 0);
  Collector c;
  f.feed("ab", std::ref(c));
  f.feed("cd\n", std::ref(c));
  EXPECT_EQ(c.lines, (std::vector<Line>{{"abcd", 0, 5, 0}}));
}

TEST(LineFramerTest, ResetStartsOverAtTheGivenOffset) {
  LineFramer f(100, 0);
  Collector c;
  f.feed("abc", std::ref(c));
  f.reset(0);
  f.feed("x\n", std::ref(c));
  EXPECT_EQ(c.lines, (std::vector<Line>{{"x", 0, 2, 0}}));
}

}  // namespace
}  // namespace logship
