// `type: json` transform: JSON lines into events, with logship's fields spliced into the
// application's own object rather than the object being rebuilt (parse once, encode once).
//
//   transforms:
//     app_json:
//       type: json
//       inputs: [app]
//       timestamp_field: ts
//       timestamp_format: rfc3339          # or unix, unix_ms, unix_us, unix_ns, '%d/%b/%Y:%H:%M:%S %z'
//       level_field: level                 # -> log.level, normalised (WARNING -> warn, 50 -> error)
//       rename: {msg: message}
//       drop: [password]
//       add_fields: {service.environment: production}
//
// Each line is validated in full: simdjson's stage 1 (UTF-8, strings, structure positions) and a
// walk of those positions (StructuralWalk: grammar, literals, numbers, escapes, nesting up to
// max_depth) that also slices each member's raw text, copied through unchanged. Lines the walk
// is not sure of go to simdjson's DOM parser, which names the error of an invalid one. Top-level
// "log", "event" and "host" objects are merged with logship's members of the same objects;
// such a key holding a non-object value is kept as <key>_original. A line that is not a valid
// JSON object is still shipped: `message` holds it, `error.message` says why, `log.flags` has
// json_parse_error.
#pragma once

#include <simdjson.h>

#include <bitset>
#include <memory>
#include <string>
#include <vector>

#include "core/component.h"
#include "core/metrics.h"
#include "core/short_equal.h"
#include "core/timestamp_parse.h"
#include "parser/json/structural_walk.h"

namespace logship {

struct JsonTransformConfig {
  std::string timestamp_field;
  std::string timestamp_format = "rfc3339";
  std::string timezone;  // of times without a zone; empty: UTC
  std::string level_field;
  std::string target;
  StringMap add_fields;
  StringMap rename;
  std::vector<std::string> drop;
  int64_t max_depth = 64;
  int64_t threads = 0;
  void validate(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
  void validate_names(const YAML::Node& node, const std::string& path, ConfigErrors& errors) const;
};

class JsonTransform final : public Transform {
 public:
  static const Schema<JsonTransformConfig>& schema();
  static Result<std::unique_ptr<JsonTransform>> create(const JsonTransformConfig& config, const BuildContext& ctx);
  void process(BatchPtr batch, Emitter& out) override;
  // Encodes every event of `batch` in place (also used by `logship parse` and benchmarks).
  void encode(Batch& batch);

 private:
  JsonTransform(JsonTransformConfig config, TimestampFormat format, const std::string& name);
  // Appends the event's JSON line; false when the line is not a valid object (then nothing
  // was appended and `error_` says why).
  bool encode_object(const Batch& batch, EventView& e, const char* data, size_t len, std::string& out);
  void encode_failure(const Batch& batch, EventView& e, std::string& out);
  // The application's time `text` as @timestamp's quoted value; false when it does not parse.
  bool append_event_time(std::string_view text, std::string& out) const;
  class Members;      // a line the DOM parser validated
  class WalkMembers;  // a line StructuralWalk accepted
  template <class MemberWalk>
  void encode_members(const Batch& batch, EventView& e, const char* data, size_t len, MemberWalk members, std::string& out);
  template <class MemberWalk>
  void copy_members(MemberWalk members, unsigned object, std::string& out);
  // Whether logship writes `key` itself inside its object `object` (kLogObject, kEventObject
  // or kHostObject).
  bool sets_itself(unsigned object, std::string_view key) const;

  // False when `key` is certainly none of the keys handled apart (log, event, host, @timestamp,
  // the timestamp and level fields, drop and rename keys): a 256-bit filter of their length,
  // first and last byte, so most keys are copied through without a single compare.
  static uint8_t key_hash(std::string_view key) {
    if (key.empty()) return 0;
    return static_cast<uint8_t>(key.size() * 7 + static_cast<uint8_t>(key.front()) + static_cast<uint8_t>(key.back()) * 3);
  }
  bool may_be_special(std::string_view key) const { return special_keys_[key_hash(key)]; }

  // What a key handled apart is, looked up once per member (a few are on every line).
  enum SpecialRole : unsigned {
    kLogObject = 1, kEventObject = 2, kHostObject = 4,  // merged with logship's own
    kTimestampField = 8, kLevelField = 16, kOwnTimestamp = 32, kDropped = 64, kRenamed = 128,
    kRenameTarget = 256, kAddedField = 512,  // the line's own member of that name is displaced
  };
  struct SpecialKey {
    std::string name;
    unsigned roles = 0;
    std::string renamed_to;
  };
  const SpecialKey* special(std::string_view key) const {
    if (!may_be_special(key)) return nullptr;
    for (const SpecialKey& s : special_list_)
      if (short_equal(s.name, key)) return &s;
    return nullptr;
  }
  void note_special(std::string_view key, unsigned role, std::string_view renamed_to = {});

  JsonTransformConfig config_;
  std::bitset<256> special_keys_;
  std::vector<SpecialKey> special_list_;
  TimestampFormat format_;
  simdjson::dom::parser dom_parser_;
  StructuralWalk walk_;
  std::string log_extra_;
  std::string event_extra_;
  std::string host_extra_;
  std::string timestamp_;
  std::string level_;  // ,"level":... then the application's own log members
  // A line's own members named like a rename target or an add_fields key, held until the end
  // of the line: they become <key>_original when the renamed or added member is there, so an
  // event never holds a key twice.
  struct Displaced {
    std::string_view key;
    bool plain;
    std::string_view raw;
    unsigned roles;
  };
  std::vector<Displaced> displaced_;
  std::vector<std::string_view> renamed_now_;  // rename targets written for this line
  std::shared_ptr<StringPool> encoded_ = std::make_shared<StringPool>();  // encode_each buffers
  std::string error_;
  std::string one_line_;  // a line whose line breaks were blanked (line_breaks.h)
  Counter& parsed_;
  Counter& failed_;
};

}  // namespace logship
