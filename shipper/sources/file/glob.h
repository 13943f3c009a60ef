// Path globs with `**`, and the walk that finds the files they match.
//
//   glob_match("/var/log/**/*.log", "/var/log/nginx/access.log")   // true
//   glob_match("/var/log/*.log",    "/var/log/nginx/access.log")   // false: * stays in a folder
//   auto paths = find_matching_files({"/var/log/**/*.log"}, {"**/*.gz"});
//
// `*`, `?` and `[…]` match within one path segment (fnmatch); `**` as a whole segment matches
// any number of folders, none included; a pattern that starts with `**` matches absolute and
// relative paths alike (handy for excludes such as `**/*.gz`).
//
// Symbolic links below the folder a pattern starts from are not followed unless asked (as with
// Filebeat's filestream): a link in a log folder must not ship a key file or another folder.
// Followed, a link leads only to a regular file, and linked folders are walked once each, so
// a loop ends. Devices, FIFOs, sockets and anything on /proc or /sys are never matched.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace logship {

bool glob_match(std::string_view pattern, std::string_view path);
bool glob_match_any(const std::vector<std::string>& patterns, std::string_view path);

// The folder a pattern's walk starts from: its segments before the first wildcard ("" for a
// relative pattern that starts with one).
std::string glob_base(std::string_view pattern);
bool has_wildcard(std::string_view segment);

struct GlobResult {
  std::vector<std::string> files;              // regular files matching, sorted
  std::map<std::string, std::string> refused;  // matching paths left out -> why
};

// Files matching any include and no exclude pattern.
GlobResult find_matching_files(const std::vector<std::string>& include, const std::vector<std::string>& exclude,
                               bool follow_symlinks = false);

}  // namespace logship
