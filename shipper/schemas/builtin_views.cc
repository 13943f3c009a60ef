#include "shipper/schemas/builtin_views.h"

#include <algorithm>

#include "shipper/schemas/builtin_schemas.h"

namespace logship {

std::vector<SavedView> builtin_views() {
  std::vector<SavedView> views;
  for (const auto& [path, text] : builtin_schema_files()) {
    if (path.rfind("views/", 0) != 0) continue;
    auto v = parse_saved_view(text, std::string(path));
    if (v) views.push_back(std::move(v.value()));  // unit tests make sure every one parses
  }
  std::sort(views.begin(), views.end(), [](const SavedView& a, const SavedView& b) { return a.name < b.name; });
  return views;
}

}  // namespace logship
