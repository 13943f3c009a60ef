// The quick matcher must answer exactly as RE2 does, or not answer (kUnsure / no matcher).
#include "parser/rules/quick_matcher.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>

#include "parser/rules/builtin_rules.h"
#include "parser/rules/rules_transform.h"

namespace logship {
namespace {

using Outcome = QuickMatcher::Outcome;

std::unique_ptr<QuickMatcher> compile(const std::string& pattern) {
  RE2 re(pattern, RE2::Quiet);
  if (!re.ok()) return nullptr;
  return QuickMatcher::compile(pattern, re.NumberOfCapturingGroups());
}

// RE2 and the quick matcher for one pattern, compared line by line.
class Both {
 public:
  explicit Both(const std::string& pattern)
      : pattern_(pattern), re_(pattern, RE2::Quiet), quick_(QuickMatcher::compile(pattern, re_.NumberOfCapturingGroups())) {}
  bool compiled() const { return quick_ != nullptr; }

  // False (and why) on any difference; `answered` counts the lines the quick matcher decided.
  ::testing::AssertionResult agree_on(std::string_view line, int& answered) const {
    if (!quick_) return ::testing::AssertionFailure() << "no quick matcher for " << pattern_;
    int n = re_.NumberOfCapturingGroups() + 1;
    std::vector<re2::StringPiece> ours(static_cast<size_t>(n)), theirs(static_cast<size_t>(n));
    Outcome outcome = quick_->match(line, ours.data(), n);
    if (outcome == Outcome::kUnsure) return ::testing::AssertionSuccess();
    ++answered;
    bool matched = re_.Match(line, 0, line.size(), RE2::ANCHOR_BOTH, theirs.data(), n);
    if (matched != (outcome == Outcome::kMatch))
      return ::testing::AssertionFailure() << pattern_ << " on '" << line << "': RE2 says " << (matched ? "match" : "no match");
    for (int g = 0; matched && g < n; ++g) {
      if (ours[g].data() != theirs[g].data() || ours[g].size() != theirs[g].size())
        return ::testing::AssertionFailure() << pattern_ << " on '" << line << "': group " << g << " is '"
                                             << std::string(ours[g].data() ? ours[g].data() : "", ours[g].size()) << "', RE2 has '"
                                             << std::string(theirs[g].data() ? theirs[g].data() : "", theirs[g].size()) << "'";
    }
    return ::testing::AssertionSuccess();
  }

 private:
  std::string pattern_;
  RE2 re_;
  std::unique_ptr<QuickMatcher> quick_;
};

TEST(QuickMatcherTest, AccessLogRulesCompile) {
  ConfigErrors errors;
  auto set = load_rule_set({"nginx", "apache"}, errors);
  ASSERT_TRUE(set);
  for (const Rule& r : set->rules()) EXPECT_TRUE(r.quick) << r.name;
}

TEST(QuickMatcherTest, AgreesWithRe2OnEveryBuiltinRuleTestLineAndItsVariants) {
  int answered = 0;
  for (const auto& [name, yaml] : builtin_rule_files()) {
    ConfigErrors errors;
    auto set = load_rule_set({std::string(name)}, errors);
    ASSERT_TRUE(set) << name;
    for (const Rule& r : set->rules()) {
      if (!r.quick) continue;
      Both both(r.pattern);
      for (const RuleTest& t : set->tests()) {
        const std::string& line = t.input;
        EXPECT_TRUE(both.agree_on(line, answered));
        for (size_t cut = 0; cut < line.size(); ++cut) {
          EXPECT_TRUE(both.agree_on(line.substr(0, cut), answered));
          for (char c : {' ', '"', '-', ']', 'x', '\n'}) {
            std::string changed = line;
            changed[cut] = c;
            EXPECT_TRUE(both.agree_on(changed, answered));
          }
        }
      }
    }
  }
  EXPECT_GT(answered, 10000);
}

// Random patterns from the subset over a tiny alphabet, so that lines often almost match and
// alternation order, greedy and lazy repeats, optional groups and backtracking all matter.
class RandomPattern {
 public:
  explicit RandomPattern(uint32_t seed) : rng_(seed) {}
  std::string pattern() { return "^" + concat(0) + "$"; }
  std::string line() {
    static const char kBytes[] = {'a', 'b', '-', ' ', '1', '\n'};
    std::string s(pick(12), ' ');
    for (char& c : s) c = kBytes[pick(6)];
    return s;
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  std::string concat(int depth) {
    std::string s;
    for (size_t i = 0, n = 1 + pick(4); i < n; ++i) s += item(depth);
    return s;
  }
  std::string item(int depth) {
    static const char* kAtoms[] = {"a", "b", "-", " ", "\\d", "\\S", "\\s", "\\w", "[ab]", "[^a]", "[^ ]", "[a-]", ".", "\\n", "[^\\n-]"};
    static const char* kRepeats[] = {"", "", "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?", "+?", "??", "{1,3}?"};
    size_t kind = depth < 3 ? pick(4) : 0;
    if (kind <= 1) return std::string(kAtoms[pick(std::size(kAtoms))]) + kRepeats[pick(std::size(kRepeats))];
    std::string open = pick(2) ? "(" : "(?:";
    std::string body = concat(depth + 1);
    for (size_t alt = pick(3); alt > 0; --alt) body += "|" + concat(depth + 1);
    static const char* kGroupRepeats[] = {"", "?", "??"};
    return open + body + ")" + kGroupRepeats[pick(3)];
  }
  std::mt19937 rng_;
};

TEST(QuickMatcherTest, AgreesWithRe2OnRandomPatternsAndLines) {
  RandomPattern gen(20261126);
  int answered = 0, compiled = 0;
  for (int p = 0; p < 1500; ++p) {
    Both both(gen.pattern());
    if (!both.compiled()) continue;
    ++compiled;
    for (int l = 0; l < 40; ++l) ASSERT_TRUE(both.agree_on(gen.line(), answered));
  }
  EXPECT_EQ(compiled, 1500) << "every generated pattern is in the subset";
  EXPECT_GT(answered, 50000);
}

TEST(QuickMatcherTest, CapturesThatTookNoPartAreNullAndEmptyOnesAreNot) {
  auto m = compile("^(?:(?P<a>\\w+)-(?P<b>\\w+)|(?P<c>.*))(?P<d>x?)$");
  ASSERT_TRUE(m);
  re2::StringPiece g[5];
  ASSERT_EQ(m->match("abc", g, 5), Outcome::kMatch);
  EXPECT_EQ(g[1].data(), nullptr);  // the first branch was tried, then given up
  EXPECT_EQ(g[2].data(), nullptr);
  EXPECT_EQ(std::string_view(g[3].data(), g[3].size()), "abc");
  EXPECT_NE(g[4].data(), nullptr);
  EXPECT_EQ(g[4].size(), 0u);
}

TEST(QuickMatcherTest, PatternsOutsideTheSubsetStayWithRe2) {
  for (const char* p : {"(?i)^abc$", "^(?i)abc$", "^a\\bb$", "^(ab)+$", "^(ab)*$", "^a|b$", "^caf\xc3\xa9$", "abc$", "^abc",
                        "^[[:alpha:]]+$", "^\\pL+$", "^(a)\\1$", "^a\\$", "^\\x{e9}$", "^a{,2}$", "^[]a]$", "^\\Qa.b\\E$",
                        "^a{04}$", "^a{1,02}$"}) {
    EXPECT_FALSE(compile(p)) << p;
  }
  EXPECT_FALSE(QuickMatcher::compile("^(a)(b)$", 1)) << "RE2 counting other captures";
}

// RE2 reads a count with a leading zero as literal text: \d{04} matches "1{04}", not "1234".
TEST(QuickMatcherTest, RepetitionCountsWithLeadingZerosAreLiteralTextAsInRe2) {
  int answered = 0;
  for (const char* p : {"^\\d{04}$", "^a{00}$", "^a{0,04}$", "^a{0}$", "^a{10}$", "^a{0,10}$"}) {
    RE2 re(p);
    ASSERT_TRUE(re.ok()) << p;
    Both both(p);
    if (!both.compiled()) continue;
    for (const char* line : {"1234", "1{04}", "", "a", "aaaaaaaaaa", "a{00}", "a{0,04}"}) EXPECT_TRUE(both.agree_on(line, answered));
  }
  EXPECT_TRUE(compile("^a{10}$")) << "counts without a leading zero stay in the subset";
  EXPECT_TRUE(compile("^a{0}$"));
}

TEST(QuickMatcherTest, NonAsciiLinesAndRunawayBacktrackingAreLeftToRe2) {
  auto utf8 = compile("^(\\S+) (.*)$");
  ASSERT_TRUE(utf8);
  re2::StringPiece g[3];
  EXPECT_EQ(utf8->match("caf\xc3\xa9 au lait", g, 3), Outcome::kUnsure);
  EXPECT_EQ(utf8->match("cafe au lait", g, 3), Outcome::kMatch);

  auto runaway = compile("^(\\S*)(\\S*)(\\S*)(\\S*)x$");
  ASSERT_TRUE(runaway);
  std::string line = std::string(150, 'a') + "x" + std::string(150, 'a');
  re2::StringPiece r[5];
  EXPECT_EQ(runaway->match(line, r, 5), Outcome::kUnsure);
}

TEST(QuickMatcherTest, RuleSetGivesRe2sAnswerForLinesTheQuickMatcherLeaves) {
  ConfigErrors errors;
  auto set = load_rule_set({"nginx"}, errors);
  ASSERT_TRUE(set);
  // A UTF-8 user agent: the quick matcher declines, RE2 reads it, the event is the same shape.
  std::string line = "10.0.0.1 - - [26/Nov/2026:09:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"Caf\xc3\xa9" "Bot/1.0\"";
  int rule = set->match(line);
  ASSERT_GE(rule, 0);
  EXPECT_EQ(set->rules()[static_cast<size_t>(rule)].name, "nginx_access");
  EXPECT_EQ(set->match("not an access log line"), -1);
}

}  // namespace
}  // namespace logship
