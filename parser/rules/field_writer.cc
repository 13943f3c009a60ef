#include "parser/rules/field_writer.h"

#include "core/json_writer.h"

namespace logship {

void NestedWriter::field(std::string_view path, std::string_view json_value) {
  // Split into segments without allocating: walk the dots.
  size_t depth = 0;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) break;
    std::string_view seg = path.substr(start, dot - start);
    if (depth < open_.size() && open_[depth] == seg) {
      ++depth;
      start = dot + 1;
      continue;
    }
    // Close what no longer applies, then open this segment.
    while (open_.size() > depth) {
      out_.push_back('}');
      open_.pop_back();
      first_in_object_ = false;
    }
    if (!(first_in_object_ && !open_.empty())) out_.push_back(',');
    append_json_string(out_, seg);
    out_.append(":{");
    open_.push_back(seg);
    first_in_object_ = true;
    ++depth;
    start = dot + 1;
  }
  while (open_.size() > depth) {
    out_.push_back('}');
    open_.pop_back();
    first_in_object_ = false;
  }
  if (!(first_in_object_ && !open_.empty())) out_.push_back(',');
  append_json_string(out_, path.substr(start));
  out_.push_back(':');
  out_.append(json_value);
  first_in_object_ = false;
}

void NestedWriter::finish() {
  while (!open_.empty()) {
    out_.push_back('}');
    open_.pop_back();
  }
  first_in_object_ = false;
}

}  // namespace logship
