#include "sinks/elasticsearch/bulk_body.h"

#include <cstring>

namespace logship {

using namespace std::string_view_literals;

bool one_json_line(std::string_view doc) {
  while (!doc.empty() && doc.back() == '\n') doc.remove_suffix(1);
  return doc.size() >= 2 && doc.front() == '{' && doc.back() == '}' && std::memchr(doc.data(), '\n', doc.size()) == nullptr &&
         std::memchr(doc.data(), '\r', doc.size()) == nullptr;
}

bool append_bulk_create(std::string& body, std::string_view index, std::string_view id, std::string_view doc) {
  if (!one_json_line(doc)) return false;
  while (doc.back() == '\n') doc.remove_suffix(1);  // one newline ends it: an empty line is no document
  body.append("{\"create\":{\"_index\":\""sv);
  body.append(index);
  body.append("\",\"_id\":\""sv);
  body.append(id);
  body.append("\"}}\n"sv);
  body.append(doc);
  body.push_back('\n');
  return true;
}

}  // namespace logship
