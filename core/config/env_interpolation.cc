#include "core/config/env_interpolation.h"

#include <cstdlib>

namespace logship {
namespace {

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return !(name[0] >= '0' && name[0] <= '9');
}

}  // namespace

std::string interpolate_env(std::string_view text, ConfigErrors& errors, const EnvLookup& lookup) {
  const EnvLookup& get = lookup ? lookup : EnvLookup(process_env);
  std::string out;
  out.reserve(text.size());
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out.push_back('$');
      i += 2;
      column += 2;
      continue;
    }
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        errors.add_at(line, column, "", "unterminated ${ in environment variable reference");
        out.append(text.substr(i));
        break;
      }
      std::string_view body = text.substr(i + 2, close - i - 2);
      std::optional<std::string_view> fallback;
      size_t dash = body.find(":-");
      std::string_view name = body;
      if (dash != std::string_view::npos) {
        name = body.substr(0, dash);
        fallback = body.substr(dash + 2);
      }
      if (!valid_name(name)) {
        errors.add_at(line, column, "", "invalid environment variable reference ${" + std::string(body) + "}");
      } else if (auto v = get(std::string(name)); v && !(v->empty() && fallback)) {
        out.append(*v);
      } else if (fallback) {
        out.append(*fallback);
      } else {
        errors.add_at(line, column, "",
                      "environment variable " + std::string(name) +
                          " is not set (use ${" + std::string(name) + ":-default} to give a default)");
      }
      column += static_cast<int>(close + 1 - i);
      i = close + 1;
      continue;
    }
    out.push_back(c);
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++i;
  }
  return out;
}

}  // namespace logship
