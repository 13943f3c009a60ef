// Making an encoded event fit a size limit without losing its shape: the longest string values
// are cut (all to one common length, the least that fits) and "truncated" is added to
// log.flags. Numbers, keys, nesting and logship's event metadata stay as they were, so the
// event still has its parsed fields (a Kafka topic's max.message.bytes, a cluster's limit).
//
//   std::string out;
//   if (shrink_event_json(encoded_event, 1000000, out)) produce(out);
//   else ... it cannot fit even with every string cut: refuse it (dead letter) ...
//
// `json` must be one JSON object (as logship encodes events); a cut never splits an escape
// sequence or a UTF-8 character.
#pragma once

#include <string>
#include <string_view>

namespace logship {

bool shrink_event_json(std::string_view json, size_t max_bytes, std::string& out);

}  // namespace logship
