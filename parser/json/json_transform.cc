#include "parser/json/json_transform.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/json_writer.h"
#include "core/line_breaks.h"
#include "core/log_level.h"
#include "core/plain_encoder.h"
#include "core/time_format.h"
#include "parser/json/raw_members.h"
#include "parser/json/structural_walk.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call
namespace {

using simdjson::error_code;

std::string_view trim_end(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A raw JSON string token without its quotes (escapes left as they are), or the raw token.
std::string_view unquote(std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') return raw.substr(1, raw.size() - 2);
  return raw;
}

const char* reason(error_code err, int64_t max_depth, std::string& buf) {
  switch (err) {
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    case simdjson::DEPTH_ERROR:
      buf = "nested deeper than max_depth (" + std::to_string(max_depth) + ")";
      return buf.c_str();
    case simdjson::INCORRECT_TYPE: return "not a JSON object";
    case simdjson::TRAILING_CONTENT: return "trailing content after the JSON object";
    case simdjson::EMPTY: return "empty line";
    default:
      buf = std::string("invalid JSON: ") + simdjson::error_message(err);
      return buf.c_str();
  }
}

}  // namespace

const Schema<JsonTransformConfig>& JsonTransform::schema() {
  static const auto s =
      Schema<JsonTransformConfig>()
          .field("timestamp_field", &JsonTransformConfig::timestamp_field, "Top-level field holding the event time, parsed into @timestamp (kept as it is too).")
          .field("timestamp_format", &JsonTransformConfig::timestamp_format, "rfc3339, unix, unix_ms, unix_us, unix_ns, or a strftime pattern such as '%d/%b/%Y:%H:%M:%S %z'.")
          .field("timezone", &JsonTransformConfig::timezone, "Zone of event times written without one: an IANA name (Europe/Berlin), UTC, local (this machine's) or an offset (+05:30).")
          .shown_default("UTC")
          .field("level_field", &JsonTransformConfig::level_field, "Top-level field holding the severity, copied to log.level lower-cased with aliases folded (WARNING -> warn, 50 -> error).")
          .field("target", &JsonTransformConfig::target, "Nest the application's object under this key instead of merging it at the root.")
          .field("add_fields", &JsonTransformConfig::add_fields, "Fields to add to every event (string values; dotted keys allowed).")
          .field("rename", &JsonTransformConfig::rename, "Top-level keys to rename: {old: new}.")
          .field("drop", &JsonTransformConfig::drop, "Top-level keys to remove.")
          .field("max_depth", &JsonTransformConfig::max_depth, "Deeper nesting makes the line a json_parse_error (shipped as text).")
          .field("threads", &JsonTransformConfig::threads, "Threads parsing batches in parallel (output order is kept); 0: one per core, at most 4.");
  return s;
}

void JsonTransformConfig::validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  TimestampFormat f;
  if (!TimestampFormat::parse(timestamp_format, f)) {
    errors.add(node["timestamp_format"], join_path(path, "timestamp_format"),
               "unknown format '" + timestamp_format + "' (rfc3339, unix, unix_ms, unix_us, unix_ns, or a strftime pattern with %)");
  }
  std::string why;
  if (!timezone.empty() && !TimeZone::load(timezone, why)) errors.add(node["timezone"], join_path(path, "timezone"), why);
  if (max_depth < 1 || max_depth > 1000) errors.add(node["max_depth"], join_path(path, "max_depth"), "must be between 1 and 1000");
  if (threads < 0 || threads > 64) errors.add(node["threads"], join_path(path, "threads"), "must be between 0 (one per core) and 64");
  validate_names(node, path, errors);
}

namespace {

// The top-level key a (possibly dotted) field name lands under: "log" for "log.level".
std::string_view root_of(std::string_view field) { return field.substr(0, field.find('.')); }

// Keys logship writes itself at the top of every event.
bool is_logships(std::string_view field) {
  std::string_view root = root_of(field);
  return root == "log" || root == "event" || root == "host" || root == "@timestamp";
}

}  // namespace

// Names the config adds to an event must not collide with logship's own members or with each
// other: a key written twice makes an event Elasticsearch refuses (or one whose metadata an
// application can forge).
void JsonTransformConfig::validate_names(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const {
  const std::string kOwn = "logship writes log, event, host and @timestamp itself; choose another name (service.*, labels.*)";
  std::set<std::string_view> rename_targets;
  for (const auto& [from, to] : rename) {
    std::string at = join_path(path, "rename." + from);
    if (to.empty()) errors.add(node["rename"], at, "renaming to an empty key");
    else if (!simdjson::validate_utf8(to.data(), to.size())) errors.add(node["rename"], at, "the new name is not valid UTF-8");
    else if (is_logships(to)) errors.add(node["rename"][from], at, "cannot rename to '" + to + "': " + kOwn);
    else if (!rename_targets.insert(to).second) errors.add(node["rename"][from], at, "another key is already renamed to '" + to + "'");
  }
  for (const auto& [field, text] : add_fields) {
    std::string at = join_path(path, "add_fields." + field);
    if (field.empty()) errors.add(node["add_fields"], at, "an empty key");
    else if (!simdjson::validate_utf8(field.data(), field.size()) || !simdjson::validate_utf8(text.data(), text.size()))
      errors.add(node["add_fields"], at, "not valid UTF-8");
    else if (is_logships(field)) errors.add(node["add_fields"], at, "cannot add '" + field + "': " + kOwn);
    else if (rename_targets.count(field)) errors.add(node["add_fields"], at, "'" + field + "' is also a rename target; one of them would be lost");
    else if (field == target) errors.add(node["add_fields"], at, "'" + field + "' is also the target the application's object goes under");
  }
  if (!target.empty()) {
    if (!simdjson::validate_utf8(target.data(), target.size())) errors.add(node["target"], join_path(path, "target"), "not valid UTF-8");
    else if (is_logships(target)) errors.add(node["target"], join_path(path, "target"), "cannot nest under '" + target + "': " + kOwn);
  }
}

JsonTransform::JsonTransform(JsonTransformConfig config, TimestampFormat format, const std::string& name)
    : config_(std::move(config)),
      format_(std::move(format)),
      parsed_(metrics().counter("logship_parser_events_total", "Events a parser produced, by outcome.",
                                {{"component", name}, {"outcome", "parsed"}})),
      failed_(metrics().counter("logship_parser_events_total", "Events a parser produced, by outcome.",
                                {{"component", name}, {"outcome", "json_parse_error"}})) {
  // Nesting beyond max_depth (the root object counts as one level) is a parse error.
  simdjson::error_code err = dom_parser_.allocate(1 << 16, static_cast<size_t>(config_.max_depth));
  (void)err;  // on failure parse() allocates again and reports the error per line
  // Keys the loop treats apart: any other key is copied through without a compare.
  note_special("log", kLogObject);
  note_special("event", kEventObject);
  note_special("host", kHostObject);
  note_special("@timestamp", kOwnTimestamp);
  if (!config_.timestamp_field.empty()) note_special(config_.timestamp_field, kTimestampField);
  if (!config_.level_field.empty()) note_special(config_.level_field, kLevelField);
  for (const auto& key : config_.drop) note_special(key, kDropped);
  for (const auto& [from, to] : config_.rename) note_special(from, kRenamed, to);  // the last rename of a key wins
  for (const auto& [from, to] : config_.rename) note_special(to, kRenameTarget);
  if (config_.target.empty())
    for (const auto& [field, text] : config_.add_fields) note_special(field, kAddedField);
}

void JsonTransform::note_special(std::string_view key, unsigned role, std::string_view renamed_to) {
  special_keys_.set(key_hash(key));
  auto it = std::find_if(special_list_.begin(), special_list_.end(), [&](const SpecialKey& s) { return s.name == key; });
  if (it == special_list_.end()) it = special_list_.insert(special_list_.end(), SpecialKey{std::string(key), 0, {}});
  it->roles |= role;
  if (role == kRenamed) it->renamed_to = renamed_to;
}

Result<std::unique_ptr<JsonTransform>> JsonTransform::create(const JsonTransformConfig& config, const BuildContext& ctx) {
  TimestampFormat format;
  if (!TimestampFormat::parse(config.timestamp_format, format)) return Error::invalid("unknown timestamp_format");
  if (!config.timezone.empty()) {
    std::string why;
    format.zone = TimeZone::load(config.timezone, why);
    if (!format.zone) return Error::invalid("timezone: " + why);
  }
  return std::unique_ptr<JsonTransform>(new JsonTransform(config, std::move(format), ctx.name));
}

// Appends ,"<key><suffix>": — a key of the line (validated with the line) or a configured name
// (checked when the config was loaded); `plain`: valid JSON string content as it is, no escaping.
static void append_member_key(std::string& out, std::string_view key, bool plain, std::string_view suffix = {}) {
  out.append(",\""sv);
  if (plain) out.append(key);
  else append_json_escaped_utf8(out, key);
  out.append(suffix);
  out.append("\":"sv);
}

// A line's own member named like a member of its origin (a container log's kubernetes or
// container object) goes out as <key>_original. Rare: kept out of line, so the hot loop's
// calls above stay inlined.
[[gnu::noinline, gnu::cold]] static void append_clashing_member(std::string& out, std::string_view key, bool plain, std::string_view raw) {
  append_member_key(out, key, plain, "_original");
  out.append(raw);
}

// Walks an object's members in the DOM and in the text at once: the text gives the raw value
// (copied through as written) and the key as written; the DOM gives the key unescaped, needed
// only for keys holding a backslash. `next` is false after the last member.
class JsonTransform::Members {
 public:
  Members(simdjson::dom::object dom, const char* text) : it_(dom.begin()), end_(dom.end()), raw_(text) {}
  bool next(std::string_view& key, bool& plain, std::string_view& value) {
    bool escaped;
    if (!raw_.next(key, escaped, value)) return false;
    if (it_ == end_) return false;  // cannot happen on a document the DOM accepted
    simdjson::dom::key_value_pair member = *it_;
    value_ = member.value;
    if (escaped) key = member.key;
    plain = !escaped;
    ++it_;
    return true;
  }
  // The members of the object next() gave (`raw`: its text).
  Members nested(std::string_view raw) const { return Members(value_.get_object().value_unsafe(), raw.data()); }
  // Never offered on this (rare) path: see WalkMembers.
  std::string_view compact_text() const { return {}; }

 private:
  simdjson::dom::object::iterator it_, end_;
  simdjson::dom::element value_;
  RawMembers raw_;
};

// The same walk over a line StructuralWalk accepted (no escaped keys there).
class JsonTransform::WalkMembers {
 public:
  WalkMembers(const StructuralWalk& walk, uint32_t open) : walk_(&walk), members_(walk, open) {}
  [[gnu::always_inline]] bool next(std::string_view& key, bool& plain, std::string_view& value) {
    plain = true;
    return members_.next(key, value, value_index_);
  }
  WalkMembers nested(std::string_view) const { return WalkMembers(*walk_, value_index_); }
  std::string_view compact_text() const { return members_.compact_text(); }

 private:
  const StructuralWalk* walk_;
  StructuralWalk::Members members_;
  uint32_t value_index_ = 0;
};

// Copies the members of an application's "log" / "event" / "host" object so they join
// logship's own; a member logship sets itself is kept as <name>_original.
template <class MemberWalk>
void JsonTransform::copy_members(MemberWalk members, unsigned object, std::string& out) {
  std::string_view key, raw;
  bool plain;
  while (members.next(key, plain, raw)) {
    append_member_key(out, key, plain, sets_itself(object, key) ? "_original" : "");
    out.append(raw);
  }
}

bool JsonTransform::sets_itself(unsigned object, std::string_view key) const {
  switch (object) {
    case kLogObject: return key == "file" || key == "offset" || key == "flags" || (key == "level" && !config_.level_field.empty());
    case kEventObject: return key == "id" || key == "dataset";
    case kHostObject: return key == "name";
    default: return false;
  }
}

bool JsonTransform::encode_object(const Batch& batch, EventView& e, const char* data, size_t len, std::string& out) {
  // Most lines: simdjson's stage 1 and a walk of its structural indexes (see StructuralWalk).
  if (walk_.accept(dom_parser_, data, len, static_cast<size_t>(config_.max_depth))) {
    encode_members(batch, e, data, len, WalkMembers(walk_, 0), out);
    return true;
  }
  // The rest: a full validation with the DOM parser (stage 1 and 2: strings, numbers, UTF-8,
  // depth, trailing content), which also names the error, then a walk of the text alongside.
  simdjson::dom::element root;
  error_code err = dom_parser_.parse(data, len, false).get(root);
  if (!err && !root.is_object()) err = simdjson::INCORRECT_TYPE;
  if (err) {
    error_ = reason(err, config_.max_depth, error_);
    return false;
  }
  encode_members(batch, e, data, len, Members(root.get_object().value_unsafe(), data), out);
  return true;
}

template <class MemberWalk>
void JsonTransform::encode_members(const Batch& batch, EventView& e, const char* data, size_t len, MemberWalk members,
                                   std::string& out) {
  log_extra_.clear();
  event_extra_.clear();
  host_extra_.clear();
  displaced_.clear();
  renamed_now_.clear();
  std::string_view ts_raw;
  std::string_view own_timestamp;
  std::string_view level_raw;
  // @timestamp comes first but is known only after the walk: a slot the size of the usual
  // value is kept for it, so the members can go straight into `out`.
  static constexpr std::string_view kSlot = "\"0000-00-00T00:00:00.000000Z\"";
  out.append("{\"@timestamp\":"sv);
  size_t slot = out.size();
  out.append(kSlot);
  // Members copied through that follow each other in the line, separated by a comma alone,
  // are copied in one piece.
  struct Run {
    const char* begin = nullptr;
    const char* end = nullptr;
    void flush(std::string& to) {
      if (begin == nullptr) return;
      to.push_back(',');
      to.append(begin, static_cast<size_t>(end - begin));
      begin = end = nullptr;
    }
  } run;
  std::string_view key, raw;
  bool plain;
  // Container logs carry kubernetes/container members of their own (Origin::fields_json).
  const std::vector<std::string>& origin_heads = batch.origin->field_heads;
  while (members.next(key, plain, raw)) {
    const SpecialKey* special_key = special(key);
    if (special_key == nullptr) {  // most keys: copied through as they are
      if (!config_.target.empty()) continue;
      if (!origin_heads.empty() && std::find(origin_heads.begin(), origin_heads.end(), key) != origin_heads.end()) {
        run.flush(out);
        append_clashing_member(out, key, plain, raw);
        continue;
      }
      std::string_view text = members.compact_text();
      if (!text.empty() && run.begin != nullptr && text.data() == run.end + 1) {
        run.end = text.data() + text.size();  // right after the previous one: one copy for both
        continue;
      }
      run.flush(out);
      if (!text.empty()) {
        run = {text.data(), text.data() + text.size()};
      } else {
        append_member_key(out, key, plain);
        out.append(raw);
      }
      continue;
    }
    run.flush(out);
    unsigned roles = special_key->roles;
    bool reserved = (roles & (kLogObject | kEventObject | kHostObject)) != 0;
    bool merged = false;
    if (config_.target.empty() && reserved && raw.front() == '{') {
      std::string& extra = (roles & kLogObject) ? log_extra_ : (roles & kEventObject) ? event_extra_ : host_extra_;
      copy_members(members.nested(raw), roles & (kLogObject | kEventObject | kHostObject), extra);
      merged = true;
    }
    if (roles & kTimestampField) ts_raw = raw;
    if (roles & kLevelField) level_raw = raw;
    if (merged || !config_.target.empty()) continue;
    if (roles & kOwnTimestamp) {
      own_timestamp = raw;
      continue;
    }
    if (roles & kDropped) continue;
    bool renamed = (roles & kRenamed) != 0;
    if (!renamed && (roles & (kRenameTarget | kAddedField))) {
      displaced_.push_back({key, plain, raw, roles});
      continue;
    }
    std::string_view name = renamed ? std::string_view(special_key->renamed_to) : key;
    if (renamed) renamed_now_.push_back(name);
    if (renamed && !origin_heads.empty() && std::find(origin_heads.begin(), origin_heads.end(), name) != origin_heads.end()) {
      append_clashing_member(out, name, false, raw);  // renamed onto a member of the origin's
      continue;
    }
    if (reserved) append_member_key(out, key, plain, "_original");
    else append_member_key(out, name, plain && !renamed);  // a configured name is escaped
    out.append(raw);
  }
  run.flush(out);

  timestamp_.clear();
  if (ts_raw.empty() || !append_event_time(unquote(ts_raw), timestamp_)) {
    timestamp_.clear();
    if (!config_.timestamp_field.empty()) e.flags |= kFlagTimestampParseError;
    if (!own_timestamp.empty()) timestamp_.assign(own_timestamp);
    else append_read_time(timestamp_, batch, e);
  }
  if (timestamp_.size() == kSlot.size()) std::memcpy(out.data() + slot, timestamp_.data(), kSlot.size());
  else out.replace(slot, kSlot.size(), timestamp_);  // an application's own @timestamp
  if (!config_.target.empty()) {
    out.push_back(',');
    append_json_string(out, config_.target);
    out.push_back(':');
    out.append(trim_end(std::string_view(data, len)));
  }
  for (const auto& [field, text] : config_.add_fields) {
    out.push_back(',');
    append_json_string(out, field);
    out.push_back(':');
    append_json_string(out, text);
  }
  for (const Displaced& d : displaced_) {
    bool taken = (d.roles & kAddedField) ||
                 std::find(renamed_now_.begin(), renamed_now_.end(), d.key) != renamed_now_.end();
    append_member_key(out, d.key, d.plain, taken ? "_original"sv : ""sv);
    out.append(d.raw);
  }
  std::string_view log_members = log_extra_;
  if (!level_raw.empty()) {
    level_.assign(",\"level\":"sv);
    append_normalised_level(level_, unquote(level_raw));
    level_.append(log_extra_);
    log_members = level_;
  }
  out.push_back(',');
  append_metadata_members(out, batch, e, {.log = log_members, .event = event_extra_, .host = host_extra_});
  out.append("}\n"sv);
}

bool JsonTransform::append_event_time(std::string_view text, std::string& out) const {
  out.push_back('"');
  int64_t ts = 0;
  if (format_.kind == TimestampFormat::Kind::kRfc3339 && append_utc_rfc3339_as_micros(out, text)) {
    // the usual "...Z": digits copied
  } else if (parse_timestamp(text, format_, ts)) {
    append_rfc3339_micros(out, ts);
  } else {
    return false;
  }
  out.push_back('"');
  return true;
}

void JsonTransform::encode_failure(const Batch& batch, EventView& e, std::string& out) {
  e.flags |= kFlagJsonParseError;
  out.append("{\"@timestamp\":"sv);
  append_read_time(out, batch, e);
  out.append(",\"message\":"sv);
  if (!append_json_string(out, batch.raw_text(e))) e.flags |= kFlagInvalidUtf8;
  out.append(",\"error\":{\"message\":"sv);
  append_json_string(out, error_);
  out.append("},"sv);
  append_metadata_members(out, batch, e);
  out.append("}\n"sv);
}

void JsonTransform::encode(Batch& batch) {
  // simdjson reads up to SIMDJSON_PADDING bytes past a document: make sure the buffer has them.
  batch.raw.reserve(batch.raw.size() + simdjson::SIMDJSON_PADDING);
  // Counted per batch: the counters are shared by the transform's threads, and an atomic add
  // per line kept their cache line moving between cores.
  uint64_t failed = 0;
  encode_each(batch, encoded_, [&](EventView& e, std::string& out) {
    size_t begin = out.size();
    const char* data = batch.raw.data() + e.raw_begin;
    if (has_line_break(data, e.raw_len)) {
      // Values are copied as written: their line breaks must go first (see line_breaks.h).
      blank_line_breaks(std::string_view(data, e.raw_len), one_line_);
      one_line_.reserve(one_line_.size() + simdjson::SIMDJSON_PADDING);
      data = one_line_.data();
    }
    if (!encode_object(batch, e, data, e.raw_len, out)) {
      out.resize(begin);
      encode_failure(batch, e, out);
      ++failed;
    }
  });
  parsed_.add(batch.events.size() - failed);
  if (failed > 0) failed_.add(failed);
}

void JsonTransform::process(BatchPtr batch, Emitter& out) {
  encode(*batch);
  out.emit(std::move(batch));
}

}  // namespace logship
