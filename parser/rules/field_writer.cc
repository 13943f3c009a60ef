#include "parser/rules/field_writer.h"

#include "core/json_writer.h"

namespace logship {

void NestedWriter::close_to(size_t depth) {
  while (depth_ > depth) {
    out_.push_back('}');
    --depth_;
    first_in_object_ = false;
  }
}

void NestedWriter::field(std::string_view path, std::string_view json_value) {
  // Split into segments without allocating: walk the dots.
  size_t depth = 0;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos || depth == kMaxDepth) break;  // the loader keeps paths shallower
    std::string_view seg = path.substr(start, dot - start);
    if (depth < depth_ && open_[depth] == seg) {
      ++depth;
      start = dot + 1;
      continue;
    }
    // Close what no longer applies, then open this segment.
    close_to(depth);
    if (!(first_in_object_ && depth_ > 0)) out_.push_back(',');
    append_json_string(out_, seg);
    out_.append(":{");
    open_[depth_++] = seg;
    first_in_object_ = true;
    ++depth;
    start = dot + 1;
  }
  close_to(depth);
  if (!(first_in_object_ && depth_ > 0)) out_.push_back(',');
  append_json_string(out_, path.substr(start));
  out_.push_back(':');
  out_.append(json_value);
  first_in_object_ = false;
}

void NestedWriter::finish() {
  close_to(0);
  first_in_object_ = false;
}

}  // namespace logship
