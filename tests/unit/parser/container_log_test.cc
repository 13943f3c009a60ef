// The container log decoder (CRI, Docker json-file) and the metadata a container log's path
// gives.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser/container/container_log.h"
#include "parser/container/container_path.h"

namespace logship {
namespace {

struct Message {
  std::string text;
  uint64_t offset, end_offset;
  uint32_t flags;
  int64_t time_nanos;
  IoStream stream;
};

// Feeds `file` line by line (offsets as in the file) and flushes at its end.
std::vector<Message> decode(const std::string& file, ContainerFormat format = ContainerFormat::kAuto,
                            IoStream only = IoStream::kNone, size_t max_bytes = 1 << 20) {
  ContainerLogDecoder decoder(format, only, max_bytes);
  std::vector<Message> out;
  auto emit = [&](const ContainerLine& m) { out.push_back({std::string(m.text), m.offset, m.end_offset, m.flags, m.time_nanos, m.stream}); };
  size_t start = 0;
  while (start < file.size()) {
    size_t nl = file.find('\n', start);
    decoder.push(std::string_view(file).substr(start, nl - start), start, nl + 1, 0, emit);
    start = nl + 1;
  }
  decoder.flush(emit);
  return out;
}

constexpr int64_t kT = 1'764'824'767'123'456'789;  // 2025-12-04T05:06:07.123456789Z

TEST(ContainerLogTest, CriLineGivesTextStreamAndNanosecondTime) {
  auto m = decode("2025-12-04T05:06:07.123456789Z stdout F hello world\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].text, "hello world");
  EXPECT_EQ(m[0].stream, IoStream::kStdout);
  EXPECT_EQ(m[0].time_nanos, kT);
  EXPECT_EQ(m[0].flags, 0u);
}

TEST(ContainerLogTest, CriKeepsSpacesInTheTextAndAcceptsAnEmptyLineOffsetsAndExtraTags) {
  auto m = decode(
      "2025-12-04T05:06:07.123456789Z stderr F   indented  \n"
      "2025-12-04T05:06:07.123456789Z stdout F\n"
      "2025-12-04T06:06:07.123456789+01:00 stdout F:future-tag x\n");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].text, "  indented  ");
  EXPECT_EQ(m[0].stream, IoStream::kStderr);
  EXPECT_EQ(m[1].text, "");
  EXPECT_EQ(m[2].text, "x");
  EXPECT_EQ(m[2].time_nanos, kT);
}

TEST(ContainerLogTest, CriPiecesAreJoinedUpToTheClosingLineAndSpanTheirLines) {
  std::string file =
      "2025-12-04T05:06:07.123456789Z stdout P first \n"
      "2025-12-04T05:06:08Z stdout P second \n"
      "2025-12-04T05:06:09Z stdout F third\n"
      "2025-12-04T05:06:10Z stdout F next\n";
  auto m = decode(file);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].text, "first second third");
  EXPECT_EQ(m[0].offset, 0u);
  EXPECT_EQ(m[0].end_offset, file.find("2025-12-04T05:06:10Z"));
  EXPECT_EQ(m[0].time_nanos, kT);  // the first piece's
  EXPECT_EQ(m[1].text, "next");
}

TEST(ContainerLogTest, JoinedPiecesStopAtTheLimitFlaggedTruncatedAndStillSpanEveryPiece) {
  std::string file =
      "2025-12-04T05:06:07Z stdout P 0123456789\n"
      "2025-12-04T05:06:07Z stdout P abcdefghij\n"
      "2025-12-04T05:06:07Z stdout F KLMNOP\n";
  auto m = decode(file, ContainerFormat::kCri, IoStream::kNone, 15);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].text, "0123456789abcde");
  EXPECT_EQ(m[0].flags, kFlagTruncated);
  EXPECT_EQ(m[0].end_offset, file.size());
}

TEST(ContainerLogTest, NothingCountsAsHeldOnceAJoinedLineIsOutAndBlankLinesAreSkipped) {
  ContainerLogDecoder decoder(ContainerFormat::kCri, IoStream::kNone, 1 << 20);
  std::vector<std::string> out;
  auto emit = [&](const ContainerLine& m) { out.emplace_back(m.text); };
  std::string piece = "2025-12-04T05:06:07Z stdout P " + std::string(100000, 'x');
  decoder.push(piece, 0, piece.size() + 1, 0, emit);
  EXPECT_EQ(decoder.pending_bytes(), 100000u);
  decoder.push("2025-12-04T05:06:07Z stdout F end", 1, 2, 0, emit);
  EXPECT_EQ(decoder.pending_bytes(), 0u) << "a file's budget share is what it holds, not what it held";
  EXPECT_FALSE(decoder.has_pending());
  decoder.push("", 2, 3, 0, emit);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].size(), 100003u);
}

TEST(ContainerLogTest, APieceWithoutItsEndGoesOutFlaggedPartialWhenTheFileEnds) {
  auto m = decode("2025-12-04T05:06:07Z stdout P unfinished\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].text, "unfinished");
  EXPECT_EQ(m[0].flags, kFlagPartial);
}

TEST(ContainerLogTest, ALineInNeitherFormatIsKeptWholeAndFlaggedAndEndsAJoin) {
  std::string file =
      "2025-12-04T05:06:07Z stdout P held\n"
      "not a container line\n"
      "2025-12-04T05:06:07Z stdin F wrong stream\n"
      "yesterday stdout F bad time\n"
      "2025-12-04T05:06:07Z stdout X bad tag\n"
      "{\"log\":42}\n";
  auto m = decode(file);
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[0].text, "held");
  EXPECT_EQ(m[0].flags, kFlagPartial);
  EXPECT_EQ(m[1].text, "not a container line");
  for (size_t i = 1; i < m.size(); ++i) {
    EXPECT_EQ(m[i].flags, kFlagContainerFormatError) << m[i].text;
    EXPECT_EQ(m[i].stream, IoStream::kNone);
    EXPECT_EQ(m[i].time_nanos, 0);
  }
  EXPECT_EQ(m[5].text, "{\"log\":42}");
}

TEST(ContainerLogTest, DockerLinesAreUnescapedAndLinesCutAt16KiBJoined) {
  std::string file =
      "{\"log\":\"say \\\"hi\\\"\\t\\u00e9\\n\",\"stream\":\"stdout\",\"time\":\"2025-12-04T05:06:07.123456789Z\"}\n"
      "{\"log\":\"first half \",\"stream\":\"stderr\",\"time\":\"2025-12-04T05:06:08Z\"}\n"
      "{\"time\":\"2025-12-04T05:06:09Z\",\"stream\":\"stderr\",\"log\":\"second half\\r\\n\"}\n";
  auto m = decode(file, ContainerFormat::kDocker);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].text, "say \"hi\"\t\xc3\xa9");
  EXPECT_EQ(m[0].time_nanos, kT);
  EXPECT_EQ(m[0].stream, IoStream::kStdout);
  EXPECT_EQ(m[1].text, "first half second half");
  EXPECT_EQ(m[1].stream, IoStream::kStderr);
}

TEST(ContainerLogTest, DockerLineWithoutTimeOrStreamKeepsItsTextWithNeither) {
  auto m = decode("{\"log\":\"bare\\n\"}\n{\"log\":\"x\\n\",\"time\":\"soon\",\"stream\":7}\n", ContainerFormat::kDocker);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].text, "bare");
  EXPECT_EQ(m[0].time_nanos, 0);
  EXPECT_EQ(m[1].stream, IoStream::kNone);
  EXPECT_EQ(m[1].flags, 0u);
}

TEST(ContainerLogTest, AutoTakesEachLineInItsOwnFormat) {
  auto m = decode("{\"log\":\"docker\\n\",\"stream\":\"stdout\"}\n2025-12-04T05:06:07Z stderr F cri\n");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].text, "docker");
  EXPECT_EQ(m[1].text, "cri");
}

TEST(ContainerLogTest, AStreamFilterSkipsTheOtherStreamAlsoBetweenPieces) {
  auto m = decode(
      "2025-12-04T05:06:07Z stdout P a\n"
      "2025-12-04T05:06:07Z stderr F noise\n"
      "2025-12-04T05:06:07Z stdout F b\n",
      ContainerFormat::kCri, IoStream::kStdout);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].text, "ab");
}

TEST(ContainerLogTest, DockerFormatRefusesALineTheFramerCut) {
  ContainerLogDecoder decoder(ContainerFormat::kDocker, IoStream::kNone, 100);
  std::vector<uint32_t> flags;
  decoder.push("{\"log\":\"complete\\n\"}", 0, 10, kFlagTruncated, [&](const ContainerLine& m) { flags.push_back(m.flags); });
  EXPECT_EQ(flags, (std::vector<uint32_t>{kFlagTruncated | kFlagContainerFormatError}));
}

TEST(ContainerPathTest, KubeletPodFolderGivesNamespacePodUidAndContainer) {
  auto f = container_fields_from_path("/var/log/pods/shop_web-5d8f-x2x7q_0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/nginx/3.log.20261204-050607");
  EXPECT_EQ(f, (FieldValues{{"kubernetes.namespace", "shop"},
                            {"kubernetes.pod.name", "web-5d8f-x2x7q"},
                            {"kubernetes.pod.uid", "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
                            {"container.name", "nginx"}}));
}

TEST(ContainerPathTest, ContainersFolderGivesPodNamespaceContainerAndId) {
  std::string id(64, 'a');
  auto f = container_fields_from_path("/host/var/log/containers/web-1_kube-system_side-car-" + id + ".log");
  EXPECT_EQ(f, (FieldValues{{"kubernetes.namespace", "kube-system"},
                            {"kubernetes.pod.name", "web-1"},
                            {"container.name", "side-car"},
                            {"container.id", id}}));
}

TEST(ContainerPathTest, DockerFolderGivesTheIdAndOtherPathsNothing) {
  std::string id(64, 'f');
  EXPECT_EQ(container_fields_from_path("/var/lib/docker/containers/" + id + "/" + id + "-json.log"), (FieldValues{{"container.id", id}}));
  EXPECT_TRUE(container_fields_from_path("/var/log/containers/web_shop_app-notanid.log").empty());
  EXPECT_TRUE(container_fields_from_path("/var/log/pods/only_two/app/0.log").empty());
  EXPECT_TRUE(container_fields_from_path("/var/log/syslog").empty());
  EXPECT_TRUE(container_fields_from_path("").empty());
}

TEST(ContainerPathTest, FieldsRenderNestedTheLastNameWinningOverEqualAndNestingOnes) {
  std::vector<std::string> heads;
  std::string json = render_origin_fields({{"kubernetes.pod.name", "from-path"},
                                           {"container.name", "app"},
                                           {"kubernetes.pod.name", "from \"env\""},
                                           {"container", "flat"},
                                           {"kubernetes.namespace", "shop"}},
                                          heads);
  EXPECT_EQ(json, ",\"container\":\"flat\",\"kubernetes\":{\"namespace\":\"shop\",\"pod\":{\"name\":\"from \\\"env\\\"\"}}");
  EXPECT_EQ(heads, (std::vector<std::string>{"container", "kubernetes"}));
}

}  // namespace
}  // namespace logship
