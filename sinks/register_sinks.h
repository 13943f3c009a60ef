// Adds every sink type of this folder to a registry.
#pragma once

#include "core/component_registry.h"

namespace logship {

void register_sinks(ComponentRegistry& registry);

}  // namespace logship
