// What a single slow log line is, as the entry framing (parser/multiline) and the entry parser
// both need to know it. The rules follow pt-query-digest's parser (../shared/SLOWLOG.md).
#pragma once

#include <string_view>

namespace logship::slowlog_lines {

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "/usr/sbin/mysqld, Version: 8.0.15 (MySQL Community Server - GPL). started with:", also a
// relative or Windows path ("C:\Program Files\…\mysqld.exe, Version: …") or an embedded
// server's. The program before ", Version: " is a path, without the quotes, brackets, commas
// or semicolons a statement quoting such text would have around it.
inline bool is_server_header(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t version = line.find(", Version: ");
  if (version == 0 || version == std::string_view::npos) return false;
  if (line.substr(0, version).find_first_of("'\"`(),;") != std::string_view::npos) return false;
  return ends_with(line, "started with:") || line.find("embedded library") != std::string_view::npos;
}

// "# Query_time: …", "# Time: …", "# User: …", "# Thread_id: …": a comment that opens with a
// capitalised word and a colon (pt-query-digest's ^\s*[A-Z][a-z_]+: once the '#' is gone).
inline bool is_key_comment(std::string_view line) {
  if (!starts_with(line, "#")) return false;
  size_t p = 1;
  while (p < line.size() && (line[p] == ' ' || line[p] == '\t')) ++p;
  if (p >= line.size() || line[p] < 'A' || line[p] > 'Z') return false;
  size_t word = ++p;
  while (p < line.size() && ((line[p] >= 'a' && line[p] <= 'z') || line[p] == '_')) ++p;
  return p > word && p + 1 < line.size() && line[p] == ':' && line[p + 1] == ' ';
}

// A line that can open an entry: "# Time:", "# User@Host:" or another "# Key: …" line.
inline bool opens_entry(std::string_view line) {
  return starts_with(line, "# Time:") || starts_with(line, "# User@Host:") || is_key_comment(line);
}

// The lines taken as an entry's header rather than its statement: comments, "use db;" and the
// SET line MySQL writes before each statement.
inline bool is_entry_header_line(std::string_view line) {
  return starts_with(line, "#") || starts_with(line, "use ") || starts_with(line, "SET last_insert_id") ||
         starts_with(line, "SET insert_id") || starts_with(line, "SET timestamp");
}

// A line that makes an entry's statement: anything but header lines, and the administrator
// command line, which stands for the statement.
inline bool is_statement_line(std::string_view line) {
  return !is_entry_header_line(line) || starts_with(line, "# administrator command:");
}

inline bool ends_with_semicolon(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // a CRLF log splits as well
  return !line.empty() && line.back() == ';';
}

}  // namespace logship::slowlog_lines
