// The modules' dependencies point one way (docs/architecture.md): an include that reaches into
// a module its folder must not depend on is a test failure, not a code review comment.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace logship {
namespace {

// Folder -> the top-level folders its includes may name.
const std::map<std::string, std::set<std::string>>& allowed() {
  static const std::map<std::string, std::set<std::string>> rules{
      {"core", {"core"}},
      {"parser", {"core", "parser"}},
      {"clients", {"core", "clients"}},
      {"delivery", {"core", "delivery"}},
      {"sinks", {"core", "clients", "sinks"}},
      {"alerts", {"core", "clients", "delivery", "alerts"}},
  };
  return rules;
}

TEST(LayeringTest, ModulesIncludeOnlyWhatTheyDependOn) {
  namespace fs = std::filesystem;
  const fs::path root = LOGSHIP_SOURCE_DIR;
  const std::regex include_re("^\\s*#\\s*include\\s+\"([a-z_]+)/[^\"]+\"");
  size_t files = 0;
  for (const auto& [folder, may] : allowed()) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      std::string ext = entry.path().extension();
      if (ext != ".h" && ext != ".cc") continue;
      ++files;
      std::ifstream in(entry.path());
      std::string line;
      int number = 0;
      while (std::getline(in, line)) {
        ++number;
        std::smatch m;
        if (!std::regex_search(line, m, include_re)) continue;
        std::string target = m[1];
        if (!fs::is_directory(root / target)) continue;  // a library's own folder ("librdkafka/…" is <>)
        EXPECT_TRUE(may.count(target)) << fs::relative(entry.path(), root).string() << ":" << number << " includes from " << target
                                       << "/, which " << folder << "/ must not depend on";
      }
    }
  }
  EXPECT_GT(files, 50u);
}

// Only the Kafka code may include librdkafka, only the HTTP code libcurl.
TEST(LayeringTest, OnlyTheCodeThatTalksToAServerIncludesItsClientLibrary) {
  namespace fs = std::filesystem;
  const fs::path root = LOGSHIP_SOURCE_DIR;
  const std::map<std::string, std::vector<std::string>> owners{
      {"librdkafka/rdkafka.h", {"clients/kafka/", "sinks/kafka/", "shipper/sources/kafka/"}},
      {"curl/curl.h", {"clients/elasticsearch/", "sinks/elasticsearch/"}},
  };
  for (const char* folder : {"core", "parser", "clients", "delivery", "sinks", "shipper"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / folder)) {
      std::string ext = entry.path().extension();
      if (ext != ".h" && ext != ".cc") continue;
      std::string rel = fs::relative(entry.path(), root).string();
      std::ifstream in(entry.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (const auto& [header, places] : owners) {
        if (text.find("#include <" + header + ">") == std::string::npos) continue;
        bool ok = false;
        for (const auto& p : places) ok |= rel.rfind(p, 0) == 0;
        EXPECT_TRUE(ok) << rel << " includes <" << header << ">";
      }
    }
  }
}

}  // namespace
}  // namespace logship
