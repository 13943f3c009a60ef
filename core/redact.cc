#include "core/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace logship {

namespace {

// RFC 3986 scheme characters, to find where a scheme begins before "://".
bool is_scheme_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// Where the authority of a URL ends: at the path, query, fragment, or anything that cannot be
// part of a URL in running text (space, quote, bracket).
bool ends_authority(char c) {
  return c == '/' || c == '?' || c == '#' || c == ' ' || c == '"' || c == '\'' || c == '<' || c == '>' ||
         c == ')' || c == ',' || c == '\n' || c == '\t' || c == '\r';
}

}  // namespace

std::string redact_url_credentials(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (size_t sep = text.find("://"); sep != std::string_view::npos; sep = text.find("://", sep + 3)) {
    if (sep == 0 || !is_scheme_char(text[sep - 1])) continue;
    size_t start = sep + 3;
    size_t end = start;
    while (end < text.size() && !ends_authority(text[end])) ++end;
    // The userinfo ends at the authority's last '@' (a password may itself hold an '@').
    std::string_view authority = text.substr(start, end - start);
    size_t at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    size_t colon = authority.substr(0, at).find(':');
    if (colon == std::string_view::npos) continue;  // a user name alone is not a secret
    out.append(text.substr(copied, start + colon + 1 - copied));
    out.append("***");
    copied = start + at;
    sep = end > 3 ? end - 3 : sep;  // go on after this authority
  }
  if (copied == 0) return std::string(text);
  out.append(text.substr(copied));
  return out;
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
