// The files of schemas/ (index templates, saved views, Kibana objects), compiled into the
// binary so that `logship schemas apply` and `logship views run` work wherever logship runs.
// Generated at build time by embed_schemas.cmake.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace logship {

// (path below schemas/, text), sorted by path: "templates/logs-app.index.json", "views/…".
const std::vector<std::pair<std::string_view, std::string_view>>& builtin_schema_files();

}  // namespace logship
