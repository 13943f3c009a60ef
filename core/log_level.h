// log.level as people search for it: lower case, common aliases folded (WARNING -> warn,
// err -> error), and pino/bunyan numeric levels (50 -> error). Used by every parser that fills
// log.level, so the same query finds the errors of every application.
#pragma once

#include <string>
#include <string_view>

namespace logship {

// Appends the normalised level as a quoted JSON string.
void append_normalised_level(std::string& out, std::string_view level);

}  // namespace logship
