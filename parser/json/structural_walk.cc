#include "parser/json/structural_walk.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/byte_words.h"

namespace logship {
namespace {

// Whether the n bytes at p hold a backslash; reads up to 15 bytes past them (the line's
// padding). Inline rather than memchr: most strings are keys and short values, where the call
// cost more than the search.
bool has_backslash(const char* p, size_t n) {
#if defined(__SSE2__)
  const __m128i backslash = _mm_set1_epi8('\\');
  for (;; p += 16, n -= 16) {
    unsigned found = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), backslash)));
    if (n <= 16) return (found & ((1u << n) - 1)) != 0;
    if (found != 0) return true;
  }
#else
  for (;; p += 8, n -= 8) {
    uint64_t found = byte_words::bytes_equal(byte_words::load(p), '\\');
    if (n <= 8) return found != 0 && byte_words::first(found) < n;
    if (found != 0) return true;
  }
#endif
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 18 digits: a number simdjson converts without
// error (below 10^18, so an exact int64 or a finite double). Exponents and longer numbers are
// valid JSON too, but whether simdjson takes them (1e400 it refuses) is its to say.
[[gnu::always_inline]] inline bool plain_number(const char* p, const char* end) {
  if (p < end && *p == '-') ++p;
  if (p == end || !is_digit(*p)) return false;
  const char* digits_begin = p;
  if (*p == '0') ++p;
  else
    while (p < end && is_digit(*p)) ++p;
  size_t digits = static_cast<size_t>(p - digits_begin);
  if (p < end && *p == '.') {
    const char* fraction = ++p;
    while (p < end && is_digit(*p)) ++p;
    if (p == fraction) return false;
    digits += static_cast<size_t>(p - fraction);
  }
  return p == end && digits <= 18;
}

}  // namespace

bool StructuralWalk::accept(simdjson::dom::parser& parser, const char* data, size_t len, size_t max_depth) {
  if (len > parser.capacity() && parser.allocate(len, max_depth) != simdjson::SUCCESS) return false;
  simdjson::internal::dom_parser_implementation* impl = parser.implementation.get();
  if (impl == nullptr || impl->stage1(reinterpret_cast<const uint8_t*>(data), len, simdjson::stage1_mode::regular) != simdjson::SUCCESS)
    return false;
  stage1_ = impl;
  data_ = data;
  len_ = len;
  indexes_ = impl->structural_indexes.get();
  count_ = impl->n_structural_indexes;
  max_depth_ = std::min(max_depth, kMaxDepth);
  if (count_ == 0 || data_[indexes_[0]] != '{') return false;
  // Most lines hold no backslash at all: then no string has an escape to check, and all
  // stage 1 left to check of a string (closed, no control byte, valid UTF-8) is done.
  escapes_ = std::memchr(data, '\\', len) != nullptr;
  if (close_.size() < count_) close_.resize(count_);
  if (unescaped_size_ < len + simdjson::SIMDJSON_PADDING) {
    unescaped_size_ = len + simdjson::SIMDJSON_PADDING;
    unescaped_.reset(new uint8_t[unescaped_size_]);
  }
  return walk();
}

namespace {

// Stage 1's answer for one line, copied into locals for the walk: in members, every store to
// close_ could alias them and the compiler would reload them after each.
struct Tokens {
  const char* data;
  const uint32_t* index;
  uint32_t count;
  size_t len;
  char byte(uint32_t k) const { return k < count ? data[index[k]] : '\0'; }
  const char* at(uint32_t k) const { return data + index[k]; }
  const char* end(uint32_t k) const {  // just past the last non-blank byte of token k
    return StructuralWalk::blank_trimmed(data + (k + 1 < count ? index[k + 1] : len), at(k));
  }
};

bool scalar(const char* p, const char* end) {
  size_t size = static_cast<size_t>(end - p);
  switch (*p) {
    case 't': return size == 4 && std::memcmp(p, "true", 4) == 0;
    case 'f': return size == 5 && std::memcmp(p, "false", 5) == 0;
    case 'n': return size == 4 && std::memcmp(p, "null", 4) == 0;
    default: return plain_number(p, end);
  }
}

}  // namespace

// The grammar as a few states over the structurals, the containers entered kept on a small
// stack (no recursion). False as soon as anything is not certainly valid.
bool StructuralWalk::walk() {
  const Tokens t{data_, indexes_, count_, len_};
  uint32_t* close = close_.data();
  const size_t max_depth = max_depth_;
  const bool escapes = escapes_;
  uint32_t open[kMaxDepth];
  size_t depth = 0;
  uint32_t k = 0;
  char c;

open_container:  // k: a '{' or '['
  if (depth + 1 >= max_depth) return false;  // the DOM parser refuses nesting of max_depth already
  open[depth++] = k;
  if (t.byte(k++) == '[') {
    if (t.byte(k) == ']') goto close_container;
    goto value;
  }
  if (t.byte(k) == '}') goto close_container;
member:  // k: a key
  if (t.byte(k) != '"' || (escapes && !string_escapes_valid(t.at(k) + 1, t.end(k), true)) || t.byte(k + 1) != ':') return false;
  k += 2;
value:  // k: a value
  c = t.byte(k);
  if (c == '{' || c == '[') goto open_container;
  if (c == '"') {
    if (escapes && !string_escapes_valid(t.at(k) + 1, t.end(k), false)) return false;
  } else if (!scalar(t.at(k), t.end(k))) {
    return false;
  }
  ++k;
after_value:  // k: what follows a value
  c = t.byte(k);
  if (c == ',') {
    ++k;
    if (t.byte(open[depth - 1]) == '{') goto member;
    goto value;
  }
  if (c != (t.byte(open[depth - 1]) == '{' ? '}' : ']')) return false;
close_container:  // k: the '}' or ']' closing open[depth - 1]
  close[open[--depth]] = k++;
  if (depth > 0) goto after_value;
  return k == t.count;  // nothing after the object
}

bool StructuralWalk::string_escapes_valid(const char* begin, const char* end, bool is_key) {
  // Stage 1 found the string closed and nothing but blanks between it and the next
  // structural, so its closing quote is the token's last byte.
  if (end <= begin || end[-1] != '"') return false;
  if (!has_backslash(begin, static_cast<size_t>(end - 1 - begin))) return true;
  // Escapes: keys are left to the DOM parser (the transform matches them unescaped); values
  // are checked by simdjson's own string parser, the one its stage 2 runs.
  if (is_key) return false;
  return stage1_->parse_string(reinterpret_cast<const uint8_t*>(begin), unescaped_.get()) != nullptr;
}

}  // namespace logship
