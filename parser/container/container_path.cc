#include "parser/container/container_path.h"

#include <algorithm>

#include "core/json_writer.h"
#include "parser/rules/field_writer.h"

namespace logship {

namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == sep) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

bool is_container_id(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_filled(const std::vector<std::string_view>& parts) {
  return std::none_of(parts.begin(), parts.end(), [](std::string_view p) { return p.empty(); });
}

}  // namespace

FieldValues container_fields_from_path(std::string_view path) {
  std::vector<std::string_view> dirs = split(path, '/');
  // Matched from the end, so a root other than /var/log (a mounted host folder) works too.
  size_t n = dirs.size();
  if (n >= 4 && dirs[n - 4] == "pods") {
    // pods/<namespace>_<pod>_<uid>/<container>/<n>.log[.<time>]
    std::vector<std::string_view> pod = split(dirs[n - 3], '_');
    std::string_view file = dirs[n - 1];
    if (pod.size() == 3 && all_filled(pod) && !dirs[n - 2].empty() && file.find(".log") != std::string_view::npos)
      return {{"kubernetes.namespace", std::string(pod[0])},
              {"kubernetes.pod.name", std::string(pod[1])},
              {"kubernetes.pod.uid", std::string(pod[2])},
              {"container.name", std::string(dirs[n - 2])}};
  }
  if (n >= 2 && dirs[n - 2] == "containers") {
    std::string_view file = dirs[n - 1];
    // containers/<pod>_<namespace>_<container>-<id>.log: names hold no '_' (DNS labels).
    if (file.size() > 4 && file.substr(file.size() - 4) == ".log") {
      std::vector<std::string_view> parts = split(file.substr(0, file.size() - 4), '_');
      size_t dash = parts.size() == 3 ? parts[2].rfind('-') : std::string_view::npos;
      if (dash != std::string_view::npos && all_filled(parts) && dash > 0 && is_container_id(parts[2].substr(dash + 1)))
        return {{"kubernetes.namespace", std::string(parts[1])},
                {"kubernetes.pod.name", std::string(parts[0])},
                {"container.name", std::string(parts[2].substr(0, dash))},
                {"container.id", std::string(parts[2].substr(dash + 1))}};
    }
  }
  if (n >= 3 && dirs[n - 3] == "containers" && is_container_id(dirs[n - 2])) {
    return {{"container.id", std::string(dirs[n - 2])}};  // Docker's own folder
  }
  return {};
}

std::string render_origin_fields(const FieldValues& fields, std::vector<std::string>& heads) {
  // A later name wins over an earlier equal one, and over an earlier one it would nest in or
  // under (add_fields' `container: x` replaces the path's container.name): the source's
  // add_fields come after the path's fields.
  std::vector<std::pair<FieldPath, std::string>> kept;
  for (const auto& [name, text] : fields) {
    FieldPath path(name);
    std::erase_if(kept, [&](const auto& f) {
      const auto& a = f.first.segments;
      const auto& b = path.segments;
      size_t n = std::min(a.size(), b.size());
      return std::equal(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n), b.begin());
    });
    std::string value;
    append_json_string(value, text);
    kept.emplace_back(std::move(path), std::move(value));
  }
  // The writer needs names sorted by their segments (siblings together).
  std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) { return a.first.segments < b.first.segments; });
  std::string out;
  NestedWriter writer(out);
  for (const auto& [path, value] : kept) {
    writer.field(path, value);
    if (std::find(heads.begin(), heads.end(), path.segments.front()) == heads.end()) heads.push_back(path.segments.front());
  }
  writer.finish();
  return out;
}

}  // namespace logship
