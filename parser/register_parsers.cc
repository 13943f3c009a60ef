#include "parser/register_parsers.h"

#include "parser/filter/filter_transform.h"

namespace logship {

void register_parsers(ComponentRegistry& registry) {
  registry.add(std::make_unique<TypedFactory<ComponentKind::kTransform, FilterConfig, FilterTransform>>(
      "filter", "Keeps or drops events by RE2 patterns on their text.", FilterTransform::schema()));
}

}  // namespace logship
