// RawMembers must slice exactly the keys and values simdjson On-Demand finds, on valid objects.
#include "parser/json/raw_members.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "tests/fuzz/raw_members_reference.h"

namespace logship {
namespace {

TEST(RawMembersTest, SlicesKeysAndValuesAsOnDemandDoes) {
  const char* documents[] = {
      R"({})",
      R"(  { }  )",
      R"({"a":1})",
      R"({"a" : 1 , "b":"x" ,"c" :true,"d":false,"e":null , "f":-1.5e+3 })",
      R"({"s":"with \"quotes\" and \\ backslashes \\","t":"\\"})",
      R"({"k\"ey":1,"k\\":2,"\u00e9t\u00e9":"\ud83d\ude00"})",
      R"({"nested":{"a":[1,{"b":"]}"},"[{"]},"c":{}},"arr":[[],[[]],{"x":"}"}],"z":0})",
      "{\n\t\"a\"\r\n:\n[ 1 ,\t2 ]\n,\"b\"\t:\t\"\"\n}\n",
      R"({"long":"0123456789abcdef0123456789abcdef\"0123456789","after":"x"})",
      R"({"dup":1,"dup":{"a":2},"dup":"3"})",
      R"({"ünïcödé":"välüé","emoji":"😀😀"})",
  };
  for (const char* d : documents) EXPECT_EQ(testing::raw_members_difference(d), "") << d;
}

// Quotes and backslashes at every position of the 8-byte words strings are read in.
TEST(RawMembersTest, FindsTheClosingQuoteWhereverItFallsInAWord) {
  for (size_t before = 0; before < 20; ++before) {
    for (const char* escape : {"", "\\\"", "\\\\", "\\u0041", "\\n"}) {
      std::string s = std::string(before, 'a') + escape;
      std::string doc = "{\"" + s + "\":\"" + s + "\",\"n\":{\"" + s + "\":[\"" + s + "\"]}}";
      EXPECT_EQ(testing::raw_members_difference(doc), "") << doc;
    }
  }
}

TEST(RawMembersTest, AgreesWithOnDemandOnRandomObjects) {
  std::mt19937 rng(26112026);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const char* strings[] = {"\"\"", "\"a\"", "\"\\\"\"", "\"\\\\\"", "\"x\\\\\\\"y\"", "\"]}{[,:\"", "\"0123456789\\\"abc\""};
  const char* spaces[] = {"", " ", "\n", "\t ", "\r\n"};
  std::function<std::string(int)> value = [&](int depth) -> std::string {
    size_t kind = depth > 3 ? pick(4) : pick(6);
    std::string ws = spaces[pick(5)];
    switch (kind) {
      case 0: return strings[pick(7)];
      case 1: return std::to_string(static_cast<int>(pick(2000)) - 1000) + (pick(2) ? ".25" : "");
      case 2: return pick(2) ? "true" : "null";
      case 3: return "false";
      case 4: {
        std::string a = "[" + ws;
        for (size_t i = 0, n = pick(4); i < n; ++i) a += (i ? "," + ws : "") + value(depth + 1) + ws;
        return a + "]";
      }
      default: {
        std::string o = "{" + ws;
        for (size_t i = 0, n = pick(4); i < n; ++i) o += (i ? "," : "") + ws + strings[pick(7)] + ws + ":" + ws + value(depth + 1) + ws;
        return o + "}";
      }
    }
  };
  int compared = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string doc = "{";
    for (size_t m = 0, n = pick(6); m < n; ++m) doc += (m ? "," : "") + std::string(spaces[pick(5)]) + strings[pick(7)] + ":" + value(0);
    doc += "}";
    ASSERT_EQ(testing::raw_members_difference(doc), "") << doc;
    simdjson::dom::parser valid;
    compared += valid.parse(doc).error() == simdjson::SUCCESS;
  }
  EXPECT_EQ(compared, 3000) << "every generated object is valid JSON, so every one was compared";
}

}  // namespace
}  // namespace logship
