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

}  // namespace
}  // namespace logship
