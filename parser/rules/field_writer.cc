#include "parser/rules/field_writer.h"

#include <algorithm>

#include "core/json_writer.h"

namespace logship {

FieldPath::FieldPath(std::string_view dotted) {
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    // The last segment takes the rest: past kMaxDepth objects (refused at load) and after the last dot.
    if (dot == std::string_view::npos || segments.size() + 1 == NestedWriter::kMaxDepth + 1) dot = dotted.size();
    segments.emplace_back(dotted.substr(start, dot - start));
    std::string key;
    append_json_string(key, segments.back());
    key.push_back(':');
    keys.push_back(std::move(key));
    if (dot == dotted.size()) break;
    start = dot + 1;
  }
}

void NestedWriter::close_to(size_t depth) {
  while (depth_ > depth) {
    out_.push_back('}');
    --depth_;
    first_in_object_ = false;
  }
}

void NestedWriter::separate() {
  if (!(first_in_object_ && depth_ > 0)) out_.push_back(',');
}

void NestedWriter::append_key(const FieldPath& path, size_t depth) {
  if (depth == 0 && renamed_heads_ != nullptr &&
      std::find(renamed_heads_->begin(), renamed_heads_->end(), path.segments[0]) != renamed_heads_->end()) {
    std::string key = path.segments[0] + "_original";
    append_json_string(out_, key);
    out_.push_back(':');
    return;
  }
  out_.append(path.keys[depth]);
}

void NestedWriter::field(const FieldPath& path, std::string_view json_value) {
  size_t last = path.segments.size() - 1;  // the member itself; the segments before it are objects
  size_t depth = 0;
  while (depth < last && depth < depth_ && open_[depth] == path.segments[depth]) ++depth;
  close_to(depth);
  for (; depth < last; ++depth) {
    separate();
    append_key(path, depth);
    out_.push_back('{');
    open_[depth_++] = path.segments[depth];
    first_in_object_ = true;
  }
  separate();
  append_key(path, last);
  out_.append(json_value);
  first_in_object_ = false;
}

void NestedWriter::finish() {
  close_to(0);
  first_in_object_ = false;
}

}  // namespace logship
