#include "core/config/yaml_load.h"

#include <gtest/gtest.h>

namespace logship {
namespace {

TEST(YamlLoadTest, ASecondDocumentIsRefusedAtTheLineWhereItBegins) {
  struct Case {
    const char* yaml;
    int line;
  };
  for (const Case& c : {Case{"a: 1\nb: 2\n---\nc: 3\n", 3}, Case{"---\na: 1\n--- # more\nc: 3\n", 3}, Case{"a: 1\n...\n\nc: 3\n", 4},
                        Case{"a: 1\n---\n", 2}, Case{"a: 1\n---\n[unclosed\n", 2}}) {
    SCOPED_TRACE(c.yaml);
    ConfigErrors errors;
    std::optional<YAML::Node> root = load_yaml(c.yaml, errors);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors.list()[0].line, c.line);
    EXPECT_NE(errors.list()[0].message.find("a pipeline file holds one YAML document; a second begins at line " + std::to_string(c.line)),
              std::string::npos)
        << errors.list()[0].message;
  }
  ConfigErrors errors;
  load_yaml("rules: []\n---\ntests: []\n", errors, "a rule file");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.list()[0].message.rfind("a rule file holds one YAML document", 0), 0u) << errors.list()[0].message;
}

TEST(YamlLoadTest, OneDocumentWithMarkersIsAccepted) {
  for (const char* yaml : {"a: 1\n", "---\na: 1\n", "a: 1\n...\n", "--- \na: '---'\nb: |\n  ---\n...\n# --- a comment\n", ""}) {
    ConfigErrors errors;
    EXPECT_TRUE(load_yaml(yaml, errors)) << yaml;
    EXPECT_TRUE(errors.empty()) << yaml << ": " << errors.list()[0].message;
  }
}

}  // namespace
}  // namespace logship
