// The logship binary's commands, exit codes and error reports.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace logship {
namespace {

using testing::run_logship;
using testing::TempDir;
using testing::write_file;

TEST(CliTest, VersionAndHelpExitZero) {
  auto v = run_logship({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("logship ", 0), 0u);
  auto help = run_logship({"help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("validate"), std::string::npos);
  auto run_help = run_logship({"run", "--help"});
  EXPECT_EQ(run_help.exit_code, 0);
  EXPECT_NE(run_help.out.find("--once"), std::string::npos);
  EXPECT_EQ(run_logship({"help", "validate"}).exit_code, 0);
}

TEST(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run_logship({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_logship({"run"}).exit_code, 2);
  EXPECT_EQ(run_logship({"validate", "-c"}).exit_code, 2);
  EXPECT_EQ(run_logship({"run", "-c", "x.yaml", "--bogus"}).exit_code, 2);
}

TEST(CliTest, ValidateListsEveryProblemWithFileLineAndPathThenExitsTwo) {
  TempDir dir;
  write_file(dir / "p.yaml",
             "sources:\n"
             "  app:\n"
             "    type: file\n"
             "    include: [/x/*.log]\n"
             "    max_line_bytes: lots\n"
             "transforms:\n"
             "  t: {type: nonesuch, inputs: [app]}\n"
             "sinks:\n"
             "  out: {type: file, inputs: [ghost], path: /tmp/o}\n");
  auto r = run_logship({"validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(dir / "p.yaml" + ":5:21: sources.app.max_line_bytes: expected a size"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":7:13: transforms.t.type: unknown transform type 'nonesuch'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":9:30: sinks.out.inputs[0]: unknown input 'ghost'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 problems"), std::string::npos) << r.err;
}

TEST(CliTest, ValidateAcceptsAGoodPipelineWithoutSideEffects) {
  TempDir dir;
  write_file(dir / "p.yaml", "data_dir: " + dir / "data" + "\nsources:\n  app: {type: file, include: ['" + dir.path() +
                                 "/*.log']}\nsinks:\n  out: {type: file, inputs: [app], path: " + dir / "out/o.ndjson" + "}\n");
  auto r = run_logship({"validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ok (1 sources, 0 transforms, 1 sinks)"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "data"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(CliTest, ValidateOfTensOfThousandsOfUnknownKeysListsAHundredAndCountsTheRest) {
  TempDir dir;
  std::string yaml = "sources:\n  app: {type: file, include: [/x/*.log]}\nsinks:\n  s: {type: null, inputs: [app]}\n";
  for (int i = 0; i < 80000; ++i) yaml += "unknown_key_" + std::to_string(i) + ": value\n";
  write_file(dir / "p.yaml", yaml);
  auto r = run_logship({"validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  size_t listed = 0;
  for (size_t at = r.err.find(": unknown key"); at != std::string::npos; at = r.err.find(": unknown key", at + 1)) ++listed;
  EXPECT_EQ(listed, 100u);
  EXPECT_NE(r.err.find(dir / "p.yaml" + ":5:1: unknown_key_0: unknown key"), std::string::npos) << r.err.substr(0, 500);
  EXPECT_NE(r.err.find("\u2026 and 79900 more problems\n"), std::string::npos);
  EXPECT_NE(r.err.find("80000 problems in"), std::string::npos);
}

TEST(CliTest, ValidateKeepsAnEnvironmentValueInsideItsValue) {
  TempDir dir;
  write_file(dir / "p.yaml", "sources:\n  app: {type: file, include: [/x/*.log]}\nsinks:\n  s: {type: file, inputs: [app], path: ${LOGSHIP_E2E_PATH}}\n");
  ::setenv("LOGSHIP_E2E_PATH", "/tmp/o\", inputs: [ghost], bogus: {", 1);
  auto ok = run_logship({"validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  ::setenv("LOGSHIP_E2E_PATH", "/tmp/o\n    tls: {verify: false}", 1);
  auto refused = run_logship({"validate", "-c", dir / "p.yaml"});
  ::unsetenv("LOGSHIP_E2E_PATH");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find(":4:"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("LOGSHIP_E2E_PATH holds a line break"), std::string::npos) << refused.err;
}

TEST(CliTest, ValidateReportsDuplicateKeysAndDeepNesting) {
  TempDir dir;
  write_file(dir / "p.yaml", "data_dir: /a\nsources:\n  app: {type: file, include: [/x/*.log]}\nsinks:\n  s: {type: null, inputs: [app]}\ndata_dir: /b\n");
  auto dup = run_logship({"validate", "-c", dir / "p.yaml"});
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_NE(dup.err.find(":6:1: data_dir: duplicate key 'data_dir' (at line 1 and again at line 6)"), std::string::npos) << dup.err;
  write_file(dir / "deep.yaml", "sources: " + std::string(100000, '[') + "\n");
  auto deep = run_logship({"validate", "-c", dir / "deep.yaml"});
  EXPECT_EQ(deep.exit_code, 2);
  EXPECT_NE(deep.err.find("nesting deeper than 64 levels at line 1"), std::string::npos) << deep.err;
}

TEST(CliTest, ValidateRefusesAFileLargerThanAPipelineCanBeWithoutParsingIt) {
  TempDir dir;
  std::string yaml;
  while (yaml.size() <= (size_t{8} << 20)) yaml += "unknown_key_" + std::to_string(yaml.size()) + ": value\n";
  write_file(dir / "big.yaml", yaml);
  auto r = run_logship({"validate", "-c", dir / "big.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("big.yaml: larger than 8 MiB, more than a pipeline can be"), std::string::npos) << r.err;
}

TEST(CliTest, UnreadablePipelineFileIsAConfigError) {
  auto r = run_logship({"validate", "-c", "/nonexistent/p.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot read pipeline file"), std::string::npos);
}

TEST(CliTest, RuntimeFailureExitsOne) {
  TempDir dir;
  write_file(dir / "p.yaml", "data_dir: /proc/forbidden\nsources:\n  app: {type: file, include: ['" + dir.path() +
                                 "/*.log']}\nsinks:\n  out: {type: null, inputs: [app]}\n");
  auto r = run_logship({"run", "--once", "-c", dir / "p.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("level=error msg=\"cannot start pipeline\""), std::string::npos) << r.err;
}

}  // namespace
}  // namespace logship

namespace logship {
namespace {

TEST(CliSqlTest, FingerprintPrintsFingerprintAndIdTabSeparated) {
  auto r = testing::run_logship({"fingerprint", "--query", "SELECT * FROM t WHERE id=5"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "select * from t where id=?\t74F34FAAAB403184C4C6DC6695C38A4C\n");
}

TEST(CliSqlTest, DigestRanksTheSampleLogsByTotalTime) {
  std::string dir = std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/slowlogs/";
  auto r = testing::run_logship({"digest", "--format", "json", "--limit", "3", dir + "slow059.txt", dir + "slow061.txt"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"rank\":1,\"id\":\"59A74D08D407B5EDF9A57DD5A41825CA\",\"fingerprint\":\"select sleep(?)\",\"count\":1"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"rank\":2,\"id\":\"24BC7BB1422E14BA9EA505F4786E7F15\""), std::string::npos) << r.out;
  auto table = testing::run_logship({"digest", dir + "slow059.txt"});
  EXPECT_NE(table.out.find("select foo from bar where id=?"), std::string::npos);
}

TEST(CliSqlTest, ParseWithARuleSet) {
  testing::TempDir dir;
  testing::write_file(dir / "access.log", "10.0.0.1 - - [26/Nov/2026:09:00:00 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"curl\"\nnot nginx\n");
  auto r = testing::run_logship({"parse", "--format", "rules:nginx", dir / "access.log"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"status_code\":200"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"unparsed\""), std::string::npos) << r.out;
  EXPECT_EQ(testing::run_logship({"parse", "--format", "rules:nonesuch", dir / "access.log"}).exit_code, 2);
}

TEST(CliSqlTest, ParsePrintsOneEventPerEntry) {
  std::string log = std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/slowlogs/slow045.txt";
  auto r = testing::run_logship({"parse", "--format", "mysql_slowlog", log});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(testing::split_lines(r.out).size(), 2u);
  EXPECT_NE(r.out.find("\"fingerprint\":\"select col from tbl\""), std::string::npos);
}

}  // namespace
}  // namespace logship
