// libFuzzer target: cutting an event down to a limit (core/json_shrink.h). For any JSON object
// and any limit, a "yes" must be one valid JSON object of at most the limit, with the same keys
// in the same nesting (only string values shorter), "truncated" in log.flags, and every string
// a prefix of the original one; the first input byte picks the limit.
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <vector>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/json_shrink.h"

namespace {

[[noreturn]] void fail(const char* why, std::string_view in, std::string_view out) {
  std::fprintf(stderr, "%s\nin:  %.*s\nout: %.*s\n", why, static_cast<int>(in.size()), in.data(), static_cast<int>(out.size()), out.data());
  std::abort();
}

// Same shape: objects with the same keys in the same order, arrays of the same length, equal
// non-string values; strings may be cut (the output's is a prefix of the input's). `top`: the
// output's top level may hold one more member, "log" (added for the flag), and its log.flags
// one more element.
void same_shape(simdjson::dom::element a, simdjson::dom::element b, std::string_view in, std::string_view out, int depth) {
  using T = simdjson::dom::element_type;
  if (a.type() != b.type()) fail("type changed", in, out);
  switch (a.type()) {
    case T::OBJECT: {
      auto ia = simdjson::dom::object(a).begin(), ea = simdjson::dom::object(a).end();
      auto ib = simdjson::dom::object(b).begin(), eb = simdjson::dom::object(b).end();
      for (; ia != ea; ++ia, ++ib) {
        // The flag's own "log", added before the members when the event has no "log" object.
        if (ib != eb && depth == 0 && ib.key() == "log" && ib.value().is_object() && (ia.key() != "log" || !ia.value().is_object())) ++ib;
        if (ib == eb || ia.key() != ib.key()) fail("keys changed", in, out);
        if (depth == 0 && ia.key() == "log" && ia.value().is_object()) continue;  // flags may be added inside
        same_shape(ia.value(), ib.value(), in, out, depth + 1);
      }
      break;
    }
    case T::ARRAY: {
      simdjson::dom::array xa = a, xb = b;
      if (xa.size() != xb.size()) fail("array length changed", in, out);
      auto ib = xb.begin();
      for (auto va : xa) same_shape(va, *ib++, in, out, depth + 1);
      break;
    }
    case T::STRING: {
      std::string_view sa = a, sb = b;
      if (sb.size() > sa.size() || sa.compare(0, sb.size(), sb) != 0) fail("a string is not a prefix of its original", in, out);
      break;
    }
    default:
      if (simdjson::minify(a) != simdjson::minify(b)) fail("a value changed", in, out);
  }
}

// An object repeating a key has no single "same shape" to compare with (which "log" takes the
// flag is a choice); such inputs are still cut, but only checked for validity and the limit.
bool repeats_a_key(simdjson::dom::element e) {
  if (e.is_object()) {
    std::vector<std::string_view> keys;
    for (auto m : simdjson::dom::object(e)) {
      if (std::find(keys.begin(), keys.end(), m.key) != keys.end() || repeats_a_key(m.value)) return true;
      keys.push_back(m.key);
    }
  } else if (e.is_array()) {
    for (auto v : simdjson::dom::array(e))
      if (repeats_a_key(v)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string_view json(reinterpret_cast<const char*>(data) + 1, size - 1);
  static simdjson::dom::parser in_parser, out_parser;
  simdjson::dom::element in_doc;
  if (in_parser.parse(json.data(), json.size()).get(in_doc) || !in_doc.is_object()) return 0;
  size_t limit = json.size() * data[0] / 255;
  std::string out;
  if (!logship::shrink_event_json(json, limit, out)) return 0;
  if (out.size() > limit) fail("longer than the limit", json, out);
  simdjson::dom::element out_doc;
  if (out_parser.parse(out).get(out_doc) || !out_doc.is_object()) fail("not a JSON object", json, out);
  // In any top-level log.flags: an object may repeat a key, and the flag goes into one of them.
  bool flagged = false;
  for (auto member : simdjson::dom::object(out_doc)) {
    simdjson::dom::object log;
    if (member.key != "log" || member.value.get(log)) continue;
    for (auto inner : log) {
      simdjson::dom::array flags;
      if (inner.key != "flags" || inner.value.get(flags)) continue;
      for (auto f : flags) flagged |= f.is_string() && std::string_view(f) == "truncated";
    }
  }
  if (!flagged && !repeats_a_key(in_doc)) fail("no truncated flag", json, out);
  if (!repeats_a_key(in_doc)) same_shape(in_doc, out_doc, json, out, 0);
  return 0;
}
