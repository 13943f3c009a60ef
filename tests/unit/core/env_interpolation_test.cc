#include "core/config/env_interpolation.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <vector>

namespace logship {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EnvInterpolationTest, ReplacesSetVariables) {
  ConfigErrors errors;
  EXPECT_EQ(interpolate_env("path: ${DIR}/app.log", errors, fake_env({{"DIR", "/var/log"}})), "path: \"/var/log/app.log\"");
  EXPECT_TRUE(errors.empty());
}

TEST(EnvInterpolationTest, UsesDefaultWhenUnsetOrEmpty) {
  ConfigErrors errors;
  auto env = fake_env({{"EMPTY", ""}});
  // A reference that is a whole unquoted value becomes a double-quoted string (the old output
  // pasted the text unquoted, so a value could be any YAML).
  EXPECT_EQ(interpolate_env("a: ${MISSING:-x y}\nb: ${EMPTY:-dflt}\nc: ${MISSING:-}", errors, env), "a: \"x y\"\nb: \"dflt\"\nc: \"\"");
  EXPECT_TRUE(errors.empty());
}

TEST(EnvInterpolationTest, DoubleDollarIsALiteralDollar) {
  ConfigErrors errors;
  EXPECT_EQ(interpolate_env("pattern: '^$$HOME ${X}'", errors, fake_env({{"X", "1"}})), "pattern: '^$HOME 1'");
}

TEST(EnvInterpolationTest, ReportsEveryUnsetVariableWithItsLine) {
  ConfigErrors errors;
  interpolate_env("a: 1\nb: ${NOPE}\nc: ${ALSO_NOPE} ${bad-name}\n", errors, fake_env({}));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors.list()[0].line, 2);
  EXPECT_NE(errors.list()[0].message.find("NOPE is not set"), std::string::npos);
  EXPECT_EQ(errors.list()[1].line, 3);
  EXPECT_EQ(errors.list()[1].column, 4);
  EXPECT_NE(errors.list()[2].message.find("invalid environment variable reference"), std::string::npos);
}

// Every value, in every place a reference can stand, must come back from the YAML parser as
// exactly that text inside the one scalar: no key added, no string ended, nothing commented out.
TEST(EnvInterpolationTest, ValuesNeverChangeTheYamlStructureInAnyContext) {
  const std::vector<std::string> values = {
      "plain", "x\", endpoints: [\"http://evil\"]", "a: b", "a:", "x #not a comment", "#x", "[1, 2]", "{verify: false}",
      "a, b]", "}", "*alias", "&anchor x", "!!map", "| block", "> folded", "'single'", "\"double\"", "- item", "? key",
      "%dir", "@at", "`tick", "--- doc", "...", "back\\slash", "it''s", "tab\there", " lead", "trail ", "", "${NESTED}", "$$"};
  // {yaml with the reference as ${V}, the key under which the value lands, prefix, suffix}
  struct Context {
    std::string yaml;
    std::string prefix, suffix;
  };
  const std::vector<Context> contexts = {
      {"k: ${V}\nz: 1\n", "", ""},
      {"k: ${V}/app.log\nz: 1\n", "", "/app.log"},
      {"k: pre ${V} post # comment\nz: 1\n", "pre ", " post"},
      {"k: {x: ${V}, y: 2}\nz: 1\n", "", ""},
      {"k: [${V}, 2]\nz: 1\n", "", ""},
      {"k: [a${V}b, 2]\nz: 1\n", "a", "b"},
      {"k: \"q ${V} q\"\nz: 1\n", "q ", " q"},
      {"k: 'q ${V} q'\nz: 1\n", "q ", " q"},
      {"k:\n  - ${V}\nz: 1\n", "", ""},
  };
  for (const auto& v : values) {
    for (const auto& c : contexts) {
      ConfigErrors errors;
      std::string out = interpolate_env(c.yaml, errors, fake_env({{"V", v}}));
      SCOPED_TRACE("value [" + v + "] in [" + c.yaml + "] -> [" + out + "]");
      ASSERT_TRUE(errors.empty()) << errors.list()[0].message;
      YAML::Node root = YAML::Load(out);
      ASSERT_TRUE(root.IsMap());
      EXPECT_EQ(root.size(), 2u);
      EXPECT_EQ(root["z"].as<std::string>(), "1");
      YAML::Node k = root["k"];
      if (k.IsMap()) k = k["x"];
      if (k.IsSequence()) k = k[0];
      ASSERT_TRUE(k.IsScalar());
      // Single quotes fold a leading/trailing blank of the value into the scalar; plain text
      // around a value keeps it too.
      EXPECT_EQ(k.Scalar(), c.prefix + v + c.suffix);
    }
  }
}

TEST(EnvInterpolationTest, AValueWithALineBreakIsRefusedWithItsNameAndLine) {
  ConfigErrors errors;
  std::string out = interpolate_env("a: 1\nauth:\n  password: ${ES_PASSWORD}\n", errors,
                                    fake_env({{"ES_PASSWORD", "x\n    tls: {verify: false}"}}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.list()[0].line, 3);
  EXPECT_NE(errors.list()[0].message.find("ES_PASSWORD holds a line break"), std::string::npos) << errors.list()[0].message;
  EXPECT_EQ(out.find("verify"), std::string::npos);
  ConfigErrors cr;
  interpolate_env("a: ${X}\n", cr, fake_env({{"X", "a\rb"}}));
  EXPECT_EQ(cr.size(), 1u);
}

TEST(EnvInterpolationTest, ReferencesInBlockScalarsAreSubstitutedAsText) {
  ConfigErrors errors;
  auto env = fake_env({{"X", "a: [b] #c"}, {"PAD", "  x"}});
  std::string out = interpolate_env("k: 1\nscript: |\n  run ${X}\n  ok\nz: 2\n", errors, env);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(out, "k: 1\nscript: |\n  run a: [b] #c\n  ok\nz: 2\n");
  YAML::Node root = YAML::Load(out);
  EXPECT_EQ(root["script"].Scalar(), "run a: [b] #c\nok\n");
  // At the start of a block scalar's line, leading blanks would change its indentation.
  interpolate_env("script: |\n  ${PAD}\n  more\n", errors, env);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors.list()[0].message.find("indentation"), std::string::npos);
}

TEST(EnvInterpolationTest, ReferencesInCommentsAreLeftAsWrittenAndNeverLookedUp) {
  std::vector<std::string> looked_up;
  EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
    looked_up.push_back(name);
    return name == "MULTI" ? std::optional<std::string>("a\nb") : std::nullopt;
  };
  const std::string yaml =
      "# password: ${OLD_SECRET}\n"
      "k: 1 # was ${UNSET}, then ${MULTI}\n"
      "l: [a, b] #${UNSET}\n"
      "  # indented ${bad-name} and ${unterminated\n"
      "m: {x: 'y'} # ${MULTI}\n"
      "script: |\n"
      "  run\n"
      "# after the block ${UNSET}\n";
  ConfigErrors errors;
  EXPECT_EQ(interpolate_env(yaml, errors, env), yaml);
  EXPECT_TRUE(errors.empty()) << errors.list()[0].message;
  EXPECT_TRUE(looked_up.empty()) << looked_up[0];
  // The same without a parse (the file is not YAML): still no error for a commented reference.
  ConfigErrors broken;
  interpolate_env("k: [1\n# ${UNSET}\n", broken, env);
  EXPECT_TRUE(broken.empty()) << broken.list()[0].message;
}

TEST(EnvInterpolationTest, AHashInsideAValueOrNotAfterABlankOpensNoComment) {
  ConfigErrors errors;
  std::string out = interpolate_env("a: \"q #${X}\"\nb: 'q #${X}'\nc: q#${X}\nd: [e, \"#${X}\"]\nscript: |\n  # ${X}\n", errors,
                                    fake_env({{"X", "v"}}));
  ASSERT_TRUE(errors.empty()) << errors.list()[0].message;
  YAML::Node root = YAML::Load(out);
  EXPECT_EQ(root["a"].Scalar(), "q #v");
  EXPECT_EQ(root["b"].Scalar(), "q #v");
  EXPECT_EQ(root["c"].Scalar(), "q#v");
  EXPECT_EQ(root["d"][1].Scalar(), "#v");
  EXPECT_EQ(root["script"].Scalar(), "# v\n");
  // And an unset variable there is an error, as in any value.
  interpolate_env("a: \"q #${UNSET}\"\nc: q#${UNSET}\n", errors, fake_env({}));
  EXPECT_EQ(errors.size(), 2u);
}

TEST(EnvInterpolationTest, ReferencesInASecondDocumentAreReadInTheirContext) {
  ConfigErrors errors;
  std::string out = interpolate_env("a: ${X}\n---\nb: ${X} # ${UNSET}\n", errors, fake_env({{"X", "v"}}));
  EXPECT_TRUE(errors.empty()) << errors.list()[0].message;
  EXPECT_EQ(out, "a: \"v\"\n---\nb: \"v\" # ${UNSET}\n");
}

TEST(EnvInterpolationTest, LineNumbersAreKeptAndReferencesOutsideValuesAreRefused) {
  ConfigErrors errors;
  std::string out = interpolate_env("a: ${X}\nb: 'it''s ${X}'\nc: !tag${X} 1\nd: 4\n", errors, fake_env({{"X", "v"}}));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors.list()[0].line, 3);
  EXPECT_NE(errors.list()[0].message.find("outside any value"), std::string::npos) << errors.list()[0].message;
  EXPECT_EQ(YAML::Load(out)["d"].Mark().line, 3);  // 0-based: the 4th line, as in the source
}

}  // namespace
}  // namespace logship
