#include "shipper/sources/file/glob.h"

#include <dirent.h>
#include <fnmatch.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace logship {
namespace {

std::vector<std::string_view> split_segments(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) slash = s.size();
    if (slash > start) out.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool match_segments(const std::vector<std::string_view>& pat, size_t pi, const std::vector<std::string_view>& path,
                    size_t si) {
  while (pi < pat.size()) {
    if (pat[pi] == "**") {
      for (size_t k = si; k <= path.size(); ++k)
        if (match_segments(pat, pi + 1, path, k)) return true;
      return false;
    }
    if (si >= path.size()) return false;
    std::string p(pat[pi]);
    std::string s(path[si]);
    if (fnmatch(p.c_str(), s.c_str(), 0) != 0) return false;
    ++pi;
    ++si;
  }
  return si == path.size();
}

// /proc and /sys files say size 0 and then yield bytes (environments, kernel state): never
// logs, and never to be shipped.
bool on_pseudo_filesystem(const std::string& path) {
  struct statfs fs;
  if (::statfs(path.c_str(), &fs) != 0) return true;
  return fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC;
}

struct Walker {
  const std::vector<std::string>& include;
  const std::vector<std::string>& exclude;
  bool follow_symlinks;
  std::set<std::pair<dev_t, ino_t>> visited_dirs;
  std::set<std::string> found;
  std::map<std::string, std::string> refused;

  bool wanted(const std::string& path) const { return glob_match_any(include, path) && !glob_match_any(exclude, path); }

  // A path a walk or a pattern named: kept when it is (or, when links are followed, leads to)
  // a regular file outside /proc and /sys.
  void consider(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return;
    if (S_ISLNK(st.st_mode)) {
      if (!wanted(path)) return;
      if (!follow_symlinks) {
        refused[path] = "a symbolic link (follow_symlinks is false)";
        return;
      }
      if (::stat(path.c_str(), &st) != 0) return;  // a dangling link
    }
    if (!S_ISREG(st.st_mode)) {
      if (!S_ISDIR(st.st_mode) && wanted(path)) refused[path] = "not a regular file (a device, FIFO or socket)";
      return;
    }
    if (!wanted(path)) return;
    if (on_pseudo_filesystem(path)) {
      refused[path] = "on /proc or /sys";
      return;
    }
    found.insert(path);
  }

  // `prefix` is how paths below `dir` are spelled ("" for the current folder). The folder a
  // pattern names is taken as it is (a linked /var/log is the operator's choice); below it,
  // linked folders are walked only when links are followed, each real folder once.
  void walk(const std::string& dir, const std::string& prefix, int depth_left) {
    struct stat st;
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
    if (!visited_dirs.insert({st.st_dev, st.st_ino}).second) return;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    std::vector<std::string> subdirs;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string path = prefix + name;
      struct stat est;
      if (::lstat(path.empty() ? "." : path.c_str(), &est) != 0) continue;
      bool link = S_ISLNK(est.st_mode);
      if (link && follow_symlinks && ::stat(path.c_str(), &est) != 0) continue;
      if (S_ISDIR(est.st_mode)) {
        if (depth_left > 1) subdirs.push_back(path);
      } else {
        consider(path);
      }
    }
    ::closedir(d);
    for (const auto& sub : subdirs) walk(sub, sub + "/", depth_left - 1);
  }
};

}  // namespace

bool has_wildcard(std::string_view segment) { return segment.find_first_of("*?[") != std::string_view::npos; }

bool glob_match(std::string_view pattern, std::string_view path) {
  if (pattern.empty()) return false;
  // A pattern that starts with ** matches absolute and relative paths alike; otherwise an
  // absolute pattern only matches absolute paths.
  bool abs_pattern = pattern.front() == '/';
  bool abs_path = !path.empty() && path.front() == '/';
  if (abs_pattern != abs_path && pattern.substr(0, 2) != "**") return false;
  return match_segments(split_segments(pattern), 0, split_segments(path), 0);
}

bool glob_match_any(const std::vector<std::string>& patterns, std::string_view path) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& p) { return glob_match(p, path); });
}

std::string glob_base(std::string_view pattern) {
  std::string base = pattern.front() == '/' ? "/" : "";
  for (auto seg : split_segments(pattern)) {
    if (has_wildcard(seg)) break;
    base.append(seg);
    base.push_back('/');
  }
  if (base.size() > 1 && base.back() == '/') base.pop_back();
  return base;
}

GlobResult find_matching_files(const std::vector<std::string>& include, const std::vector<std::string>& exclude,
                               bool follow_symlinks) {
  Walker walker{include, exclude, follow_symlinks, {}, {}, {}};
  for (const auto& pattern : include) {
    if (pattern.empty()) continue;
    auto segments = split_segments(pattern);
    bool wildcard = std::any_of(segments.begin(), segments.end(), [](auto s) { return has_wildcard(s); });
    if (!wildcard) {
      walker.consider(pattern);
      continue;
    }
    // Depth to walk below the base: the remaining segments, or unbounded with `**`.
    size_t fixed = 0;
    while (fixed < segments.size() && !has_wildcard(segments[fixed])) ++fixed;
    bool deep = std::find(segments.begin(), segments.end(), "**") != segments.end();
    int depth = deep ? 64 : static_cast<int>(segments.size() - fixed);
    std::string base = glob_base(pattern);
    walker.visited_dirs.clear();
    if (base.empty()) walker.walk(".", "", depth);
    else walker.walk(base, base == "/" ? "/" : base + "/", depth);
  }
  return {{walker.found.begin(), walker.found.end()}, std::move(walker.refused)};
}

}  // namespace logship
