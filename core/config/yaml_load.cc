#include "core/config/yaml_load.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>
#include <vector>

namespace logship {
namespace {

std::string too_deep(int line) {
  return "nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels at line " + std::to_string(line);
}

int line_of(const YAML::Node& n) { return n.Mark().line + 1; }

// The line where flow collections (`[`, `{`) first nest deeper than kMaxYamlDepth, or 0. Only
// to place yaml-cpp's DeepRecursion, whose mark can be past the end of a line of brackets.
int line_of_deep_flow(const std::string& text) {
  int depth = 0;
  int line = 1;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++line;
    if (quote) {
      if (c == '\\' && quote == '"') ++i;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxYamlDepth) return line;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return 0;
}

// Notes where each document of a stream begins; builds nothing.
class DocumentStarts : public YAML::EventHandler {
 public:
  std::vector<int> lines;  // 1-based: the line of its `---`, or of its first node without one

  void OnDocumentStart(const YAML::Mark& m) override { lines.push_back(m.line + 1); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The line where a second document begins in `text`, or 0. YAML::Load reads the first document
// only, so without this a `---` and everything after it would be dropped without a word.
int second_document_line(const std::string& text) {
  DocumentStarts starts;
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (starts.lines.size() < 2 && parser.HandleNextDocument(starts)) {
    }
  } catch (const YAML::Exception&) {
    // Invalid YAML after the first document: a second one began if it was seen.
  }
  return starts.lines.size() > 1 ? starts.lines[1] : 0;
}

class TreeCheck {
 public:
  explicit TreeCheck(ConfigErrors& errors) : errors_(errors) {}

  // False when the tree cannot be read as a config (too deep, a key that is no string).
  bool ok() const { return ok_; }

  void visit(const YAML::Node& n, const std::string& path, int depth) {
    if (!n.IsMap() && !n.IsSequence()) return;
    if (depth > kMaxYamlDepth) {
      if (ok_) errors_.add(n, path, too_deep(line_of(n)));
      ok_ = false;
      return;
    }
    // An alias is the node of its anchor: once is enough (and keeps `&a [*b, *b]` chains linear).
    if (!seen_.insert({n.Mark().pos, n.IsMap()}).second) return;
    if (n.IsSequence()) {
      size_t i = 0;
      for (const auto& item : n) {
        if (item.IsMap() || item.IsSequence()) visit(item, path + "[" + std::to_string(i) + "]", depth + 1);
        ++i;
      }
      return;
    }
    std::unordered_map<std::string, int> first_line;  // key -> line
    for (const auto& kv : n) {
      if (!kv.first.IsScalar()) {
        errors_.add(kv.first, path, "a key must be a string, got " + std::string(kv.first.IsNull() ? "nothing" : kv.first.IsMap() ? "a map" : "a list"));
        ok_ = false;
        continue;
      }
      const std::string& key = kv.first.Scalar();
      auto [it, fresh] = first_line.emplace(key, line_of(kv.first));
      if (!fresh) {
        errors_.add(kv.first, join_path(path, key),
                    "duplicate key '" + key + "' (at line " + std::to_string(it->second) + " and again at line " +
                        std::to_string(line_of(kv.first)) + "); give it once");
      }
      if (kv.second.IsMap() || kv.second.IsSequence()) visit(kv.second, join_path(path, key), depth + 1);
    }
  }

 private:
  ConfigErrors& errors_;
  bool ok_ = true;
  std::set<std::pair<int, bool>> seen_;  // (start, is a map) of collections walked
};

}  // namespace

std::optional<YAML::Node> load_yaml(const std::string& text, ConfigErrors& errors, std::string_view file_kind) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    int line = line_of_deep_flow(text);
    if (line > 0) errors.add_at(line, 0, "", too_deep(line));
    else errors.add_at(e.mark.line + 1, e.mark.column + 1, "", too_deep(e.mark.line + 1));
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    errors.add_at(e.mark.line + 1, e.mark.column + 1, "", "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  if (int line = second_document_line(text)) {
    errors.add_at(line, 1, "", std::string(file_kind) + " holds one YAML document; a second begins at line " + std::to_string(line) +
                                    " (remove its '---' and what follows, or move it to a file of its own)");
  }
  TreeCheck check(errors);
  check.visit(root, "", 1);
  if (!check.ok()) return std::nullopt;
  return root;
}

}  // namespace logship
