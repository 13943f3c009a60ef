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

#include <string>
#include <string_view>
#include <vector>

namespace logship {

class NestedWriter {
 public:
  explicit NestedWriter(std::string& out) : out_(out) {}
  void field(std::string_view path, std::string_view json_value);
  void finish();

 private:
  std::string& out_;
  std::vector<std::string_view> open_;  // object keys currently open, outermost first
  bool first_in_object_ = false;        // no member written yet in the innermost open object
};

}  // namespace logship
