#include "parser/mysql_slowlog/slowlog_entry.h"

#include <charconv>

#include "core/time_format.h"
#include "core/timestamp_parse.h"
#include "parser/mysql_slowlog/slowlog_lines.h"

namespace logship {
namespace {

using slowlog_lines::starts_with;
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Next whitespace-separated token of `s` from `pos`.
std::string_view next_token(std::string_view s, size_t& pos) {
  while (pos < s.size() && is_blank(s[pos])) ++pos;
  size_t start = pos;
  while (pos < s.size() && !is_blank(s[pos])) ++pos;
  return s.substr(start, pos - start);
}

bool is_key_token(std::string_view t) {
  if (t.size() < 2 || t.back() != ':') return false;
  for (size_t i = 0; i + 1 < t.size(); ++i)
    if (!is_key_char(t[i])) return false;
  return true;
}

// "Key: value  Key: value" into attributes; false (and nothing added) when the line is not
// made of such pairs.
bool parse_attributes(std::string_view body, std::vector<SlowlogAttribute>& out) {
  size_t pos = 0;
  size_t before = out.size();
  while (true) {
    std::string_view key = next_token(body, pos);
    if (key.empty()) break;
    if (!is_key_token(key)) {
      out.resize(before);
      return false;
    }
    size_t save = pos;
    std::string_view value = next_token(body, pos);
    if (is_key_token(value)) {  // "Schema:   Last_errno: 0": an empty value
      pos = save;
      value = {};
    }
    out.push_back({key.substr(0, key.size() - 1), value});
  }
  return out.size() > before;
}

// " root[root] @ localhost [127.0.0.1]  Id:     3"
void parse_user_host(std::string_view s, SlowlogEntry& e) {
  e.has_user_host = true;
  size_t lb = s.find('[');
  size_t at = s.find('@');
  if (lb != std::string_view::npos && (at == std::string_view::npos || lb < at)) {
    e.priv_user = trim(s.substr(0, lb));
    size_t rb = s.find(']', lb);
    if (rb != std::string_view::npos) e.user = s.substr(lb + 1, rb - lb - 1);
    at = s.find('@', rb == std::string_view::npos ? lb : rb);
  } else if (at != std::string_view::npos) {
    e.priv_user = trim(s.substr(0, at));
  }
  if (at == std::string_view::npos) return;
  std::string_view rest = s.substr(at + 1);
  size_t id = rest.find("Id:");
  std::string_view where = id == std::string_view::npos ? rest : rest.substr(0, id);
  size_t ilb = where.find('[');
  if (ilb != std::string_view::npos) {
    e.host = trim(where.substr(0, ilb));
    size_t irb = where.find(']', ilb);
    if (irb != std::string_view::npos) e.ip = trim(where.substr(ilb + 1, irb - ilb - 1));
  } else {
    e.host = trim(where);
  }
  if (id != std::string_view::npos) e.connection_id = trim(rest.substr(id + 3));
}

// "SET [last_insert_id=N,][insert_id=N,]timestamp=N;"
bool parse_set_timestamp(std::string_view line, int64_t& out) {
  if (!starts_with(line, "SET ") || line.back() != ';') return false;
  size_t ts = line.find("timestamp=");
  if (ts == std::string_view::npos) return false;
  std::string_view head = line.substr(4, ts - 4);
  for (char c : head) {  // only the insert id assignments may come before
    if (!(is_key_char(c) || c == '=' || c == ',')) return false;
  }
  std::string_view digits = line.substr(ts + 10, line.size() - ts - 11);
  int64_t value = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  // Beyond year 2255 nanoseconds no longer fit in 64 bits: not a timestamp we can use.
  if (ec != std::errc() || p != digits.data() + digits.size() || value < 0 || value > 9'000'000'000) return false;
  out = value;  // only a usable value is kept
  return true;
}

// "use db;" / "use `db`;" (the ';' may be missing, as pt-query-digest allows)
bool parse_use(std::string_view line, std::string_view& db) {
  if (!starts_with(line, "use ")) return false;
  if (line.back() == ';') line.remove_suffix(1);
  std::string_view name = trim(line.substr(4));
  if (name.size() >= 2 && name.front() == '`' && name.back() == '`') name = name.substr(1, name.size() - 2);
  if (name.empty() || name.find(' ') != std::string_view::npos) return false;
  db = name;
  return true;
}

bool is_warning_line(std::string_view body) {
  for (std::string_view level : {"Warning ", "Note ", "Error "}) {
    if (starts_with(body, level) && body.size() > level.size() && body[level.size()] >= '0' && body[level.size()] <= '9')
      return true;
  }
  return false;
}

// "/usr/sbin/mysqld, Version: 8.0.15 (MySQL Community Server - GPL). started with:"
void parse_server_header(std::string_view first, SlowlogEntry& e) {
  size_t v = first.find(", Version: ");
  e.server_program = first.substr(0, v);
  std::string_view rest = first.substr(v + 11);
  size_t end = rest.find_first_of(" (");
  e.server_version = rest.substr(0, end);
}

void append_digits(std::string& out, std::string_view digits) { out.append(digits); }

}  // namespace

std::string_view SlowlogEntry::attribute(std::string_view key) const {
  for (const auto& a : attributes)
    if (a.key == key) return a.value;
  return {};
}

bool SlowlogEntry::number(std::string_view key, double& out) const {
  std::string_view v = attribute(key);
  if (v.empty()) return false;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size();
}

void parse_slowlog_entry(std::string_view text, SlowlogEntry& e) {
  e.attributes.clear();
  e.explain.clear();
  e.warnings.clear();
  e.notes.clear();
  e.kind = SlowlogEntry::Kind::kEntry;
  e.time = e.priv_user = e.user = e.host = e.ip = e.connection_id = e.use_db = e.statement = {};
  e.server_program = e.server_version = {};
  e.has_user_host = false;
  e.administrator_command = false;
  e.no_query = false;
  e.set_timestamp = -1;

  size_t pos = 0;
  auto next_line = [&](std::string_view& line) {
    if (pos > text.size()) return false;
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl + 1;
    return true;
  };

  std::string_view line;
  size_t line_start = 0;
  bool first = true;
  bool got_use = false;
  // As pt-query-digest's parser reads an entry: every line before the statement that starts
  // with '#', "use " or "SET timestamp" (insert_id, last_insert_id) is header; the first other
  // non-blank line starts the statement, which runs to the end of the entry.
  while (line_start = pos, next_line(line)) {
    if (first) {
      first = false;
      if (slowlog_lines::is_server_header(line)) {
        e.kind = SlowlogEntry::Kind::kServerHeader;
        parse_server_header(line, e);
        return;
      }
      if (!slowlog_lines::opens_entry(line)) e.kind = SlowlogEntry::Kind::kFragment;
    }
    if (!line.empty() && line[0] == '#') {
      std::string_view body = trim(line.substr(1));
      if (starts_with(line, "# Time:")) {
        std::string_view rest = line.substr(7);
        size_t uh = rest.find("# User@Host:");
        e.time = trim(uh == std::string_view::npos ? rest : rest.substr(0, uh));
        if (uh != std::string_view::npos) parse_user_host(rest.substr(uh + 12), e);
      } else if (starts_with(line, "# User@Host:")) {
        if (!e.has_user_host) parse_user_host(line.substr(12), e);  // old Percona logs repeat it
      } else if (body.empty() || body == "Warnings") {
        // "#" alone frames MariaDB's explain block
      } else if (starts_with(body, "explain:")) {
        // Rows are tab-separated with possibly empty last columns: keep trailing tabs.
        std::string_view row = line.substr(line.find("explain:") + 8);
        if (!row.empty() && row.front() == ' ') row.remove_prefix(1);
        e.explain.push_back(row);
      } else if (is_warning_line(body)) {
        e.warnings.push_back(body);
      } else if (starts_with(body, "administrator command:")) {
        if (!e.administrator_command) {  // the first one is the entry's (as pt-query-digest takes it)
          std::string_view cmd = body;
          if (!cmd.empty() && cmd.back() == ';') cmd.remove_suffix(1);
          e.statement = cmd;
          e.administrator_command = true;
        }
      } else if (!parse_attributes(body, e.attributes)) {
        e.notes.push_back(body);
      }
      continue;
    }
    if (starts_with(line, "use ")) {  // lower case only: "USE `db`" is a statement
      if (!got_use) parse_use(trim(line), e.use_db);
      got_use = true;
      continue;
    }
    if (starts_with(line, "SET timestamp") || starts_with(line, "SET insert_id") || starts_with(line, "SET last_insert_id")) {
      if (e.set_timestamp < 0) parse_set_timestamp(trim(line), e.set_timestamp);
      continue;
    }
    if (e.administrator_command) break;
    if (trim(line).empty()) continue;
    // The statement: from here to the end of the entry, trailing blanks and ';' removed.
    std::string_view stmt = text.substr(line_start);
    while (!stmt.empty() && (is_blank(stmt.back()) || stmt.back() == '\n')) stmt.remove_suffix(1);
    if (!stmt.empty() && stmt.back() == ';') stmt.remove_suffix(1);
    e.statement = stmt;
    break;
  }
  if (e.statement.empty() && e.kind == SlowlogEntry::Kind::kEntry) {
    // An entry whose only statement was "use db;" (or nothing): pt-query-digest's "no query",
    // whose fingerprint is empty.
    e.statement = kNoQuery;
    e.no_query = true;
  }
}

bool slowlog_time_to_rfc3339(std::string_view v, std::string& out) {
  out.clear();
  if (v.size() >= 19 && v[4] == '-' && v[10] == 'T') {  // ISO 8601: checked, written in UTC
    static const TimestampFormat iso = [] {
      TimestampFormat f;
      TimestampFormat::parse("rfc3339", f);
      return f;
    }();
    int64_t ns = 0;
    if (!parse_timestamp(v, iso, ns)) return false;
    append_rfc3339_micros(out, ns);
    return true;
  }
  // YYMMDD H:MM:SS[.ffffff], the hour padded with a space
  if (v.size() < 13) return false;
  for (int i = 0; i < 6; ++i)
    if (v[static_cast<size_t>(i)] < '0' || v[static_cast<size_t>(i)] > '9') return false;
  size_t p = 6;
  while (p < v.size() && v[p] == ' ') ++p;
  std::string_view clock = v.substr(p);
  size_t colon = clock.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || clock.size() < colon + 6) return false;
  int yy = (v[0] - '0') * 10 + (v[1] - '0');
  out.append(yy >= 70 ? "19" : "20");
  append_digits(out, v.substr(0, 2));
  out.push_back('-');
  append_digits(out, v.substr(2, 2));
  out.push_back('-');
  append_digits(out, v.substr(4, 2));
  out.push_back('T');
  if (colon == 1) out.push_back('0');
  std::string_view rest = clock;
  for (char c : rest) {
    if (!((c >= '0' && c <= '9') || c == ':' || c == '.')) return false;
  }
  out.append(rest);
  out.push_back('Z');
  return true;
}

}  // namespace logship
