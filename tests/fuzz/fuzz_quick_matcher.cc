// libFuzzer target, differential: the quick matcher must give RE2's answer (match or not,
// and every capture, to the byte) whenever it answers at all. Input: a pattern body, a
// newline, then the line; the pattern is matched as ^body$ (the shape rules are written in).
#include <re2/re2.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "parser/rules/quick_matcher.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  if (newline == std::string_view::npos || newline > 512) return 0;
  std::string pattern = "^" + std::string(input.substr(0, newline)) + "$";
  std::string_view line = input.substr(newline + 1);
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) return 0;
  auto quick = logship::QuickMatcher::compile(pattern, re.NumberOfCapturingGroups());
  if (!quick) return 0;
  int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> ours(static_cast<size_t>(n)), theirs(static_cast<size_t>(n));
  auto outcome = quick->match(line, ours.data(), n);
  if (outcome == logship::QuickMatcher::Outcome::kUnsure) return 0;
  bool matched = re.Match(line, 0, line.size(), RE2::ANCHOR_BOTH, theirs.data(), n);
  if (matched != (outcome == logship::QuickMatcher::Outcome::kMatch)) std::abort();
  for (int g = 0; matched && g < n; ++g) {
    if (ours[g].data() != theirs[g].data() || ours[g].size() != theirs[g].size()) std::abort();
  }
  return 0;
}
