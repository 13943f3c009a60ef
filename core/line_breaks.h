// Line breaks inside one JSON text: legal whitespace between tokens (a pretty-printed object
// joined into one event by a multiline source, a Kafka message), but copied raw into NDJSON
// they would cut the event into several lines, and in a bulk body a following line would be
// read as an action of someone else's. Checked on every line before it is parsed, so fast.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace logship {

// Whether `text` holds a '\n' or a '\r' anywhere.
bool has_line_break(const char* text, size_t size);

// `text` into `out` with each '\n' or '\r' between tokens turned into a space: same length,
// same JSON value. One inside a string stays where it is (such a text is not valid JSON, and
// the parser refuses it as it would have).
void blank_line_breaks(std::string_view text, std::string& out);

}  // namespace logship
