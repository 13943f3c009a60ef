// Every problem found in a configuration, each with its YAML path and line, reported at once.
// At most kMaxKept of them are kept (the first ones by line), the rest only counted: a file
// with a million bad keys must not take a million lines or their memory to report.
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
  static constexpr size_t kMaxKept = 100;

  void add(const YAML::Node& where, std::string path, std::string message);
  void add_at(int line, int column, std::string path, std::string message);
  // Adds every error of `other`, as found in `file`.
  void add_from_file(const ConfigErrors& other, const std::string& file);
  bool empty() const { return total_ == 0; }
  // Every problem found, kept or not.
  size_t size() const { return total_; }
  // The problems kept: in the order added while there are at most kMaxKept, else the kMaxKept
  // first by line.
  const std::vector<ConfigError>& list() const;
  // How many problems were found beyond list(): the report ends "… and N more problems".
  size_t omitted() const { return total_ - list().size(); }
  // Orders errors by line so the report reads top to bottom.
  void sort_by_line();

 private:
  void keep(ConfigError e);
  void trim() const;

  // Grows to 2 * kMaxKept before trim() cuts it back, so keeping the first by line costs
  // O(log kMaxKept) per problem. Mutable: list() trims.
  mutable std::vector<ConfigError> errors_;
  size_t total_ = 0;
};

// "sources" + "app" -> "sources.app"; "" + "x" -> "x"
std::string join_path(const std::string& parent, const std::string& key);

}  // namespace logship
