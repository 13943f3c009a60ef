// Walks the members of a JSON object that simdjson's DOM parser has already validated, giving
// each member's key and value as the raw text of the line. The json transform copies values
// through unchanged, so it needs their text, which the DOM does not keep; a second simdjson
// (On-Demand) pass to find it cost a quarter of the transform. On valid JSON the structure is
// simple enough to follow by hand: strings end at an unescaped quote, containers at their
// matching bracket, anything else at the next delimiter.
//
// Only for validated text, with simdjson's padding after it: it does not check anything, and
// reads up to 7 bytes past a string's closing quote.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace logship {

class RawMembers {
 public:
  // `object` starts with the object (whitespace before it allowed).
  explicit RawMembers(const char* object) : p_(skip_space(object) + 1) {}

  // The next member: its key as written between the quotes (`escaped`: it holds a backslash)
  // and its value's text. False after the last one; then end() is just past the '}'.
  bool next(std::string_view& key, bool& escaped, std::string_view& value) {
    p_ = skip_space(p_);
    if (*p_ == ',') p_ = skip_space(p_ + 1);
    if (*p_ == '}') {
      ++p_;
      return false;
    }
    const char* key_begin = p_ + 1;
    escaped = false;
    const char* key_end = skip_string(key_begin, escaped);
    key = std::string_view(key_begin, static_cast<size_t>(key_end - 1 - key_begin));
    p_ = skip_space(skip_space(key_end) + 1);  // past the ':'
    const char* value_begin = p_;
    bool unused = false;
    if (*p_ == '"') p_ = skip_string(p_ + 1, unused);
    else if (*p_ == '{' || *p_ == '[') p_ = skip_container(p_);
    else p_ = skip_scalar(p_);
    value = std::string_view(value_begin, static_cast<size_t>(p_ - value_begin));
    return true;
  }

  const char* end() const { return p_; }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  static const char* skip_space(const char* p) {
    while (is_space(*p)) ++p;
    return p;
  }

  // From just after an opening quote to just after the closing one, 8 bytes at a time.
  static const char* skip_string(const char* p, bool& escaped) {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    while (true) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
      // The high bit of the first quote or backslash byte (bits above it may be false alarms).
      uint64_t found = (((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash)) & kHighs;
      if (found == 0) {
        p += 8;
        continue;
      }
      p += __builtin_ctzll(found) / 8;
      if (*p == '"') return p + 1;
      escaped = true;
      p += 2;  // the backslash and the byte it escapes (\uXXXX goes on with hex digits)
    }
  }

  static const char* skip_container(const char* p) {
    int depth = 0;
    while (true) {
      char c = *p;
      if (c == '"') {
        bool unused = false;
        p = skip_string(p + 1, unused);
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return p + 1;
      }
      ++p;
    }
  }

  // Numbers, true, false, null: up to the next delimiter.
  static const char* skip_scalar(const char* p) {
    while (*p != ',' && *p != '}' && *p != ']' && !is_space(*p)) ++p;
    return p;
  }

  const char* p_;
};

}  // namespace logship
