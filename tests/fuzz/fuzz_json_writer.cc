// libFuzzer target, differential: append_json_string (blocks copied whole, escapes written
// through a pointer) must write exactly what escaping byte by byte writes, after whatever the
// string already held; its output must read back, through simdjson, as the input whenever the
// input is valid UTF-8; and it must report invalid UTF-8 exactly when simdjson finds it.
#include <simdjson.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "core/json_writer.h"

namespace {

// The plainest correct escaper, for valid UTF-8 only.
std::string escaped_byte_by_byte(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string prefix(data[0] % 40, 'p');  // what the output already held: any offset
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string out = prefix;
  bool valid = logship::append_json_string(out, text);
  if (valid != simdjson::validate_utf8(text.data(), text.size())) std::abort();
  if (out.compare(0, prefix.size(), prefix) != 0) std::abort();
  std::string_view written = std::string_view(out).substr(prefix.size());
  if (valid && written != escaped_byte_by_byte(text)) std::abort();
  // Whatever the input, the output is one JSON string; when the input was valid, it is the input.
  std::string doc(written);
  static simdjson::dom::parser parser;
  std::string_view back;
  if (parser.parse(doc).get_string().get(back) != simdjson::SUCCESS) std::abort();
  if (valid && back != text) std::abort();
  return 0;
}
