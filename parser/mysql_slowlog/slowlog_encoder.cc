#include "parser/mysql_slowlog/slowlog_encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "core/json_writer.h"
#include "core/plain_encoder.h"
#include "core/time_format.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call
namespace {

enum class Type { kInt, kNumber, kSeconds, kBool, kString, kTimestamp, kDuration, kThreadId };
enum class Group { kSlowlog, kInnodb, kEvent, kMysql };

struct Mapping {
  std::string_view key;
  Group group;
  std::string_view name;
  Type type;
};

// Attribute keys as MySQL, Percona Server and MariaDB write them.
constexpr Mapping kMappings[] = {
    {"Query_time", Group::kEvent, "duration", Type::kDuration},
    {"Lock_time", Group::kSlowlog, "lock_time", Type::kSeconds},
    {"Rows_sent", Group::kSlowlog, "rows_sent", Type::kInt},
    {"Rows_examined", Group::kSlowlog, "rows_examined", Type::kInt},
    {"Rows_affected", Group::kSlowlog, "rows_affected", Type::kInt},
    {"Bytes_sent", Group::kSlowlog, "bytes_sent", Type::kInt},
    {"Bytes_received", Group::kSlowlog, "bytes_received", Type::kInt},
    {"Thread_id", Group::kMysql, "thread_id", Type::kThreadId},
    {"Schema", Group::kSlowlog, "schema", Type::kString},
    {"Last_errno", Group::kSlowlog, "last_errno", Type::kInt},
    {"Errno", Group::kSlowlog, "last_errno", Type::kInt},
    {"Killed", Group::kSlowlog, "killed", Type::kInt},
    {"QC_Hit", Group::kSlowlog, "query_cache_hit", Type::kBool},
    {"QC_hit", Group::kSlowlog, "query_cache_hit", Type::kBool},
    {"Full_scan", Group::kSlowlog, "full_scan", Type::kBool},
    {"Full_join", Group::kSlowlog, "full_join", Type::kBool},
    {"Tmp_table", Group::kSlowlog, "tmp_table", Type::kBool},
    {"Tmp_table_on_disk", Group::kSlowlog, "tmp_table_on_disk", Type::kBool},
    {"Filesort", Group::kSlowlog, "filesort", Type::kBool},
    {"Filesort_on_disk", Group::kSlowlog, "filesort_on_disk", Type::kBool},
    {"Priority_queue", Group::kSlowlog, "priority_queue", Type::kBool},
    {"Merge_passes", Group::kSlowlog, "merge_passes", Type::kInt},
    {"Tmp_tables", Group::kSlowlog, "tmp_tables", Type::kInt},
    {"Created_tmp_tables", Group::kSlowlog, "tmp_tables", Type::kInt},
    {"Tmp_disk_tables", Group::kSlowlog, "tmp_disk_tables", Type::kInt},
    {"Created_tmp_disk_tables", Group::kSlowlog, "tmp_disk_tables", Type::kInt},
    {"Tmp_table_sizes", Group::kSlowlog, "tmp_table_sizes", Type::kInt},
    {"Read_first", Group::kSlowlog, "read_first", Type::kInt},
    {"Read_last", Group::kSlowlog, "read_last", Type::kInt},
    {"Read_key", Group::kSlowlog, "read_key", Type::kInt},
    {"Read_next", Group::kSlowlog, "read_next", Type::kInt},
    {"Read_prev", Group::kSlowlog, "read_prev", Type::kInt},
    {"Read_rnd", Group::kSlowlog, "read_rnd", Type::kInt},
    {"Read_rnd_next", Group::kSlowlog, "read_rnd_next", Type::kInt},
    {"Sort_merge_passes", Group::kSlowlog, "sort_merge_passes", Type::kInt},
    {"Sort_range_count", Group::kSlowlog, "sort_range_count", Type::kInt},
    {"Sort_rows", Group::kSlowlog, "sort_rows", Type::kInt},
    {"Sort_scan_count", Group::kSlowlog, "sort_scan_count", Type::kInt},
    {"Log_slow_rate_type", Group::kSlowlog, "log_slow_rate_type", Type::kString},
    {"Log_slow_rate_limit", Group::kSlowlog, "log_slow_rate_limit", Type::kInt},
    {"Start", Group::kEvent, "start", Type::kTimestamp},
    {"End", Group::kEvent, "end", Type::kTimestamp},
    {"InnoDB_trx_id", Group::kInnodb, "trx_id", Type::kString},
    {"InnoDB_IO_r_ops", Group::kInnodb, "io_r_ops", Type::kInt},
    {"InnoDB_IO_r_bytes", Group::kInnodb, "io_r_bytes", Type::kInt},
    {"InnoDB_IO_r_wait", Group::kInnodb, "io_r_wait", Type::kSeconds},
    {"InnoDB_rec_lock_wait", Group::kInnodb, "rec_lock_wait", Type::kSeconds},
    {"InnoDB_queue_wait", Group::kInnodb, "queue_wait", Type::kSeconds},
    {"InnoDB_pages_distinct", Group::kInnodb, "pages_distinct", Type::kInt},
};

// Binary search over the mappings sorted by key, built once (a linear scan of string
// compares was an eighth of the parser's time).
const Mapping* find_mapping(std::string_view key) {
  static const std::vector<const Mapping*> sorted = [] {
    std::vector<const Mapping*> v;
    for (const auto& m : kMappings) v.push_back(&m);
    std::sort(v.begin(), v.end(), [](const Mapping* a, const Mapping* b) { return a->key < b->key; });
    return v;
  }();
  auto it = std::lower_bound(sorted.begin(), sorted.end(), key, [](const Mapping* m, std::string_view k) { return m->key < k; });
  return it != sorted.end() && (*it)->key == key ? *it : nullptr;
}

// An integer as JSON allows it and a 64-bit reader takes it: no leading zeros ("09" is not
// JSON), optional minus, within int64 (found by fuzz_slowlog: a 25-digit counter).
bool is_int(std::string_view v) {
  size_t i = (!v.empty() && v[0] == '-') ? 1 : 0;
  if (i >= v.size()) return false;
  if (v[i] == '0' && i + 1 < v.size()) return false;
  for (size_t k = i; k < v.size(); ++k)
    if (v[k] < '0' || v[k] > '9') return false;
  int64_t n;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc() && p == v.data() + v.size();
}

// A JSON number that readers take: -?digits(.digits)?([eE][+-]?digits)?, no leading zeros,
// integers within int64, other numbers finite as doubles.
bool is_json_number(std::string_view v) {
  size_t i = 0;
  if (i < v.size() && v[i] == '-') ++i;
  size_t digits = i;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  if (i == digits) return false;
  if (v[digits] == '0' && i - digits > 1) return false;  // leading zeros are not JSON
  bool integer = true;
  if (i < v.size() && v[i] == '.') {
    integer = false;
    size_t frac = ++i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    if (i == frac) return false;
  }
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    integer = false;
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-')) ++i;
    size_t exp = i;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
    if (i == exp) return false;
  }
  if (i != v.size()) return false;
  if (integer) return is_int(v);
  double d;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  return ec == std::errc() && std::isfinite(d);
}

void append_key(std::string& out, std::string_view name) {
  if (out.size() > 0 && out.back() != '{') out.push_back(',');
  out.push_back('"');
  out.append(name);
  out.append("\":"sv);
}

// Lower-cased attribute key for unknown attributes (keys are [A-Za-z0-9_]).
void append_lower_key(std::string& out, std::string_view key) {
  if (out.size() > 0 && out.back() != '{') out.push_back(',');
  out.push_back('"');
  for (char c : key) out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  out.append("\":"sv);
}

}  // namespace

uint32_t SlowlogEncoder::encode(const SlowlogEntry& e, const Batch& batch, const EventView& ev, std::string& out) {
  uint32_t flags = 0;
  if (e.kind == SlowlogEntry::Kind::kServerHeader) {
    out.append("{\"@timestamp\":"sv);
    append_read_time(out, batch, ev);
    out.append(",\"message\":"sv);
    append_json_string(out, batch.raw_text(ev));
    out.append(",\"mysql\":{\"slowlog\":{\"server_header\":{\"program\":"sv);
    append_json_string(out, e.server_program);
    out.append(",\"version\":"sv);
    append_json_string(out, e.server_version);
    out.append("}}},"sv);
    append_metadata_members(out, batch, ev, {.event = ",\"kind\":\"event\",\"action\":\"mysql-server-header\""});
    out.append("}\n"sv);
    return flags;
  }

  event_members_.assign(",\"kind\":\"event\",\"category\":[\"database\"],\"type\":[\"info\"]");
  seen_.clear();
  seen_many_.clear();
  // First value wins when two attributes map to one field (Errno and Last_errno, or a
  // Query_time line written twice). Entries with many attributes are looked up in a set: a
  // hostile log of tens of thousands of distinct keys would otherwise take quadratic time.
  auto first_time = [this](std::string_view name) {
    if (seen_.size() < kSeenLinear) {
      for (std::string_view s : seen_)
        if (s == name) return false;
      seen_.push_back(name);
      if (seen_.size() == kSeenLinear) seen_many_.insert(seen_.begin(), seen_.end());
      return true;
    }
    return seen_many_.insert(name).second;
  };
  slowlog_.assign("{");
  innodb_.assign("{");
  invalid_.clear();
  std::string_view thread_id = e.connection_id;

  for (const SlowlogAttribute& a : e.attributes) {
    const Mapping* m = find_mapping(a.key);
    if (!m) {  // unknown: kept, typed by its looks
      if (!first_time(a.key)) continue;
      append_lower_key(slowlog_, a.key);
      if (a.value == "Yes" || a.value == "No") slowlog_.append(a.value == "Yes" ? "true" : "false");
      else if (is_json_number(a.value)) slowlog_.append(a.value);
      else append_json_string(slowlog_, a.value);
      continue;
    }
    std::string& target = m->group == Group::kInnodb ? innodb_ : slowlog_;
    bool ok = true;
    switch (m->type) {
      case Type::kInt:
        if ((ok = is_int(a.value)) && first_time(m->name)) {
          append_key(target, m->name);
          target.append(a.value);
        }
        break;
      case Type::kNumber:
        if ((ok = is_json_number(a.value)) && first_time(m->name)) {
          append_key(target, m->name);
          target.append(a.value);
        }
        break;
      case Type::kSeconds:
        if ((ok = is_json_number(a.value)) && first_time(m->name)) {
          append_key(target, m->name);
          target.append("{\"sec\":"sv);
          target.append(a.value);
          target.push_back('}');
        }
        break;
      case Type::kBool:
        if ((ok = a.value == "Yes" || a.value == "No") && first_time(m->name)) {
          append_key(target, m->name);
          target.append(a.value == "Yes" ? "true" : "false");
        }
        break;
      case Type::kString:
        if (!a.value.empty() && first_time(m->name)) {
          append_key(target, m->name);
          append_json_string(target, a.value);
        }
        break;
      case Type::kTimestamp:
        if ((ok = slowlog_time_to_rfc3339(a.value, scratch_)) && first_time(m->name)) {
          event_members_.append(",\""sv);
          event_members_.append(m->name);
          event_members_.append("\":"sv);
          append_json_string(event_members_, scratch_);
        }
        break;
      case Type::kDuration: {
        double seconds = 0;
        auto [p, ec] = std::from_chars(a.value.data(), a.value.data() + a.value.size(), seconds);
        if ((ok = ec == std::errc() && p == a.value.data() + a.value.size() && seconds >= 0) && first_time("duration")) {
          event_members_.append(",\"duration\":"sv);
          append_uint(event_members_, static_cast<uint64_t>(std::llround(seconds * 1e9)));
        }
        break;
      }
      case Type::kThreadId:
        if ((ok = is_int(a.value)) && thread_id.empty()) thread_id = a.value;
        break;
    }
    if (!ok) {
      if (!invalid_.empty()) invalid_.push_back(',');
      std::string text = std::string(a.key) + ": " + std::string(a.value);
      append_json_string(invalid_, text);
      flags |= kFlagInvalidAttribute;
    }
  }
  // event.end: the entry's "# Time:" (when it was written), unless End: said it.
  if (!e.time.empty() && event_members_.find("\"end\":") == std::string::npos && slowlog_time_to_rfc3339(e.time, scratch_)) {
    event_members_.append(",\"end\":"sv);
    append_json_string(event_members_, scratch_);
  }

  out.append("{\"@timestamp\":\""sv);
  if (e.set_timestamp >= 0) {
    append_rfc3339_micros(out, e.set_timestamp * 1'000'000'000);
    out.resize(out.size() - 8);  // whole seconds: drop ".000000Z"
    out.push_back('Z');
  } else if (!e.time.empty() && slowlog_time_to_rfc3339(e.time, scratch_)) {
    out.append(scratch_);
  } else {
    append_rfc3339_micros(out, batch.fallback_time(ev));
  }
  out.append("\""sv);
  if (e.kind == SlowlogEntry::Kind::kFragment) {
    flags |= kFlagSlowlogFragment;
    out.append(",\"message\":"sv);
    append_json_string(out, batch.raw_text(ev));
  }
  if (!e.user.empty() || !e.priv_user.empty()) {
    out.append(",\"user\":{\"name\":"sv);
    append_json_string(out, e.user.empty() ? e.priv_user : e.user);
    out.push_back('}');
  }
  if (!e.host.empty() || !e.ip.empty()) {
    out.append(",\"source\":{"sv);
    if (!e.host.empty()) {
      out.append("\"domain\":"sv);
      append_json_string(out, e.host);
    }
    if (!e.ip.empty()) {
      if (!e.host.empty()) out.push_back(',');
      out.append("\"ip\":"sv);
      append_json_string(out, e.ip);
    }
    out.push_back('}');
  }
  out.append(",\"mysql\":{"sv);
  if (!thread_id.empty() && is_int(thread_id)) {
    out.append("\"thread_id\":"sv);
    out.append(thread_id);
    out.push_back(',');
  }
  out.append("\"slowlog\":{\"query\":"sv);
  // An entry cut off by the end of its file before its statement has not shown that it has
  // none: its query stays empty rather than pt-query-digest's "no query".
  bool unfinished = slowlog_entry_unfinished(e, ev.flags & kFlagPartial);
  append_json_string(out, unfinished ? std::string_view() : e.statement);
  if (!e.statement.empty() && !unfinished) {
    std::string_view fp = fingerprinter_.fingerprint(e.statement);
    out.append(",\"fingerprint\":"sv);
    append_json_string(out, fp);
    out.append(",\"id\":\""sv);
    append_query_id(out, fp);
    out.push_back('"');
  }
  if (!e.use_db.empty() && first_time("schema")) {
    append_key(slowlog_, "schema");
    append_json_string(slowlog_, e.use_db);
  }
  if (!e.priv_user.empty()) {
    append_key(slowlog_, "current_user");
    append_json_string(slowlog_, e.priv_user);
  }
  if (slowlog_.size() > 1) {
    out.push_back(',');
    out.append(slowlog_, 1, std::string::npos);
  }
  if (innodb_.size() > 1) {
    out.append(",\"innodb\":"sv);
    out.append(innodb_);
    out.push_back('}');
  }
  auto append_list = [&out](std::string_view name, const std::vector<std::string_view>& items) {
    if (items.empty()) return;
    out.append(",\""sv);
    out.append(name);
    out.append("\":["sv);
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out.push_back(',');
      append_json_string(out, items[i]);
    }
    out.push_back(']');
  };
  append_list("explain", e.explain);
  append_list("warnings", e.warnings);
  append_list("notes", e.notes);
  if (!invalid_.empty()) {
    out.append(",\"invalid_attributes\":["sv);
    out.append(invalid_);
    out.push_back(']');
  }
  out.append("}},"sv);
  EventView flagged = ev;
  flagged.flags |= flags;
  append_metadata_members(out, batch, flagged, {.event = event_members_});
  out.append("}\n"sv);
  return flags;
}

}  // namespace logship
