// Path globs with `**`, and the walk that finds the files they match.
//
//   glob_match("/var/log/**/*.log", "/var/log/nginx/access.log")   // true
//   glob_match("/var/log/*.log",    "/var/log/nginx/access.log")   // false: * stays in a folder
//   auto paths = find_matching_files({"/var/log/**/*.log"}, {"**/*.gz"});
//
// `*`, `?` and `[…]` match within one path segment (fnmatch); `**` as a whole segment matches
// any number of folders, none included; a pattern that starts with `**` matches absolute and
// relative paths alike (handy for excludes such as `**/*.gz`). Symbolic links to folders are followed, each real folder
// once, so a link loop ends.
#pragma once

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

// Regular files (symbolic links followed) matching any include and no exclude pattern, sorted.
std::vector<std::string> find_matching_files(const std::vector<std::string>& include,
                                             const std::vector<std::string>& exclude);

}  // namespace logship
