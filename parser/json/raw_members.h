// Walks the members of a JSON object that simdjson's DOM parser has already validated, giving
// each member's key and value as the raw text of the line. The json transform copies values
// through unchanged, so it needs their text, which the DOM does not keep; a second simdjson
// (On-Demand) pass to find it cost a quarter of the transform. On valid JSON the structure is
// simple enough to follow by hand: strings end at an unescaped quote, containers at their
// matching bracket, anything else at the next delimiter.
//
// Only for validated text, with simdjson's padding after it: it does not check anything, and
// reads up to 15 bytes past a string's closing quote.
#pragma once

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <cstdint>
#include <string_view>

#include "core/byte_words.h"

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

  // From just after an opening quote to just after the closing one, 16 bytes at a time with
  // SSE2 (every x86-64 has it), 8 at a time elsewhere.
  static const char* skip_string(const char* p, bool& escaped) {
    while (true) {
      unsigned skip = quote_or_backslash(p);
      if (skip == kNone) {
        p += kStride;
        continue;
      }
      p += skip;
      if (*p == '"') return p + 1;
      escaped = true;
      p += 2;  // the backslash and the byte it escapes (\uXXXX goes on with hex digits)
    }
  }

#if defined(__SSE2__)
  static constexpr unsigned kStride = 16, kNone = 32;
  // Where the first quote or backslash is among the kStride bytes at p, or kNone.
  static unsigned quote_or_backslash(const char* p) {
    __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    unsigned found = static_cast<unsigned>(_mm_movemask_epi8(
        _mm_or_si128(_mm_cmpeq_epi8(chunk, _mm_set1_epi8('"')), _mm_cmpeq_epi8(chunk, _mm_set1_epi8('\\')))));
    return found == 0 ? kNone : static_cast<unsigned>(__builtin_ctz(found));
  }
#else
  static constexpr unsigned kStride = 8, kNone = 32;
  static unsigned quote_or_backslash(const char* p) {
    uint64_t w = byte_words::load(p);
    uint64_t found = byte_words::bytes_equal(w, '"') | byte_words::bytes_equal(w, '\\');
    return found == 0 ? kNone : byte_words::first(found);
  }
#endif

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
