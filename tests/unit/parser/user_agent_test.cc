// The user agent parser against uap-core's own test vectors (Debian's uap-core package): the
// family and versions of browsers and operating systems, and device families.
#include "parser/user_agent/user_agent_parser.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace logship {
namespace {

const std::string kRegexes = "/usr/share/uap-core/regexes.yaml";
const std::string kTests = "/usr/share/uap-core/tests/";

std::shared_ptr<const UserAgentParser> parser() {
  std::string why;
  auto p = UserAgentParser::shared(kRegexes, why);
  EXPECT_TRUE(p) << why;
  return p;
}

std::string value(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : ""; }

// "major.minor.patch" of a vector, as far as it goes.
std::string dotted(const YAML::Node& c, std::initializer_list<const char*> keys) {
  std::string out;
  for (const char* k : keys) {
    std::string v = value(c[k]);
    if (v.empty()) break;
    out += (out.empty() ? "" : ".") + v;
  }
  return out;
}

// The first `n` dot-separated parts of `version`.
std::string first_parts(const std::string& version, int n) {
  size_t end = 0;
  for (int i = 0; i < n && end != std::string::npos; ++i) end = version.find('.', end == 0 && i == 0 ? 0 : end + 1);
  return end == std::string::npos ? version : version.substr(0, end);
}

class UserAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kRegexes)) GTEST_SKIP() << "uap-core is not installed (scripts/install-deps installs it)";
  }
};

TEST_F(UserAgentTest, EveryBrowserVectorOfUapCoreGivesItsFamilyAndVersion) {
  auto p = parser();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->skipped(), 0u) << "every expression of Debian's file compiles with RE2";
  YAML::Node cases = YAML::LoadFile(kTests + "test_ua.yaml")["test_cases"];
  int checked = 0, wrong = 0;
  for (const YAML::Node& c : cases) {
    UserAgent ua = p->parse(value(c["user_agent_string"]));
    std::string expected = dotted(c, {"major", "minor", "patch"});
    int parts = static_cast<int>(std::count(expected.begin(), expected.end(), '.')) + (expected.empty() ? 0 : 1);
    bool ok = ua.name == value(c["family"]) && (expected.empty() ? true : first_parts(ua.version, parts) == expected);
    if (!ok && ++wrong <= 5) ADD_FAILURE() << value(c["user_agent_string"]) << ": " << ua.name << " " << ua.version << ", expected " << value(c["family"]) << " " << expected;
    ++checked;
  }
  EXPECT_GT(checked, 1000);
  EXPECT_EQ(wrong, 0);
}

TEST_F(UserAgentTest, EveryOperatingSystemVectorOfUapCoreGivesItsNameAndVersion) {
  auto p = parser();
  ASSERT_TRUE(p);
  YAML::Node cases = YAML::LoadFile(kTests + "test_os.yaml")["test_cases"];
  int checked = 0, wrong = 0;
  for (const YAML::Node& c : cases) {
    UserAgent ua = p->parse(value(c["user_agent_string"]));
    std::string expected = dotted(c, {"major", "minor", "patch", "patch_minor"});
    bool ok = ua.os_name == value(c["family"]) && ua.os_version == expected;
    if (!ok && ++wrong <= 5) ADD_FAILURE() << value(c["user_agent_string"]) << ": " << ua.os_name << " " << ua.os_version << ", expected " << value(c["family"]) << " " << expected;
    ++checked;
  }
  EXPECT_GT(checked, 400);
  EXPECT_EQ(wrong, 0);
}

TEST_F(UserAgentTest, DeviceFamiliesOfUapCoreVectors) {
  auto p = parser();
  ASSERT_TRUE(p);
  YAML::Node cases = YAML::LoadFile(kTests + "test_device.yaml")["test_cases"];
  int checked = 0, wrong = 0;
  // Every 16th of the 16,000 vectors: the device list is long, and the unit suite stays fast.
  for (size_t i = 0; i < cases.size(); i += 16) {
    const YAML::Node& c = cases[i];
    UserAgent ua = p->parse(value(c["user_agent_string"]));
    if (ua.device_name != value(c["family"]) && ++wrong <= 5)
      ADD_FAILURE() << value(c["user_agent_string"]) << ": " << ua.device_name << ", expected " << value(c["family"]);
    ++checked;
  }
  EXPECT_GT(checked, 900);
  EXPECT_EQ(wrong, 0);
}

TEST_F(UserAgentTest, TheCacheAnswersRepeatedAgentsAndStartsAgainWhenFull) {
  UserAgentCache cache(parser(), 2);
  const UserAgent& a = cache.get("curl/8.0.1");
  EXPECT_EQ(a.name, "curl");
  EXPECT_EQ(&cache.get("curl/8.0.1"), &a) << "the same entry";
  cache.get("Wget/1.21");
  EXPECT_EQ(cache.get("Go-http-client/1.1").name, "Go-http-client") << "a third agent empties the cache and is parsed";
  EXPECT_EQ(cache.get("").name, "Other");
}

TEST_F(UserAgentTest, TheCacheRendersTheWholeEcsObjectOnceWithEmptyValuesLeftOut) {
  UserAgentCache cache(parser(), 10);
  const UserAgent& chrome =
      cache.get("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36");
  EXPECT_EQ(chrome.object_json,
            R"({"device":{"name":"Mac"},"name":"Chrome","original":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Safari/537.36","os":{"full":"Mac OS X 10.15.7","name":"Mac OS X","version":"10.15.7"},"version":"120.0.6099.71"})");
  EXPECT_FALSE(chrome.invalid_utf8);
  const UserAgent& bare = cache.get("nothing known \xff");
  EXPECT_EQ(bare.object_json, "{\"device\":{\"name\":\"Other\"},\"name\":\"Other\",\"original\":\"nothing known \xef\xbf\xbd\",\"os\":{\"full\":\"Other\",\"name\":\"Other\"}}");
  EXPECT_TRUE(bare.invalid_utf8);
}

// From the review: a client chose how long each line cost (0.6 s for a 900 KB agent) and how
// much the cache held. Only the first 512 bytes are read, and long agents are not kept.
TEST_F(UserAgentTest, ALongAgentIsReadFromItsStartAndKeptWholeInOriginalButNotCached) {
  UserAgentCache cache(parser(), 10);
  std::string agent = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0 " + std::string(200000, 'x');
  const UserAgent& ua = cache.get(agent);
  EXPECT_EQ(ua.name, "Firefox");
  EXPECT_EQ(ua.version, "121.0");
  EXPECT_NE(ua.object_json.find(std::string(200000, 'x')), std::string::npos) << "original is the whole text";
  const UserAgent& again = cache.get(agent);
  EXPECT_EQ(again.name, "Firefox");
  const UserAgent& other = cache.get("curl/8.0.1");
  EXPECT_EQ(other.name, "curl");
}

TEST_F(UserAgentTest, AMissingFileIsAClearError) {
  std::string why;
  EXPECT_EQ(UserAgentParser::shared("/nonexistent/regexes.yaml", why), nullptr);
  EXPECT_NE(why.find("uap-core"), std::string::npos) << why;
}

}  // namespace
}  // namespace logship
