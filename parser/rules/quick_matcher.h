// A small backtracking matcher for the shape most log patterns have: ^…$ around literals,
// character classes with repeats, optional groups, alternation and captures. On a line of
// ASCII bytes it gives exactly RE2's answer (leftmost-first, the same captures), several
// times faster: RE2's fast capture engine (one-pass) stops at 5 groups, and an access-log
// rule has a dozen, so RE2 falls back to its general engines there.
//
// Correctness rests on RE2 staying the reference:
//  - a pattern using anything outside that shape (flags, \b, repeated groups, backreferences,
//    non-ASCII literals, …) is not compiled at all: the rule keeps using RE2;
//  - a line holding a byte >= 0x80 (RE2 reads UTF-8 there), or one that would need more
//    backtracking steps than a small multiple of its length, gets kUnsure: ask RE2;
//  - tests/fuzz/fuzz_quick_matcher.cc compares the two on random patterns and lines.
#pragma once

#include <re2/stringpiece.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace logship {

class QuickMatcher {
 public:
  enum class Outcome { kMatch, kNoMatch, kUnsure };

  // The matcher for `pattern` (an RE2 pattern written ^…$), or null when the pattern uses
  // something the matcher does not handle. `captures` is RE2's NumberOfCapturingGroups();
  // a different count means the two disagree on the pattern, so null too.
  static std::unique_ptr<QuickMatcher> compile(std::string_view pattern, int captures);

  // Like RE2::Match(line, 0, size, ANCHOR_BOTH, groups, ngroups): on kMatch, groups[0] is
  // the line and groups[i] capture i (null data when the group took no part).
  Outcome match(std::string_view line, re2::StringPiece* groups, int ngroups) const;

 private:
  friend class QuickPatternCompiler;
  struct Inst {
    enum Op : uint8_t { kLiteral, kClass, kSplit, kJump, kSave, kJoin, kEnd };
    Op op = kEnd;
    bool greedy = true;
    // A class repeat whose longest run is the only one that can lead to a match, because
    // nothing that may follow it can start with a byte of the class: no backtracking into it.
    bool possessive = false;
    // Otherwise the bytes what follows can start with (and whether it can be the end): a
    // shorter run is only worth trying where it leaves one of those next.
    bool follow_end = false;
    std::array<bool, 256> follow{};
    int stop = -1;  // a class of every ASCII byte but one: that byte, so memchr finds the end
    uint32_t min = 0, max = 0;  // kClass repeat bounds; kUnbounded for no upper bound
    int x = 0, y = 0;           // kSplit: try x, then y; kJump: x; kSave: slot x; kJoin: memo x
    std::string literal;
    std::array<bool, 256> in{};  // kClass members (bytes >= 0x80 never reach the matcher)
  };
  static constexpr uint32_t kUnbounded = UINT32_MAX;
  struct Run;
  bool run(int pc, const char* p, Run& r) const;

  std::vector<Inst> program_;
  int captures_ = 0;
  int joins_ = 0;
  // The byte every match holds most often (the quotes of an access log) and how many times:
  // a line with fewer cannot match, which is counted before any matching.
  char required_byte_ = 0;
  uint32_t required_count_ = 0;
};

}  // namespace logship
