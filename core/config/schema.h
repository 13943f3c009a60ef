// Typed config structs with a default and a one-line description per field.
//
//   struct FileSinkConfig { std::string path; bool fsync = true; };
//   const Schema<FileSinkConfig>& schema() {
//     static const auto s = Schema<FileSinkConfig>()
//         .field("path", &FileSinkConfig::path, "File to append NDJSON to.").required()
//         .field("fsync", &FileSinkConfig::fsync, "fsync before acknowledging a batch.");
//     return s;
//   }
//   FileSinkConfig cfg;
//   schema().parse(node, "sinks.out", cfg, errors);   // unknown keys and wrong types -> errors
//
// The defaults shown in docs/configuration.md are read from a default-constructed struct, and
// the descriptions from these calls, so the reference cannot drift from the code.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "core/config/config_errors.h"
#include "core/config/values.h"

namespace logship {

struct FieldDoc {
  std::string name;
  std::string type;
  std::string default_value;  // empty when there is none
  std::string description;
  bool required = false;
};

// Parsing of one YAML node into a value; false (and `why`) on a type mismatch.
bool parse_value(const YAML::Node& n, std::string& out, std::string& why);
bool parse_value(const YAML::Node& n, bool& out, std::string& why);
bool parse_value(const YAML::Node& n, int64_t& out, std::string& why);
bool parse_value(const YAML::Node& n, double& out, std::string& why);
bool parse_value(const YAML::Node& n, Duration& out, std::string& why);
bool parse_value(const YAML::Node& n, ByteSize& out, std::string& why);

std::string describe_default(const std::string& v);
std::string describe_default(bool v);
std::string describe_default(int64_t v);
std::string describe_default(double v);
std::string describe_default(Duration v);
std::string describe_default(ByteSize v);
std::string describe_default(const std::vector<std::string>& v);
std::string describe_default(const std::vector<std::pair<std::string, std::string>>& v);

template <class V> const char* type_name();
template <> inline const char* type_name<std::string>() { return "string"; }
template <> inline const char* type_name<bool>() { return "bool"; }
template <> inline const char* type_name<int64_t>() { return "integer"; }
template <> inline const char* type_name<double>() { return "number"; }
template <> inline const char* type_name<Duration>() { return "duration"; }
template <> inline const char* type_name<ByteSize>() { return "byte size"; }
template <> inline const char* type_name<std::vector<std::string>>() { return "list of strings"; }
using StringMap = std::vector<std::pair<std::string, std::string>>;  // keeps the YAML order
template <> inline const char* type_name<StringMap>() { return "map of strings"; }

// " (did you mean 'include'?)" for a near miss, else the list of known keys.
std::string unknown_key_hint(const std::string& key, const std::vector<std::string>& known);

// What a node is, for error messages: "a map", "a list", "a string".
std::string node_kind(const YAML::Node& n);

template <class T>
class Schema {
 public:
  using Parser = std::function<void(const YAML::Node&, const std::string&, T&, ConfigErrors&)>;

  template <class V>
  Schema& field(std::string name, V T::*member, std::string description) {
    Field f;
    f.doc.name = name;
    f.doc.type = type_name<V>();
    f.doc.description = std::move(description);
    f.doc.default_value = describe_default(T{}.*member);
    f.parse = [member](const YAML::Node& n, const std::string& path, T& out, ConfigErrors& errors) {
      parse_into(n, path, out.*member, errors);
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  // A string restricted to `allowed` values.
  Schema& choice(std::string name, std::string T::*member, std::vector<std::string> allowed,
                 std::string description) {
    Field f;
    f.doc.name = name;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : " | ") + a;
    f.doc.type = "one of: " + list;
    f.doc.description = std::move(description);
    f.doc.default_value = describe_default(T{}.*member);
    f.parse = [member, allowed, list](const YAML::Node& n, const std::string& path, T& out, ConfigErrors& errors) {
      std::string v;
      std::string why;
      if (!parse_value(n, v, why)) {
        errors.add(n, path, why);
        return;
      }
      for (const auto& a : allowed) {
        if (a == v) {
          out.*member = v;
          return;
        }
      }
      errors.add(n, path, "unknown value '" + v + "', expected one of: " + list);
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  // A nested map parsed with its own schema; absent -> std::nullopt.
  template <class S>
  Schema& nested(std::string name, std::optional<S> T::*member, const Schema<S>& sub, std::string description) {
    Field f;
    f.doc.name = name;
    f.doc.type = "map";
    f.doc.description = std::move(description);
    for (FieldDoc d : sub.docs()) {
      d.name = name + "." + d.name;
      f.children.push_back(std::move(d));
    }
    f.parse = [member, sub](const YAML::Node& n, const std::string& path, T& out, ConfigErrors& errors) {
      S value{};
      sub.parse(n, path, value, errors);
      out.*member = std::move(value);
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  // A map of names to nested maps, each parsed with `sub` (alert rules, notifiers), in the
  // order written. Docs list the sub keys as `name.<name>.key`.
  template <class S>
  Schema& named_map(std::string name, std::vector<std::pair<std::string, S>> T::*member, const Schema<S>& sub,
                    std::string description) {
    Field f;
    f.doc.name = name;
    f.doc.type = "map of maps";
    f.doc.description = std::move(description);
    for (FieldDoc d : sub.docs()) {
      d.name = name + ".<name>." + d.name;
      f.children.push_back(std::move(d));
    }
    f.parse = [member, sub](const YAML::Node& n, const std::string& path, T& out, ConfigErrors& errors) {
      if (!n.IsMap()) {
        errors.add(n, path, "expected a map of names to maps, got " + node_kind(n));
        return;
      }
      (out.*member).clear();
      for (const auto& kv : n) {
        std::string key;
        std::string why;
        if (!parse_value(kv.first, key, why) || key.empty()) {
          errors.add(kv.first, path, "expected a name");
          continue;
        }
        S value{};
        sub.parse(kv.second, join_path(path, key), value, errors);
        (out.*member).emplace_back(key, std::move(value));
      }
    };
    fields_.push_back(std::move(f));
    return *this;
  }

  // Replaces the default shown in the docs of the field added last (one that depends on others).
  Schema& shown_default(std::string text) {
    fields_.back().doc.default_value = std::move(text);
    return *this;
  }

  // Marks the field added last as required.
  Schema& required() {
    fields_.back().doc.required = true;
    fields_.back().doc.default_value.clear();
    return *this;
  }

  // Parses `node` (a map) into `out`, adding every problem to `errors`. Keys in `reserved` are
  // handled by the caller (`type`, `inputs`) and skipped here.
  void parse(const YAML::Node& node, const std::string& path, T& out, ConfigErrors& errors,
             const std::set<std::string>& reserved = {}) const {
    if (!node.IsMap()) {
      errors.add(node, path, "expected a map, got " + node_kind(node));
      return;
    }
    std::set<std::string> seen;
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (reserved.count(key)) continue;
      const Field* f = find(key);
      if (!f) {
        errors.add(kv.first, join_path(path, key), "unknown key" + suggestion(key));
        continue;
      }
      seen.insert(key);
      f->parse(kv.second, join_path(path, key), out, errors);
    }
    for (const auto& f : fields_) {
      if (f.doc.required && !seen.count(f.doc.name)) {
        errors.add(node, join_path(path, f.doc.name), "missing required key");
      }
    }
  }

  std::vector<FieldDoc> docs() const {
    std::vector<FieldDoc> out;
    for (const auto& f : fields_) {
      out.push_back(f.doc);
      out.insert(out.end(), f.children.begin(), f.children.end());
    }
    return out;
  }

 private:
  struct Field {
    FieldDoc doc;
    std::vector<FieldDoc> children;
    Parser parse;
  };

  template <class V>
  static void parse_into(const YAML::Node& n, const std::string& path, V& out, ConfigErrors& errors) {
    std::string why;
    if (!parse_value(n, out, why)) errors.add(n, path, why);
  }
  static void parse_into(const YAML::Node& n, const std::string& path, std::vector<std::string>& out,
                         ConfigErrors& errors) {
    if (n.IsScalar()) {  // a single string is accepted where a list is expected
      std::string why;
      std::string v;
      if (parse_value(n, v, why)) out = {v};
      else errors.add(n, path, why);
      return;
    }
    if (!n.IsSequence()) {
      errors.add(n, path, "expected a list of strings, got " + node_kind(n));
      return;
    }
    out.clear();
    for (size_t i = 0; i < n.size(); ++i) {
      std::string v;
      std::string why;
      if (parse_value(n[i], v, why)) out.push_back(v);
      else errors.add(n[i], path + "[" + std::to_string(i) + "]", why);
    }
  }

  static void parse_into(const YAML::Node& n, const std::string& path, StringMap& out, ConfigErrors& errors) {
    if (!n.IsMap()) {
      errors.add(n, path, "expected a map of strings, got " + node_kind(n));
      return;
    }
    out.clear();
    for (const auto& kv : n) {
      std::string key = kv.first.as<std::string>();
      std::string v;
      std::string why;
      if (parse_value(kv.second, v, why)) out.emplace_back(key, v);
      else errors.add(kv.second, join_path(path, key), why);
    }
  }

  const Field* find(const std::string& key) const {
    for (const auto& f : fields_)
      if (f.doc.name == key) return &f;
    return nullptr;
  }

  std::string suggestion(const std::string& key) const {
    std::vector<std::string> known;
    for (const auto& f : fields_) known.push_back(f.doc.name);
    return unknown_key_hint(key, known);
  }

  std::vector<Field> fields_;
};

}  // namespace logship
