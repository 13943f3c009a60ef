// `logship parse --format mysql_slowlog` and `logship digest` read a slow log the same way:
// for every slow log in tests/testdata, the events parse prints, grouped by query id, are the
// classes digest reports, with the same counts and total times.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "tests/support/test_support.h"

namespace logship {
namespace {

struct Figures {
  uint64_t count = 0;
  double total_sec = 0;
};

std::map<std::string, Figures> classes_from_parse(const std::string& file) {
  auto r = testing::run_logship({"parse", "--format", "mysql_slowlog", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Figures> out;
  simdjson::dom::parser p;
  for (const std::string& line : testing::split_lines(r.out)) {
    simdjson::dom::element e = p.parse(line);
    std::string_view id;
    int64_t duration_ns = 0;
    if (e["mysql"]["slowlog"]["id"].get(id) != simdjson::SUCCESS) continue;          // header, fragment
    if (e["event"]["duration"].get(duration_ns) != simdjson::SUCCESS) continue;      // no Query_time
    Figures& f = out[std::string(id)];
    ++f.count;
    f.total_sec += static_cast<double>(duration_ns) / 1e9;
  }
  return out;
}

std::map<std::string, Figures> classes_from_digest(const std::string& file) {
  auto r = testing::run_logship({"digest", "--format", "json", "--limit", "100000", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, Figures> out;
  simdjson::dom::parser p;
  for (auto c : p.parse(r.out).get_array()) out[std::string(std::string_view(c["id"]))] = {uint64_t(c["count"]), double(c["total_time_sec"])};
  return out;
}

TEST(SlowlogCliTest, ParseAndDigestAgreeOnEverySlowLogInTestdata) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LOGSHIP_SOURCE_DIR) + "/tests/testdata/slowlogs")) {
    if (!entry.is_regular_file()) continue;
    std::string file = entry.path().string();
    auto parsed = classes_from_parse(file);
    auto digested = classes_from_digest(file);
    EXPECT_FALSE(parsed.empty()) << file;
    EXPECT_EQ(parsed.size(), digested.size()) << file;
    for (const auto& [id, f] : digested) {
      auto it = parsed.find(id);
      ASSERT_NE(it, parsed.end()) << file << ": class " << id << " is in the digest only";
      EXPECT_EQ(it->second.count, f.count) << file << ": " << id;
      EXPECT_NEAR(it->second.total_sec, f.total_sec, 1e-5 + f.total_sec * 1e-6) << file << ": " << id;
    }
    ++files;
  }
  EXPECT_GE(files, 7);
}

}  // namespace
}  // namespace logship
