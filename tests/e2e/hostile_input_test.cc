// What someone who can write a log line or a file in a log folder must not be able to make
// logship do (issue 19): ship a file outside the globs, loop on /proc, or split one event
// into several output lines.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::Process;
using testing::TempDir;
using testing::write_file;

std::string file_pipeline(const TempDir& dir, const std::string& source_extra, const std::string& transforms = "",
                          const std::string& input = "app") {
  return "data_dir: " + dir / "data" + "\nsources:\n  app:\n    type: file\n    include: ['" + dir / "logs/*.log" + "']\n" + source_extra +
         transforms + "sinks:\n  out:\n    type: file\n    inputs: [" + input + "]\n    path: " + dir / "out.ndjson" + "\n";
}

int run_once(const TempDir& dir) {
  Process p({testing::logship_binary(), "run", "-c", dir / "p.yaml", "--once"}, dir / "stderr");
  return p.wait(std::chrono::seconds(60));
}

// Links to a 0600 key, to /proc/self/environ (size 0, yet it yields the environment: once read
// as a copytruncate in a loop, so that `run --once` never ended) and a FIFO sit in the log
// folder. Only the real log is shipped, with and without follow_symlinks, and --once ends.
TEST(HostileInputTest, LinksFifosAndProcInALogFolderAreNotShippedAndRunOnceEnds) {
  for (bool follow : {false, true}) {
    TempDir dir;
    TempDir elsewhere;
    std::filesystem::create_directories(dir / "logs");
    write_file(dir / "logs/app.log", "one\ntwo\n");
    write_file(elsewhere / "secret.key", "PRIVATE KEY\n");
    ::chmod((elsewhere / "secret.key").c_str(), 0600);
    std::filesystem::create_symlink(elsewhere / "secret.key", dir / "logs/key.log");
    std::filesystem::create_symlink("/proc/self/environ", dir / "logs/environ.log");
    ASSERT_EQ(::mkfifo((dir / "logs/fifo.log").c_str(), 0600), 0);
    write_file(dir / "p.yaml", file_pipeline(dir, follow ? "    follow_symlinks: true\n" : ""));
    ASSERT_EQ(run_once(dir), 0) << testing::read_file(dir / "stderr");
    auto messages = testing::messages_of(dir / "out.ndjson");
    std::sort(messages.begin(), messages.end());
    std::vector<std::string> expected{"one", "two"};
    if (follow) expected.insert(expected.begin(), "PRIVATE KEY");  // asked for: a link to a regular file
    EXPECT_EQ(messages, expected) << "follow_symlinks " << follow;
    std::string log = testing::read_file(dir / "stderr");
    EXPECT_NE(log.find("matching path not read"), std::string::npos) << log;
    EXPECT_NE(log.find(follow ? "on /proc or /sys" : "follow_symlinks is false"), std::string::npos) << log;
  }
}

// A pretty-printed JSON object joined by a multiline source used to leave as several lines,
// breaking the file sink's NDJSON (and, in a bulk body, adding an action of the writer's).
TEST(HostileInputTest, AMultilineJsonEventLeavesAsOneJsonLine) {
  TempDir dir;
  std::filesystem::create_directories(dir / "logs");
  write_file(dir / "logs/app.log",
             "{\n  \"msg\": \"a\",\n  \"x\": {\"delete\": {\"_index\": \"victim\", \"_id\": \"1\"}}\n}\n{\"msg\": \"b\"}\n");
  write_file(dir / "p.yaml", file_pipeline(dir,
                                           "    multiline: {start_pattern: '^\\{', mode: halt_before, condition_pattern: '^\\{', "
                                           "timeout: 100ms}\n",
                                           "transforms:\n  parsed: {type: json, inputs: [app]}\n", "parsed"));
  ASSERT_EQ(run_once(dir), 0) << testing::read_file(dir / "stderr");
  auto lines = testing::read_lines(dir / "out.ndjson");
  ASSERT_EQ(lines.size(), 2u) << testing::read_file(dir / "out.ndjson");
  simdjson::dom::parser parser;
  simdjson::dom::element first;
  ASSERT_FALSE(parser.parse(lines[0]).get(first)) << lines[0];
  EXPECT_EQ(std::string_view(first["msg"]), "a");
  EXPECT_EQ(std::string_view(first["x"]["delete"]["_index"]), "victim");
}

}  // namespace
}  // namespace logship
