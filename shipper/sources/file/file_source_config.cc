#include "shipper/sources/file/file_source_config.h"

#include <algorithm>

namespace logship {

const Schema<FileSourceConfig>& FileSourceConfig::schema() {
  static const auto s =
      Schema<FileSourceConfig>()
          .field("include", &FileSourceConfig::include, "Globs of the files to read; `**` matches any number of folders.")
          .required()
          .field("exclude", &FileSourceConfig::exclude, "Globs of files to leave out even when `include` matches them.")
          .choice("read_from", &FileSourceConfig::read_from, {"beginning", "end"},
                  "Where to start in a file found at start-up that has no checkpoint; files that appear later are read from the beginning.")
          .field("dataset", &FileSourceConfig::dataset, "event.dataset of every event (routing, topics and index names use it); the source's name when empty.")
          .field("max_line_bytes", &FileSourceConfig::max_line_bytes, "Longer lines are cut to this size, flagged truncated and counted; the rest of the line is skipped.")
          .field("batch_bytes", &FileSourceConfig::batch_bytes, "Raw bytes per batch handed to the next stage when reading at full speed; lines gathered during read_delay go out in batches of up to 4 times this (a trickle costs less CPU in fewer batches).")
          .field("fingerprint_bytes", &FileSourceConfig::fingerprint_bytes, "Leading bytes hashed to tell a file from another that reuses its inode, or from its own copytruncate.")
          .field("scan_interval", &FileSourceConfig::scan_interval, "How often the globs are expanded again (inotify also triggers a scan when a folder changes).")
          .field("rotate_wait", &FileSourceConfig::rotate_wait, "How long a file that was renamed or deleted is kept open after its last new line, for late writes.")
          .field("read_delay", &FileSourceConfig::read_delay, "Once every file was read to its end, how long to let new lines gather after the next write before reading them: fewer, larger batches (less CPU, fewer fsyncs) for that much latency. 0 reads at once.")
          .field("checkpoint_interval", &FileSourceConfig::checkpoint_interval, "How often acknowledged offsets are written to data_dir (and always at shutdown).")
          .field("max_open_files", &FileSourceConfig::max_open_files,
                 "Files held open at most. New and rotated files are opened as soon as they appear, also while a sink is blocked, and held until read and delivered; past this bound a file is not held (logged once per spell, counted, and /health says so) and can be lost if it is rotated away meanwhile.")
          .field("follow_symlinks", &FileSourceConfig::follow_symlinks,
                 "Read files that symbolic links in the globbed folders lead to (only regular files; never devices, FIFOs, /proc or /sys). Off by default: a link in a log folder must not ship a key file or another folder.")
          .nested("multiline", &FileSourceConfig::multiline, MultilineConfig::schema(), "Join lines into one event (stack traces); absent = one event per line.")
          .nested("container", &FileSourceConfig::container, ContainerLogConfig::schema(),
                  "The files are container logs (CRI or Docker json-file): the application's lines are taken out of the runtime's framing, pieces of long lines joined, the stream kept as log.iostream and the runtime's time as @timestamp (unless a parser finds the line's own). Applied before multiline. Absent: lines are read as they are.")
          .field("add_fields", &FileSourceConfig::add_fields,
                 "Fields (dotted name: text) added to every event of the source, e.g. the pod's name from the Downward API: {kubernetes.pod.name: '${POD_NAME}'}. They replace fields of the same name taken from a container log's path.");
  return s;
}

void FileSourceConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  if (include.empty()) errors.add(node["include"], join_path(path, "include"), "must list at least one glob");
  for (size_t i = 0; i < include.size(); ++i) {
    if (include[i].empty()) errors.add(node["include"], join_path(path, "include") + "[" + std::to_string(i) + "]", "empty glob");
  }
  if (max_line_bytes.value < 16) errors.add(node["max_line_bytes"], join_path(path, "max_line_bytes"), "must be at least 16 bytes");
  if (max_line_bytes.value > (256u << 20)) errors.add(node["max_line_bytes"], join_path(path, "max_line_bytes"), "must be at most 256MiB");
  if (batch_bytes.value < 1024 || batch_bytes.value > (64u << 20))
    errors.add(node["batch_bytes"], join_path(path, "batch_bytes"), "must be between 1KiB and 64MiB");
  if (fingerprint_bytes < 16 || fingerprint_bytes > 65536)
    errors.add(node["fingerprint_bytes"], join_path(path, "fingerprint_bytes"), "must be between 16 and 65536");
  if (max_open_files < 1 || max_open_files > 1000000)
    errors.add(node["max_open_files"], join_path(path, "max_open_files"), "must be between 1 and 1000000");
  if (multiline) multiline->validate(node["multiline"], join_path(path, "multiline"), errors);
  if (container && multiline && multiline->preset == "mysql_slowlog")
    errors.add(node["container"], join_path(path, "container"), "cannot be combined with multiline preset mysql_slowlog");
  for (const auto& [name, text] : add_fields) {
    std::string where = join_path(path, "add_fields") + "." + name;
    std::string_view head = std::string_view(name).substr(0, name.find('.'));
    if (name.empty() || name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos)
      errors.add(node["add_fields"][name], where, "a field name is words joined by single dots");
    else if (head == "log" || head == "event" || head == "host" || head == "@timestamp" || head == "message")
      errors.add(node["add_fields"][name], where, "log, event, host, @timestamp and message are logship's own; choose another name");
    else if (std::count(name.begin(), name.end(), '.') >= 16)
      errors.add(node["add_fields"][name], where, "nested more than 16 levels");
    for (const auto& [other, unused] : add_fields)
      if (other.size() > name.size() && other.compare(0, name.size(), name) == 0 && other[name.size()] == '.')
        errors.add(node["add_fields"][name], where, "is also the object of " + other + ": a field cannot be both");
  }
}

}  // namespace logship
