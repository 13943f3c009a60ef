// Container logs read by `logship run` through the file source's `container:` option: the real
// app samples of tests/testdata/applogs framed as containerd/CRI-O (CRI) and Docker (json-file)
// frame a container's output, in the folders kubelet and Docker keep them in. The application's
// lines come out whole (pieces of long lines joined, also across reads), with the stream, the
// runtime's time and the pod's metadata, and survive kubelet's rotation exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::FlatEvent;
using testing::Process;
using testing::TempDir;

const std::string kSamples = std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/applogs/";
const std::string kContainerId = "3f4a9c0e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f";
const int64_t kStart = 1'764'820'000'000'000'000;  // 2025-12-04T03:46:40Z; each line 1 ms later

std::string rfc3339_nanos(int64_t nanos) {
  std::string micros;
  append_rfc3339_micros(micros, nanos);  // ...ssssssZ
  micros.pop_back();
  return micros + std::to_string(nanos % 1000 + 1000).substr(1) + "Z";
}

// What containerd writes for `text` (lines) sent to `stream`: one CRI line per line, lines
// longer than `piece` cut into P pieces closed by an F.
std::string as_cri(const std::string& text, const std::string& stream, int64_t& clock, size_t piece = 16384) {
  std::string out;
  for (const std::string& line : testing::split_lines(text)) {
    size_t at = 0;
    do {
      std::string_view part = std::string_view(line).substr(at, piece);
      at += part.size();
      out += rfc3339_nanos(clock) + " " + stream + (at < line.size() ? " P " : " F ") + std::string(part) + "\n";
      clock += 1'000'000;
    } while (at < line.size());
  }
  return out;
}

// What Docker's json-file driver writes: the line with its newline in "log", lines cut at
// 16 KiB into pieces without one.
std::string as_docker(const std::string& text, const std::string& stream, int64_t& clock, size_t piece = 16384) {
  std::string out;
  for (const std::string& line : testing::split_lines(text)) {
    std::string with_newline = line + "\n";
    for (size_t at = 0; at < with_newline.size(); at += piece) {
      out += "{\"log\":";
      append_json_string(out, std::string_view(with_newline).substr(at, piece));
      out += ",\"stream\":\"" + stream + "\",\"time\":\"" + rfc3339_nanos(clock) + "\"}\n";
      clock += 1'000'000;
    }
  }
  return out;
}

std::string long_line(const std::string& tag, size_t size) {
  std::string line = tag + " ";
  for (size_t i = 0; line.size() < size; ++i) line += "chunk" + std::to_string(i) + (i % 7 == 0 ? " \"q\\ \t" : " ");
  return line.substr(0, size);
}

class ContainerLogsTest : public ::testing::Test {
 protected:
  std::string pipeline(const std::string& include, const std::string& source_extra, const std::string& transform) {
    std::string to = transform.empty() ? "pods" : "parsed";
    return "data_dir: " + dir_ / "data" + "\nshutdown_timeout: 10s\nsources:\n  pods: {type: file, include: ['" + include +
           "'], scan_interval: 100ms, rotate_wait: 300ms, checkpoint_interval: 100ms, " + source_extra + "}\n" +
           (transform.empty() ? "" : "transforms:\n  parsed: " + transform + "\n") + "sinks:\n  out: {type: file, inputs: [" + to +
           "], path: '" + dir_ / "out.ndjson" + "'}\n";
  }
  std::vector<FlatEvent> run_once(const std::string& yaml) {
    testing::write_file(dir_ / "p.yaml", yaml);
    auto r = testing::run_logship({"run", "--once", "-c", dir_ / "p.yaml"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return testing::flat_events_of(dir_ / "out.ndjson");
  }
  static std::string field(const FlatEvent& e, const std::string& name) { return e.count(name) ? e.at(name) : "(none)"; }
  TempDir dir_;
};

TEST_F(ContainerLogsTest, CriJavaLogInAPodFolderParsesAsTheBareFileDoesWithStreamAndPodMetadata) {
  // The same Spring Boot log, bare and as containerd writes it to kubelet's pod folder, with
  // a stack trace and a 40 KB line containerd cut into three pieces; batches of 1 KiB.
  std::string app = testing::read_file(kSamples + "java-spring-boot.log");
  std::string big = "2026-12-05T00:08:12.000Z  INFO 4242 --- [billing] [main] c.e.b.Big : " + long_line("big", 40000);
  std::string sample = app + big + "\n";
  testing::write_file(dir_ / "bare.log", sample);
  std::string pod = dir_ / "var/log/pods/shop_billing-5d8f7c9b4-x2x7q_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/billing";
  std::filesystem::create_directories(pod);
  int64_t clock = kStart;
  testing::write_file(pod + "/0.log", as_cri(sample, "stdout", clock));
  const std::string rules = "{type: rules, inputs: [pods], rules: [java]}";
  auto bare = run_once(pipeline(dir_ / "bare.log", "multiline: {preset: java}, batch_bytes: 1KiB", rules));
  std::filesystem::remove(dir_ / "out.ndjson");
  std::filesystem::remove_all(dir_ / "data");
  auto framed = run_once(pipeline(dir_ / "var/log/pods/*/*/*.log", "container: {}, multiline: {preset: java}, batch_bytes: 1KiB", rules));
  ASSERT_EQ(framed.size(), 7u);
  ASSERT_EQ(bare.size(), framed.size());
  for (size_t i = 0; i < bare.size(); ++i) {
    for (const char* name : {"@timestamp", "message", "log.level", "log.logger", "process.thread.name", "error.type", "error.stack_trace"})
      EXPECT_EQ(field(framed[i], name), field(bare[i], name)) << name << " of event " << i;
    EXPECT_EQ(field(framed[i], "log.iostream"), "stdout");
    EXPECT_EQ(field(framed[i], "kubernetes.namespace"), "shop");
    EXPECT_EQ(field(framed[i], "kubernetes.pod.name"), "billing-5d8f7c9b4-x2x7q");
    EXPECT_EQ(field(framed[i], "kubernetes.pod.uid"), "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
    EXPECT_EQ(field(framed[i], "container.name"), "billing");
    EXPECT_EQ(field(framed[i], "log.flags"), field(bare[i], "log.flags"));  // "multiline" on the stack trace, nothing else
  }
  EXPECT_EQ(field(framed.back(), "message").size(), 40000u);
  EXPECT_EQ(field(framed.back(), "message"), long_line("big", 40000));
}

TEST_F(ContainerLogsTest, DockerJsonFileJoinsLinesCutAt16KiBAndUsesTheRuntimeTimeWhenTheLineHasNone) {
  // Python's default logging format has no time: @timestamp is Docker's time of the line.
  std::string app = testing::read_file(kSamples + "python-default.log");
  std::string big = long_line("ERROR:billing.worker:payload", 50000);
  std::string folder = dir_ / ("var/lib/docker/containers/" + kContainerId);
  std::filesystem::create_directories(folder);
  int64_t clock = kStart;
  std::string out_part = as_docker(app, "stdout", clock);
  int64_t big_time = clock;
  std::string file = out_part + as_docker(big, "stderr", clock);
  testing::write_file(folder + "/" + kContainerId + "-json.log", file);
  auto events = run_once(pipeline(dir_ / "var/lib/docker/containers/*/*-json.log",
                                  "container: {format: docker}, multiline: {preset: python_logging}, batch_bytes: 1KiB",
                                  "{type: rules, inputs: [pods], rules: [python]}"));
  ASSERT_EQ(events.size(), 8u);
  const FlatEvent& first = events.front();
  EXPECT_EQ(field(first, "@timestamp"), rfc3339_nanos(kStart).substr(0, 26) + "Z");
  EXPECT_EQ(field(first, "log.level"), "info");
  EXPECT_EQ(field(first, "container.id"), kContainerId);
  EXPECT_EQ(field(first, "log.iostream"), "stdout");
  const FlatEvent& last = events.back();
  EXPECT_EQ(field(last, "log.iostream"), "stderr");
  EXPECT_EQ(field(last, "log.level"), "error");
  EXPECT_EQ(field(last, "@timestamp"), rfc3339_nanos(big_time).substr(0, 26) + "Z");
  EXPECT_NE(field(last, "message").find(long_line("ERROR:billing.worker:payload", 50000).substr(28)), std::string::npos);
  for (const auto& e : events) EXPECT_TRUE(field(e, "log.flags") == "(none)" || field(e, "log.flags") == "[\"multiline\"]") << field(e, "log.flags");
}

TEST_F(ContainerLogsTest, CriPieceReadBeforeItsEndIsWrittenIsJoinedOnceAndNothingRepeatsAfterARestart) {
  std::string pod = dir_ / "var/log/pods/shop_web-1_0f1e2d3c-0000-0000-0000-000000000001/web";
  std::filesystem::create_directories(pod);
  int64_t clock = kStart;
  std::string whole = long_line("split", 20000);
  std::string framed = as_cri("first\n" + whole + "\nlast\n", "stderr", clock, 7000);
  size_t cut = framed.find(" F ", framed.find(" P ")) - 40;  // inside the pieces, before the closing one
  testing::write_file(pod + "/0.log", framed.substr(0, cut));
  testing::write_file(dir_ / "p.yaml", pipeline(dir_ / "var/log/pods/*/*/*.log", "container: {format: cri}, read_delay: 0s", ""));
  {
    Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "stderr");
    ASSERT_TRUE(testing::eventually([&] { return testing::read_lines(dir_ / "out.ndjson").size() == 1; })) << testing::read_file(dir_ / "stderr");
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the pieces so far were read too
    testing::append_file(pod + "/0.log", framed.substr(cut));
    ASSERT_TRUE(testing::eventually([&] { return testing::read_lines(dir_ / "out.ndjson").size() == 3; })) << testing::read_file(dir_ / "stderr");
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait(std::chrono::seconds(10)), 0);
  }
  Process again({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "stderr");
  ASSERT_EQ(again.wait(), 0);
  EXPECT_EQ(testing::messages_of(dir_ / "out.ndjson"), (std::vector<std::string>{"first", whole, "last"}));
  for (const auto& e : testing::flat_events_of(dir_ / "out.ndjson")) EXPECT_EQ(field(e, "log.iostream"), "stderr");
}

TEST_F(ContainerLogsTest, KubeletRotationRenamesAndCompressesWithoutLosingOrRepeatingALine) {
  std::string pod = dir_ / "var/log/pods/shop_api-7_0f1e2d3c-0000-0000-0000-000000000002/api";
  std::filesystem::create_directories(pod);
  testing::write_file(dir_ / "p.yaml", pipeline(dir_ / "var/log/pods/*/*/*.log", "container: {}", ""));
  Process p({testing::logship_binary(), "run", "-c", dir_ / "p.yaml"}, dir_ / "stderr");
  int64_t clock = kStart;
  std::vector<std::string> written;
  int next = 0;
  auto write_lines = [&](const std::string& file, int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
      written.push_back("line " + std::to_string(next++));
      text += written.back() + "\n";
    }
    testing::append_file(file, as_cri(text, next % 2 ? "stdout" : "stderr", clock));
  };
  auto caught_up = [&] {
    return testing::eventually([&] { return testing::read_lines(dir_ / "out.ndjson").size() == written.size(); });
  };
  write_lines(pod + "/0.log", 100);
  ASSERT_TRUE(caught_up()) << testing::read_file(dir_ / "stderr");
  for (int round = 0; round < 3; ++round) {
    // kubelet: the runtime's file is renamed to <n>.log.<time>, the runtime reopens 0.log
    // (a few lines may still reach the old one), and the one rotated before is compressed.
    std::string rotated = pod + "/0.log.2026120" + std::to_string(round) + "-050607";
    write_lines(pod + "/0.log", 50);
    std::filesystem::rename(pod + "/0.log", rotated);
    write_lines(rotated, 5);
    write_lines(pod + "/0.log", 50);
    ASSERT_TRUE(caught_up()) << testing::read_file(dir_ / "stderr");
    testing::write_file(rotated + ".gz", "\x1f\x8b compressed");
    std::filesystem::remove(rotated);
  }
  p.signal(SIGTERM);
  ASSERT_EQ(p.wait(std::chrono::seconds(10)), 0);
  auto got = testing::messages_of(dir_ / "out.ndjson");
  std::sort(got.begin(), got.end());
  std::sort(written.begin(), written.end());
  EXPECT_EQ(got, written);
}

TEST_F(ContainerLogsTest, ContainersFolderLinksGiveTheIdAndSidecarFieldsComeFromTheEnvironment) {
  // /var/log/containers holds links into the pod folders; only followed when asked. In a
  // sidecar, the Downward API's variables reach the events through add_fields.
  std::string pod = dir_ / "var/log/pods/shop_web-2_0f1e2d3c-0000-0000-0000-000000000003/web";
  std::filesystem::create_directories(pod);
  std::filesystem::create_directories(dir_ / "var/log/containers");
  int64_t clock = kStart;
  testing::write_file(pod + "/0.log", as_cri("to stdout\n", "stdout", clock) + as_cri("to stderr\n", "stderr", clock) + "not a CRI line\n");
  std::filesystem::create_symlink(pod + "/0.log", dir_ / ("var/log/containers/web-2_shop_web-" + kContainerId + ".log"));
  ::setenv("LOGSHIP_TEST_NODE_NAME", "node-7", 1);
  auto events = run_once(pipeline(dir_ / "var/log/containers/*.log",
                                  "follow_symlinks: true, container: {stream: stdout}, add_fields: {kubernetes.node.name: '${LOGSHIP_TEST_NODE_NAME}'}", ""));
  ::unsetenv("LOGSHIP_TEST_NODE_NAME");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(field(events[0], "message"), "to stdout");
  EXPECT_EQ(field(events[0], "container.id"), kContainerId);
  EXPECT_EQ(field(events[0], "container.name"), "web");
  EXPECT_EQ(field(events[0], "kubernetes.pod.name"), "web-2");
  EXPECT_EQ(field(events[0], "kubernetes.namespace"), "shop");
  EXPECT_EQ(field(events[0], "kubernetes.node.name"), "node-7");
  // A line in neither format is kept whole and flagged, never dropped.
  EXPECT_EQ(field(events[1], "message"), "not a CRI line");
  EXPECT_EQ(field(events[1], "log.flags"), "[\"container_format_error\"]");
}

TEST_F(ContainerLogsTest, LongLinesJoinedInManyFilesDoNotHoldUpReadingAndLinesLeftOutStillMoveTheCheckpoint) {
  // Three files, each with a 12 MiB line in 1 MiB pieces (36 MiB: past what the source lets
  // files hold at once) and then lines of stderr that `stream: stdout` leaves out.
  std::filesystem::create_directories(dir_ / "logs");
  std::string big = std::string(12 << 20, 'x');
  std::vector<std::string> expected;
  for (int n = 0; n < 3; ++n) {
    int64_t clock = kStart;
    std::string file = as_cri(big + "\nshort " + std::to_string(n) + "\n", "stdout", clock, 1 << 20) + as_cri("left out\n", "stderr", clock);
    testing::write_file(dir_ / ("logs/" + std::to_string(n) + ".log"), file);
    expected.push_back(big);
    expected.push_back("short " + std::to_string(n));
  }
  testing::write_file(dir_ / "p.yaml", pipeline(dir_ / "logs/*.log", "container: {stream: stdout}, max_line_bytes: 16MiB", ""));
  Process p({testing::logship_binary(), "run", "--once", "-c", dir_ / "p.yaml"}, dir_ / "stderr");
  ASSERT_EQ(p.wait(std::chrono::seconds(120)), 0) << testing::read_file(dir_ / "stderr");
  auto got = testing::messages_of(dir_ / "out.ndjson");
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);
  // Every file's checkpoint is at its end, past the stderr lines.
  std::string checkpoints = testing::read_file(dir_ / "data/pods.checkpoints.json");
  size_t size = std::filesystem::file_size(dir_ / "logs/0.log");
  for (int n = 0; n < 3; ++n) EXPECT_EQ(std::filesystem::file_size(dir_ / ("logs/" + std::to_string(n) + ".log")), size);
  size_t at = 0;
  int at_end = 0;
  while ((at = checkpoints.find("\"offset\":" + std::to_string(size), at)) != std::string::npos) ++at_end, ++at;
  EXPECT_EQ(at_end, 3) << checkpoints;
}

TEST_F(ContainerLogsTest, ParsersGiveALinesOwnMembersNamedLikeThePodsFieldsAnotherName) {
  // The pod's fields (path, add_fields) and a logfmt line's kubernetes= and service= keys, or
  // a rule's service.name: one key each, the line's as <name>_original.
  std::string pod = dir_ / "var/log/pods/shop_web-3_0f1e2d3c-0000-0000-0000-000000000004/web";
  std::filesystem::create_directories(pod);
  int64_t clock = kStart;
  testing::write_file(pod + "/0.log", as_cri("level=info kubernetes=yes service=mine msg=hello\n"
                                             "2026-12-05T00:08:11.674Z  INFO 4242 --- [billing] [main] c.e.b.A : spring\n",
                                             "stdout", clock));
  auto events = run_once(pipeline(dir_ / "var/log/pods/*/*/*.log", "container: {}, add_fields: {service.name: checkout}",
                                  "{type: rules, inputs: [pods], rules: [logfmt, java]}"));
  ASSERT_EQ(events.size(), 2u);
  std::vector<std::string> lines = testing::read_lines(dir_ / "out.ndjson");
  for (const std::string& line : lines) {
    for (const char* key : {"\"kubernetes\":", "\"service\":", "\"container\":"}) {
      size_t first = line.find(key);
      EXPECT_NE(first, std::string::npos) << key << " in " << line;
      EXPECT_EQ(line.find(key, first + 1), std::string::npos) << key << " twice in " << line;
    }
  }
  EXPECT_EQ(field(events[0], "kubernetes_original"), "yes");
  EXPECT_EQ(field(events[0], "service_original"), "mine");
  EXPECT_EQ(field(events[0], "kubernetes.namespace"), "shop");
  EXPECT_EQ(field(events[1], "service_original.name"), "billing");
  EXPECT_EQ(field(events[1], "service.name"), "checkout");
}

TEST_F(ContainerLogsTest, ParseCommandTakesTheFramingOffAsTheSourceDoes) {
  int64_t clock = kStart;
  const std::string msg = "cut into pieces of ten bytes by the runtime";
  testing::write_file(dir_ / "0.log", as_cri("{\"level\":\"warn\",\"msg\":\"" + msg + "\"}\n", "stderr", clock, 10));
  auto r = testing::run_logship({"parse", "--container", "cri", "--format", "json", dir_ / "0.log"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  testing::write_file(dir_ / "parsed.ndjson", r.out);
  auto events = testing::flat_events_of(dir_ / "parsed.ndjson");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(field(events[0], "msg"), msg);
  EXPECT_EQ(field(events[0], "log.iostream"), "stderr");
  EXPECT_EQ(field(events[0], "@timestamp"), rfc3339_nanos(kStart).substr(0, 26) + "Z");
  EXPECT_EQ(testing::run_logship({"parse", "--container", "podman", dir_ / "0.log"}).exit_code, 2);
}

}  // namespace
}  // namespace logship
