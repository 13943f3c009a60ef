// StructuralWalk says yes only for objects simdjson's DOM parser accepts, and slices their
// members as RawMembers does; what it is unsure of goes to the DOM parser.
#include "parser/json/structural_walk.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/fuzz/structural_walk_reference.h"
#include "tests/support/random_json.h"

namespace logship {
namespace {

bool accepted(std::string_view json, size_t max_depth = 64) {
  bool yes = false;
  std::string difference = testing::structural_walk_difference(json, max_depth, yes);
  EXPECT_EQ(difference, "") << json;
  return yes;
}

TEST(StructuralWalkTest, AcceptsValidObjectsAndSlicesTheirMembers) {
  const char* documents[] = {
      R"({})",
      "  { }  \n",
      R"({"a":1})",
      R"({"a" : 1 , "b":"x" ,"c" :true,"d":false,"e":null , "f":-1.5, "g":-0, "h":0.001 })",
      R"({"s":"with \"quotes\" and \\ backslashes \\","t":"\\","u":"\u00e9\ud83d\ude00\n\t\/"})",
      R"({"nested":{"a":[1,{"b":"]}"},"[{"],"c":{}},"arr":[[],[[]],{"x":"}"}],"z":0})",
      "{\n\t\"a\"\r\n:\n[ 1 ,\t2 ]\n,\"b\"\t:\t\"\"\n}\n",
      R"({"long":"0123456789abcdef0123456789abcdef\"0123456789","after":"x"})",
      R"({"dup":1,"dup":{"a":2},"dup":"3"})",
      R"({"ünïcödé":"välüé","emoji":"😀😀"})",
      R"({"n":123456789012345678,"m":-12345678.123456789})",
  };
  for (const char* d : documents) EXPECT_TRUE(accepted(d)) << d;
}

TEST(StructuralWalkTest, LeavesInvalidJsonToTheDomParser) {
  const char* documents[] = {
      "", "   ", "[]", "1", "\"s\"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,\"a\":1}", "{\"a\":1}{}",
      "{\"a\":1} x", "{\"a\" 1}", "{\"a\"::1}", "{\"a\":1 2}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":nul}",
      "{\"a\":True}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":1\"b\"}",
      "{\"a\":\"x\"\"y\"}", "{\"a\":\"x\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\ud800\"}", "{\"a\":[1,]}",
      "{\"a\":[1 2]}", "{\"a\":[}", "{\"a\":{]}", "{\"a\":\"unclosed}", "{\"a\":\"tab\there\"}", "{1:2}",
      "{\"a\":1,\"b\"}", "{\"a\":\xff}", "{\"a\":\"\xc3\"}", "{'a':1}",
  };
  for (const char* d : documents) EXPECT_FALSE(accepted(d)) << d;
}

TEST(StructuralWalkTest, LeavesWhatTheDomParserMustDecideToIt) {
  // Valid JSON, but an escaped key (matched unescaped by the transform), numbers simdjson may
  // refuse or convert inexactly, or nesting past the limit.
  const char* documents[] = {
      R"({"k\"ey":1})", R"({"a":{"\u0074s":1}})", R"({"a":1e3})", R"({"a":1E-2})", R"({"a":1234567890123456789})",
      R"({"a":0.1234567890123456789})", R"({"a":1e400})",
  };
  for (const char* d : documents) EXPECT_FALSE(accepted(d)) << d;
  EXPECT_TRUE(accepted(R"({"a":{"b":[1]}})", 4));  // three levels: the DOM parser needs max_depth above that
  EXPECT_FALSE(accepted(R"({"a":{"b":[1]}})", 3));
  std::string deep = "{\"a\":";
  for (size_t i = 0; i < StructuralWalk::kMaxDepth; ++i) deep += "[";
  deep += std::string(StructuralWalk::kMaxDepth, ']') + "}";
  EXPECT_FALSE(accepted(deep, 1000));
}

TEST(StructuralWalkTest, AcceptsEveryRandomObjectWithoutEscapedKeys) {
  // The last key holds an escape: objects using it anywhere are left to the DOM parser.
  testing::RandomJson random(26112026, {"\"\"", "\"a\"", "\"]}{[,:\"", "\"0123456789abcdef0\"", "\"k\\\"\""},
                             {"\"\"", "\"a\"", "\"\\\"\"", "\"\\\\\"", "\"x\\\\\\\"y\"", "\"]}{[,:\"", "\"0123456789\\\"abc\"", "\"\\u00e9\\t\""});
  int yes = 0, no = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<size_t> keys;
    std::string doc = random.object(&keys);
    bool escaped_key = std::find(keys.begin(), keys.end(), 4u) != keys.end();
    ASSERT_EQ(accepted(doc), !escaped_key) << doc;
    (escaped_key ? no : yes)++;
  }
  EXPECT_GT(yes, 1000);
  EXPECT_GT(no, 300);
}

// Cut anywhere, a valid line must never be accepted (only the whole object is valid).
TEST(StructuralWalkTest, RefusesEveryTruncationOfAValidLine) {
  std::string line = R"({"ts":"2026-11-26T10:00:00.123Z","level":"INFO","msg":"a \"quoted\" word","req":{"id":"x1","ms":12.5,"tags":["a","b"]},"ok":true,"n":null})";
  ASSERT_TRUE(accepted(line));
  for (size_t cut = 0; cut < line.size(); ++cut) EXPECT_FALSE(accepted(line.substr(0, cut))) << cut;
}

}  // namespace
}  // namespace logship
