// StructuralWalk (parser/json/structural_walk.h) against simdjson's DOM parser and RawMembers
// (itself checked against On-Demand): the unit test and fuzz_json both use it.
#pragma once

#include <simdjson.h>

#include <string>

#include "parser/json/raw_members.h"
#include "parser/json/structural_walk.h"

namespace logship::testing {

// The members of the accepted object opening at structural `open` against RawMembers on its
// text, and so on down every nested object.
inline std::string walk_members_difference(const StructuralWalk& walk, uint32_t open, const char* text) {
  StructuralWalk::Members members(walk, open);
  RawMembers raw(text);
  std::string_view key, value, raw_key, raw_value;
  uint32_t value_index = 0;
  bool escaped = false;
  for (size_t i = 0; members.next(key, value, value_index); ++i) {
    if (!raw.next(raw_key, escaped, raw_value)) return "the walk found more members than RawMembers";
    if (key.data() != raw_key.data() || key.size() != raw_key.size()) return "key of member " + std::to_string(i) + ": '" + std::string(key) + "'";
    if (value.data() != raw_value.data() || value.size() != raw_value.size())
      return "value of member " + std::to_string(i) + ": '" + std::string(value) + "' vs '" + std::string(raw_value) + "'";
    if (value.front() == '{') {
      if (std::string d = walk_members_difference(walk, value_index, value.data()); !d.empty()) return d;
    }
  }
  if (raw.next(raw_key, escaped, raw_value)) return "the walk stopped before RawMembers";
  return "";
}

// Empty when StructuralWalk is right about `json`: it accepts only what the DOM parser (with
// `max_depth`) accepts as an object, and then slices every member as RawMembers does. Sets
// `accepted` to its answer.
inline std::string structural_walk_difference(std::string_view json, size_t max_depth, bool& accepted) {
  simdjson::padded_string text(json);
  simdjson::dom::parser parser;
  if (parser.allocate(text.size(), max_depth)) return "";
  StructuralWalk walk;
  accepted = walk.accept(parser, text.data(), text.size(), max_depth);
  if (!accepted) return "";
  std::string members = walk_members_difference(walk, 0, text.data());
  simdjson::dom::parser reference;
  if (reference.allocate(text.size(), max_depth)) return "";
  simdjson::dom::element root;
  auto error = reference.parse(text).get(root);
  if (error) return std::string("accepted what the DOM parser refuses: ") + simdjson::error_message(error);
  if (!root.is_object()) return "accepted a document that is not an object";
  return members;
}

}  // namespace logship::testing
