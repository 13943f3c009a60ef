// The lines of a `_bulk` request body. logship writes every action line itself; a document is
// appended only when it is one JSON object on one line, so no event can add an action (a
// delete, an index into another index) of its own.
//
//   if (!append_bulk_create(body, "logs-app-default", id, doc)) dead_letter(...);
#pragma once

#include <string>
#include <string_view>

namespace logship {

// One JSON object on one line, as a bulk body takes a document (trailing newlines allowed).
bool one_json_line(std::string_view doc);

// Appends `{"create":{"_index":"<index>","_id":"<id>"}}\n<doc>\n` and returns true, or appends
// nothing and returns false when `doc` is not one JSON line. `index` must be sanitized
// (sanitize_index_name) and `id` an event id (hex): neither is escaped.
bool append_bulk_create(std::string& body, std::string_view index, std::string_view id, std::string_view doc);

}  // namespace logship
