// Renders docs/configuration.md from the registered components' schemas, so the reference is
// generated from the code (`logship config-docs > docs/configuration.md`; a test fails when the
// committed file is stale).
#pragma once

#include <string>

#include "core/component_registry.h"

namespace logship {

std::string render_config_docs(const ComponentRegistry& registry);

}  // namespace logship
