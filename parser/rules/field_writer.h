// Writes fields given by dotted paths as nested JSON objects, in one pass, without a DOM.
//
//   FieldPath method("http.request.method"), status("http.response.status_code"), path("url.path");
//   NestedWriter w(out);      // out: the JSON being built, inside an object
//   w.field(method, "\"GET\"");  // paths must come sorted (siblings together)
//   w.field(status, "200");
//   w.field(path, "\"/\"");
//   w.finish();   // ,"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"path":"/"}
//
// Every member is written with a leading comma, so the output can follow other members.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace logship {

// A dotted path split once, each segment also kept as the JSON key it becomes ("seg":), so
// writing a field per line neither splits nor escapes anything.
struct FieldPath {
  explicit FieldPath(std::string_view dotted);
  std::vector<std::string> segments;
  std::vector<std::string> keys;
};

class NestedWriter {
 public:
  // Objects nested deeper are refused when a rule file is loaded; the open keys then fit in
  // the writer itself (one writer per group per line: no allocation).
  static constexpr size_t kMaxDepth = 16;
  explicit NestedWriter(std::string& out) : out_(out) {}
  // `path` must outlive the writer.
  void field(const FieldPath& path, std::string_view json_value);
  // Top-level names written as <name>_original instead (the event's origin has members of
  // those names: a container log's kubernetes object, a source's add_fields). Null: none.
  void rename_heads(const std::vector<std::string>* heads) { renamed_heads_ = heads; }
  void finish();

 private:
  void close_to(size_t depth);
  void separate();
  std::string& out_;
  std::array<std::string_view, kMaxDepth> open_;  // object keys currently open, outermost first
  size_t depth_ = 0;
  bool first_in_object_ = false;  // no member written yet in the innermost open object
  const std::vector<std::string>* renamed_heads_ = nullptr;
  void append_key(const FieldPath& path, size_t depth);
};

}  // namespace logship
