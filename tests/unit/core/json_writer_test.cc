#include "core/json_writer.h"

#include <gtest/gtest.h>

#include "core/prometheus_text.h"

namespace logship {
namespace {

std::string quoted(std::string_view in, bool* valid = nullptr) {
  std::string out;
  bool ok = append_json_string(out, in);
  if (valid) *valid = ok;
  return out;
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(quoted("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(quoted("tab\there\nnl\r"), R"("tab\there\nnl\r")");
  EXPECT_EQ(quoted(std::string_view("\x01\x1f", 2)), R"("\u0001\u001f")");
}

TEST(JsonWriterTest, KeepsValidMultibyteUtf8AsIs) {
  bool valid = false;
  EXPECT_EQ(quoted("café ✓ 𝄞", &valid), "\"café ✓ 𝄞\"");
  EXPECT_TRUE(valid);
}

TEST(JsonWriterTest, ReplacesInvalidUtf8WithReplacementCharacterAndReportsIt) {
  bool valid = true;
  EXPECT_EQ(quoted("a\xff" "b\xc3", &valid), "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\"");
  EXPECT_FALSE(valid);
  // Overlong encodings and surrogates are invalid too.
  EXPECT_EQ(quoted("\xc0\xaf"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(quoted("\xed\xa0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonWriterTest, EscapesControlCharactersInsideRepairedText) {
  EXPECT_EQ(quoted("\xff\"\n"), "\"\xEF\xBF\xBD\\\"\\n\"");
}

TEST(JsonWriterTest, EscapesTheSameBeforeAndAfterTheFirstNonAsciiCharacter) {
  bool valid = false;
  EXPECT_EQ(quoted("a\"\t caf\xc3\xa9 \"\\ \x01", &valid), "\"a\\\"\\t caf\xc3\xa9 \\\"\\\\ \\u0001\"");
  EXPECT_TRUE(valid);
  EXPECT_EQ(quoted("ok\n\xff\n", &valid), "\"ok\\n\xEF\xBF\xBD\\n\"");
  EXPECT_FALSE(valid);
}

// Clean blocks (16 bytes, 8 without SSE2) are copied at once, the rest of a string byte by byte:
// every byte that needs care must still be found, in a first or later block or in the tail,
// whatever the bytes around it.
TEST(JsonWriterTest, FindsEveryByteThatNeedsEscapingAtAnyPositionOfABlock) {
  for (int special : std::initializer_list<int>{0x00, 0x01, 0x1f, '"', '\\', 0x7f, 0xc3}) {
    for (char around : {'a', ' ', '!', '~', '#', ']'}) {
      for (size_t length = 1; length <= 40; ++length) {
        for (size_t at = 0; at < length; ++at) {
          std::string text(length, around);
          text[at] = static_cast<char>(special);
          if (special == 0xc3) text.insert(at + 1, "\xa9");  // a whole é
          std::string expected = "\"";
          for (size_t i = 0; i < text.size(); ++i) {
            unsigned char c = static_cast<unsigned char>(text[i]);
            if (c == '"') expected += "\\\"";
            else if (c == '\\') expected += "\\\\";
            else if (c == 0x1f) expected += "\\u001f";
            else if (c == 0x01) expected += "\\u0001";
            else if (c == 0x00) expected += "\\u0000";
            else expected += static_cast<char>(c);
          }
          expected += "\"";
          ASSERT_EQ(logship::quoted(text), expected) << "byte " << special << " at " << at << " of " << length;
        }
      }
    }
  }
}

// Two bytes to escape in the same block or in neighbouring ones: the second must not hide
// behind the first.
TEST(JsonWriterTest, FindsEveryPairOfBytesThatNeedEscapingInABlock) {
  const int kSpecial[] = {0x00, 0x01, 0x1f, '"', '\\'};
  auto escaped = [](unsigned char c) -> std::string {
    if (c == '"') return "\\\"";
    if (c == '\\') return "\\\\";
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\u%04x", c);
    return buf;
  };
  for (int a : kSpecial) {
    for (int b : kSpecial) {
      for (size_t i = 0; i < 34; ++i) {
        for (size_t j = i + 1; j < 34; ++j) {
          std::string text(34, 'z');
          text[i] = static_cast<char>(a);
          text[j] = static_cast<char>(b);
          std::string expected = "\"";
          for (char c : text) expected += c == 'z' ? std::string("z") : escaped(static_cast<unsigned char>(c));
          expected += "\"";
          ASSERT_EQ(logship::quoted(text), expected) << a << "@" << i << " " << b << "@" << j;
        }
      }
    }
  }
}

// The string grows by 2 bytes per input byte before escaping; a \u00XX escape takes 6, so a run
// of control characters must make room as it goes, and what the string held stays as it was.
TEST(JsonWriterTest, KeepsWhatTheStringHeldAndMakesRoomForLongEscapes) {
  std::string out = "{\"message\":";
  std::string text(100, '\x01');
  text += "end";
  append_json_string(out, text);
  std::string expected = "{\"message\":\"";
  for (int i = 0; i < 100; ++i) expected += "\\u0001";
  EXPECT_EQ(out, expected + "end\"");
}

TEST(JsonWriterTest, AppendsUnsignedIntegers) {
  std::string out;
  append_uint(out, 0);
  out += ",";
  append_uint(out, 18446744073709551615ull);
  EXPECT_EQ(out, "0,18446744073709551615");
}

// Found by the hostile review: a log file named with bytes that are not UTF-8 put them raw
// into /metrics' path label, and Prometheus refuses the whole scrape for one such label.
TEST(PrometheusLabelTest, BytesThatAreNotUtf8BecomeReplacementCharactersAndTheRestIsEscaped) {
  std::string out;
  append_label_value(out, "/var/log/d\xff\xfe.log \"q\" caf\xc3\xa9\n");
  EXPECT_EQ(out, "/var/log/d\xef\xbf\xbd\xef\xbf\xbd.log \\\"q\\\" caf\xc3\xa9\\n");
  std::string plain;
  EXPECT_TRUE(append_valid_utf8(plain, "ok \xc3\xa9"));
  EXPECT_EQ(plain, "ok \xc3\xa9");
}

}  // namespace
}  // namespace logship
