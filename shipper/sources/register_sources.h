// Adds every source type of this folder to a registry.
#pragma once

#include "core/component_registry.h"

namespace logship {

void register_sources(ComponentRegistry& registry);

// Every component type this binary knows: sources, parsers/transforms and sinks.
void register_all_components(ComponentRegistry& registry);

}  // namespace logship
