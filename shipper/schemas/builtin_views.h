// The saved views of schemas/views, compiled into the binary.
#pragma once

#include <vector>

#include "clients/elasticsearch/saved_view.h"

namespace logship {

// Every view of schemas/views, sorted by name.
std::vector<SavedView> builtin_views();

}  // namespace logship
