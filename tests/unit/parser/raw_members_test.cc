// RawMembers must slice exactly the keys and values simdjson On-Demand finds, on valid objects.
#include "parser/json/raw_members.h"

#include <gtest/gtest.h>


#include "tests/fuzz/raw_members_reference.h"
#include "tests/support/random_json.h"

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
  std::vector<std::string> strings = {"\"\"", "\"a\"", "\"\\\"\"", "\"\\\\\"", "\"x\\\\\\\"y\"", "\"]}{[,:\"", "\"0123456789\\\"abc\""};
  testing::RandomJson random(26112026, strings, strings);
  int compared = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string doc = random.object();
    ASSERT_EQ(testing::raw_members_difference(doc), "") << doc;
    simdjson::dom::parser valid;
    compared += valid.parse(doc).error() == simdjson::SUCCESS;
  }
  EXPECT_EQ(compared, 3000) << "every generated object is valid JSON, so every one was compared";
}

}  // namespace
}  // namespace logship
