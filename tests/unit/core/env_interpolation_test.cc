#include "core/config/env_interpolation.h"

#include <gtest/gtest.h>

#include <map>

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
  EXPECT_EQ(interpolate_env("path: ${DIR}/app.log", errors, fake_env({{"DIR", "/var/log"}})), "path: /var/log/app.log");
  EXPECT_TRUE(errors.empty());
}

TEST(EnvInterpolationTest, UsesDefaultWhenUnsetOrEmpty) {
  ConfigErrors errors;
  auto env = fake_env({{"EMPTY", ""}});
  EXPECT_EQ(interpolate_env("a: ${MISSING:-x y}\nb: ${EMPTY:-dflt}\nc: ${MISSING:-}", errors, env), "a: x y\nb: dflt\nc: ");
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

}  // namespace
}  // namespace logship
