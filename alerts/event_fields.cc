#include "alerts/event_fields.h"

#include <charconv>

#include "core/timestamp_parse.h"

namespace logship {

bool EventFields::load(std::string_view json) {
  while (!json.empty() && (json.back() == '\n' || json.back() == '\r')) json.remove_suffix(1);
  padded_.assign(json);
  padded_.append(simdjson::SIMDJSON_PADDING, ' ');
  return parser_.parse(padded_.data(), json.size(), false).get(root_) == simdjson::SUCCESS && root_.is_object();
}

std::optional<simdjson::dom::element> EventFields::find(simdjson::dom::element at, std::string_view path) {
  simdjson::dom::object object;
  if (at.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  // The whole rest as one key first ("service.name" written flat), then each split point.
  simdjson::dom::element v;
  if (object.at_key(path).get(v) == simdjson::SUCCESS) return v;
  for (size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.', dot + 1)) {
    if (object.at_key(path.substr(0, dot)).get(v) != simdjson::SUCCESS) continue;
    if (auto found = find(v, path.substr(dot + 1))) return found;
  }
  return std::nullopt;
}

std::optional<std::string_view> EventFields::text(std::string_view path) {
  auto v = find(root_, path);
  if (!v) return std::nullopt;
  std::string_view s;
  if (v->get_string().get(s) == simdjson::SUCCESS) return s;
  if (v->is_number() || v->is_bool()) {
    // The number's text as the event wrote it: padded_ holds it, found by simdjson's own minify.
    thread_local std::string scratch;
    scratch = simdjson::minify(*v);
    return std::string_view(scratch);
  }
  return std::nullopt;
}

std::optional<double> EventFields::number(std::string_view path) {
  auto v = find(root_, path);
  if (!v) return std::nullopt;
  double d;
  if (v->get_double().get(d) == simdjson::SUCCESS) return d;
  int64_t i;
  if (v->get_int64().get(i) == simdjson::SUCCESS) return static_cast<double>(i);
  uint64_t u;
  if (v->get_uint64().get(u) == simdjson::SUCCESS) return static_cast<double>(u);
  std::string_view s;
  if (v->get_string().get(s) == simdjson::SUCCESS) {  // "1.5" from a text log
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return d;
  }
  return std::nullopt;
}

std::optional<int64_t> EventFields::time() {
  simdjson::dom::element v;
  std::string_view s;
  if (root_.at_key("@timestamp").get(v) != simdjson::SUCCESS || v.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
  int64_t ns;
  static const TimestampFormat kRfc3339;  // the default kind
  if (!parse_timestamp(s, kRfc3339, ns)) return std::nullopt;
  return ns;
}

}  // namespace logship
