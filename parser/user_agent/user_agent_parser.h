// User agents read with ua-parser's maintained regular expressions (uap-core's regexes.yaml,
// Debian's uap-core package): browser, operating system and device, as Elasticsearch's
// user_agent processor and Filebeat's modules name them.
//
//   std::string why;
//   auto parser = UserAgentParser::shared("/usr/share/uap-core/regexes.yaml", why);
//   UserAgent ua = parser->parse("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) … Chrome/120.0.6099.71 Safari/537.36");
//   // ua.name "Chrome", ua.version "120.0.6099.71", ua.os_name "Mac OS X", ua.os_version "10.15.7",
//   // ua.os_full "Mac OS X 10.15.7", ua.device_name "Mac"
//
// Matching tries the expressions in the file's order until one matches (up to about 1,200 per
// string, about 150 µs for a 430-byte agent), so callers keep results by string: a site sees
// few agents (UserAgentCache). Only the first kParsedBytes of an agent are read: what names a
// browser comes early, and a client must not choose how long each line costs.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace logship {

struct UserAgent {
  std::string name;  // "Other" when no expression matches, as ua-parser says
  std::string version;
  std::string os_name;
  std::string os_version;
  std::string os_full;
  std::string device_name;
  // The whole ECS object, the agent's own text as `original` included:
  // {"device":{"name":…},"name":…,"original":…,"os":{"full":…,"name":…,"version":…},"version":…}
  // (empty values left out). Filled by UserAgentCache, so a line copies it, escaping nothing.
  std::string object_json;
  bool invalid_utf8 = false;  // the agent's text held bytes that are not UTF-8 (replaced in object_json)
};

class UserAgentParser {
 public:
  // The parser of `regexes_file`, compiled once per process and shared (RE2 matches from many
  // threads); null, with `why`, when the file cannot be read or holds no usable expression.
  static std::shared_ptr<const UserAgentParser> shared(const std::string& regexes_file, std::string& why);
  static constexpr size_t kParsedBytes = 512;
  UserAgent parse(std::string_view agent) const;
  // Expressions RE2 refused (counted, skipped): the rest still work.
  size_t skipped() const { return skipped_; }
  size_t size() const { return agents_.size() + oses_.size() + devices_.size(); }

 private:
  struct Entry {
    std::unique_ptr<RE2> re;
    // Replacements by field ($1…$9 stand for the groups); empty: the group of that position.
    std::vector<std::string> replacements;
    std::vector<bool> has_replacement;
  };
  bool load(const std::string& file, std::string& why);
  std::vector<Entry> agents_, oses_, devices_;
  size_t skipped_ = 0;
};

// The results of one thread's parser by user agent string, up to `capacity` strings (then it
// starts again empty: a flood of distinct agents costs parsing, not memory). Agents longer than
// kCachedBytes are parsed each time and not kept, so the cache holds at most about
// capacity * 2 * kCachedBytes.
class UserAgentCache {
 public:
  UserAgentCache(std::shared_ptr<const UserAgentParser> parser, size_t capacity) : parser_(std::move(parser)), capacity_(capacity) {}
  static constexpr size_t kCachedBytes = 1024;
  // Valid until the next call.
  const UserAgent& get(std::string_view agent);

 private:
  // Looked up by string_view: no string is made for an agent already known.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::shared_ptr<const UserAgentParser> parser_;
  size_t capacity_;
  std::unordered_map<std::string, UserAgent, Hash, std::equal_to<>> results_;
  UserAgent uncached_;  // the last agent too long to keep
};

}  // namespace logship
