// Writes fields given by dotted paths as nested JSON objects, in one pass, without a DOM.
//
//   NestedWriter w(out);                        // out: the JSON being built, inside an object
//   w.field("http.request.method", "\"GET\"");  // paths must come sorted (siblings together)
//   w.field("http.response.status_code", "200");
//   w.field("url.path", "\"/\"");
//   w.finish();   // ,"http":{"request":{"method":"GET"},"response":{"status_code":200}},"url":{"path":"/"}
//
// Every member is written with a leading comma, so the output can follow other members.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace logship {

class NestedWriter {
 public:
  // Objects nested deeper are refused when a rule file is loaded; the open keys then fit in
  // the writer itself (one writer per group per line: no allocation).
  static constexpr size_t kMaxDepth = 16;
  explicit NestedWriter(std::string& out) : out_(out) {}
  void field(std::string_view path, std::string_view json_value);
  void finish();

 private:
  std::string& out_;
  void close_to(size_t depth);
  std::array<std::string_view, kMaxDepth> open_;  // object keys currently open, outermost first
  size_t depth_ = 0;
  bool first_in_object_ = false;  // no member written yet in the innermost open object
};

}  // namespace logship
