#include "core/config/schema.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace logship {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string unknown_key_hint(const std::string& key, const std::vector<std::string>& known) {
  if (known.empty()) return " (this component takes no options)";
  const std::string* best = nullptr;
  size_t best_distance = 3;
  for (const auto& k : known) {
    // Lengths 3 apart are at least 3 edits apart: no need to compare (a key of 1 MB would
    // otherwise take seconds per known key).
    if (key.size() >= k.size() + best_distance || k.size() >= key.size() + best_distance) continue;
    size_t d = edit_distance(key, k);
    if (d < best_distance) {
      best_distance = d;
      best = &k;
    }
  }
  if (best) return " (did you mean '" + *best + "'?)";
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  return " (known keys: " + list + ")";
}

std::string node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "'" + n.Scalar() + "'";
    case YAML::NodeType::Null: return "nothing";
    default: return "an undefined value";
  }
}

bool parse_value(const YAML::Node& n, std::string& out, std::string& why) {
  if (!n.IsScalar()) {
    why = "expected a string, got " + node_kind(n);
    return false;
  }
  out = n.Scalar();
  return true;
}

bool parse_value(const YAML::Node& n, bool& out, std::string& why) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "on") { out = true; return true; }
    if (s == "false" || s == "no" || s == "off") { out = false; return true; }
  }
  why = "expected true or false, got " + node_kind(n);
  return false;
}

bool parse_value(const YAML::Node& n, int64_t& out, std::string& why) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && ptr == s.data() + s.size()) return true;
  }
  why = "expected an integer, got " + node_kind(n);
  return false;
}

bool parse_value(const YAML::Node& n, double& out, std::string& why) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && ptr == s.data() + s.size()) return true;
  }
  why = "expected a number, got " + node_kind(n);
  return false;
}

bool parse_value(const YAML::Node& n, Duration& out, std::string& why) {
  if (n.IsScalar() && parse_duration(n.Scalar(), out)) return true;
  why = "expected a duration such as 250ms, 5s, 2m, 1h or 7d, got " + node_kind(n);
  return false;
}

bool parse_value(const YAML::Node& n, ByteSize& out, std::string& why) {
  if (n.IsScalar() && parse_byte_size(n.Scalar(), out)) return true;
  why = "expected a size such as 4096, 64KiB, 1MiB or 1GiB, got " + node_kind(n);
  return false;
}

std::string describe_default(const std::string& v) { return v.empty() ? "" : "\"" + v + "\""; }
std::string describe_default(bool v) { return v ? "true" : "false"; }
std::string describe_default(int64_t v) { return std::to_string(v); }
std::string describe_default(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}
std::string describe_default(Duration v) { return format_duration(v); }
std::string describe_default(ByteSize v) { return format_byte_size(v); }
std::string describe_default(const std::vector<std::pair<std::string, std::string>>& v) {
  std::string out;
  for (const auto& [k, val] : v) out += (out.empty() ? "{" : ", ") + k + ": " + val;
  return out.empty() ? "" : out + "}";
}

std::string describe_default(const std::vector<std::string>& v) {
  if (v.empty()) return "";
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", \"" : "\"") + v[i] + "\"";
  return out + "]";
}

}  // namespace logship
