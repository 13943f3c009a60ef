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
  return object(0, 1) == count_;  // nothing after the object
}

uint32_t StructuralWalk::object(uint32_t k, size_t depth) {
  if (depth >= max_depth_) return 0;  // the DOM parser refuses depth == max_depth already
  uint32_t open = k++;
  if (byte_at(k) == '}') {
    close_[open] = k;
    return k + 1;
  }
  while (true) {
    if (byte_at(k) != '"' || !string(k, true) || byte_at(k + 1) != ':') return 0;
    k = value(k + 2, depth);
    if (k == 0) return 0;
    char c = byte_at(k);
    if (c == '}') {
      close_[open] = k;
      return k + 1;
    }
    if (c != ',') return 0;
    ++k;
  }
}

uint32_t StructuralWalk::array(uint32_t k, size_t depth) {
  if (depth >= max_depth_) return 0;  // the DOM parser refuses depth == max_depth already
  uint32_t open = k++;
  if (byte_at(k) == ']') {
    close_[open] = k;
    return k + 1;
  }
  while (true) {
    k = value(k, depth);
    if (k == 0) return 0;
    char c = byte_at(k);
    if (c == ']') {
      close_[open] = k;
      return k + 1;
    }
    if (c != ',') return 0;
    ++k;
  }
}

inline uint32_t StructuralWalk::value(uint32_t k, size_t depth) {
  switch (byte_at(k)) {
    case '{': return object(k, depth + 1);
    case '[': return array(k, depth + 1);
    case '"': return string(k, false) ? k + 1 : 0;
    default: return scalar(k) ? k + 1 : 0;
  }
}

inline bool StructuralWalk::string(uint32_t k, bool is_key) { return !escapes_ || escaped_string(k, is_key); }

bool StructuralWalk::escaped_string(uint32_t k, bool is_key) {
  // Stage 1 found the string closed and nothing but blanks between it and the next
  // structural, so its closing quote is the token's last byte.
  const char* begin = at(k) + 1;
  const char* end = token_end(k);
  if (end <= begin || end[-1] != '"') return false;
  size_t size = static_cast<size_t>(end - 1 - begin);
  if (!has_backslash(begin, size)) return true;
  // Escapes: keys are left to the DOM parser (the transform matches them unescaped); values
  // are checked by simdjson's own string parser, the one its stage 2 runs.
  if (is_key) return false;
  return stage1_->parse_string(reinterpret_cast<const uint8_t*>(begin), unescaped_.get()) != nullptr;
}

inline bool StructuralWalk::scalar(uint32_t k) const {
  const char* p = at(k);
  const char* end = token_end(k);
  size_t size = static_cast<size_t>(end - p);
  switch (*p) {
    case 't': return size == 4 && std::memcmp(p, "true", 4) == 0;
    case 'f': return size == 5 && std::memcmp(p, "false", 5) == 0;
    case 'n': return size == 4 && std::memcmp(p, "null", 4) == 0;
    default: return plain_number(p, end);
  }
}

}  // namespace logship
