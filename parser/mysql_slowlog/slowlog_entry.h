// One MySQL / Percona / MariaDB slow log entry, taken apart into views of its text.
//
//   SlowlogEntry entry;                       // reuse: its vectors keep their capacity
//   parse_slowlog_entry(text, entry);         // text: the entry's lines joined with '\n', as the
//                                             // file source's mysql_slowlog framing makes them
//   entry.statement   -> "SELECT * FROM t WHERE id = 1"   (no final ';')
//   entry.number("Rows_examined", v)
//
// Formats (../shared/SLOWLOG.md): "# Time:" in the old YYMMDD form or ISO 8601, "# User@Host:"
// with or without "Id:", any number of "# Key: value" attribute lines (unknown keys are kept),
// MariaDB's explain rows and warnings, "use db;", "SET timestamp=N;", administrator commands,
// multi-line statements. Views point into `text`, which must outlive the entry. Never throws,
// never allocates beyond the entry's vectors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace logship {

struct SlowlogAttribute {
  std::string_view key;    // as written: "Rows_examined"
  std::string_view value;  // may be empty ("Schema:   Last_errno: 0")
};

struct SlowlogEntry {
  enum class Kind {
    kEntry,         // a normal entry
    kFragment,      // text with no entry header: the file began (or was cut) mid-entry
    kServerHeader,  // "mysqld, Version: … started with:" and its two lines
  };
  Kind kind = Kind::kEntry;
  std::string_view time;  // "# Time:" value as written
  bool has_user_host = false;
  std::string_view priv_user;  // before the brackets: the account (CURRENT_USER)
  std::string_view user;       // inside the brackets: the login user
  std::string_view host;
  std::string_view ip;
  std::string_view connection_id;  // "Id:" on the User@Host line
  std::vector<SlowlogAttribute> attributes;
  std::vector<std::string_view> explain;   // MariaDB "# explain:" rows, tab-separated
  std::vector<std::string_view> warnings;  // MariaDB "# Warning 1292 text" (and Note/Error)
  std::vector<std::string_view> notes;     // other comment lines ("No InnoDB statistics …")
  std::string_view use_db;                 // from "use db;" (backticks removed)
  int64_t set_timestamp = -1;              // from "SET timestamp=N;", -1 when absent
  std::string_view statement;              // without the terminating ';'
  bool administrator_command = false;      // statement is "administrator command: Quit"
  bool no_query = false;                   // no statement ("use db;" alone): statement is kNoQuery
  std::string_view server_program;         // server header: "/usr/sbin/mysqld"
  std::string_view server_version;         // server header: "8.0.15"

  // The attribute's value, or empty when absent.
  std::string_view attribute(std::string_view key) const;
  bool number(std::string_view key, double& out) const;
};

// The statement of an entry that has none, as pt-query-digest reports it (its fingerprint is "").
inline constexpr std::string_view kNoQuery = "/* No query */";

void parse_slowlog_entry(std::string_view text, SlowlogEntry& entry);

// An entry the end of its file cut off (the event is flagged partial) before it showed a
// statement: it has not shown that it has none, so it is no "no query" entry. Its query is
// left empty by `logship parse` and it is not counted by `logship digest`.
inline bool slowlog_entry_unfinished(const SlowlogEntry& e, bool partial) { return e.no_query && partial; }

// "# Time:" value to RFC 3339 in UTC: "071218 11:48:27" -> "2007-12-18T11:48:27Z" (the old form
// carries no zone; it is taken as UTC); ISO 8601 values are validated and written in UTC with
// microseconds. False when unrecognised (nothing unchecked reaches the JSON).
bool slowlog_time_to_rfc3339(std::string_view value, std::string& out);

}  // namespace logship
