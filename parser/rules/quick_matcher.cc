#include "parser/rules/quick_matcher.h"

#include <algorithm>
#include <cstring>

#include "core/byte_words.h"

namespace logship {
namespace {

using ByteSet = std::array<bool, 256>;

// Captures the matcher handles; a rule with more stays on RE2.
constexpr int kMaxCaptures = 48;
// Join points (where the branches of an alternation or an optional group meet again) that
// remember where the rest of the pattern already failed, and how many positions each keeps.
constexpr int kMaxJoins = 8;
constexpr int kJoinMemo = 4;

// The parsed pattern, before it becomes a program.
struct Node {
  enum Kind { kLiteral, kClass, kConcat, kAlternate, kGroup } kind = kConcat;
  char ch = 0;                 // kLiteral
  ByteSet set{};               // kClass
  uint32_t min = 1, max = 1;   // kClass repeat
  bool greedy = true;          // kClass repeat and optional kGroup
  bool optional = false;       // kGroup written (…)?
  int capture = -1;            // kGroup: its number; -1 for (?:…)
  std::vector<Node> subs;
};

bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

void add_range(ByteSet& s, int lo, int hi) {
  for (int c = lo; c <= hi; ++c) s[static_cast<size_t>(c)] = true;
}

// Complement within ASCII: bytes >= 0x80 never reach the matcher.
void complement(ByteSet& s) {
  for (size_t c = 0; c < 128; ++c) s[c] = !s[c];
  for (size_t c = 128; c < 256; ++c) s[c] = false;
}

// RE2's Perl classes (ASCII only, as RE2 defines them): \d [0-9], \s [\t\n\f\r ], \w [0-9A-Za-z_].
bool perl_class(char letter, ByteSet& s) {
  ByteSet c{};
  switch (letter | 0x20) {
    case 'd': add_range(c, '0', '9'); break;
    case 's': for (char w : {'\t', '\n', '\f', '\r', ' '}) c[static_cast<size_t>(w)] = true; break;
    case 'w': add_range(c, '0', '9'); add_range(c, 'A', 'Z'); add_range(c, 'a', 'z'); c['_'] = true; break;
    default: return false;
  }
  if (letter >= 'A' && letter <= 'Z') complement(c);
  for (size_t i = 0; i < 256; ++i) s[i] = s[i] || c[i];
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
  return -1;
}

bool is_punctuation(char c) {
  return c > 0x20 && c < 0x7f && !is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && c != '_';
}

}  // namespace

// Reads the subset of RE2 syntax the matcher understands and turns it into a program.
// Anything else makes parse() fail, which leaves the rule on RE2.
class QuickPatternCompiler {
 public:
  using Inst = QuickMatcher::Inst;
  explicit QuickPatternCompiler(std::string_view body) : s_(body) {}

  bool parse(Node& root) { return alternation(root, 0) && i_ == s_.size(); }
  int captures() const { return captures_; }

  // How many times byte b appears in every match of n, at least.
  static uint32_t required(const Node& n, unsigned char b) {
    switch (n.kind) {
      case Node::kLiteral: return static_cast<unsigned char>(n.ch) == b;
      case Node::kClass: {
        for (size_t c = 0; c < 256; ++c)
          if (n.set[c] != (c == b)) return 0;
        return n.min;
      }
      case Node::kConcat: {
        uint32_t sum = 0;
        for (const Node& sub : n.subs) sum += required(sub, b);
        return sum;
      }
      case Node::kAlternate: {
        uint32_t least = UINT32_MAX;
        for (const Node& sub : n.subs) least = std::min(least, required(sub, b));
        return least;
      }
      case Node::kGroup: return n.optional ? 0 : required(n.subs[0], b);
    }
    return 0;
  }

  // Where paths meet, a failure of the rest at some position is worth remembering: the
  // access-log shape "(?:A B C|D)" reaches the same quote by either branch, and without the
  // memo a line that fails later is read once per branch.
  static void join(std::vector<Inst>& prog, int& joins) {
    if (joins == kMaxJoins) return;
    prog.push_back(Inst{.op = Inst::kJoin, .x = joins++});
  }

  static void emit(const Node& n, std::vector<Inst>& prog, int& joins) {
    switch (n.kind) {
      case Node::kLiteral: {
        Inst lit;
        lit.op = Inst::kLiteral;
        lit.literal.assign(1, n.ch);
        prog.push_back(std::move(lit));
        break;
      }
      case Node::kClass: {
        Inst c;
        c.op = Inst::kClass;
        c.in = n.set;
        c.min = n.min;
        c.max = n.max;
        c.greedy = n.greedy;
        int members = 0, missing = -1;
        for (int b = 0; b < 128; ++b) {
          if (n.set[static_cast<size_t>(b)]) ++members;
          else missing = b;
        }
        if (members == 127) c.stop = missing;
        prog.push_back(std::move(c));
        break;
      }
      case Node::kConcat:
        for (size_t i = 0; i < n.subs.size(); ++i) {
          if (n.subs[i].kind != Node::kLiteral) {
            emit(n.subs[i], prog, joins);
            continue;
          }
          Inst lit;  // a run of literal bytes is compared at once
          lit.op = Inst::kLiteral;
          for (; i < n.subs.size() && n.subs[i].kind == Node::kLiteral; ++i) lit.literal.push_back(n.subs[i].ch);
          --i;
          prog.push_back(std::move(lit));
        }
        break;
      case Node::kGroup: {
        size_t split = prog.size();
        if (n.optional) prog.push_back(Inst{.op = Inst::kSplit});
        if (n.capture >= 0) prog.push_back(Inst{.op = Inst::kSave, .x = 2 * n.capture});
        emit(n.subs[0], prog, joins);
        if (n.capture >= 0) prog.push_back(Inst{.op = Inst::kSave, .x = 2 * n.capture + 1});
        if (n.optional) {
          int body = static_cast<int>(split + 1), after = static_cast<int>(prog.size());
          prog[split].x = n.greedy ? body : after;
          prog[split].y = n.greedy ? after : body;
          join(prog, joins);
        }
        break;
      }
      case Node::kAlternate: {
        std::vector<size_t> jumps;
        for (size_t b = 0; b < n.subs.size(); ++b) {
          if (b + 1 == n.subs.size()) {
            emit(n.subs[b], prog, joins);
            break;
          }
          size_t split = prog.size();
          prog.push_back(Inst{.op = Inst::kSplit, .x = static_cast<int>(split + 1)});
          emit(n.subs[b], prog, joins);
          jumps.push_back(prog.size());
          prog.push_back(Inst{.op = Inst::kJump});
          prog[split].y = static_cast<int>(prog.size());
        }
        for (size_t j : jumps) prog[j].x = static_cast<int>(prog.size());
        join(prog, joins);
        break;
      }
    }
  }

  // The bytes a match starting at pc can begin with; `end` when it can reach $ consuming nothing.
  static void first_bytes(const std::vector<Inst>& prog, size_t pc, ByteSet& out, bool& end, std::vector<bool>& seen) {
    if (seen[pc]) return;
    seen[pc] = true;
    const Inst& in = prog[pc];
    switch (in.op) {
      case Inst::kLiteral: out[static_cast<unsigned char>(in.literal[0])] = true; break;
      case Inst::kClass:
        for (size_t b = 0; b < 256; ++b) out[b] = out[b] || in.in[b];
        if (in.min == 0) first_bytes(prog, pc + 1, out, end, seen);
        break;
      case Inst::kSplit:
        first_bytes(prog, static_cast<size_t>(in.x), out, end, seen);
        first_bytes(prog, static_cast<size_t>(in.y), out, end, seen);
        break;
      case Inst::kJump: first_bytes(prog, static_cast<size_t>(in.x), out, end, seen); break;
      case Inst::kSave:
      case Inst::kJoin: first_bytes(prog, pc + 1, out, end, seen); break;
      case Inst::kEnd: end = true; break;
    }
  }

  // A greedy class repeat needs no backtracking when what follows cannot start inside the
  // class: a shorter run would leave a class byte where the rest must start (or before $).
  static void mark_possessive(std::vector<Inst>& prog) {
    for (size_t pc = 0; pc < prog.size(); ++pc) {
      Inst& in = prog[pc];
      if (in.op != Inst::kClass) continue;
      ByteSet next{};
      bool end = false;
      std::vector<bool> seen(prog.size());
      first_bytes(prog, pc + 1, next, end, seen);
      bool overlap = false;
      for (size_t b = 0; b < 256; ++b) overlap = overlap || (next[b] && in.in[b]);
      in.possessive = !overlap && in.greedy;
      in.follow = next;
      in.follow_end = end;
    }
  }

 private:
  bool more() const { return i_ < s_.size(); }
  bool next_is(std::string_view text) const { return s_.substr(i_, text.size()) == text; }

  bool alternation(Node& out, int depth) {
    Node first;
    if (!concat(first, depth)) return false;
    if (!more() || s_[i_] != '|') {
      out = std::move(first);
      return true;
    }
    out.kind = Node::kAlternate;
    out.subs.push_back(std::move(first));
    while (more() && s_[i_] == '|') {
      ++i_;
      Node branch;
      if (!concat(branch, depth)) return false;
      out.subs.push_back(std::move(branch));
    }
    return true;
  }

  bool concat(Node& out, int depth) {
    out.kind = Node::kConcat;
    while (more() && s_[i_] != '|' && s_[i_] != ')') {
      Node a;
      if (!atom(a, depth) || !quantifier(a)) return false;
      out.subs.push_back(std::move(a));
    }
    return true;
  }

  bool atom(Node& out, int depth) {
    if (depth > 16) return false;
    char c = s_[i_];
    if (c == '(') {
      ++i_;
      out.kind = Node::kGroup;
      if (next_is("?:")) {
        i_ += 2;
      } else if (next_is("?P<")) {
        size_t close = s_.find('>', i_);
        if (close == std::string_view::npos) return false;
        i_ = close + 1;
        out.capture = ++captures_;
      } else if (next_is("?")) {
        return false;  // flags and other extensions
      } else {
        out.capture = ++captures_;
      }
      Node body;
      if (!alternation(body, depth + 1) || !more() || s_[i_] != ')') return false;
      ++i_;
      out.subs.push_back(std::move(body));
      return true;
    }
    ++i_;
    switch (c) {
      case '[': out.kind = Node::kClass; return class_body(out.set);
      case '\\': return escape(out);
      case '.':
        out.kind = Node::kClass;
        add_range(out.set, 0, 127);
        out.set['\n'] = false;
        return true;
      case '^': case '$': case '*': case '+': case '?': case '{': return false;
      default:
        out.kind = Node::kLiteral;
        out.ch = c;
        return is_ascii(c);
    }
  }

  // A repetition count. RE2 refuses leading zeros ("{04}" is literal text to it), so do we.
  bool number(uint32_t& n) {
    size_t start = i_;
    if (i_ + 1 < s_.size() && s_[i_] == '0' && is_digit(s_[i_ + 1])) return false;
    n = 0;
    while (more() && is_digit(s_[i_]) && i_ - start < 5) n = n * 10 + static_cast<uint32_t>(s_[i_++] - '0');
    return i_ > start;
  }

  bool quantifier(Node& a) {
    if (!more()) return true;
    uint32_t min, max;
    switch (s_[i_]) {
      case '*': min = 0, max = QuickMatcher::kUnbounded; ++i_; break;
      case '+': min = 1, max = QuickMatcher::kUnbounded; ++i_; break;
      case '?': min = 0, max = 1; ++i_; break;
      case '{':
        ++i_;
        if (!number(min)) return false;  // RE2 reads a malformed {…} as literal text: leave it to RE2
        max = min;
        if (more() && s_[i_] == ',') {
          ++i_;
          if (!number(max)) max = QuickMatcher::kUnbounded;
        }
        if (!more() || s_[i_] != '}' || max < min) return false;
        ++i_;
        break;
      default: return true;
    }
    bool greedy = true;
    if (more() && s_[i_] == '?') {
      greedy = false;
      ++i_;
    }
    if (more() && (s_[i_] == '*' || s_[i_] == '+' || s_[i_] == '?' || s_[i_] == '{')) return false;
    if (a.kind == Node::kLiteral) {
      a.kind = Node::kClass;
      a.set[static_cast<unsigned char>(a.ch)] = true;
    }
    if (a.kind == Node::kClass) {
      a.min = min;
      a.max = max;
      a.greedy = greedy;
      return true;
    }
    if (a.kind == Node::kGroup && min == 0 && max == 1) {
      a.optional = true;
      a.greedy = greedy;
      return true;
    }
    return false;  // repeated groups stay with RE2
  }

  // One escaped byte (\t, \x41, \.), or -1 after adding a Perl class (\d, \S, …) to `set`.
  bool escaped(ByteSet& set, int& byte) {
    if (!more()) return false;
    char c = s_[i_++];
    byte = -1;
    switch (c) {
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W': return perl_class(c, set);
      case 't': byte = '\t'; return true;
      case 'n': byte = '\n'; return true;
      case 'r': byte = '\r'; return true;
      case 'f': byte = '\f'; return true;
      case 'v': byte = '\v'; return true;
      case 'a': byte = '\a'; return true;
      case 'x': {
        int value = 0;
        if (more() && s_[i_] == '{') {
          size_t close = s_.find('}', i_);
          if (close == std::string_view::npos || close == i_ + 1 || close - i_ > 3) return false;
          for (size_t k = i_ + 1; k < close; ++k) {
            int h = hex_value(s_[k]);
            if (h < 0) return false;
            value = value * 16 + h;
          }
          i_ = close + 1;
        } else {
          if (i_ + 2 > s_.size() || hex_value(s_[i_]) < 0 || hex_value(s_[i_ + 1]) < 0) return false;
          value = hex_value(s_[i_]) * 16 + hex_value(s_[i_ + 1]);
          i_ += 2;
        }
        byte = value;
        return value < 0x80;
      }
      default:
        byte = c;
        return is_punctuation(c);
    }
  }

  bool escape(Node& out) {
    int byte;
    ByteSet set{};
    if (!escaped(set, byte)) return false;
    if (byte < 0) {
      out.kind = Node::kClass;
      out.set = set;
    } else {
      out.kind = Node::kLiteral;
      out.ch = static_cast<char>(byte);
    }
    return true;
  }

  bool class_member(ByteSet& set, int& byte) {
    char c = s_[i_];
    if (c == '\\') {
      ++i_;
      return escaped(set, byte);
    }
    if (c == '[' && next_is("[:")) return false;  // [[:alpha:]]
    ++i_;
    byte = static_cast<unsigned char>(c);
    return is_ascii(c);
  }

  bool class_body(ByteSet& set) {
    bool negate = more() && s_[i_] == '^';
    if (negate) ++i_;
    if (more() && s_[i_] == ']') return false;  // []…] and [^]…]
    for (;;) {
      if (!more()) return false;
      if (s_[i_] == ']') {
        ++i_;
        break;
      }
      int lo;
      if (!class_member(set, lo)) return false;
      if (lo < 0) continue;  // a Perl class, already added
      if (i_ + 1 < s_.size() && s_[i_] == '-' && s_[i_ + 1] != ']') {
        ++i_;
        int hi;
        ByteSet unused{};
        if (!class_member(unused, hi) || hi < lo) return false;
        add_range(set, lo, hi);
      } else {
        set[static_cast<size_t>(lo)] = true;
      }
    }
    if (negate) complement(set);
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  int captures_ = 0;
};

struct QuickMatcher::Run {
  Run(const char* e, const char** s, long b) : end(e), slots(s), budget(b) {}
  const char* end;
  const char** slots;
  long budget;
  uint8_t failed_count[kMaxJoins] = {};
  const char* failed_at[kMaxJoins][kJoinMemo];  // only the first failed_count are read
};

std::unique_ptr<QuickMatcher> QuickMatcher::compile(std::string_view pattern, int captures) {
  if (pattern.size() < 2 || pattern.front() != '^' || pattern.back() != '$') return nullptr;
  Node root;
  QuickPatternCompiler compiler(pattern.substr(1, pattern.size() - 2));
  // ^a|b$ means (^a)|(b$): not the same as ^(a|b)$, so a top-level | stays with RE2.
  if (!compiler.parse(root) || root.kind == Node::kAlternate) return nullptr;
  if (compiler.captures() != captures || captures > kMaxCaptures) return nullptr;
  auto m = std::unique_ptr<QuickMatcher>(new QuickMatcher);
  QuickPatternCompiler::emit(root, m->program_, m->joins_);
  m->program_.push_back(Inst{.op = Inst::kEnd});
  QuickPatternCompiler::mark_possessive(m->program_);
  // Among the bytes every match needs, prefer delimiters (quotes, brackets) to spaces,
  // letters and digits: free text (a user agent, a message) is full of the latter, so a line
  // that fails on a delimiter count is one the rule could never match.
  for (int pass = 0; pass < 2 && m->required_count_ == 0; ++pass) {
    for (int b = 1; b < 128; ++b) {
      if (pass == 0 && !is_punctuation(static_cast<char>(b))) continue;
      uint32_t count = QuickPatternCompiler::required(root, static_cast<unsigned char>(b));
      if (count > m->required_count_) {
        m->required_count_ = count;
        m->required_byte_ = static_cast<char>(b);
      }
    }
  }
  m->captures_ = captures;
  return m;
}

bool QuickMatcher::run(int pc, const char* p, Run& r) const {
  for (;;) {
    if (--r.budget < 0) return false;
    const Inst& in = program_[static_cast<size_t>(pc)];
    switch (in.op) {
      case Inst::kLiteral:
        if (static_cast<size_t>(r.end - p) < in.literal.size() || *p != in.literal[0] ||
            (in.literal.size() > 1 && std::memcmp(p + 1, in.literal.data() + 1, in.literal.size() - 1) != 0))
          return false;
        p += in.literal.size();
        ++pc;
        break;
      case Inst::kClass: {
        const char* limit = in.max == kUnbounded || static_cast<size_t>(r.end - p) <= in.max ? r.end : p + in.max;
        const char* q = p;
        if (in.stop >= 0) {
          q = static_cast<const char*>(std::memchr(p, in.stop, static_cast<size_t>(limit - p)));
          if (q == nullptr) q = limit;
        } else {
          while (q < limit && in.in[static_cast<unsigned char>(*q)]) ++q;
        }
        if (static_cast<size_t>(q - p) < in.min) return false;
        if (in.possessive) {
          p = q;
          ++pc;
          break;
        }
        const char* shortest = p + in.min;
        auto worth_trying = [&](const char* k) { return k == r.end ? in.follow_end : in.follow[static_cast<unsigned char>(*k)]; };
        if (in.greedy) {
          for (const char* k = q;; --k) {
            if (worth_trying(k) && run(pc + 1, k, r)) return true;
            if (--r.budget < 0 || k == shortest) return false;
          }
        }
        for (const char* k = shortest;; ++k) {
          if (worth_trying(k) && run(pc + 1, k, r)) return true;
          if (--r.budget < 0 || k == q) return false;
        }
      }
      case Inst::kSplit:
        if (run(in.x, p, r)) return true;
        if (r.budget < 0) return false;
        pc = in.y;
        break;
      case Inst::kJump: pc = in.x; break;
      case Inst::kSave: {
        const char* old = r.slots[in.x];
        r.slots[in.x] = p;
        if (run(pc + 1, p, r)) return true;
        r.slots[in.x] = old;
        return false;
      }
      case Inst::kJoin: {
        // Whether the rest matches from here depends on the position only, not on the path.
        uint8_t& count = r.failed_count[in.x];
        for (uint8_t k = 0; k < count; ++k)
          if (r.failed_at[in.x][k] == p) return false;
        if (run(pc + 1, p, r)) return true;
        if (count < kJoinMemo) r.failed_at[in.x][count++] = p;
        return false;
      }
      case Inst::kEnd: return p == r.end;
    }
  }
}

QuickMatcher::Outcome QuickMatcher::match(std::string_view line, re2::StringPiece* groups, int ngroups) const {
  // One pass over the line, 8 bytes at a time: is there a byte >= 0x80 (RE2 reads those as
  // UTF-8; the matcher only knows bytes), and how many times does the required byte appear?
  const char* s = line.data();
  size_t n = line.size(), i = 0;
  uint64_t high = 0;
  uint32_t seen = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = byte_words::load(s + i);
    high |= w;
    seen += byte_words::count(byte_words::bytes_equal(w, static_cast<unsigned char>(required_byte_)));
  }
  for (; i < n; ++i) {
    high |= static_cast<unsigned char>(s[i]);
    seen += s[i] == required_byte_;
  }
  if (high & byte_words::kHighBits) return Outcome::kUnsure;
  if (seen < required_count_) return Outcome::kNoMatch;

  const char* slots[2 * (kMaxCaptures + 1)] = {};
  // Access-log rules need a few steps per field plus some per byte on the lines they reject;
  // a line needing much more is one of the rare backtracking-heavy ones RE2 handles in linear time.
  Run r(s + n, slots, 256 + 4 * static_cast<long>(n));
  bool ok = run(0, s, r);
  if (r.budget < 0) return Outcome::kUnsure;
  if (!ok) return Outcome::kNoMatch;
  if (ngroups > 0) groups[0] = re2::StringPiece(s, n);
  for (int g = 1; g < ngroups && g <= captures_; ++g) {
    const char* b = slots[2 * g];
    const char* e = slots[2 * g + 1];
    groups[g] = b != nullptr && e != nullptr ? re2::StringPiece(b, static_cast<size_t>(e - b)) : re2::StringPiece();
  }
  return Outcome::kMatch;
}

}  // namespace logship
