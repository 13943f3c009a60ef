// Appending JSON text to a std::string without building a DOM.
//
//   std::string out;
//   append_json_string(out, "he said \"hi\"\n");   // -> "he said \"hi\"\n" (quoted, escaped)
//
// Input that is not valid UTF-8 is repaired (each bad byte becomes U+FFFD) so that every line
// logship writes is valid JSON; the return value tells the caller to flag the event.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace logship {

// Appends `text` as a quoted JSON string. Returns false when `text` was not valid UTF-8 and
// had to be repaired.
bool append_json_string(std::string& out, std::string_view text);

// Appends the escaped body only (no quotes); `text` must already be valid UTF-8.
void append_json_escaped_utf8(std::string& out, std::string_view text);

void append_uint(std::string& out, uint64_t value);

// Bytes of the valid UTF-8 character at text[at] (1..4), or 0 when the bytes there are not
// one (a stray continuation byte, an overlong form, a surrogate, a cut sequence).
size_t utf8_character_length(std::string_view text, size_t at);

// Appends `text` as it is (no escaping) but with each byte that is not part of valid UTF-8
// replaced by U+FFFD: for text formats that must be UTF-8 (Prometheus labels). False when a
// byte was replaced.
bool append_valid_utf8(std::string& out, std::string_view text);

}  // namespace logship
