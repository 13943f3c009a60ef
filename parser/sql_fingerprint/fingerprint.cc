#include "parser/sql_fingerprint/fingerprint.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>
#include <memory>
#include <type_traits>

namespace logship {

using namespace std::string_view_literals;  // append("..."sv): no strlen per call
namespace {

// Perl's \w and \s on bytes (no locale, no utf8 flag).
inline bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool iequals_at(std::string_view s, size_t i, std::string_view word) {
  if (i + word.size() > s.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (lower(s[i + k]) != word[k]) return false;
  return true;
}
inline bool word_start(std::string_view s, size_t i) { return i == 0 || !is_word(s[i - 1]); }
inline bool word_end(std::string_view s, size_t i) { return i >= s.size() || !is_word(s[i]); }

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// /\*\w+\.\w+:[0-9]/[0-9]\*/  anywhere: the comment pt-table-checksum and friends add.
bool has_toolkit_comment(std::string_view q) {
  for (size_t i = q.find("/*"); i != std::string_view::npos; i = q.find("/*", i + 1)) {
    size_t j = i + 2;
    size_t start = j;
    while (j < q.size() && is_word(q[j])) ++j;
    if (j == start || j >= q.size() || q[j] != '.') continue;
    start = ++j;
    while (j < q.size() && is_word(q[j])) ++j;
    if (j == start || j + 6 > q.size()) continue;
    if (q[j] == ':' && q[j + 1] >= '0' && q[j + 1] <= '9' && q[j + 2] == '/' && q[j + 3] >= '0' && q[j + 3] <= '9' &&
        q[j + 4] == '*' && q[j + 5] == '/')
      return true;
  }
  return false;
}

// \A\s*(call\s+\S+)\(  (case-insensitive): the procedure name, backtracking to the last '('
// of the first word as the greedy \S+ does.
bool call_prefix(std::string_view q, std::string& out) {
  size_t i = skip_spaces(q, 0);
  if (!iequals_at(q, i, "call")) return false;
  size_t j = i + 4;
  if (j >= q.size() || !is_space(q[j])) return false;
  j = skip_spaces(q, j);
  size_t run_end = j;
  while (run_end < q.size() && !is_space(q[run_end])) ++run_end;
  for (size_t k = run_end; k-- > j + 1;) {
    if (q[k] == '(') {
      out.clear();
      for (size_t m = i; m < k; ++m) out.push_back(lower(q[m]));
      return true;
    }
  }
  return false;
}

// \A((?:INSERT|REPLACE)(?: IGNORE)?\s+INTO.+?VALUES\s*\(.*?\))\s*,\s*\(  (/is): the length of
// the statement up to the end of its first VALUES tuple, or 0 when it has a single tuple.
size_t first_tuple_end(std::string_view q) {
  size_t p;
  if (iequals_at(q, 0, "insert")) p = 6;
  else if (iequals_at(q, 0, "replace")) p = 7;
  else return 0;
  if (iequals_at(q, p, " ignore")) {
    size_t after = p + 7;
    if (after < q.size() && is_space(q[after]) && iequals_at(q, skip_spaces(q, after), "into")) p = after;
  }
  if (p >= q.size() || !is_space(q[p])) return 0;
  p = skip_spaces(q, p);
  if (!iequals_at(q, p, "into")) return 0;
  // The first VALUES followed by '(' decides: a later one could only find the tuple ends this
  // one finds, so when it finds none there is none (trying each VALUES was quadratic).
  for (size_t v = p + 5; v + 6 <= q.size(); ++v) {
    if (!iequals_at(q, v, "values")) continue;
    size_t w = skip_spaces(q, v + 6);
    if (w >= q.size() || q[w] != '(') continue;
    for (size_t c = w + 1; c < q.size(); ++c) {
      if (q[c] != ')') continue;
      size_t k = skip_spaces(q, c + 1);
      if (k < q.size() && q[k] == ',') {
        k = skip_spaces(q, k + 1);
        if (k < q.size() && q[k] == '(') return c + 1;
      }
    }
    return 0;
  }
  return 0;
}

// s#/\*[^!].*?\*/##sg : block comments, but not /*! version comments. Note that [^!] eats
// one byte, so "/**/" only ends at the next "*/".
void strip_block_comments(std::string_view in, std::string& out) {
  out.clear();
  if (in.find("/*") == std::string_view::npos) {
    out.assign(in);
    return;
  }
  size_t i = 0;
  bool closers_left = true;
  while (i < in.size()) {
    if (closers_left && in[i] == '/' && i + 2 < in.size() && in[i + 1] == '*' && in[i + 2] != '!') {
      size_t close = in.find("*/", i + 3);
      if (close != std::string_view::npos) {
        i = close + 2;
        continue;
      }
      closers_left = false;
    }
    out.push_back(in[i++]);
  }
}

// s/(?:--|#)[^'"\r\n]*(?=[\r\n]|\Z)//g : one-line comments holding no quote.
bool strip_line_comments(std::string_view in, std::string& out) {
  if (in.find('#') == std::string_view::npos && in.find("--") == std::string_view::npos) return false;
  out.clear();
  size_t i = 0;
  // Where the scan for a comment's end stopped (a quote or a line break), kept: a comment
  // starting before it stops there too (rescanning from every '#' of "###…'" was quadratic).
  size_t stop = 0;
  bool have_stop = false;
  while (i < in.size()) {
    size_t body = 0;
    if (in[i] == '#') body = i + 1;
    else if (in[i] == '-' && i + 1 < in.size() && in[i + 1] == '-') body = i + 2;
    if (body) {
      if (!have_stop || body > stop) {
        stop = body;
        while (stop < in.size() && in[stop] != '\'' && in[stop] != '"' && in[stop] != '\r' && in[stop] != '\n') ++stop;
        have_stop = true;
      }
      size_t j = stop;
      if (j == in.size() || in[j] == '\r' || in[j] == '\n') {
        i = j;
        continue;
      }
    }
    out.push_back(in[i++]);
  }
  return true;
}

// \Ause \S+\Z (case-insensitive)
bool is_use_statement(std::string_view q) {
  if (!iequals_at(q, 0, "use ")) return false;
  size_t end = q.size();
  if (end > 4 && q[end - 1] == '\n') --end;
  if (end <= 4) return false;
  for (size_t i = 4; i < end; ++i)
    if (is_space(q[i])) return false;
  return true;
}

// s/([^\\])(\\Q)/$1/g for the quote Q: drops a backslash-quote after any other byte.
// Each pass returns false, having written nothing, when it has nothing to change.
bool drop_escaped_quote_after_char(std::string_view in, std::string& out, char quote) {
  if (in.find('\\') == std::string_view::npos) return false;
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] != '\\' && i + 2 < in.size() && in[i + 1] == '\\' && in[i + 2] == quote) {
      out.push_back(in[i]);
      i += 3;
      continue;
    }
    out.push_back(in[i++]);
  }
  return true;
}

// s/\\\\//g, then s/\\'//g, then s/\\"//g, folded into one left-to-right scan per pattern.
bool drop_pairs(std::string_view in, std::string& out, char second) {
  if (in.find('\\') == std::string_view::npos) return false;
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] == '\\' && i + 1 < in.size() && in[i + 1] == second) {
      i += 2;
      continue;
    }
    out.push_back(in[i++]);
  }
  return true;
}

// Where the match of Q.*?[^\\]?Q opened at `open` ends, or npos. The lazy .*? grows one byte at
// a time, and at each length the greedy [^\\]? first tries to take a byte: so a byte that is
// no backslash followed by the quote closes there, before a quote alone does. A doubled quote
// is therefore swallowed by the string that reaches it: '''' is a string of three quotes
// followed by a stray one, and pt-query-digest 3.5 fingerprints it as ?'.
size_t string_close(std::string_view in, size_t open, char quote) {
  for (size_t p = open + 1; p < in.size(); ++p) {
    if (in[p] != '\\' && p + 1 < in.size() && in[p + 1] == quote) return p + 1;
    if (in[p] == quote) return p;
  }
  return std::string_view::npos;
}

// s/([^\\])(Q.*?[^\\]?Q)/$1?/sg : a quoted string becomes '?'. The byte before the opening
// quote is consumed by the match, so a quote right after a closing quote opens nothing.
bool replace_strings(std::string_view in, std::string& out, char quote) {
  size_t q = in.find(quote);
  if (q == std::string_view::npos) return false;
  out.clear();
  size_t i = 0;  // everything before i is written
  while (q != std::string_view::npos) {
    if (q >= i + 1 && in[q - 1] != '\\') {
      size_t close = string_close(in, q, quote);
      if (close == std::string_view::npos) break;  // no closing quote anywhere: done
      out.append(in.data() + i, q - i);
      out.push_back('?');
      i = close + 1;
      q = in.find(quote, i + 1);  // the byte at i is consumed as the next match's prefix
      continue;
    }
    q = in.find(quote, q + 1);
  }
  out.append(in.data() + i, in.size() - i);
  return true;
}

// \bfalse\b|\btrue\b (any case) -> ?
void replace_booleans(std::string_view in, std::string& out) {
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    if (word_start(in, i)) {
      size_t len = iequals_at(in, i, "false") ? 5 : iequals_at(in, i, "true") ? 4 : 0;
      if (len && word_end(in, i + len)) {
        out.push_back('?');
        i += len;
        continue;
      }
    }
    out.push_back(in[i++]);
  }
}

inline bool number_start(char c) { return (c >= '0' && c <= '9') || c == '+' || c == '-'; }
inline bool number_body(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '.' || c == 'x' || c == 'b' || c == '+' || c == '-';
}

// s/[0-9+-][0-9a-f.xb+-]*/?/g then s/[xb.+-]\?/?/g, in one pass: when a '?' is written (a
// number just replaced, or one already there), an x, b or . right before it goes. (+ and -
// always start a number, so none is left by then.)
void replace_numbers(std::string_view in, std::string& out) {
  out.resize(in.size());
  char* w = out.data();
  char* const begin = w;
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (number_start(c)) {
      ++i;
      while (i < in.size() && number_body(in[i])) ++i;
      c = '?';
    } else {
      ++i;
    }
    if (c == '?' && w > begin && (w[-1] == 'x' || w[-1] == 'b' || w[-1] == '.')) --w;
    *w++ = c;
  }
  out.resize(static_cast<size_t>(w - begin));
}

// s/\A\s+//; chomp; tr/ \n\t\r\f/ /s; lc
void squeeze_and_lower(std::string_view in, std::string& out) {
  size_t start = 0;
  while (start < in.size() && is_space(in[start])) ++start;
  size_t end = in.size();
  if (end > start && in[end - 1] == '\n') --end;
  out.resize(end - start);
  char* w = out.data();
  char* const begin = w;
  bool last_space = false;
  for (size_t i = start; i < end; ++i) {
    char c = in[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      if (!last_space) *w++ = ' ';
      last_space = true;
      continue;
    }
    last_space = false;
    *w++ = lower(c);
  }
  out.resize(static_cast<size_t>(w - begin));
}

// \bnull\b -> ?
bool replace_nulls(std::string_view in, std::string& out) {
  if (in.find("null") == std::string_view::npos) return false;
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] == 'n' && word_start(in, i) && in.substr(i, 4) == "null" && word_end(in, i + 4)) {
      out.push_back('?');
      i += 4;
      continue;
    }
    out.push_back(in[i++]);
  }
  return true;
}

inline bool list_space(char c) { return is_space(c) || c == ','; }

// \b(in|values?)(?:[\s,]*\([\s?,]*\))+ -> $1(?+)
void collapse_lists(std::string_view in, std::string& out) {
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    size_t kw = 0;
    if (word_start(in, i)) {
      if (in.substr(i, 2) == "in") kw = 2;
      else if (in.substr(i, 6) == "values") kw = 6;
      else if (in.substr(i, 5) == "value") kw = 5;
    }
    if (kw) {
      size_t end = 0;  // end of the last complete (…) group
      size_t j = i + kw;
      while (true) {
        size_t k = j;
        while (k < in.size() && list_space(in[k])) ++k;
        if (k >= in.size() || in[k] != '(') break;
        ++k;
        while (k < in.size() && (is_space(in[k]) || in[k] == '?' || in[k] == ',')) ++k;
        if (k >= in.size() || in[k] != ')') break;
        end = j = k + 1;
      }
      if (end) {
        out.append(in.substr(i, kw));
        out.append("(?+)"sv);
        i = end;
        continue;
      }
    }
    out.push_back(in[i++]);
  }
}

// Whether two pieces of one text are equal, in O(log length): polynomial hashes modulo the
// prime 2^31-1, with a base drawn at random per process (a fixed base could be beaten by
// crafted queries), and a byte comparison to confirm a hit (a collision only costs that
// comparison). Four bytes per byte of text: the powers are computed per comparison rather
// than stored, because a query can be megabytes long and this runs in a sidecar.
class SubstringHashes {
 public:
  explicit SubstringHashes(std::string_view s) : s_(s), prefix_(s.size() + 1, 0) {
    for (size_t i = 0; i < s.size(); ++i) prefix_[i + 1] = add(mul(prefix_[i], base()), static_cast<unsigned char>(s[i]) + 1);
  }
  // What equal() needs for pieces of `len` bytes (computed once for many comparisons).
  static uint32_t shift_for(size_t len) { return power(len); }
  bool equal(size_t a, size_t b, size_t len, uint32_t shift) const {
    if (a + len > s_.size() || b + len > s_.size()) return false;
    return hash(a, len, shift) == hash(b, len, shift) && std::memcmp(s_.data() + a, s_.data() + b, len) == 0;
  }

 private:
  static constexpr uint32_t kPrime = (1u << 31) - 1;
  static uint32_t base() {
    static const uint32_t b = std::random_device{}() % (kPrime - 1000) + 256;
    return b;
  }
  static uint32_t mul(uint32_t a, uint32_t b) {
    uint64_t p = static_cast<uint64_t>(a) * b;
    uint64_t r = (p & kPrime) + (p >> 31);
    r = (r & kPrime) + (r >> 31);
    return static_cast<uint32_t>(r >= kPrime ? r - kPrime : r);
  }
  static uint32_t add(uint32_t a, uint32_t b) { return static_cast<uint32_t>((static_cast<uint64_t>(a) + b) % kPrime); }
  static uint32_t power(size_t n) {
    uint32_t result = 1, x = base();
    for (; n > 0; n >>= 1, x = mul(x, x))
      if (n & 1) result = mul(result, x);
    return result;
  }
  uint32_t hash(size_t a, size_t len, uint32_t shift) const { return add(prefix_[a + len], kPrime - mul(prefix_[a], shift)); }

  std::string_view s_;
  std::vector<uint32_t> prefix_;
};

// \b(select\s.*?)(?:(\sunion(?:\sall)?)\s\1)+ -> $1 /*repeat$2*/
//
// $1 can only end where `\sunion` begins, so only those places are tried (in order: the
// shortest $1 wins), at most kMaxGroup of them per select, and pieces are compared by hash:
// linear in the query's length where the regular expression's backtracking was quadratic
// (a 200 KB chain of distinct unioned selects took 11 s). A repeated group of more than
// kMaxGroup unioned selects is left as it is.
bool collapse_unions(std::string_view in, std::string& out) {
  // After squeezing, white space is single spaces.
  if (in.find(" union") == std::string_view::npos) return false;
  constexpr size_t kMaxGroup = 64;
  std::vector<size_t> unions;  // where each `\sunion` begins
  for (size_t p = in.find("union"); p != std::string_view::npos; p = in.find("union", p + 1))
    if (p > 0 && is_space(in[p - 1])) unions.push_back(p - 1);
  SubstringHashes pieces(in);
  // The separator at `pos` (`\sunion`, greedily `\sunion\sall`) followed by \s and a copy of
  // in[begin, begin+len): its length, or 0.
  auto repeat_at = [&](size_t pos, size_t begin, size_t len, uint32_t shift) -> size_t {
    if (pos >= in.size() || !is_space(in[pos]) || in.substr(pos + 1, 5) != "union") return 0;
    size_t tries[2] = {0, 6};
    if (pos + 6 < in.size() && is_space(in[pos + 6]) && in.substr(pos + 7, 3) == "all") tries[0] = 10;
    for (size_t sep : tries) {
      size_t after = pos + sep;
      if (sep != 0 && after < in.size() && is_space(in[after]) && pieces.equal(begin, after + 1, len, shift)) return sep;
    }
    return 0;
  };
  out.clear();
  size_t i = 0;
  size_t line_end = 0;  // the end of i's line (. does not cross lines), found once per line
  while (i < in.size()) {
    if (in[i] == 's' && word_start(in, i) && in.substr(i, 6) == "select" && i + 6 < in.size() && is_space(in[i + 6])) {
      if (i >= line_end) line_end = std::min(in.find('\n', i), in.size());
      auto u = std::lower_bound(unions.begin(), unions.end(), i + 7);
      bool matched = false;
      for (size_t tried = 0; u != unions.end() && *u <= line_end && tried < kMaxGroup && !matched; ++u, ++tried) {
        size_t len = *u - i;
        size_t pos = *u, last_sep_begin = 0, last_sep_len = 0;
        uint32_t shift = 0;
        bool shift_known = false;
        auto repeat = [&]() -> size_t {
          // Only a separator makes a comparison worth its hash power.
          if (pos >= in.size() || !is_space(in[pos]) || in.substr(pos + 1, 5) != "union") return 0;
          if (!shift_known) shift = SubstringHashes::shift_for(len), shift_known = true;
          return repeat_at(pos, i, len, shift);
        };
        while (size_t sep = repeat()) {
          last_sep_begin = pos;
          last_sep_len = sep;
          pos += sep + 1 + len;
        }
        if (last_sep_len == 0) continue;
        out.append(in.substr(i, len));
        out.append(" /*repeat"sv);
        out.append(in.substr(last_sep_begin, last_sep_len));
        out.append("*/"sv);
        i = pos;
        matched = true;
      }
      if (matched) continue;
    }
    out.push_back(in[i++]);
  }
  return true;
}

// The first \blimit \?(?:, ?\?| offset \?)? -> limit ?
bool collapse_limit(std::string_view in, std::string& out) {
  for (size_t i = in.find("limit ?"); i != std::string_view::npos; i = in.find("limit ?", i + 1)) {
    if (!word_start(in, i)) continue;
    size_t end = i + 7;
    if (in.substr(end, 2) == ",?") end += 2;
    else if (in.substr(end, 3) == ", ?") end += 3;
    else if (in.substr(end, 9) == " offset ?") end += 9;
    out.assign(in.substr(0, i));
    out.append("limit ?"sv);
    out.append(in.substr(end));
    return true;
  }
  return false;
}

// After the first "order by ", s/\G(.+?)\s+ASC/$1/gi : every " asc" that follows, each
// match starting where the last one ended.
void drop_order_by_asc(std::string_view in, std::string& out) {
  size_t p = std::string_view::npos;
  for (size_t i = in.find("order by "); i != std::string_view::npos; i = in.find("order by ", i + 1)) {
    if (word_start(in, i)) {
      p = i + 9;
      break;
    }
  }
  out.assign(in);
  if (p == std::string_view::npos) return;
  out.assign(in.substr(0, p));
  while (p < in.size()) {
    size_t k = p + 1;
    size_t found = std::string_view::npos;
    size_t spaces_end = 0;
    for (; k < in.size(); ++k) {
      if (!is_space(in[k])) continue;
      size_t s = k;
      while (s < in.size() && is_space(in[s])) ++s;
      if (iequals_at(in, s, "asc")) {
        found = k;
        spaces_end = s;
        break;
      }
      k = s - 1;  // any start inside this run of blanks ends at the same place
    }
    if (found == std::string_view::npos) break;
    out.append(in.substr(p, found - p));
    p = spaces_end + 3;
  }
  out.append(in.substr(std::min(p, in.size())));
}

}  // namespace

std::string_view Fingerprinter::fingerprint(std::string_view q) {
  if (q.substr(0, 40) == "SELECT /*!40001 SQL_NO_CACHE */ * FROM `") return "mysqldump";
  if (has_toolkit_comment(q)) return "percona-toolkit";
  if (q.substr(0, 23) == "administrator command: ") {
    a_.assign(q);
    return a_;
  }
  if (call_prefix(q, a_)) return a_;
  if (size_t cut = first_tuple_end(q)) q = q.substr(0, cut);

  std::string* in = &a_;
  std::string* out = &b_;
  // A pass that returns false changed nothing and wrote nothing: the buffers stay.
  auto step = [&](auto&& fn) {
    if constexpr (std::is_void_v<decltype(fn(std::string_view(*in), *out))>) {
      fn(std::string_view(*in), *out);
      std::swap(in, out);
    } else if (fn(std::string_view(*in), *out)) {
      std::swap(in, out);
    }
  };
  strip_block_comments(q, *in);
  step(strip_line_comments);
  if (is_use_statement(*in)) return "use ?";
  step([](std::string_view s, std::string& o) { return drop_escaped_quote_after_char(s, o, '\''); });
  step([](std::string_view s, std::string& o) { return drop_escaped_quote_after_char(s, o, '"'); });
  step([](std::string_view s, std::string& o) { return drop_pairs(s, o, '\\'); });
  step([](std::string_view s, std::string& o) { return drop_pairs(s, o, '\''); });
  step([](std::string_view s, std::string& o) { return drop_pairs(s, o, '"'); });
  step([](std::string_view s, std::string& o) { return replace_strings(s, o, '"'); });
  step([](std::string_view s, std::string& o) { return replace_strings(s, o, '\''); });
  step(replace_booleans);
  step(replace_numbers);
  step(squeeze_and_lower);
  step(replace_nulls);
  step(collapse_lists);
  step(collapse_unions);
  step(collapse_limit);
  if (in->find("order by ") != std::string::npos) step(drop_order_by_asc);
  return *in;
}

std::string fingerprint(std::string_view query) {
  Fingerprinter f;
  return std::string(f.fingerprint(query));
}

void append_query_id(std::string& out, std::string_view fp) {
  // The MD5 algorithm is fetched once and a context kept per thread: OpenSSL 3 otherwise looks
  // the algorithm up, under a lock, for every digest.
  static EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx.get(), md5, nullptr);
  EVP_DigestUpdate(ctx.get(), fp.data(), fp.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
}

std::string query_id(std::string_view fp) {
  std::string out;
  append_query_id(out, fp);
  return out;
}

}  // namespace logship
