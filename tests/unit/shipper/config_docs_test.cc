#include "shipper/cli/config_docs.h"

#include <gtest/gtest.h>

#include "shipper/sources/register_sources.h"
#include "tests/support/test_support.h"

namespace logship {
namespace {

TEST(ConfigDocsTest, CommittedReferenceMatchesTheCode) {
  ComponentRegistry registry;
  register_all_components(registry);
  std::string expected = render_config_docs(registry);
  std::string committed = testing::read_file(std::string(LOGSHIP_SOURCE_DIR) + "/docs/configuration.md");
  EXPECT_EQ(committed, expected) << "docs/configuration.md is stale: run `build/logship config-docs > docs/configuration.md`";
}

TEST(ConfigDocsTest, EveryFieldHasADescription) {
  ComponentRegistry registry;
  register_all_components(registry);
  for (const ComponentFactory* f : registry.all()) {
    EXPECT_FALSE(f->description().empty()) << f->type();
    for (const FieldDoc& d : f->docs()) EXPECT_FALSE(d.description.empty()) << f->type() << "." << d.name;
  }
}

}  // namespace
}  // namespace logship
