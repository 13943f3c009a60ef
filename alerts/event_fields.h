// An encoded event's fields as alert rules read them: dotted names found whether the event
// nests them ({"service":{"name":"x"}}) or writes them flat ({"service.name":"x"}), as
// Elasticsearch reads both.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

namespace logship {

class EventFields {
 public:
  // False when the text is not a JSON object (the event is then skipped by the rules).
  bool load(std::string_view json);
  // The value at `path`: a string as it is, a number or bool as its JSON text; none for
  // objects, arrays, null and absent fields.
  std::optional<std::string_view> text(std::string_view path);
  std::optional<double> number(std::string_view path);
  // @timestamp in Unix nanoseconds, when the event has one that reads.
  std::optional<int64_t> time();

 private:
  std::optional<simdjson::dom::element> find(simdjson::dom::element at, std::string_view path);
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  std::string padded_;
};

}  // namespace logship
