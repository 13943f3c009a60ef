// A set of RE2 rules that turn text lines into fields, loaded from a YAML rule file.
//
//   description: nginx access log
//   rules:
//     - name: nginx_combined
//       pattern: '^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<method>\S+) …'
//       fields:                                  # capture -> field (string), or {field, type}
//         client: {field: source.address}
//         status: {field: http.response.status_code, type: int}
//         time: {field: "@timestamp", type: "timestamp:%d/%b/%Y:%H:%M:%S %z"}
//       static: {event.category: web}            # constant fields
//   tests:
//     - input: '10.0.0.1 - - [26/Nov/2026:09:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"'
//       expect: {http.response.status_code: 200, source.address: 10.0.0.1}
//
// Rules written in the common ^…$ shape also get a QuickMatcher, which decides a rule and
// extracts its captures in one pass; lines it cannot decide (and rules it cannot compile) go
// to RE2: all patterns are in one RE2::Set, so a line is scanned once to learn which rules
// match, and the first matching rule then extracts its captures. Either way the answer is
// RE2's, and the time linear in the line length, whatever the pattern. Types: string, int, float, bool, ip, level (normalised into
// log.level), timestamp:<format> (see core/timestamp_parse.h), quoted (a Go-quoted "…" string, unescaped; bare text as it is), client_ip (of an address chain
// "10.0.0.2, 10.0.0.1, 85.181.35.98", the first public address, else the first), chain (the
// chain as a list, when it has two or more addresses), maybe_ip (an address, or no field for a
// host name), http_outcome (a status code as event.outcome: success below 400, else failure),
// seconds (a time in decimal seconds, nginx's $request_time "0.123", as integer nanoseconds:
// ECS's event.duration),
// bracketed ("[a] [b] ", Rails' tags, as the list ["a","b"]).
// A capture may fill several fields: `status: [{field: …, type: int}, {field: event.outcome, type: http_outcome}]`. A rule may instead (or as well)
// split key=value pairs with `logfmt: <capture>` (or `logfmt: line`). Captures not listed in
// `fields` become string fields of their own name. A captured "-" (how access logs write
// "nothing") is left out; a value that does not fit its type (a bad IP) is left out and the
// event flagged invalid_attribute.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <cstdint>
#include <memory>
#include <unordered_set>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/config/config_errors.h"
#include "core/timestamp_parse.h"
#include "parser/geoip/geo_lookup.h"
#include "parser/rules/field_writer.h"
#include "parser/rules/quick_matcher.h"
#include "parser/user_agent/user_agent_parser.h"

namespace logship {

struct RuleField {
  enum class Type { kString, kInt, kFloat, kBool, kIp, kLevel, kTimestamp, kQuoted, kChain, kBracketed, kClientIp, kMaybeIp, kHttpOutcome, kSeconds, kUserAgent,
                    kGeo, kAs };  // the last two: set_geoip's, from an address field's capture
  // Which object of the event the field lands in (ECS's log.*, event.* and host.* are shared
  // with what logship adds itself), decided once when the rule is loaded.
  enum class Group { kTop, kTimestamp, kLog, kEvent, kHost };
  std::string path;
  Group group = Group::kTop;
  std::string_view inner_path() const;  // the path inside its group's object
  FieldPath key{""};                      // inner_path(), split and quoted once
  Type type = Type::kString;
  TimestampFormat timestamp_format;
  Type address_type = Type::kIp;  // kGeo and kAs: how the address is read from the capture
  int capture = -1;         // capture group number; -1 for a static field
  std::string static_json;  // the static value, as JSON
};

struct Rule {
  std::string name;
  std::string pattern;
  std::unique_ptr<RE2> re;
  std::vector<RuleField> fields;  // sorted by path; @timestamp and log/event/host ones included
  int logfmt_capture = -2;        // -2: none; 0: the whole line; n: capture group n
  // ANCHOR_BOTH for a pattern written ^…$ (most are): RE2 then extracts the captures straight
  // away instead of first running its DFA over the line to find where the match is.
  RE2::Anchor anchor = RE2::UNANCHORED;
  // The same pattern for the quick matcher, when it fits its subset (see quick_matcher.h).
  std::unique_ptr<QuickMatcher> quick;
};

struct RuleTest {
  std::string input;
  std::string rule;  // expected rule name, may be empty
  std::vector<std::pair<std::string, std::string>> expect;
  int line = 0;
};

class RuleSet {
 public:
  // Parses a rule file's YAML; problems go to `errors` (paths inside the rule file).
  bool add_file(const std::string& yaml_text, ConfigErrors& errors);
  // Builds the RE2::Set once every file is added.
  bool compile(std::string& error);

  // The index of the first rule matching `line`, or -1.
  int match(std::string_view line);
  // Appends the event's JSON (ends with "}\n"); returns the flags to add. `rule` is match()'s.
  uint32_t encode(int rule, std::string_view line, const Batch& batch, const EventView& event, bool keep_original,
                  std::string& out);

  const std::vector<Rule>& rules() const { return rules_; }
  // The zone of every timestamp field's times that do not name one (rules: timezone).
  void set_time_zone(std::shared_ptr<const TimeZone> zone);
  // Every rule that fills user_agent.original (and no other user_agent.* field) writes the
  // whole user_agent object instead: name, version, os.name, os.version, os.full, device.name
  // and original, read by `parser` and kept for `cache_size` agents.
  void set_user_agent(std::shared_ptr<const UserAgentParser> parser, size_t cache_size);
  // Every rule that captures `field` (source.ip) as an address, and writes no geo or as member
  // beside it, also writes <object>.geo and <object>.as from `lookup` (one lookup per line, none
  // while the address repeats). Returns how many rules will.
  size_t set_geoip(std::unique_ptr<GeoLookup> lookup, const std::string& field);
  // How many rules set_geoip would enrich for `field`.
  size_t geoip_candidates(const std::string& field) const;
  // Called once per batch: opens a changed geoip database (see GeoLookup).
  void reload_geoip_if_changed();
  const std::vector<RuleTest>& tests() const { return tests_; }

 private:
  std::vector<Rule> rules_;
  std::vector<RuleTest> tests_;
  std::unique_ptr<RE2::Set> set_;
  // Scratch space reused for every line.
  std::vector<re2::StringPiece> groups_;
  std::string value_;
  std::string top_;
  std::string log_;
  std::string event_;
  std::string host_;
  std::string timestamp_;
  std::vector<std::pair<std::string_view, std::string>> logfmt_;
  std::unordered_set<std::string_view> logfmt_seen_;
  static constexpr size_t kMaxLogfmtPairs = 256;
  std::vector<int> matches_;
  // The last timestamp field converted, its text and its JSON.
  const RuleField* last_time_field_ = nullptr;
  std::string last_time_text_;
  std::string last_time_json_;
  std::unique_ptr<UserAgentCache> user_agents_;
  std::string last_agent_text_;          // the agent of the line before, and what it is
  const UserAgent* last_agent_ = nullptr;  // (cleared with the cache)
  // What is known of the address a kGeo or kAs field reads; null when there is none.
  const GeoFacts* geo_facts(const RuleField& f, std::string_view capture);
  std::unique_ptr<GeoLookup> geo_;
  std::string last_address_text_;          // the address capture of the line before, its type, and what
  RuleField::Type last_address_type_ = RuleField::Type::kIp;
  const GeoFacts* last_facts_ = nullptr;   // is known of it (cleared with the lookup's cache)
  // What match() last found with a quick matcher, so encode() need not match again.
  int quick_rule_ = -1;
  std::string_view quick_line_;
};

// True when a match must span the whole text: ^ first, an unescaped $ last, no top-level |,
// no inline flags. False when unsure (the pattern then runs unanchored: same result, slower).
bool anchored_at_both_ends(std::string_view pattern);

// Splits logfmt text (key=value key="quoted value" flag) into pairs; values unquoted.
// At most `max_pairs`; returns where it stopped (text.size() when it read every pair). Quoted
// values are Go-quoted strings, unescaped.
size_t parse_logfmt(std::string_view text, std::vector<std::pair<std::string_view, std::string>>& out, size_t max_pairs = SIZE_MAX);
// Whether a logfmt key would clash with the fields `rule` or logship write (then it is renamed).
bool logfmt_key_clashes(const Rule& rule, std::string_view key);

}  // namespace logship
