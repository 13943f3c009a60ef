#include "core/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <vector>

namespace logship {

namespace {

constexpr size_t npos = std::string_view::npos;

// How far a secret is looked for: a URL's userinfo past its first '/', '?', '#' or blank (see
// userinfo_end), a scheme-less `user:password` before its '@', a name before '='. They bound
// the work per '@' or '=' too, so a hostile line of a million '@' stays linear.
constexpr size_t kMaxUserinfo = 256;
constexpr size_t kMaxParamName = 64;

struct Mask {
  size_t begin;  // [begin, end) of the text is shown as ***
  size_t end;
};
using Masks = std::vector<Mask>;

void add_mask(Masks& masks, size_t begin, size_t end) {
  if (begin < end) masks.push_back({begin, end});
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 3986 scheme characters, to find where a scheme begins before "://".
bool is_scheme_char(char c) { return is_alnum(c) || c == '+' || c == '-' || c == '.'; }

// Where the authority of a URL ends in the usual case: at the path, query, fragment, or
// anything that cannot be part of a URL in running text (blank, quote, bracket).
bool ends_authority(char c) {
  return c == '/' || c == '?' || c == '#' || is_blank(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == ')' || c == ',';
}

// The first character of a host: a name, an IPv4 address, a bracketed IPv6 one, an IDN.
bool starts_host(char c) { return is_alnum(c) || c == '[' || static_cast<unsigned char>(c) >= 0x80; }

// The '@' that ends the userinfo of a URL whose authority starts at `start`, or npos: the
// last '@' before the first '/', '?', '#' or blank. But a password may hold those unencoded
// (`http://u:p/a#b?c d@host`), so when the text up to that first stop holds a ':' (a user name,
// then a password), the userinfo reaches on to the last '@' before a host, as long as the line
// goes on, no other URL starts, and within kMaxUserinfo bytes. After a URL with a port that
// masks ordinary text up to a later '@' on its line (`http://es:9200/x for bob@corp` ->
// `http://es:***@corp`): a little too much hidden is better than a password shown.
size_t userinfo_end(std::string_view text, size_t start) {
  size_t stop = start;
  while (stop < text.size() && !ends_authority(text[stop])) ++stop;
  std::string_view head = text.substr(start, stop - start);
  size_t at = head.rfind('@');
  if (at != npos) at += start;
  if (head.find(':') == npos) return at;  // no password, or one without such characters
  size_t limit = std::min(text.size(), start + kMaxUserinfo);
  for (size_t p = stop; p < limit; ++p) {
    char c = text[p];
    if (c == '\n' || c == '\r' || text.compare(p, 3, "://") == 0) break;
    if (c == '@' && p + 1 < text.size() && starts_host(text[p + 1])) at = p;
  }
  return at;
}

// Masks the secret in each `scheme://userinfo@`: the password after "user:", or the user name
// when it stands alone (a token passed as the user: `https://ghp_…@github.com`). Any scheme in
// any case: `HTTP://`, `sasl_ssl://`.
void mask_url_userinfo(std::string_view text, Masks& masks) {
  for (size_t sep = text.find("://"); sep != npos; sep = text.find("://", sep + 3)) {
    if (sep == 0 || !is_scheme_char(text[sep - 1])) continue;
    size_t start = sep + 3;
    size_t at = userinfo_end(text, start);
    if (at == npos) continue;
    size_t colon = text.substr(start, at - start).find(':');
    add_mask(masks, colon == npos ? start : start + colon + 1, at);
    sep = at - 2;  // the next search starts after this '@'
  }
}

// What ends a word in running text, looking back from an '@'.
bool ends_word(char c) {
  return is_blank(c) || c == '"' || c == '\'' || c == '(' || c == '[' || c == '{' || c == '<' || c == ',' || c == '=' || c == ';';
}

// Whether `host:port` starts at `p`: `kafka-1:9092`, `10.0.0.1:9092`, `[::1]:9092`.
bool host_port_at(std::string_view text, size_t p) {
  if (p < text.size() && text[p] == '[') {
    size_t close = text.substr(p, 64).find(']');
    if (close == npos) return false;
    p += close + 1;
  } else {
    size_t host = p;
    while (p < text.size() && (is_alnum(text[p]) || text[p] == '.' || text[p] == '-' || text[p] == '_')) ++p;
    if (p == host) return false;
  }
  return p + 1 < text.size() && text[p] == ':' && text[p + 1] >= '0' && text[p + 1] <= '9';
}

// Masks the password of each scheme-less `user:password@host:port` (how Kafka brokers would
// be written with credentials). The port is required so that `mailto:someone@example.org`
// stays as it is; a URL is mask_url_userinfo's.
void mask_bare_userinfo(std::string_view text, Masks& masks) {
  for (size_t at = text.find('@'); at != npos; at = text.find('@', at + 1)) {
    if (!host_port_at(text, at + 1)) continue;
    size_t begin = at;
    size_t limit = at > kMaxUserinfo ? at - kMaxUserinfo : 0;
    while (begin > limit && !ends_word(text[begin - 1])) --begin;
    std::string_view word = text.substr(begin, at - begin);
    size_t colon = word.find(':');
    if (colon == npos || word.find("://") != npos) continue;
    add_mask(masks, begin + colon + 1, at);
  }
}

bool ends_with_ignoring_case(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  s.remove_prefix(s.size() - suffix.size());
  return std::equal(s.begin(), s.end(), suffix.begin(), [](char a, char b) { return to_lower(a) == b; });
}

// Whether the value of `name=` is a secret: names ending in a word for one (password,
// sasl.password, access_token, client_secret, X-Amz-Signature…; but not `tokenizer`), or
// short names used for API keys (`?key=`) and signatures (`&sig=` of Azure SAS URLs).
bool is_secret_param(std::string_view name) {
  static constexpr std::array<std::string_view, 9> kEndings = {"password", "passwd", "pwd",     "secret",   "token",
                                                               "apikey",   "api_key", "api-key", "signature"};
  static constexpr std::array<std::string_view, 3> kNames = {"pass", "key", "sig"};
  auto ends = [&](std::string_view w) { return ends_with_ignoring_case(name, w); };
  auto is = [&](std::string_view w) { return name.size() == w.size() && ends(w); };
  return std::any_of(kEndings.begin(), kEndings.end(), ends) || std::any_of(kNames.begin(), kNames.end(), is);
}

bool is_param_name_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }

// What ends a value in a query string or running text.
bool ends_param_value(char c) {
  return is_blank(c) || c == '&' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' || c == ')' || c == ']' ||
         c == '}' || c == ',' || c == ';';
}

// Masks the value of each `name=value` whose name says it is a secret (is_secret_param).
void mask_secret_params(std::string_view text, Masks& masks) {
  for (size_t eq = text.find('='); eq != npos; eq = text.find('=', eq + 1)) {
    size_t begin = eq;
    size_t limit = eq > kMaxParamName ? eq - kMaxParamName : 0;
    while (begin > limit && is_param_name_char(text[begin - 1])) --begin;
    if (!is_secret_param(text.substr(begin, eq - begin))) continue;
    size_t end = eq + 1;
    while (end < text.size() && !ends_param_value(text[end])) ++end;
    if (text.substr(eq + 1, end - eq - 1) != "***") add_mask(masks, eq + 1, end);
    eq = std::max(eq, end - 1);  // '=' inside the value (base64 padding) is not another name's
  }
}

// `text` with each masked range (they may overlap) written `***`.
std::string apply_masks(std::string_view text, Masks& masks) {
  if (masks.empty()) return std::string(text);
  std::sort(masks.begin(), masks.end(), [](const Mask& a, const Mask& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  for (const Mask& m : masks) {
    if (m.begin >= copied) {
      out.append(text.substr(copied, m.begin - copied));
      out.append("***");
    }
    copied = std::max(copied, m.end);
  }
  out.append(text.substr(copied));
  return out;
}

bool holds(std::string_view text, char c) { return !text.empty() && std::memchr(text.data(), c, text.size()) != nullptr; }

}  // namespace

std::string redact_url_credentials(std::string_view text) {
  bool at = holds(text, '@');
  bool eq = holds(text, '=');
  if (!at && !eq) return std::string(text);  // the common case: every secret form needs one
  Masks masks;
  if (at) {
    mask_url_userinfo(text, masks);
    mask_bare_userinfo(text, masks);
  }
  if (eq) mask_secret_params(text, masks);
  return apply_masks(text, masks);
}

std::string redact_secret(std::string_view text, std::string_view secret) {
  if (secret.empty()) return std::string(text);
  std::string out;
  size_t from = 0;
  for (size_t at = text.find(secret); at != std::string_view::npos; at = text.find(secret, from)) {
    out.append(text.substr(from, at - from));
    out.append("***");
    from = at + secret.size();
  }
  out.append(text.substr(from));
  return out;
}

bool is_secret_key(std::string_view key) {
  static constexpr std::array<std::string_view, 5> kWords = {"password", "secret", "token", "ssl.key.pem", "api_key"};
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kWords.begin(), kWords.end(), [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

}  // namespace logship
