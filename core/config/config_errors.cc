#include "core/config/config_errors.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/redact.h"

namespace logship {

std::string ConfigError::to_string(const std::string& pipeline_file) const {
  std::string out = file.empty() ? pipeline_file : file;
  if (line > 0) {
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

void ConfigErrors::add(const YAML::Node& where, std::string path, std::string message) {
  int line = 0;
  int column = 0;
  if (where.IsDefined()) {
    YAML::Mark m = where.Mark();
    if (m.line >= 0) {
      line = m.line + 1;
      column = m.column + 1;
    }
  }
  add_at(line, column, std::move(path), std::move(message));
}

void ConfigErrors::add_at(int line, int column, std::string path, std::string message) {
  ++total_;
  // Messages quote values; a URL in one must not show its password (validate, run).
  keep({std::move(path), line, column, redact_url_credentials(message)});
}

void ConfigErrors::add_from_file(const ConfigErrors& other, const std::string& file) {
  total_ += other.total_;
  for (ConfigError e : other.list()) {
    if (e.file.empty()) e.file = file;
    keep(std::move(e));
  }
}

void ConfigErrors::keep(ConfigError e) {
  errors_.push_back(std::move(e));
  if (errors_.size() >= 2 * kMaxKept) trim();
}

void ConfigErrors::trim() const {
  // Stable: problems on one line stay in the order they were found.
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const ConfigError& a, const ConfigError& b) { return a.line < b.line; });
  if (errors_.size() > kMaxKept) errors_.resize(kMaxKept);
}

const std::vector<ConfigError>& ConfigErrors::list() const {
  if (errors_.size() > kMaxKept) trim();
  return errors_;
}

void ConfigErrors::sort_by_line() { trim(); }

std::string join_path(const std::string& parent, const std::string& key) {
  if (parent.empty()) return key;
  return parent + "." + key;
}

}  // namespace logship
