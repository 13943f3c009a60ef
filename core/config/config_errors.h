// Every problem found in a configuration, each with its YAML path and line, reported at once.
//
//   ConfigErrors errors;
//   errors.add(node, "sources.app.include[1]", "expected a string");
//   for (auto& e : errors.list()) std::cerr << e.to_string("pipeline.yaml") << "\n";
//   // pipeline.yaml:7:7: sources.app.include[1]: expected a string
#pragma once

#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace logship {

struct ConfigError {
  std::string path;  // sources.app.include[1]
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;
  std::string message;
  std::string file;  // set when the problem is in another file than the pipeline (a rule file)

  std::string to_string(const std::string& pipeline_file) const;
};

class ConfigErrors {
 public:
  void add(const YAML::Node& where, std::string path, std::string message);
  void add_at(int line, int column, std::string path, std::string message);
  // Adds every error of `other`, as found in `file`.
  void add_from_file(const ConfigErrors& other, const std::string& file);
  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  const std::vector<ConfigError>& list() const { return errors_; }
  // Orders errors by line so the report reads top to bottom.
  void sort_by_line();

 private:
  std::vector<ConfigError> errors_;
};

// "sources" + "app" -> "sources.app"; "" + "x" -> "x"
std::string join_path(const std::string& parent, const std::string& key);

}  // namespace logship
