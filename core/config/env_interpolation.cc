#include "core/config/env_interpolation.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <vector>

namespace logship {
namespace {

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return !(name[0] >= '0' && name[0] <= '9');
}

struct Ref {
  size_t begin = 0;  // [begin, end): "${...}" in the text, or the "${" of one left open
  size_t end = 0;
  int line = 0;
  int column = 0;
  bool closed = true;  // false: no '}' on its line
  std::string name;
  std::string value;  // empty when the reference could not be resolved (an error says why)
};

// Why a value cannot be substituted anywhere, or "" when it can.
std::string unsafe_value(const std::string& v) {
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\n' || c == '\r') return "holds a line break";
    if ((c < 0x20 && c != '\t') || c == 0x7f) return "holds a control character";
  }
  return "";
}

// Pass 1: finds the references and masks each by as many 'x' in `masked`. Nothing is looked up
// or reported yet: a reference in a comment is left alone, and only the parse tells where the
// comments are.
std::vector<Ref> find_refs(std::string_view text, std::string& masked) {
  std::vector<Ref> refs;
  masked.assign(text);
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      i += 2;
      column += 2;
      continue;
    }
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      // A reference ends on its line: a default cannot hold a line break either.
      size_t close = text.find_first_of("}\n", i + 2);
      Ref r;
      r.begin = i;
      r.closed = close != std::string_view::npos && text[close] == '}';
      r.end = r.closed ? close + 1 : i + 2;
      r.line = line;
      r.column = column;
      std::fill(masked.begin() + static_cast<std::ptrdiff_t>(r.begin), masked.begin() + static_cast<std::ptrdiff_t>(r.end), 'x');
      column += static_cast<int>(r.end - i);
      i = r.end;
      refs.push_back(std::move(r));
      continue;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    ++i;
  }
  return refs;
}

// Looks `r` up, or reports why it cannot be used: written wrong, unset without a default, or
// a value no pipeline value can hold.
void resolve(Ref& r, std::string_view text, ConfigErrors& errors, const EnvLookup& get) {
  if (!r.closed) {
    errors.add_at(r.line, r.column, "", "unterminated ${ in environment variable reference");
    return;
  }
  std::string_view body = text.substr(r.begin + 2, r.end - r.begin - 3);
  std::optional<std::string_view> fallback;
  std::string_view name = body;
  if (size_t dash = body.find(":-"); dash != std::string_view::npos) {
    name = body.substr(0, dash);
    fallback = body.substr(dash + 2);
  }
  r.name = std::string(name);
  if (!valid_name(name)) {
    errors.add_at(r.line, r.column, "", "invalid environment variable reference ${" + std::string(body) + "}");
  } else if (auto v = get(r.name); v && !(v->empty() && fallback)) {
    r.value = std::move(*v);
  } else if (fallback) {
    r.value = std::string(*fallback);
  } else {
    errors.add_at(r.line, r.column, "", "environment variable " + r.name + " is not set (use ${" + r.name + ":-default} to give a default)");
  }
  if (std::string why = unsafe_value(r.value); !why.empty()) {
    errors.add_at(r.line, r.column, "", "environment variable " + r.name + " " + why + ", which a pipeline value cannot hold");
    r.value.clear();
  }
}

// Where yaml-cpp saw each node begin, from the masked text.
class NodeStarts : public YAML::EventHandler {
 public:
  explicit NodeStarts(size_t base) : base_(base) {}
  struct Scalar {
    size_t pos;
    std::string value;
  };
  std::vector<Scalar> scalars;
  std::vector<size_t> nodes;  // every node with a position: the end of a block scalar's reach

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { nodes.push_back(pos(m)); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { nodes.push_back(pos(m)); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string& value) override {
    nodes.push_back(pos(m));
    scalars.push_back({pos(m), value});
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    nodes.push_back(pos(m));
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    nodes.push_back(pos(m));
  }
  void OnMapEnd() override {}

 private:
  size_t pos(const YAML::Mark& m) const { return base_ + (m.pos < 0 ? 0 : static_cast<size_t>(m.pos)); }
  size_t base_;  // yaml-cpp counts from after a byte order mark
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

enum class Style { kPlain, kPlainMultiline, kDoubleQuoted, kSingleQuoted, kBlock };

struct Span {
  size_t begin = 0;  // the scalar's first character (after its tag and anchor)
  size_t end = 0;    // one past its last; for block scalars, up to the next node
  Style style = Style::kPlain;
};

// Where a block scalar whose indicator (`|`, `>-`…) is at `header` ends: before the first line
// that holds more than blanks and is less indented than its content (a comment there is no part
// of it), at most at `next_node`. With an explicit indentation (`|2`), at `next_node`.
size_t block_end(std::string_view text, size_t header, size_t next_node) {
  size_t eol = text.find('\n', header);
  if (eol == std::string_view::npos || eol >= next_node) return next_node;
  for (size_t p = header + 1; p < eol && !is_blank(text[p]); ++p) {
    if (text[p] >= '1' && text[p] <= '9') return next_node;
  }
  size_t line_start = text.rfind('\n', header);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  size_t indent = text.find_first_not_of(' ', line_start) - line_start;  // of the line holding the indicator
  bool content = false;
  for (size_t line = eol + 1; line < next_node;) {
    size_t end = std::min(text.find('\n', line), text.size());
    size_t first = text.find_first_not_of(" \t\r", line);
    size_t spaces = text.find_first_not_of(' ', line) - line;
    if (first < end) {  // not a blank line
      if (spaces <= indent) return line;
      if (!content) indent = spaces - 1;  // the content's indentation, less one
      content = true;
    }
    line = end + 1;
  }
  return next_node;
}

// Where a plain scalar over several lines ends: at a comment (a '#' after a blank or a line
// break cannot be in one), at most at `next_node`.
size_t plain_end(std::string_view text, size_t begin, size_t next_node) {
  for (size_t p = begin + 1; p < next_node && p < text.size(); ++p) {
    if (text[p] == '#' && is_blank(text[p - 1])) return p;
  }
  return next_node;
}

// The source extent and style of a scalar that yaml-cpp saw start at `s.pos`.
Span span_of(std::string_view text, const NodeStarts::Scalar& s, size_t next_node) {
  Span sp;
  size_t p = s.pos;
  while (p < text.size() && (text[p] == '&' || text[p] == '!')) {  // properties: `&anchor`, `!tag`
    while (p < text.size() && !is_blank(text[p])) ++p;
    while (p < text.size() && is_blank(text[p])) ++p;
  }
  sp.begin = p;
  char c = p < text.size() ? text[p] : '\0';
  if (c == '"' || c == '\'') {
    sp.style = c == '"' ? Style::kDoubleQuoted : Style::kSingleQuoted;
    size_t q = p + 1;
    while (q < text.size()) {
      if (c == '"' && text[q] == '\\') {
        q += 2;
      } else if (text[q] == c) {
        if (c == '\'' && q + 1 < text.size() && text[q + 1] == '\'') {
          q += 2;  // '' is a quote inside a single-quoted scalar
        } else {
          break;
        }
      } else {
        ++q;
      }
    }
    sp.end = std::min(q + 1, text.size());
  } else if (c == '|' || c == '>') {
    sp.style = Style::kBlock;
    sp.end = block_end(text, p, next_node);
  } else if (text.compare(p, s.value.size(), s.value) == 0) {
    sp.style = Style::kPlain;  // one line: the value is its source text
    sp.end = p + s.value.size();
  } else {
    sp.style = Style::kPlainMultiline;
    sp.end = plain_end(text, p, next_node);
  }
  return sp;
}

// The text of [begin, end) with its references replaced by their values and `$$` by `$`.
std::string expand(std::string_view text, size_t begin, size_t end, const std::vector<Ref>& refs, size_t first_ref) {
  std::string out;
  size_t r = first_ref;
  for (size_t i = begin; i < end;) {
    if (r < refs.size() && refs[r].begin == i) {
      out += refs[r].value;
      i = refs[r].end;
      ++r;
    } else if (text[i] == '$' && i + 1 < end && text[i + 1] == '$') {
      out += '$';
      i += 2;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string double_quoted_body(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string single_quoted_body(std::string_view v) {
  std::string out;
  for (char c : v) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out;
}

// Whether a comment opens before `pos` on its line: a '#' after a blank (or opening the line)
// between `from` (the end of the last scalar before `pos`, or its line's start) and `pos`.
bool comment_opens_between(std::string_view text, size_t from, size_t pos) {
  size_t line_start = pos == 0 ? 0 : text.rfind('\n', pos - 1);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  for (size_t p = std::max(from, line_start); p < pos; ++p) {
    if (text[p] == '#' && (p == line_start || text[p - 1] == ' ' || text[p - 1] == '\t')) return true;
  }
  return false;
}

bool only_blanks_before_on_line(std::string_view text, size_t pos) {
  while (pos > 0 && text[pos - 1] != '\n') {
    if (text[pos - 1] != ' ' && text[pos - 1] != '\t') return false;
    --pos;
  }
  return true;
}

struct Edit {
  size_t begin;
  size_t end;
  std::string with;
};

// Where yaml-cpp put a reference: inside the scalar `span`, or outside every scalar, in the
// text that follows the last one before it (from `after`).
struct Place {
  bool inside = false;
  Span span;
  size_t after = 0;
};

Place place_of(std::string_view masked, size_t pos, const NodeStarts& starts) {
  const auto& scalars = starts.scalars;
  auto it = std::upper_bound(scalars.begin(), scalars.end(), pos, [](size_t p, const NodeStarts::Scalar& s) { return p < s.pos; });
  Place place;
  if (it == scalars.begin()) return place;
  auto next = std::upper_bound(starts.nodes.begin(), starts.nodes.end(), std::prev(it)->pos);
  place.span = span_of(masked, *std::prev(it), next == starts.nodes.end() ? masked.size() : *next);
  place.inside = pos >= place.span.begin && pos < place.span.end;
  place.after = place.span.end;
  return place;
}

// Whether the reference at `pos` stands in a comment: not inside a scalar (where a '#' is
// text: `"a # b"`, `a#b`, a block scalar's lines), after a '#' that opens its line or follows
// a blank.
bool in_comment(std::string_view masked, size_t pos, const NodeStarts& starts) {
  Place place = place_of(masked, pos, starts);
  return !place.inside && comment_opens_between(masked, place.after, pos);
}

// Pass 2: what each reference becomes, given where yaml-cpp put it. None is in a comment.
// `masked` (the text yaml-cpp parsed) gives the scalars' extents; `text` their expansion.
std::vector<Edit> plan_edits(std::string_view text, std::string_view masked, const std::vector<Ref>& refs, const NodeStarts& starts,
                             ConfigErrors& errors) {
  std::vector<Edit> edits;
  auto refuse = [&](const Ref& r, const std::string& why) {
    errors.add_at(r.line, r.column, "", "${" + r.name + "} " + why);
    edits.push_back({r.begin, r.end, std::string(r.end - r.begin, 'x')});  // keeps the rest parseable
  };
  for (size_t i = 0; i < refs.size();) {
    const Ref& r = refs[i];
    Place place = place_of(masked, r.begin, starts);
    if (!place.inside) {
      refuse(r, "stands outside any value (in a tag, an anchor or between indicators); write it inside a value");
      ++i;
      continue;
    }
    const Span& sp = place.span;
    size_t last = i;
    while (last < refs.size() && refs[last].begin < sp.end) ++last;
    switch (sp.style) {
      case Style::kPlain:
        edits.push_back({sp.begin, sp.end, "\"" + double_quoted_body(expand(text, sp.begin, sp.end, refs, i)) + "\""});
        break;
      case Style::kPlainMultiline:
        for (size_t k = i; k < last; ++k) refuse(refs[k], "stands in an unquoted value that runs over several lines; put that value in quotes");
        break;
      case Style::kDoubleQuoted:
        for (size_t k = i; k < last; ++k) edits.push_back({refs[k].begin, refs[k].end, double_quoted_body(refs[k].value)});
        break;
      case Style::kSingleQuoted:
        for (size_t k = i; k < last; ++k) edits.push_back({refs[k].begin, refs[k].end, single_quoted_body(refs[k].value)});
        break;
      case Style::kBlock:
        for (size_t k = i; k < last; ++k) {
          const Ref& b = refs[k];
          if (!b.value.empty() && (b.value[0] == ' ' || b.value[0] == '\t') && only_blanks_before_on_line(masked, b.begin)) {
            refuse(b, "starts with a blank where it would change the indentation of a block scalar");
          } else {
            edits.push_back({b.begin, b.end, b.value});
          }
        }
        break;
    }
    i = last;
  }
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  return edits;
}

// Where each node of every document of `masked` begins (a second document is load_yaml's to
// refuse; its references are still read in their context), or nullopt when it is not YAML.
std::optional<NodeStarts> parse_node_starts(const std::string& masked) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  size_t base = masked.compare(0, kBom.size(), kBom) == 0 ? kBom.size() : 0;
  NodeStarts starts(base);
  try {
    std::istringstream in(masked.substr(base));
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(starts)) {
    }
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
  auto by_pos = [](const NodeStarts::Scalar& a, const NodeStarts::Scalar& b) { return a.pos < b.pos; };
  if (!std::is_sorted(starts.scalars.begin(), starts.scalars.end(), by_pos)) std::sort(starts.scalars.begin(), starts.scalars.end(), by_pos);
  std::sort(starts.nodes.begin(), starts.nodes.end());
  return starts;
}

// `text` with the edits made and every other `$$` written `$`.
std::string apply_edits(std::string_view text, const std::vector<Edit>& edits) {
  std::string out;
  out.reserve(text.size());
  size_t e = 0;
  for (size_t i = 0; i < text.size();) {
    if (e < edits.size() && edits[e].begin == i) {
      out += edits[e].with;
      i = edits[e].end;
      ++e;
    } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      i += 2;
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace

std::string interpolate_env(std::string_view text, ConfigErrors& errors, const EnvLookup& lookup) {
  const EnvLookup& get = lookup ? lookup : EnvLookup(process_env);
  std::string masked;
  std::vector<Ref> refs = find_refs(text, masked);
  if (refs.empty()) return apply_edits(text, {});
  std::optional<NodeStarts> starts = parse_node_starts(masked);
  // A reference in a comment is no part of the pipeline: it is neither looked up nor checked
  // (a commented-out `password: ${OLD_SECRET}` stays unread). Without a parse (the caller's
  // parser reports why at the same place), a '#' after a blank on the line is taken for one.
  auto commented = [&](const Ref& r) { return starts ? in_comment(masked, r.begin, *starts) : comment_opens_between(masked, 0, r.begin); };
  refs.erase(std::remove_if(refs.begin(), refs.end(), commented), refs.end());
  for (Ref& r : refs) resolve(r, text, errors, get);
  if (!starts) return masked;
  refs.erase(std::remove_if(refs.begin(), refs.end(), [](const Ref& r) { return !r.closed; }), refs.end());  // reported, kept as written
  return apply_edits(text, plan_edits(text, masked, refs, *starts, errors));
}

}  // namespace logship
