// RawMembers (parser/json/raw_members.h) against simdjson On-Demand, which slices the same raw
// keys and values its own way: the unit test and fuzz_json both use it.
#pragma once

#include <simdjson.h>

#include <string>
#include <utility>

#include "parser/json/raw_members.h"

namespace logship::testing {

inline std::string_view trim_json_space(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Empty when RawMembers agrees with On-Demand on every member of `json` (or `json` is not an
// object the DOM parser accepts); otherwise what differs.
inline std::string raw_members_difference(std::string_view json) {
  simdjson::padded_string text(json);
  simdjson::dom::parser dom;
  simdjson::dom::element root;
  if (dom.parse(text).get(root) || !root.is_object()) return "";
  simdjson::ondemand::parser od;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object object;
  if (od.iterate(text).get(doc) || doc.get_object().get(object)) return "On-Demand refused a valid object";
  RawMembers raw(text.data());
  std::string_view key, value;
  bool escaped;
  size_t index = 0;
  for (auto member : object) {
    simdjson::ondemand::field field;
    if (std::move(member).get(field)) return "On-Demand failed on member " + std::to_string(index);
    if (!raw.next(key, escaped, value)) return "RawMembers stopped before member " + std::to_string(index);
    const char* key_at = field.key().raw();
    if (key.data() != key_at || key.data()[key.size()] != '"') return "key of member " + std::to_string(index);
    simdjson::ondemand::value v = field.value();
    simdjson::ondemand::json_type type;
    if (v.type().get(type)) return "type";
    std::string_view expected;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object o;
      if (v.get_object().get(o) || o.raw_json().get(expected)) return "object";
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array a;
      if (v.get_array().get(a) || a.raw_json().get(expected)) return "array";
    } else {
      expected = v.raw_json_token();
    }
    expected = trim_json_space(expected);
    if (value.data() != expected.data() || value.size() != expected.size())
      return "value of member " + std::to_string(index) + ": '" + std::string(value) + "' vs '" + std::string(expected) + "'";
    ++index;
  }
  if (raw.next(key, escaped, value)) return "RawMembers found a member after the last";
  return "";
}

}  // namespace logship::testing
