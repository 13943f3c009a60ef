// Equality of short strings (keys, level names) as a plain loop. For a few bytes a call to
// memcmp, with its dispatch, costs more than the compare itself, and == or std::equal on chars
// become exactly that call; on the per-member and per-event paths it showed in profiles.
#pragma once

#include <string_view>

namespace logship {

inline bool short_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace logship
