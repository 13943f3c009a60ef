#include "core/json_writer.h"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/byte_words.h"

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call
namespace {

// 1 for bytes that must be escaped inside a JSON string.
constexpr std::array<uint8_t, 256> make_escape_table() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<size_t>(c)] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  return t;
}
constexpr auto kNeedsEscape = make_escape_table();

// Escaped strings are written through a pointer into space made beforehand rather than by a
// std::string::append per run and per escape: a JSON line shipped as a message has a quote every
// few bytes, and the appends (a capacity check and a memcpy call each) were most of the cost.
//
// A block of kBlock bytes is copied to the output whole, then the output pointer advances only
// past the bytes before the first one needing care (escaping, or >= 0x80, which ends the ASCII
// fast path); the copy can run up to kBlock bytes past the end of what is kept, hence the slack.
#if defined(__SSE2__)
constexpr size_t kBlock = 16;

// Bit k set when byte k of the block needs escaping or is >= 0x80.
unsigned care_mask(const unsigned char* p) {
  __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  __m128i special = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  // A signed compare: below 0x20, and every byte >= 0x80 (negative as a signed char).
  __m128i low_or_high = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(special, low_or_high)));
}

void copy_block(char* d, const unsigned char* p) { _mm_storeu_si128(reinterpret_cast<__m128i*>(d), _mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

unsigned first_in_mask(unsigned mask) { return static_cast<unsigned>(__builtin_ctz(mask)); }
#else
constexpr size_t kBlock = 8;

uint64_t care_mask(const unsigned char* p) {
  using namespace byte_words;
  uint64_t w = load(p);
  return bytes_equal(w, '"') | bytes_equal(w, '\\') | bytes_below(w, 0x20) | (w & kHighBits);
}

void copy_block(char* d, const unsigned char* p) { std::memcpy(d, p, 8); }

unsigned first_in_mask(uint64_t mask) { return byte_words::first(mask); }
#endif

// The two-character escape of c, or 0 when c is written as \u00XX.
constexpr std::array<char, 256> make_short_escapes() {
  std::array<char, 256> t{};
  t['"'] = '"';
  t['\\'] = '\\';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['\b'] = 'b';
  t['\f'] = 'f';
  return t;
}
constexpr auto kShortEscape = make_short_escapes();

// Writes the escape of c, a byte that needs one, at d (room for 6): returns its length, 2 or 6.
size_t write_escape(char* d, unsigned char c) {
  if (char e = kShortEscape[c]) {
    d[0] = '\\';
    d[1] = e;
    return 2;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
  std::memcpy(d, u, 6);
  return 6;
}

// Writes ASCII text, escaped, at out[at...]. Returns where it stopped: at the first byte
// >= 0x80 (left for the UTF-8 path) or at text's end; `at` moves past what was written.
// `out` must hold 2 bytes per byte of text plus kBlock beyond `at`; it grows only for a \u00XX
// escape (6 bytes where 2 were counted).
size_t write_escaped_ascii(std::string& out, size_t& at, const unsigned char* p, size_t n) {
  char* d = out.data() + at;
  size_t i = 0;
  while (true) {
    unsigned char c;
    if (i + kBlock <= n) {
      copy_block(d, p + i);
      auto mask = care_mask(p + i);
      if (!mask) {
        i += kBlock;
        d += kBlock;
        continue;
      }
      unsigned k = first_in_mask(mask);
      i += k;
      d += k;
      c = p[i];
    } else {
      if (i == n) break;
      c = p[i];
      if (c < 0x80 && !kNeedsEscape[c]) {
        *d++ = static_cast<char>(c);
        ++i;
        continue;
      }
    }
    if (c >= 0x80) break;
    if (kShortEscape[c] == 0) {  // \u00XX: 6 bytes where 2 were counted
      size_t written = static_cast<size_t>(d - out.data());
      out.resize(out.size() + 4);
      d = out.data() + written;
    }
    d += write_escape(d, c);
    ++i;
  }
  at = static_cast<size_t>(d - out.data());
  return i;
}

void append_escape(std::string& out, unsigned char c) {
  char buf[6];
  out.append(buf, write_escape(buf, c));
}

// Length of the valid UTF-8 sequence starting at p (1..4), or 0 when it is invalid.
size_t valid_sequence_length(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  if (c < 0x80) return 1;
  auto cont = [&](size_t i) { return i < n && (p[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (c == 0xED && p[1] > 0x9F) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;
    if (c == 0xF4 && p[1] > 0x8F) return 0;
    return 4;
  }
  return 0;
}

void append_repaired(std::string& out, std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    size_t len = valid_sequence_length(p + i, n - i);
    if (len == 0) {
      out.append("\xEF\xBF\xBD"sv);  // U+FFFD
      ++i;
    } else if (len == 1 && kNeedsEscape[p[i]]) {
      append_escape(out, p[i]);
      ++i;
    } else {
      out.append(text.data() + i, len);
      i += len;
    }
  }
}

}  // namespace

size_t utf8_character_length(std::string_view text, size_t at) {
  return valid_sequence_length(reinterpret_cast<const unsigned char*>(text.data()) + at, text.size() - at);
}

bool append_valid_utf8(std::string& out, std::string_view text) {
  if (simdjson::validate_utf8(text.data(), text.size())) {
    out.append(text);
    return true;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (size_t i = 0; i < text.size();) {
    size_t len = valid_sequence_length(p + i, text.size() - i);
    if (len == 0) {
      out.append("\xEF\xBF\xBD"sv);  // U+FFFD
      ++i;
    } else {
      out.append(text.data() + i, len);
      i += len;
    }
  }
  return false;
}

void append_json_escaped_utf8(std::string& out, std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t run_start = 0;
  for (size_t i = 0; i < n; ++i) {
    if (kNeedsEscape[p[i]]) [[unlikely]] {
      out.append(text.data() + run_start, i - run_start);
      append_escape(out, p[i]);
      run_start = i + 1;
    }
  }
  out.append(text.data() + run_start, n - run_start);
}

bool append_json_string(std::string& out, std::string_view text) {
  // Most values are ASCII: they are escaped in one pass, and UTF-8 validation (a call into
  // simdjson, costly for a few bytes) is left for the part from the first non-ASCII byte on.
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t at = out.size();
  out.resize(at + 2 * n + 2 + kBlock);
  out[at++] = '"';
  size_t i = write_escaped_ascii(out, at, p, n);
  out.resize(at);
  bool valid = true;
  if (i < n) {
    std::string_view rest = text.substr(i);  // starts a character: everything before was ASCII
    valid = simdjson::validate_utf8(rest.data(), rest.size());
    if (valid) [[likely]] append_json_escaped_utf8(out, rest);
    else append_repaired(out, rest);
  }
  out.push_back('"');
  return valid;
}

void append_uint(std::string& out, uint64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  (void)ec;
  out.append(buf, static_cast<size_t>(end - buf));
}

}  // namespace logship
