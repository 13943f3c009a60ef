#include "parser/rules/rule_set.h"

#include "core/ip_address.h"

#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/config/schema.h"
#include "core/config/yaml_load.h"
#include "core/json_writer.h"
#include "core/log_level.h"
#include "core/plain_encoder.h"
#include "core/time_format.h"
#include "parser/rules/field_writer.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Fields logship writes itself: a rule may not set them.
bool reserved_path(std::string_view path) {
  return path == "log.offset" || path == "log.flags" || starts_with(path, "log.file") || path == "event.id" ||
         path == "event.dataset" || path == "host.name";
}

bool parse_type(const std::string& text, RuleField& f) {
  using T = RuleField::Type;
  if (text == "string") f.type = T::kString;
  else if (text == "int") f.type = T::kInt;
  else if (text == "float") f.type = T::kFloat;
  else if (text == "bool") f.type = T::kBool;
  else if (text == "ip") f.type = T::kIp;
  else if (text == "level") f.type = T::kLevel;
  else if (text == "quoted") f.type = T::kQuoted;
  else if (text == "chain") f.type = T::kChain;
  else if (text == "bracketed") f.type = T::kBracketed;
  else if (text == "client_ip") f.type = T::kClientIp;
  else if (text == "maybe_ip") f.type = T::kMaybeIp;
  else if (text == "http_outcome") f.type = T::kHttpOutcome;
  else if (text == "seconds") f.type = T::kSeconds;
  else if (starts_with(text, "timestamp:")) {
    f.type = T::kTimestamp;
    return TimestampFormat::parse(text.substr(10), f.timestamp_format);
  } else if (text == "timestamp") {
    f.type = T::kTimestamp;
  } else {
    return false;
  }
  return true;
}

// The text of a scalar; a list or a map there is reported at `path` (yaml-cpp would throw).
std::string text_of(const YAML::Node& n, const std::string& path, ConfigErrors& errors) {
  if (n.IsScalar()) return n.Scalar();
  errors.add(n, path, "expected a string, got " + std::string(n.IsSequence() ? "a list" : n.IsMap() ? "a map" : "nothing"));
  return "";
}

void check_keys(const YAML::Node& map, const std::string& path, std::initializer_list<const char*> known, ConfigErrors& errors) {
  for (const auto& kv : map) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (std::find_if(known.begin(), known.end(), [&](const char* k) { return key == k; }) == known.end()) {
      std::string list;
      for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      errors.add(kv.first, join_path(path, key), "unknown key (known keys: " + list + ")");
    }
  }
}

// A dotted quad as inet_pton(AF_INET) reads it (0-255, no leading zeros), checked without
// copying the text; anything else, IPv6 included, is left to inet_pton.
bool plain_ipv4(std::string_view v) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    unsigned value = 0;
    while (i < v.size() && i - start < 3 && v[i] >= '0' && v[i] <= '9') value = value * 10 + static_cast<unsigned>(v[i++] - '0');
    size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && v[start] == '0')) return false;
    if (++parts == 4) return i == v.size();
    if (i == v.size() || v[i] != '.') return false;
    ++i;
  }
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The text of a double-quoted Go string literal (what strconv.Quote writes, and so slog's text
// handler and logfmt writers): \n \t \r \" \\ \xHH \uHHHH \UHHHHHHHH. Anything else after a
// backslash stands for itself. A value without surrounding quotes is returned as it is.
std::string_view unquote_go(std::string_view v, std::string& scratch) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return v;
  v = v.substr(1, v.size() - 2);
  if (v.find('\\') == std::string_view::npos) return v;
  scratch.clear();
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '\\' || i + 1 == v.size()) {
      scratch.push_back(v[i]);
      continue;
    }
    char c = v[++i];
    // \x, \u or \U and its `digits` hex digits after v[i]; false (the letter kept) when they are not there.
    auto hex = [&](size_t digits) {
      if (i + digits >= v.size()) return false;
      uint32_t n = 0;
      for (size_t k = 1; k <= digits; ++k) {
        char h = v[i + k];
        if (!std::isxdigit(static_cast<unsigned char>(h))) return false;
        n = n * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
      }
      if (digits == 2) scratch.push_back(static_cast<char>(n));
      else append_utf8(scratch, n);
      i += digits;
      return true;
    };
    switch (c) {
      case 'n': scratch.push_back('\n'); break;
      case 't': scratch.push_back('\t'); break;
      case 'r': scratch.push_back('\r'); break;
      case 'x': if (!hex(2)) scratch.push_back(c); break;
      case 'u': if (!hex(4)) scratch.push_back(c); break;
      case 'U': if (!hex(8)) scratch.push_back(c); break;
      default: scratch.push_back(c);  // \" \\ and the rest
    }
  }
  return scratch;
}

// The entries of "10.0.0.2, 10.0.0.1, 85.181.35.98" (commas, blanks and stray quotes between).
template <class F>
void each_list_item(std::string_view v, F&& f) {
  size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ',' || v[i] == ' ' || v[i] == '\t' || v[i] == '"')) ++i;
    size_t start = i;
    while (i < v.size() && v[i] != ',' && v[i] != ' ' && v[i] != '\t' && v[i] != '"') ++i;
    if (i > start) f(v.substr(start, i - start));
  }
}

// Whether `v` is an address (brackets around IPv6 allowed): the common IPv4 form at a glance,
// the rest as inet_pton reads it.
bool is_ip(std::string_view v) {
  if (plain_ipv4(v)) return true;
  unsigned char bytes[16];
  bool v4 = false;
  return parse_ip(v, bytes, v4);
}

void append_quoted_ip(std::string& out, std::string_view v) {
  if (v.size() > 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
  out.push_back('"');  // an address needs no escaping: what inet_pton accepts is plain ASCII
  out.append(v);
  out.push_back('"');
}

// Converts a captured value to the field's JSON; false when it does not fit the type.
bool convert(const RuleField& f, RuleField::Type type, std::string_view v, std::string& out, bool& invalid_utf8) {
  out.clear();
  using T = RuleField::Type;
  switch (type) {
    case T::kString:
      invalid_utf8 |= !append_json_string(out, v);
      return true;
    case T::kInt: {
      int64_t n;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || p != v.data() + v.size()) return false;
      char buf[24];
      out.append(buf, std::to_chars(buf, buf + sizeof(buf), n).ptr);
      return true;
    }
    case T::kFloat: {
      double d;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d)) return false;
      char buf[32];
      auto [e, ec2] = std::to_chars(buf, buf + sizeof(buf), d);
      (void)ec2;
      out.assign(buf, e);
      return true;
    }
    case T::kBool: {
      std::string lower;
      for (char c : v) lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
      if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") out = "true";
      else if (lower == "false" || lower == "no" || lower == "off" || lower == "0") out = "false";
      else return false;
      return true;
    }
    case T::kIp:
      if (!is_ip(v)) return false;
      append_quoted_ip(out, v);
      return true;
    case T::kLevel:
      append_normalised_level(out, v);
      return true;
    case T::kQuoted: {
      thread_local std::string scratch;
      invalid_utf8 |= !append_json_string(out, unquote_go(v, scratch));
      return true;
    }
    case T::kChain: {
      // Only a real chain: a single address is source.ip's already, and busy access logs are
      // mostly single addresses (no bytes spent on them).
      if (v.find_first_of(", \t\"") == std::string_view::npos) return true;
      out.push_back('[');
      each_list_item(v, [&](std::string_view item) {
        if (out.size() > 1) out.push_back(',');
        invalid_utf8 |= !append_json_string(out, item);
      });
      out.push_back(']');
      if (out.size() == 2) out.clear();
      return true;
    }
    case T::kBracketed: {
      // "[a] [b c] " (Rails' tags) -> ["a","b c"]; nothing when there is none.
      out.push_back('[');
      for (size_t i = 0; (i = v.find('[', i)) != std::string_view::npos;) {
        size_t end = v.find(']', i + 1);
        if (end == std::string_view::npos) break;
        if (out.size() > 1) out.push_back(',');
        invalid_utf8 |= !append_json_string(out, v.substr(i + 1, end - i - 1));
        i = end + 1;
      }
      out.push_back(']');
      if (out.size() == 2) out.clear();
      return true;
    }
    case T::kClientIp: {
      if (plain_ipv4(v)) {  // one address, the usual case
        append_quoted_ip(out, v);
        return true;
      }
      // The first public address of the list; the first address when all are private.
      std::string_view first, chosen;
      each_list_item(v, [&](std::string_view item) {
        unsigned char b[16];
        bool v4 = false;
        if (!chosen.empty() || !parse_ip(item, b, v4)) return;
        if (first.empty()) first = item;
        if (!non_public_ip(b, v4)) chosen = item;
      });
      if (chosen.empty()) chosen = first;
      if (chosen.empty()) return true;  // "unknown", host names: no address to give, nothing wrong
      append_quoted_ip(out, chosen);
      return true;
    }
    case T::kMaybeIp:
      if (is_ip(v)) append_quoted_ip(out, v);  // a host name: no field, and nothing wrong
      return true;
    case T::kUserAgent:
    case T::kGeo:
    case T::kAs:
      return false;  // filled by RuleSet::encode from their caches
    case T::kHttpOutcome: {
      int status = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), status);
      if (ec != std::errc() || p != v.data() + v.size() || status < 100 || status > 999) return false;
      out = status < 400 ? "\"success\"" : "\"failure\"";
      return true;
    }
    case T::kSeconds: {
      // Exact decimal arithmetic ("0.123" is 123000000 ns, not 122999999): whole seconds, then
      // up to nine digits of fraction (more are cut).
      size_t dot = v.find('.');
      std::string_view whole = v.substr(0, dot), fraction = dot == std::string_view::npos ? std::string_view() : v.substr(dot + 1);
      int64_t seconds = 0, nanos = 0;
      if (whole.empty() || whole.size() > 9 || (dot != std::string_view::npos && fraction.empty())) return false;
      for (char c : whole) {
        if (c < '0' || c > '9') return false;
        seconds = seconds * 10 + (c - '0');
      }
      int64_t scale = 100'000'000;
      for (char c : fraction) {
        if (c < '0' || c > '9') return false;
        nanos += (c - '0') * scale;
        scale /= 10;
      }
      char buf[24];
      out.append(buf, std::to_chars(buf, buf + sizeof(buf), seconds * 1'000'000'000 + nanos).ptr);
      return true;
    }
    case T::kTimestamp: {
      int64_t ns;
      if (!parse_timestamp(v, f.timestamp_format, ns)) return false;
      out.push_back('"');
      append_rfc3339_micros(out, ns);
      out.push_back('"');
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view RuleField::inner_path() const {
  std::string_view p = path;
  switch (group) {
    case Group::kLog: return p.substr(4);
    case Group::kEvent: return p.substr(6);
    case Group::kHost: return p.substr(5);
    default: return p;
  }
}

bool anchored_at_both_ends(std::string_view p) {
  if (p.size() < 2 || p.front() != '^' || p.back() != '$') return false;
  size_t backslashes = 0;
  for (size_t i = p.size() - 1; i > 0 && p[i - 1] == '\\'; --i) ++backslashes;
  if (backslashes % 2 == 1) return false;  // "\$" is a dollar sign
  int depth = 0;
  for (size_t i = 1; i + 1 < p.size(); ++i) {
    char c = p[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {  // a class: its '|' and parentheses are literal
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = j;
    } else if (c == '(') {
      // (?m) would make ^ and $ match at line breaks; (?flags) is rare enough to leave alone.
      if (i + 1 < p.size() && p[i + 1] == '?' && i + 2 < p.size() && p[i + 2] != ':' && p[i + 2] != 'P') return false;
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return false;  // ^a|b$: each end belongs to one branch only
    }
  }
  return depth == 0;
}

size_t parse_logfmt(std::string_view s, std::vector<std::pair<std::string_view, std::string>>& out, size_t max_pairs) {
  out.clear();
  size_t i = 0;
  std::string scratch;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size() && out.size() >= max_pairs) return i;
    size_t key_start = i;
    while (i < s.size() && s[i] != '=' && s[i] != ' ' && s[i] != '\t') ++i;
    std::string_view key = s.substr(key_start, i - key_start);
    std::string value;
    if (i < s.size() && s[i] == '=') {
      ++i;
      if (i < s.size() && s[i] == '"') {
        // A Go-quoted value ("line1\nline2 \u00e9"): to its closing quote, escapes undone.
        size_t start = i++;
        while (i < s.size() && s[i] != '"') i += s[i] == '\\' && i + 1 < s.size() ? 2 : 1;
        if (i < s.size()) {
          ++i;  // closing quote
          value = std::string(unquote_go(s.substr(start, i - start), scratch));
        } else {
          value.assign(s.substr(start + 1));  // unterminated: the text as it is
        }
      } else {
        size_t v = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
        value.assign(s.substr(v, i - v));
      }
    } else if (!key.empty()) {
      value = "true";  // a bare key is a flag
    }
    if (!key.empty()) out.emplace_back(key, std::move(value));
  }
  return s.size();
}

void RuleSet::set_time_zone(std::shared_ptr<const TimeZone> zone) {
  for (Rule& r : rules_)
    for (RuleField& f : r.fields)
      if (f.type == RuleField::Type::kTimestamp) f.timestamp_format.zone = zone;
  last_time_field_ = nullptr;  // a time converted before is not the same any more
}

// Sorts a rule's fields by path (the writers nest them in one pass) and decides their groups.
static void order_fields(Rule& rule) {
  std::stable_sort(rule.fields.begin(), rule.fields.end(), [](const RuleField& a, const RuleField& b) { return a.path < b.path; });
  for (RuleField& f : rule.fields) {
    if (f.path == "@timestamp") f.group = RuleField::Group::kTimestamp;
    else if (starts_with(f.path, "log.")) f.group = RuleField::Group::kLog;
    else if (starts_with(f.path, "event.")) f.group = RuleField::Group::kEvent;
    else if (starts_with(f.path, "host.")) f.group = RuleField::Group::kHost;
    else f.group = RuleField::Group::kTop;
    f.key = FieldPath(f.inner_path());
  }
}

// ECS's objects: a logfmt key named like one, holding a string, would clash with the index
// templates' object mappings.
constexpr std::string_view kEcsObjects[] = {"agent", "client", "cloud", "container", "destination", "dns", "ecs", "error", "event",
                                            "file", "group", "host", "http", "log", "network", "observer", "orchestrator",
                                            "organization", "package", "process", "related", "rule", "server", "service", "source",
                                            "span", "threat", "tls", "trace", "transaction", "url", "user", "user_agent", "labels"};

static std::string_view first_segment(std::string_view path) { return path.substr(0, path.find('.')); }

bool logfmt_key_clashes(const Rule& rule, std::string_view key) {
  if (key == "@timestamp") return true;
  std::string_view head = first_segment(key);
  bool dotted = head.size() != key.size();
  if (head == "log" || head == "event" || head == "host") return true;
  if (!dotted && std::find(std::begin(kEcsObjects), std::end(kEcsObjects), head) != std::end(kEcsObjects)) return true;
  for (const RuleField& f : rule.fields) {
    std::string_view fhead = first_segment(f.path);
    if (fhead != head) continue;
    // The same name, or one of the two an object where the other is a value.
    if (f.path == key || !dotted || fhead.size() == f.path.size()) return true;
  }
  return false;
}

void RuleSet::set_user_agent(std::shared_ptr<const UserAgentParser> parser, size_t cache_size) {
  user_agents_ = std::make_unique<UserAgentCache>(std::move(parser), cache_size);
  last_agent_ = nullptr;
  for (Rule& r : rules_) {
    RuleField* original = nullptr;
    bool others = false;
    for (RuleField& f : r.fields) {
      if (f.path == "user_agent.original" && f.capture >= 0) original = &f;
      else others |= starts_with(f.path, "user_agent.") || f.path == "user_agent";
    }
    // A rule writing user_agent.* fields of its own keeps them and is not enriched: the object
    // written whole would clash with them.
    if (original == nullptr || others) continue;
    original->path = "user_agent";
    original->type = RuleField::Type::kUserAgent;
    order_fields(r);
  }
  last_time_field_ = nullptr;  // fields moved
}

namespace {

// The field of a rule that set_geoip reads the address from, when the rule has one and no geo
// or as member of its own beside it.
const RuleField* geoip_source(const Rule& r, const std::string& field) {
  using T = RuleField::Type;
  std::string_view object = std::string_view(field).substr(0, field.rfind('.') == std::string::npos ? 0 : field.rfind('.'));
  std::string geo = object.empty() ? "geo" : std::string(object) + ".geo";
  std::string as = object.empty() ? "as" : std::string(object) + ".as";
  const RuleField* source = nullptr;
  for (const RuleField& f : r.fields) {
    if (f.path == field && f.capture >= 0 && (f.type == T::kIp || f.type == T::kClientIp || f.type == T::kMaybeIp || f.type == T::kString))
      source = &f;
    if (f.path == geo || f.path == as || starts_with(f.path, geo + ".") || starts_with(f.path, as + ".")) return nullptr;
  }
  return source;
}

}  // namespace

size_t RuleSet::geoip_candidates(const std::string& field) const {
  size_t n = 0;
  for (const Rule& r : rules_) n += geoip_source(r, field) != nullptr;
  return n;
}

size_t RuleSet::set_geoip(std::unique_ptr<GeoLookup> lookup, const std::string& field) {
  geo_ = std::move(lookup);
  last_facts_ = nullptr;
  size_t enriched = 0;
  size_t dot = field.rfind('.');
  std::string object = dot == std::string::npos ? "" : field.substr(0, dot + 1);
  for (Rule& r : rules_) {
    const RuleField* source = geoip_source(r, field);
    if (source == nullptr) continue;
    RuleField::Type address_type = source->type;
    int capture = source->capture;
    for (auto [member, type] : {std::pair{"geo", RuleField::Type::kGeo}, std::pair{"as", RuleField::Type::kAs}}) {
      RuleField added;
      added.path = object + member;
      added.type = type;
      added.address_type = address_type;
      added.capture = capture;
      r.fields.push_back(std::move(added));
    }
    order_fields(r);
    ++enriched;
  }
  last_time_field_ = nullptr;  // fields moved
  return enriched;
}

void RuleSet::reload_geoip_if_changed() {
  if (geo_ && geo_->reload_if_changed()) last_facts_ = nullptr;
}

const GeoFacts* RuleSet::geo_facts(const RuleField& f, std::string_view capture) {
  // The geo and as fields of a line read the same capture: the second finds it still there,
  // and so does a line from the same client as the line before.
  // (The same text read as another type is another address: "10.0.0.1,85.181.35.98" is none as
  // an ip, and a client as client_ip.)
  if (last_facts_ != nullptr && f.address_type == last_address_type_ && capture == last_address_text_) return last_facts_;
  bool ignored = false;
  if (!convert(f, f.address_type, capture, value_, ignored) || value_.size() < 2) {
    last_facts_ = nullptr;
    return nullptr;
  }
  last_facts_ = &geo_->find(std::string_view(value_).substr(1, value_.size() - 2));  // the address, unquoted
  last_address_text_.assign(capture);
  last_address_type_ = f.address_type;
  return last_facts_;
}

bool RuleSet::add_file(const std::string& yaml_text, ConfigErrors& errors) {
  size_t before = errors.size();
  std::optional<YAML::Node> loaded = load_yaml(yaml_text, errors, "a rule file");  // duplicate keys, depth, one document
  if (!loaded) return false;
  YAML::Node root = *loaded;
  if (!root.IsMap()) {
    errors.add(root, "", "a rule file is a map with rules: and tests:");
    return false;
  }
  check_keys(root, "", {"description", "rules", "tests"}, errors);
  if (YAML::Node d = root["description"]; d) text_of(d, "description", errors);
  YAML::Node rules = root["rules"];
  if (!rules || !rules.IsSequence() || rules.size() == 0) errors.add(rules ? rules : root, "rules", "expected a non-empty list of rules");
  for (size_t i = 0; rules && rules.IsSequence() && i < rules.size(); ++i) {
    YAML::Node n = rules[i];
    std::string path = "rules[" + std::to_string(i) + "]";
    if (!n.IsMap()) {
      errors.add(n, path, "expected a map with name and pattern");
      continue;
    }
    check_keys(n, path, {"name", "pattern", "fields", "static", "logfmt"}, errors);
    Rule rule;
    if (!n["name"] || !n["name"].IsScalar()) errors.add(n, path + ".name", "missing required key");
    else rule.name = n["name"].Scalar();
    if (!n["pattern"] || !n["pattern"].IsScalar()) {
      errors.add(n, path + ".pattern", "missing required key");
      continue;
    }
    rule.pattern = n["pattern"].Scalar();
    rule.re = std::make_unique<RE2>(rule.pattern, RE2::Quiet);
    if (anchored_at_both_ends(rule.pattern)) rule.anchor = RE2::ANCHOR_BOTH;
    if (!rule.re->ok()) {
      errors.add(n["pattern"], path + ".pattern", "invalid RE2 pattern: " + rule.re->error());
      continue;
    }
    if (rule.anchor == RE2::ANCHOR_BOTH) rule.quick = QuickMatcher::compile(rule.pattern, rule.re->NumberOfCapturingGroups());
    const auto& groups = rule.re->NamedCapturingGroups();
    std::vector<std::string> listed;
    YAML::Node fields = n["fields"];
    // (yaml-cpp throws when a list is walked as a map: a list here is only reported.)
    if (fields && !fields.IsMap()) errors.add(fields, path + ".fields", "expected a map of capture name to field");
    if (fields && fields.IsMap()) {
      for (const auto& kv : fields) {
        std::string capture = text_of(kv.first, path + ".fields", errors);
        std::string fpath = path + ".fields." + capture;
        auto g = groups.find(capture);
        if (g == groups.end()) {
          errors.add(kv.first, fpath, "the pattern has no capture group (?P<" + capture + ">…)");
          continue;
        }
        // One capture may fill several fields: `status: [{field: http.response.status_code, type: int},
        // {field: event.outcome, type: http_outcome}]`.
        auto add_field = [&](const YAML::Node& spec, const std::string& spec_path) {
          RuleField f;
          f.capture = g->second;
          if (spec.IsScalar()) {
            f.path = spec.Scalar();
          } else if (spec.IsMap()) {
            check_keys(spec, spec_path, {"field", "type"}, errors);
            f.path = spec["field"] ? text_of(spec["field"], spec_path + ".field", errors) : capture;
            if (spec["type"] && !parse_type(text_of(spec["type"], spec_path + ".type", errors), f))
              errors.add(spec["type"], spec_path + ".type",
                         "unknown type (string, int, float, bool, ip, maybe_ip, client_ip, chain, bracketed, level, quoted, http_outcome, seconds, timestamp:<format>)");
          } else {
            errors.add(spec, spec_path, "expected a field name or {field, type}");
            return;
          }
          if (reserved_path(f.path)) errors.add(spec, spec_path, "'" + f.path + "' is set by logship itself");
          if (f.path == "@timestamp" && f.type != RuleField::Type::kTimestamp)
            errors.add(spec, spec_path, "@timestamp needs type timestamp:<format>");
          rule.fields.push_back(std::move(f));
        };
        if (kv.second.IsSequence() && kv.second.size() > 0) {
          for (size_t k = 0; k < kv.second.size(); ++k) add_field(kv.second[k], fpath + "[" + std::to_string(k) + "]");
        } else {
          add_field(kv.second, fpath);
        }
        listed.push_back(capture);
      }
    }
    if (YAML::Node lf = n["logfmt"]; lf) {
      std::string what = text_of(lf, path + ".logfmt", errors);
      if (what == "line") rule.logfmt_capture = 0;
      else if (auto g = groups.find(what); g != groups.end()) rule.logfmt_capture = g->second;
      else errors.add(lf, path + ".logfmt", "expected `line` or the name of a capture group");
    }
    for (const auto& [name, index] : groups) {
      if (std::find(listed.begin(), listed.end(), name) != listed.end()) continue;
      if (index == rule.logfmt_capture) continue;  // its pairs are the fields, not the text
      RuleField f;
      f.capture = index;
      f.path = name;
      rule.fields.push_back(std::move(f));
    }
    YAML::Node statics = n["static"];
    if (statics && !statics.IsMap()) errors.add(statics, path + ".static", "expected a map of field to value");
    if (statics && statics.IsMap()) {
      for (const auto& kv : statics) {
        RuleField f;
        f.path = text_of(kv.first, path + ".static", errors);
        if (reserved_path(f.path)) errors.add(kv.first, path + ".static." + f.path, "'" + f.path + "' is set by logship itself");
        if (!kv.second.IsScalar()) errors.add(kv.second, path + ".static." + f.path, "expected a value (text or number), got " + node_kind(kv.second));
        append_json_string(f.static_json, kv.second.IsScalar() ? kv.second.Scalar() : "");
        rule.fields.push_back(std::move(f));
      }
    }
    order_fields(rule);
    for (const RuleField& f : rule.fields) {
      if (static_cast<size_t>(std::count(f.path.begin(), f.path.end(), '.')) >= NestedWriter::kMaxDepth)
        errors.add(n, path, "field '" + f.path + "' is nested more than " + std::to_string(NestedWriter::kMaxDepth) + " levels deep");
    }
    for (size_t k = 1; k < rule.fields.size(); ++k) {
      const std::string& a = rule.fields[k - 1].path;
      const std::string& b = rule.fields[k].path;
      if (a == b || (starts_with(b, a) && b[a.size()] == '.'))
        errors.add(n, path, "fields '" + a + "' and '" + b + "' collide");
    }
    rules_.push_back(std::move(rule));
  }
  if (YAML::Node tests = root["tests"]; tests) {
    if (!tests.IsSequence()) errors.add(tests, "tests", "expected a list of {input, expect}");
    for (size_t i = 0; tests.IsSequence() && i < tests.size(); ++i) {
      YAML::Node t = tests[i];
      std::string path = "tests[" + std::to_string(i) + "]";
      if (!t.IsMap() || !t["input"]) {
        errors.add(t, path, "expected {input, expect}");
        continue;
      }
      check_keys(t, path, {"input", "rule", "expect"}, errors);
      RuleTest test;
      test.input = text_of(t["input"], path + ".input", errors);
      if (t["rule"]) test.rule = text_of(t["rule"], path + ".rule", errors);
      test.line = t.Mark().line + 1;
      YAML::Node expect = t["expect"];
      if (expect && !expect.IsMap()) errors.add(expect, path + ".expect", "expected a map of field to value");
      if (expect && expect.IsMap()) {
        for (const auto& kv : expect) {
          if (!kv.second.IsScalar()) errors.add(kv.second, path + ".expect", "expected a value (text or number), got " + node_kind(kv.second));
          test.expect.emplace_back(text_of(kv.first, path + ".expect", errors), kv.second.IsScalar() ? kv.second.Scalar() : "");
        }
      }
      tests_.push_back(std::move(test));
    }
  }
  return errors.size() == before;
}

bool RuleSet::compile(std::string& error) {
  RE2::Options options;
  options.set_log_errors(false);
  set_ = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  for (const Rule& r : rules_) {
    if (set_->Add(r.pattern, &error) < 0) return false;
  }
  if (!set_->Compile()) {
    error = "the rule patterns are too large to compile together";
    return false;
  }
  return true;
}

int RuleSet::match(std::string_view line) {
  quick_rule_ = -1;
  // Rules are tried in order while each one's quick matcher can decide; the first that
  // cannot hands the line to the RE2::Set (earlier rules are known not to match, so its
  // lowest match is still the first rule matching).
  for (size_t k = 0; k < rules_.size(); ++k) {
    const Rule& r = rules_[k];
    if (!r.quick) break;
    groups_.resize(static_cast<size_t>(r.re->NumberOfCapturingGroups()) + 1);
    QuickMatcher::Outcome outcome = r.quick->match(line, groups_.data(), static_cast<int>(groups_.size()));
    if (outcome == QuickMatcher::Outcome::kUnsure) break;
    if (outcome == QuickMatcher::Outcome::kMatch) {
      quick_rule_ = static_cast<int>(k);
      quick_line_ = line;
      return quick_rule_;
    }
    if (k + 1 == rules_.size()) return -1;
  }
  if (!set_->Match(line, &matches_) || matches_.empty()) return -1;
  return *std::min_element(matches_.begin(), matches_.end());
}

uint32_t RuleSet::encode(int index, std::string_view line, const Batch& batch, const EventView& e, bool keep_original,
                         std::string& out) {
  Rule& r = rules_[static_cast<size_t>(index)];
  bool matched = index == quick_rule_ && line.data() == quick_line_.data() && line.size() == quick_line_.size();
  quick_rule_ = -1;
  if (!matched) {
    groups_.assign(static_cast<size_t>(r.re->NumberOfCapturingGroups()) + 1, re2::StringPiece());
    r.re->Match(line, 0, line.size(), r.anchor, groups_.data(), static_cast<int>(groups_.size()));
  }
  top_.clear();
  log_.clear();
  event_.clear();
  host_.clear();
  timestamp_.clear();
  uint32_t flags = 0;
  bool invalid_utf8 = false;
  NestedWriter top(top_), log(log_), event(event_), host(host_);
  const std::vector<std::string>& origin_heads = batch.origin->field_heads;
  if (!origin_heads.empty()) top.rename_heads(&origin_heads);
  for (const RuleField& f : r.fields) {
    // The field's JSON: value_ as converted, or text kept elsewhere (static, cached) as it is.
    std::string_view json;
    if (f.capture >= 0) {
      const re2::StringPiece& piece = groups_[static_cast<size_t>(f.capture)];
      if (piece.data() == nullptr || piece.empty()) continue;  // optional group that did not take part
      std::string_view v(piece.data(), piece.size());
      if (v == "-") continue;  // how access logs and syslog write "nothing"
      // Busy logs repeat the same second on many lines: the last timestamp converted is kept.
      bool same_time = f.type == RuleField::Type::kTimestamp && &f == last_time_field_ && v == last_time_text_;
      if (f.type == RuleField::Type::kUserAgent) {
        // One lookup per line, and none while the agent repeats; the object's JSON is the cache's.
        if (last_agent_ == nullptr || v != last_agent_text_) {
          last_agent_ = &user_agents_->get(v);
          last_agent_text_.assign(v);
        }
        json = last_agent_->object_json;
        invalid_utf8 |= last_agent_->invalid_utf8;
      } else if (same_time) {
        json = last_time_json_;
      } else if (f.type == RuleField::Type::kGeo || f.type == RuleField::Type::kAs) {
        const GeoFacts* facts = geo_facts(f, v);
        if (facts == nullptr) continue;
        json = f.type == RuleField::Type::kGeo ? facts->geo : facts->as;
        if (json.empty()) continue;
      } else if (!convert(f, f.type, v, value_, invalid_utf8)) {
        flags |= kFlagInvalidAttribute;
        continue;
      } else if (value_.empty()) {
        continue;  // maybe_ip or client_ip without an address
      } else {
        json = value_;  // after convert: value_ may have moved
        if (f.type == RuleField::Type::kTimestamp) {
          last_time_field_ = &f;
          last_time_text_.assign(v);
          last_time_json_ = value_;
        }
      }
    } else {
      json = f.static_json;
    }
    switch (f.group) {
      case RuleField::Group::kTimestamp: timestamp_ = json; break;
      case RuleField::Group::kLog: log.field(f.key, json); break;
      case RuleField::Group::kEvent: event.field(f.key, json); break;
      case RuleField::Group::kHost: host.field(f.key, json); break;
      case RuleField::Group::kTop: top.field(f.key, json); break;
    }
  }
  top.finish();
  log.finish();
  event.finish();
  host.finish();
  if (r.logfmt_capture >= 0) {
    const re2::StringPiece& piece = groups_[static_cast<size_t>(r.logfmt_capture)];
    std::string_view text = r.logfmt_capture == 0 ? line : std::string_view(piece.data(), piece.size());
    size_t stopped = parse_logfmt(text, logfmt_, kMaxLogfmtPairs);
    logfmt_seen_.clear();
    for (const auto& [key, value] : logfmt_) {
      if (!logfmt_seen_.insert(key).second) continue;  // one key once: JSON readers disagree on duplicates
      top_.push_back(',');
      // A key that would clash with what logship or the rule writes (log, event, host, a
      // rule's field, an ECS object such as user or error) keeps its value under key_original.
      if (logfmt_key_clashes(r, key) ||
          std::find(origin_heads.begin(), origin_heads.end(), first_segment(key)) != origin_heads.end()) {
        std::string renamed(key);
        renamed += "_original";
        invalid_utf8 |= !append_json_string(top_, renamed);
      } else {
        invalid_utf8 |= !append_json_string(top_, key);
      }
      top_.push_back(':');
      invalid_utf8 |= !append_json_string(top_, value);
    }
    if (stopped < text.size()) {
      // Past kMaxLogfmtPairs the text stays one field: nothing is lost, and a hostile line
      // cannot make thousands of fields (Elasticsearch refuses past its field limit).
      top_.append(",\"logfmt_rest\":"sv);
      invalid_utf8 |= !append_json_string(top_, text.substr(stopped));
      flags |= kFlagTruncated;
    }
  }
  if (keep_original) {
    event_.append(",\"original\":"sv);
    append_json_string(event_, line);
  }
  if (invalid_utf8) flags |= kFlagInvalidUtf8;
  out.append("{\"@timestamp\":"sv);
  if (!timestamp_.empty()) out.append(timestamp_);
  else append_read_time(out, batch, e);
  out.append(top_);
  out.push_back(',');
  EventView flagged = e;
  flagged.flags |= flags;
  append_metadata_members(out, batch, flagged, {.log = log_, .event = event_, .host = host_});
  out.append("}\n"sv);
  return flags;
}

}  // namespace logship
