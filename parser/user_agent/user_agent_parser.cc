#include "parser/user_agent/user_agent_parser.h"

#include <sys/stat.h>

#include <yaml-cpp/yaml.h>

#include "core/json_writer.h"

#include <map>
#include <mutex>

namespace logship {

namespace {

// The replacement keys of each list, in the order of the values they give.
// Agents: the family, then major, minor, patch and (as Elasticsearch reads it) patch_minor.
const std::vector<const char*> kAgentKeys = {"family_replacement", "v1_replacement", "v2_replacement", "v3_replacement", "v4_replacement"};
const std::vector<const char*> kOsKeys = {"os_replacement", "os_v1_replacement", "os_v2_replacement", "os_v3_replacement", "os_v4_replacement"};
const std::vector<const char*> kDeviceKeys = {"device_replacement", "brand_replacement", "model_replacement"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// `replacement` with $1…$9 set to the groups (a group that took no part is empty), trimmed.
std::string substitute(const std::string& replacement, const re2::StringPiece* groups, int ngroups) {
  std::string out;
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c == '$' && i + 1 < replacement.size() && replacement[i + 1] >= '1' && replacement[i + 1] <= '9') {
      int g = replacement[++i] - '0';
      if (g <= ngroups && groups[g].data() != nullptr) out.append(groups[g].data(), groups[g].size());
      continue;
    }
    out.push_back(c);
  }
  return std::string(trim(out));
}

}  // namespace

std::shared_ptr<const UserAgentParser> UserAgentParser::shared(const std::string& regexes_file, std::string& why) {
  // Kept for the process, not only while used: `run` validates the pipeline before it builds
  // it, and a weak reference let the ~600 expressions be compiled twice at every start. A
  // file that changed (a newer uap-core, then SIGHUP) is compiled again.
  struct Loaded {
    struct stat st{};
    std::shared_ptr<const UserAgentParser> parser;
  };
  static std::mutex mu;
  static std::map<std::string, Loaded> loaded;
  std::lock_guard lock(mu);
  struct stat now{};
  bool exists = ::stat(regexes_file.c_str(), &now) == 0;
  Loaded& entry = loaded[regexes_file];
  if (entry.parser && exists && now.st_ino == entry.st.st_ino && now.st_size == entry.st.st_size &&
      now.st_mtim.tv_sec == entry.st.st_mtim.tv_sec && now.st_mtim.tv_nsec == entry.st.st_mtim.tv_nsec)
    return entry.parser;
  auto parser = std::shared_ptr<UserAgentParser>(new UserAgentParser());
  if (!parser->load(regexes_file, why)) return nullptr;
  entry = {now, parser};
  return parser;
}

bool UserAgentParser::load(const std::string& file, std::string& why) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const std::exception& e) {
    why = "cannot read user agent expressions '" + file + "': " + e.what() + " (Debian's uap-core package installs /usr/share/uap-core/regexes.yaml)";
    return false;
  }
  auto load_list = [&](const char* name, const std::vector<const char*>& keys, std::vector<Entry>& out) {
    YAML::Node list = root[name];
    if (!list || !list.IsSequence()) return;
    for (const YAML::Node& item : list) {
      if (!item.IsMap() || !item["regex"] || !item["regex"].IsScalar()) {
        ++skipped_;
        continue;
      }
      RE2::Options options;
      options.set_log_errors(false);
      options.set_max_mem(8 << 20);
      if (item["regex_flag"] && item["regex_flag"].IsScalar() && item["regex_flag"].Scalar() == "i") options.set_case_sensitive(false);
      Entry e;
      e.re = std::make_unique<RE2>(item["regex"].Scalar(), options);
      if (!e.re->ok()) {
        ++skipped_;
        continue;
      }
      for (const char* key : keys) {
        bool has = item[key] && item[key].IsScalar();
        e.has_replacement.push_back(has);
        e.replacements.push_back(has ? item[key].Scalar() : std::string());
      }
      out.push_back(std::move(e));
    }
  };
  try {
    load_list("user_agent_parsers", kAgentKeys, agents_);
    load_list("os_parsers", kOsKeys, oses_);
    load_list("device_parsers", kDeviceKeys, devices_);
  } catch (const std::exception& e) {
    why = "cannot read user agent expressions '" + file + "': " + e.what();
    return false;
  }
  if (agents_.empty()) {
    why = "'" + file + "' holds no user_agent_parsers expression RE2 accepts";
    return false;
  }
  return true;
}

UserAgent UserAgentParser::parse(std::string_view agent) const {
  UserAgent ua;
  constexpr int kGroups = 10;
  re2::StringPiece groups[kGroups];
  // The first entry of `list` that matches: its values, position by position.
  auto first_match = [&](const std::vector<Entry>& list, std::vector<std::string>& values) {
    for (const Entry& e : list) {
      int n = std::min(e.re->NumberOfCapturingGroups(), kGroups - 1);
      if (!e.re->Match(agent, 0, agent.size(), RE2::UNANCHORED, groups, n + 1)) continue;
      values.assign(e.replacements.size(), "");
      for (size_t k = 0; k < e.replacements.size(); ++k) {
        if (e.has_replacement[k]) values[k] = substitute(e.replacements[k], groups, n);
        else if (static_cast<int>(k) + 1 <= n && groups[k + 1].data() != nullptr) values[k] = std::string(trim(groups[k + 1]));
      }
      return true;
    }
    return false;
  };
  std::vector<std::string> v;
  auto join_version = [](const std::vector<std::string>& parts, size_t from) {
    std::string out;
    for (size_t k = from; k < parts.size() && !parts[k].empty(); ++k) out += (out.empty() ? "" : ".") + parts[k];
    return out;
  };
  if (first_match(agents_, v)) {
    ua.name = v[0];
    ua.version = join_version(v, 1);
  }
  if (ua.name.empty()) ua.name = "Other";
  if (first_match(oses_, v)) {
    ua.os_name = v[0];
    ua.os_version = join_version(v, 1);
  }
  if (ua.os_name.empty()) ua.os_name = "Other";
  ua.os_full = ua.os_version.empty() ? ua.os_name : ua.os_name + " " + ua.os_version;
  // Devices: the family is the device_replacement, else the first group (a model without
  // a replacement is that group too, but ECS has only device.name).
  if (first_match(devices_, v)) ua.device_name = v[0];
  if (ua.device_name.empty()) ua.device_name = "Other";
  return ua;
}

const UserAgent& UserAgentCache::get(std::string_view agent) {
  auto it = results_.find(agent);
  if (it != results_.end()) return it->second;
  UserAgent ua = parser_->parse(agent.substr(0, UserAgentParser::kParsedBytes));
  // Keys in order, as the rules' nested writer would write them; invalid UTF-8 becomes U+FFFD.
  std::string& o = ua.object_json;
  auto member = [&](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    if (o.back() != '{') o.push_back(',');
    o.push_back('"');
    o.append(key);
    o.append("\":");
    ua.invalid_utf8 |= !append_json_string(o, value);
  };
  o = "{\"device\":{";
  member("name", ua.device_name);
  o.push_back('}');
  member("name", ua.name);
  o.append(",\"original\":");
  ua.invalid_utf8 |= !append_json_string(o, agent);
  o.append(",\"os\":{");
  member("full", ua.os_full);
  member("name", ua.os_name);
  member("version", ua.os_version);
  o.push_back('}');
  member("version", ua.version);
  o.push_back('}');
  if (agent.size() > kCachedBytes) {
    uncached_ = std::move(ua);
    return uncached_;
  }
  if (results_.size() >= capacity_) results_.clear();
  return results_.emplace(std::string(agent), std::move(ua)).first->second;
}

}  // namespace logship
