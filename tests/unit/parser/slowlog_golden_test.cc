// Golden tests: every slow log in tests/testdata/slowlogs parses to the events recorded in
// tests/testdata/slowlogs/golden/<file>.golden (every field, flattened to path=value lines).
// Regenerate after a deliberate change with LOGSHIP_UPDATE_GOLDEN=1 and review the diff.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "parser/mysql_slowlog/slowlog_transform.h"
#include "shipper/cli/offline_reader.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

void flatten(simdjson::dom::element el, const std::string& path, std::vector<std::string>& out) {
  switch (el.type()) {
    case simdjson::dom::element_type::OBJECT:
      for (auto field : el.get_object()) {
        std::string key(field.key);
        std::string child = path.empty() ? key : path + "." + key;
        // Values that depend on the machine or the checkout, not on the parser.
        if (child == "host.name" || child == "log.file.path" || child == "event.id") continue;
        flatten(field.value, child, out);
      }
      break;
    case simdjson::dom::element_type::ARRAY: {
      size_t i = 0;
      for (auto item : el.get_array()) flatten(item, path + "[" + std::to_string(i++) + "]", out);
      break;
    }
    default:
      out.push_back(path + "=" + simdjson::minify(el));
  }
}

std::string golden_of(const std::string& log_path) {
  SlowlogTransform transform = std::move(*SlowlogTransform::create({}, BuildContext{"golden", "", ""}).value());
  OfflineReaderOptions options;
  options.multiline = slowlog_framing();
  options.dataset = "mysql.slowlog";
  std::string text;
  int fd = ::open(log_path.c_str(), O_RDONLY);
  simdjson::dom::parser parser;
  int n = 0;
  Status s = read_batches(fd, std::filesystem::path(log_path).filename(), options, [&](BatchPtr batch) {
    batch->read_time_nanos = 0;  // events without a time of their own get 1970-01-01
    transform.encode(*batch);
    for (const EventView& e : batch->events) {
      std::vector<std::string> fields;
      flatten(parser.parse(std::string(batch->encoded_text(e))), "", fields);
      text += "# event " + std::to_string(n++) + "\n";
      for (const auto& f : fields) text += f + "\n";
    }
  });
  ::close(fd);
  EXPECT_TRUE(s);
  return text;
}

class SlowlogGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SlowlogGoldenTest, ParsesToTheRecordedEvents) {
  std::string dir = std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/slowlogs/";
  std::string golden_path = dir + "golden/" + GetParam() + ".golden";
  std::string actual = golden_of(dir + GetParam());
  if (std::getenv("LOGSHIP_UPDATE_GOLDEN")) {
    std::filesystem::create_directories(dir + "golden");
    testing::write_file(golden_path, actual);
  }
  EXPECT_EQ(actual, testing::read_file(golden_path)) << "golden " << golden_path;
}

INSTANTIATE_TEST_SUITE_P(AllSampleLogs, SlowlogGoldenTest,
                         ::testing::Values("mariadb-10.11-query_plan.log", "mysql5.7.log", "slow002.txt", "slow031.txt",
                                           "slow045.txt", "slow059.txt", "slow061.txt", "boundaries-mixed.log"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// The number of entries per file, counted by hand from the files (one "# Query_time" each),
// and the server headers: a second check that does not depend on the goldens.
TEST(SlowlogGoldenCounts, EveryFileHasTheRightNumberOfEntriesAndHeaders) {
  struct Expect {
    const char* file;
    int entries;
    int headers;
  };
  for (Expect x : {Expect{"mariadb-10.11-query_plan.log", 27, 2}, Expect{"mysql5.7.log", 2, 2}, Expect{"slow002.txt", 8, 0},
                   Expect{"slow031.txt", 1, 1}, Expect{"slow045.txt", 2, 0}, Expect{"slow059.txt", 3, 0},
                   Expect{"slow061.txt", 1, 1}, Expect{"boundaries-mixed.log", 30, 0}}) {
    std::string golden = golden_of(std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/slowlogs/" + x.file);
    int queries = 0, headers = 0, fragments = 0;
    for (size_t p = 0; (p = golden.find("mysql.slowlog.query=", p)) != std::string::npos; ++p) ++queries;
    for (size_t p = 0; (p = golden.find("event.action=\"mysql-server-header\"", p)) != std::string::npos; ++p) ++headers;
    for (size_t p = 0; (p = golden.find("slowlog_fragment", p)) != std::string::npos; ++p) ++fragments;
    EXPECT_EQ(queries, x.entries) << x.file;
    EXPECT_EQ(headers, x.headers) << x.file;
    EXPECT_EQ(fragments, 0) << x.file;
  }
}

}  // namespace
}  // namespace logship
