#include "core/json_writer.h"

#include <simdjson.h>

#include <array>
#include <charconv>

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

// The bytes of w that need escaping or are >= 0x80, flagged (core/byte_words.h).
uint64_t bytes_needing_care(uint64_t w) {
  using namespace byte_words;
  return bytes_equal(w, '"') | bytes_equal(w, '\\') | bytes_below(w, 0x20) | (w & kHighBits);
}

// The first position from i on holding a byte that needs escaping or is >= 0x80, or n.
size_t next_byte_needing_care(const unsigned char* p, size_t i, size_t n) {
  for (; i + 8 <= n; i += 8) {
    if (uint64_t found = bytes_needing_care(byte_words::load(p + i))) return i + byte_words::first(found);
  }
  while (i < n && p[i] < 0x80 && !kNeedsEscape[p[i]]) ++i;
  return i;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"': out.append("\\\""sv); return;
    case '\\': out.append("\\\\"sv); return;
    case '\n': out.append("\\n"sv); return;
    case '\r': out.append("\\r"sv); return;
    case '\t': out.append("\\t"sv); return;
    case '\b': out.append("\\b"sv); return;
    case '\f': out.append("\\f"sv); return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(buf, 6);
    }
  }
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
  out.push_back('"');
  // Most values are short and ASCII: one pass escapes them, and UTF-8 validation (a call into
  // simdjson, costly for a few bytes) is left for the part from the first non-ASCII byte on.
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t run_start = 0;
  size_t i = next_byte_needing_care(p, 0, n);
  while (i < n && p[i] < 0x80) {  // a byte to escape
    out.append(text.data() + run_start, i - run_start);
    if (p[i] == '"' || p[i] == '\\') {
      char pair[2] = {'\\', static_cast<char>(p[i])};
      out.append(pair, 2);
    } else {
      append_escape(out, p[i]);
    }
    run_start = ++i;
    i = next_byte_needing_care(p, i, n);
  }
  out.append(text.data() + run_start, i - run_start);
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
