// Adds every transform type of this folder to a registry.
#pragma once

#include "core/component_registry.h"

namespace logship {

void register_parsers(ComponentRegistry& registry);

}  // namespace logship
