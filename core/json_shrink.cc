#include "core/json_shrink.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace logship {

namespace {

struct Span {
  size_t begin;  // first byte inside the quotes
  size_t end;    // the closing quote
  size_t length() const { return end - begin; }
};

// What the scan found: the cuttable string values, and where log.flags can take the flag.
struct Layout {
  std::vector<Span> strings;
  size_t object_open = std::string_view::npos;  // the top-level '{'
  bool object_empty = true;
  size_t log_open = std::string_view::npos;     // '{' of the top-level "log" object
  bool log_empty = true;
  size_t flags_open = std::string_view::npos;   // '[' of log.flags
  bool flags_empty = true;
  bool has_truncated = false;
};

// The end of a string starting after its opening quote at `i`: the index of the closing quote.
size_t string_end(std::string_view s, size_t i) {
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') return i;
    i += c == '\\' ? 2 : 1;
  }
  return std::string_view::npos;
}

// A scan of one JSON object; false when it is not one.
bool scan(std::string_view s, Layout& out) {
  struct Level {
    bool object;
    bool expect_key;
    int role;  // 0 other, 1 the top-level object, 2 top-level "log", 3 log.flags, 4 top-level "event"
    bool keep_value = false;  // the value that follows the key just read is never cut
  };
  std::vector<Level> stack;
  int pending_role = 0;  // role of the value that follows the key just read
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  if (i >= s.size() || s[i] != '{') return false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '{':
      case '[': {
        int role = stack.empty() ? 1 : pending_role;
        if (!stack.empty() && stack.back().object) stack.back().expect_key = false;
        if (role == 1) out.object_open = i;
        // An object may repeat a key: what is recorded is about the last "log" (and its
        // "flags"), the one the flag goes into.
        if (role == 2 && c == '{') {
          out.log_open = i;
          out.log_empty = true;
          out.flags_open = std::string_view::npos;
          out.flags_empty = true;
          out.has_truncated = false;
        }
        if (role == 3 && c == '[') {
          out.flags_open = i;
          out.flags_empty = true;
          out.has_truncated = false;
        }
        stack.push_back({c == '{', c == '{', role});
        pending_role = 0;
        break;
      }
      case '}':
      case ']':
        if (stack.empty()) return false;
        stack.pop_back();
        if (stack.empty()) return true;
        break;
      case ',':
        if (stack.empty()) return false;
        if (stack.back().object) stack.back().expect_key = true;
        break;
      case '"': {
        size_t end = string_end(s, i + 1);
        if (end == std::string_view::npos || stack.empty()) return false;
        Level& top = stack.back();
        std::string_view text = s.substr(i + 1, end - i - 1);
        if (top.object && top.expect_key) {
          top.expect_key = false;
          pending_role = 0;
          // logship's metadata: what finds the event again (event.id) and routes it (event.dataset).
          top.keep_value = top.role == 4 && (text == "id" || text == "dataset");
          if (top.role == 1 && text == "log") pending_role = 2;
          else if (top.role == 1 && text == "event") pending_role = 4;
          else if (top.role == 2 && text == "flags") pending_role = 3;
          if (top.role == 1) out.object_empty = false;
          if (top.role == 2) out.log_empty = false;
        } else {
          if (top.object) top.expect_key = false;
          if (top.role == 3) {
            out.flags_empty = false;
            if (text == "truncated") out.has_truncated = true;
          } else if (!(top.object && top.keep_value)) {  // event.id and event.dataset are never cut
            out.strings.push_back({i + 1, end});
          }
          top.keep_value = false;
          pending_role = 0;
        }
        i = end;
        break;
      }
      default:
        if (!stack.empty() && stack.back().object && c != ':' && c != ' ' && c != '\n' && c != '\t' && c != '\r')
          stack.back().expect_key = false;  // a number or literal value
        break;
    }
  }
  return false;
}

// The largest cut point <= `want` inside [begin, end) that splits neither an escape sequence
// nor a UTF-8 character.
size_t safe_cut(std::string_view s, size_t begin, size_t want) {
  size_t i = begin, last_ok = begin;
  while (i < want) {
    size_t step = 1;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      step = s[i + 1] == 'u' ? 6 : 2;
      // A surrogate pair (\uD83D\uDE00) is one character: never cut between its halves.
      if (step == 6 && i + 12 <= s.size() && (s[i + 2] == 'd' || s[i + 2] == 'D') && std::strchr("89abAB", s[i + 3]) && s[i + 6] == '\\' &&
          s[i + 7] == 'u')
        step = 12;
    }
    else if (c >= 0xF0) step = 4;
    else if (c >= 0xE0) step = 3;
    else if (c >= 0xC0) step = 2;
    if (i + step > want) break;
    i += step;
    last_ok = i;
  }
  return last_ok;
}

}  // namespace

bool shrink_event_json(std::string_view json, size_t max_bytes, std::string& out) {
  Layout layout;
  if (!scan(json, layout)) return false;
  std::string flag_text;
  size_t flag_at = 0;
  if (!layout.has_truncated) {
    if (layout.flags_open != std::string_view::npos) {
      flag_at = layout.flags_open + 1;
      flag_text = layout.flags_empty ? "\"truncated\"" : "\"truncated\",";
    } else if (layout.log_open != std::string_view::npos) {
      flag_at = layout.log_open + 1;
      flag_text = layout.log_empty ? "\"flags\":[\"truncated\"]" : "\"flags\":[\"truncated\"],";
    } else {
      flag_at = layout.object_open + 1;
      flag_text = layout.object_empty ? "\"log\":{\"flags\":[\"truncated\"]}" : "\"log\":{\"flags\":[\"truncated\"]},";
    }
  }
  size_t size = json.size() + flag_text.size();
  size_t excess = size > max_bytes ? size - max_bytes : 0;
  // One common length `cap` for the strings longer than it: the largest that removes enough
  // (cuts that avoid splitting an escape or a character only remove a little more).
  size_t total = 0, longest = 0;
  for (const Span& sp : layout.strings) {
    total += sp.length();
    longest = std::max(longest, sp.length());
  }
  if (total < excess) return false;
  auto removed_at = [&](size_t cap) {
    size_t removed = 0;
    for (const Span& sp : layout.strings) removed += sp.length() > cap ? sp.length() - cap : 0;
    return removed;
  };
  size_t cap = longest;
  if (excess > 0) {
    size_t lo = 0, hi = longest;  // removed_at(lo) >= excess holds; find the largest such cap
    while (lo < hi) {
      size_t mid = lo + (hi - lo + 1) / 2;
      if (removed_at(mid) >= excess) lo = mid;
      else hi = mid - 1;
    }
    cap = lo;
  }
  out.clear();
  out.reserve(std::min(size, max_bytes) + 16);
  size_t at = 0;
  auto copy_until = [&](size_t to) {
    if (flag_text.size() && flag_at >= at && flag_at <= to) {
      out.append(json.substr(at, flag_at - at));
      out.append(flag_text);
      out.append(json.substr(flag_at, to - flag_at));
    } else {
      out.append(json.substr(at, to - at));
    }
    at = to;
  };
  for (const Span& sp : layout.strings) {
    if (excess == 0 || sp.length() <= cap) continue;
    size_t cut = safe_cut(json, sp.begin, sp.begin + cap);
    copy_until(cut);
    at = sp.end;  // skip the rest of the string; its closing quote is copied next
  }
  copy_until(json.size());
  return out.size() <= max_bytes;
}

}  // namespace logship
