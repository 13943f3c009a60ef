#include "parser/multiline/multiline_joiner.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/batch.h"

namespace logship {
namespace {

struct Joined {
  std::string text;
  uint64_t offset;
  uint64_t end;
  uint32_t flags;
};

// Feeds `text` line by line (offsets as in a file) and flushes at the end.
std::vector<Joined> join(const MultilineConfig& config, const std::string& text) {
  MultilineJoiner joiner(config);
  std::vector<Joined> out;
  auto emit = [&](const JoinedEvent& e) { out.push_back({std::string(e.text), e.offset, e.end_offset, e.flags}); };
  std::istringstream in(text);
  std::string line;
  uint64_t offset = 0;
  while (std::getline(in, line)) {
    joiner.push(line, offset, offset + line.size() + 1, 0, emit);
    offset += line.size() + 1;
  }
  joiner.flush(emit);
  return out;
}

MultilineConfig preset(const std::string& name) {
  MultilineConfig c;
  c.preset = name;
  return c;
}

TEST(MultilineJoinerTest, JavaPresetJoinsTheLogLineItsExceptionAndTheTraceWithCausedBy) {
  // Logback and log4j print the exception's class on the line after the message.
  const std::string trace =
      "2026-11-26 10:00:00 ERROR Request failed\n"
      "java.lang.IllegalStateException: boom\n"
      "\tat com.example.Service.handle(Service.java:42)\n"
      "\tat com.example.Main.main(Main.java:7)\n"
      "Caused by: java.io.IOException: disk\n"
      "\tat com.example.Disk.write(Disk.java:9)\n"
      "\t... 2 more\n"
      "2026-11-26 10:00:01 INFO next\n"
      "java.lang.OutOfMemoryError\n"
      "Error: not a class name, a new event\n";
  auto events = join(preset("java"), trace);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text.substr(0, 79), "2026-11-26 10:00:00 ERROR Request failed\njava.lang.IllegalStateException: boom\n");
  EXPECT_NE(events[0].text.find("\t... 2 more"), std::string::npos);
  EXPECT_TRUE(events[0].flags & kFlagMultiline);
  EXPECT_EQ(events[0].offset, 0u);
  EXPECT_EQ(events[1].text, "2026-11-26 10:00:01 INFO next\njava.lang.OutOfMemoryError");
  EXPECT_EQ(events[0].end, events[1].offset);
  EXPECT_EQ(events[2].text, "Error: not a class name, a new event");
}

TEST(MultilineJoinerTest, PythonPresetJoinsTracebackThroughTheExceptionLine) {
  const std::string trace =
      "ERROR:root:failed\n"
      "Traceback (most recent call last):\n"
      "  File \"app.py\", line 3, in <module>\n"
      "    main()\n"
      "  File \"app.py\", line 2, in main\n"
      "    raise ValueError(\"bad\")\n"
      "ValueError: bad\n"
      "INFO:root:after\n";
  auto events = join(preset("python"), trace);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].text.substr(0, 34), "Traceback (most recent call last):");
  EXPECT_EQ(events[1].text.substr(events[1].text.size() - 15), "ValueError: bad");
  EXPECT_EQ(events[2].text, "INFO:root:after");
}

TEST(MultilineJoinerTest, GoPresetJoinsAPanicWithGoroutines) {
  const std::string trace =
      "2026/11/26 10:00:00 starting\n"
      "panic: runtime error: index out of range [5] with length 3\n"
      "\n"
      "goroutine 1 [running]:\n"
      "main.lookup(...)\n"
      "\t/src/main.go:12\n"
      "main.main()\n"
      "\t/src/main.go:20 +0x1d\n"
      "exit status 2\n"
      "2026/11/26 10:00:05 restarted (pid 7)\n";
  auto events = join(preset("go"), trace);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text, "2026/11/26 10:00:00 starting");
  EXPECT_EQ(events[1].text.substr(0, 6), "panic:");
  EXPECT_NE(events[1].text.find("exit status 2"), std::string::npos);
  EXPECT_EQ(events[2].text, "2026/11/26 10:00:05 restarted (pid 7)");
}

TEST(MultilineJoinerTest, HaltBeforeStartsANewEventAtEachMatchingLine) {
  MultilineConfig c;
  c.start_pattern = R"(^\d{4}-)";
  c.condition_pattern = R"(^\d{4}-)";
  c.mode = "halt_before";
  auto events = join(c, "2026-01 a\n  more\n  and more\n2026-02 b\n2026-03 c\n  x\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text, "2026-01 a\n  more\n  and more");
  EXPECT_EQ(events[1].text, "2026-02 b");
  EXPECT_EQ(events[2].text, "2026-03 c\n  x");
}

TEST(MultilineJoinerTest, HaltWithEndsTheEventOnTheMatchingLine) {
  MultilineConfig c;
  c.start_pattern = "^BEGIN";
  c.condition_pattern = "^END";
  c.mode = "halt_with";
  auto events = join(c, "BEGIN\n1\n2\nEND\nalone\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].text, "BEGIN\n1\n2\nEND");
  EXPECT_EQ(events[1].text, "alone");
}

TEST(MultilineJoinerTest, ContinuePastIncludesTheFirstNonMatchingLine) {
  MultilineConfig c;
  c.start_pattern = R"(\\$)";
  c.condition_pattern = R"(\\$)";
  c.mode = "continue_past";
  auto events = join(c, "one \\\ntwo \\\nthree\nfour\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].text, "one \\\ntwo \\\nthree");
  EXPECT_EQ(events[1].text, "four");
}

TEST(MultilineJoinerTest, CutsAtMaxLinesAndFlagsIt) {
  MultilineConfig c = preset("java");
  c.max_lines = 3;
  auto events = join(c, "Exception\n\tat a\n\tat b\n\tat c\n\tat d\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text, "Exception\n\tat a\n\tat b");
  EXPECT_TRUE(events[0].flags & kFlagMaxLines);
  EXPECT_EQ(events[1].text, "\tat c");  // continuation lines left over stand alone
  EXPECT_EQ(events[2].text, "\tat d");
}

TEST(MultilineJoinerTest, EventPastMaxEventBytesIsCutFlaggedTruncatedAndItsRestSkipped) {
  MultilineConfig c = preset("java");
  c.max_event_bytes.value = 1024;
  std::string frame = "\tat " + std::string(296, 'f');  // 300 bytes
  std::string text = "Exception\n";
  for (int i = 0; i < 10; ++i) text += frame + "\n";
  text += "next event\n";
  auto events = join(c, text);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].text.size(), 1024u);
  EXPECT_EQ(events[0].text.substr(0, 10 + 301 * 3), "Exception\n" + frame + "\n" + frame + "\n" + frame + "\n");
  EXPECT_EQ(events[0].flags, static_cast<uint32_t>(kFlagMultiline | kFlagTruncated));
  EXPECT_EQ(events[0].offset, 0u);
  EXPECT_EQ(events[0].end, text.size() - 11);  // the skipped frames still belong to it
  EXPECT_EQ(events[1].text, "next event");  // the file goes on as usual
  EXPECT_EQ(events[1].flags, 0u);
}

TEST(MultilineJoinerTest, CutNeverSplitsAUtf8Character) {
  MultilineConfig c = preset("java");
  c.max_event_bytes.value = 1024;
  std::string frame = "\tat ";
  while (frame.size() < 2000) frame += "\xc3\xa9";  // é, two bytes
  for (size_t first_line : {size_t{9}, size_t{10}}) {  // the cut falls on both halves of a character
    auto events = join(c, std::string(first_line, 'E') + "\n" + frame + "\n");
    ASSERT_EQ(events.size(), 1u);
    const std::string& t = events[0].text;
    EXPECT_GE(t.size(), 1023u);
    EXPECT_LE(t.size(), 1024u);
    EXPECT_NE(static_cast<unsigned char>(t.back()), 0xc3u) << first_line;  // never a lead byte alone
    EXPECT_TRUE(events[0].flags & kFlagTruncated);
  }
}

TEST(MultilineJoinerTest, SingleLineLongerThanMaxEventBytesIsCutToo) {
  MultilineConfig c = preset("java");
  c.max_event_bytes.value = 1024;
  // A continuation with nothing to continue stands alone; then two start lines.
  auto events = join(c, "  " + std::string(5000, 'c') + "\n" + std::string(5000, 'a') + "\n" + std::string(5000, 'b') + "\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].text, "  " + std::string(1022, 'c'));
  EXPECT_EQ(events[1].text, std::string(1024, 'a'));
  EXPECT_EQ(events[2].text, std::string(1024, 'b'));
  for (const auto& e : events) EXPECT_EQ(e.flags, static_cast<uint32_t>(kFlagTruncated));
}

TEST(MultilineJoinerTest, SlowlogEntryIsCutAtItsOwnLargerDefaultAndTheNextEntryIsWhole) {
  MultilineConfig c = preset("mysql_slowlog");
  EXPECT_EQ(c.event_byte_limit(), size_t{4} << 20);
  EXPECT_EQ(preset("java").event_byte_limit(), size_t{1} << 20);
  std::string line(1 << 20, 'v');  // 20 lines of 1 MiB: past 4 MiB
  std::string text = "# Time: 2026-12-04T10:00:00.000000Z\n# User@Host: a[a] @ localhost []\nINSERT INTO t VALUES\n";
  for (int i = 0; i < 20; ++i) text += line + "\n";
  std::string second = "# User@Host: b[b] @ localhost []\nSELECT 1;\n";
  auto events = join(c, text + second);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].text.size(), size_t{4} << 20);
  EXPECT_EQ(events[0].flags, static_cast<uint32_t>(kFlagTruncated));
  EXPECT_EQ(events[0].end, text.size());
  EXPECT_EQ(events[1].text, "# User@Host: b[b] @ localhost []\nSELECT 1;");
  EXPECT_EQ(events[1].offset, text.size());
}

}  // namespace
}  // namespace logship
