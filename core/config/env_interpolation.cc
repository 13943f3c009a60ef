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
  size_t begin = 0;  // [begin, end): "${...}" in the text
  size_t end = 0;
  int line = 0;
  int column = 0;
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

// Pass 1: finds the references, resolves them, and masks each by as many 'x' in `masked`.
std::vector<Ref> find_refs(std::string_view text, std::string& masked, ConfigErrors& errors, const EnvLookup& get) {
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
      if (close == std::string_view::npos || text[close] != '}') {
        errors.add_at(line, column, "", "unterminated ${ in environment variable reference");
        masked[i] = masked[i + 1] = 'x';
        i += 2;
        column += 2;
        continue;
      }
      Ref r;
      r.begin = i;
      r.end = close + 1;
      r.line = line;
      r.column = column;
      std::string_view body = text.substr(i + 2, close - i - 2);
      std::optional<std::string_view> fallback;
      std::string_view name = body;
      if (size_t dash = body.find(":-"); dash != std::string_view::npos) {
        name = body.substr(0, dash);
        fallback = body.substr(dash + 2);
      }
      r.name = std::string(name);
      if (!valid_name(name)) {
        errors.add_at(line, column, "", "invalid environment variable reference ${" + std::string(body) + "}");
      } else if (auto v = get(r.name); v && !(v->empty() && fallback)) {
        r.value = std::move(*v);
      } else if (fallback) {
        r.value = std::string(*fallback);
      } else {
        errors.add_at(line, column, "",
                      "environment variable " + r.name + " is not set (use ${" + r.name + ":-default} to give a default)");
      }
      if (std::string why = unsafe_value(r.value); !why.empty()) {
        errors.add_at(line, column, "", "environment variable " + r.name + " " + why + ", which a pipeline value cannot hold");
        r.value.clear();
      }
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
    sp.end = next_node;
  } else if (text.compare(p, s.value.size(), s.value) == 0) {
    sp.style = Style::kPlain;  // one line: the value is its source text
    sp.end = p + s.value.size();
  } else {
    sp.style = Style::kPlainMultiline;
    sp.end = next_node;
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

// Whether `pos` is in a comment: a '#' after a blank (or opening the line) between `from` (the
// end of the last scalar before it, or its line's start) and `pos`.
bool in_comment(std::string_view text, size_t from, size_t pos) {
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

// Pass 2: what each reference becomes, given where yaml-cpp put it.
// `masked` (the text yaml-cpp parsed) gives the scalars' extents; `text` their expansion.
std::vector<Edit> plan_edits(std::string_view text, std::string_view masked, const std::vector<Ref>& refs, const NodeStarts& starts,
                             ConfigErrors& errors) {
  std::vector<Edit> edits;
  const auto& scalars = starts.scalars;
  auto next_node_after = [&](size_t pos) {
    auto it = std::upper_bound(starts.nodes.begin(), starts.nodes.end(), pos);
    return it == starts.nodes.end() ? text.size() : *it;
  };
  auto refuse = [&](const Ref& r, const std::string& why) {
    errors.add_at(r.line, r.column, "", "${" + r.name + "} " + why);
    edits.push_back({r.begin, r.end, std::string(r.end - r.begin, 'x')});  // keeps the rest parseable
  };
  for (size_t i = 0; i < refs.size();) {
    const Ref& r = refs[i];
    auto it = std::upper_bound(scalars.begin(), scalars.end(), r.begin,
                               [](size_t pos, const NodeStarts::Scalar& s) { return pos < s.pos; });
    Span sp;
    bool inside = false;
    size_t scanned_to = 0;  // where the text after the last scalar before `r` begins
    if (it != scalars.begin()) {
      sp = span_of(masked, *std::prev(it), next_node_after(std::prev(it)->pos));
      inside = r.begin >= sp.begin && r.begin < sp.end;
      scanned_to = sp.end;
    }
    if (!inside) {
      if (in_comment(masked, scanned_to, r.begin)) {
        edits.push_back({r.begin, r.end, r.value});
      } else {
        refuse(r, "stands outside any value (in a tag, an anchor or between indicators); write it inside a value");
      }
      ++i;
      continue;
    }
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

}  // namespace

std::string interpolate_env(std::string_view text, ConfigErrors& errors, const EnvLookup& lookup) {
  const EnvLookup& get = lookup ? lookup : EnvLookup(process_env);
  std::string masked;
  std::vector<Ref> refs = find_refs(text, masked, errors, get);
  std::vector<Edit> edits;
  if (!refs.empty()) {
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    size_t base = masked.compare(0, kBom.size(), kBom) == 0 ? kBom.size() : 0;
    NodeStarts starts(base);
    try {
      std::istringstream in(masked.substr(base));
      YAML::Parser parser(in);
      parser.HandleNextDocument(starts);
    } catch (const YAML::Exception&) {
      return masked;  // the caller's parser reports it, at the same place
    }
    auto by_pos = [](const NodeStarts::Scalar& a, const NodeStarts::Scalar& b) { return a.pos < b.pos; };
    if (!std::is_sorted(starts.scalars.begin(), starts.scalars.end(), by_pos)) std::sort(starts.scalars.begin(), starts.scalars.end(), by_pos);
    std::sort(starts.nodes.begin(), starts.nodes.end());
    edits = plan_edits(text, masked, refs, starts, errors);
  }
  // Everything but the edits is copied, `$$` becoming `$`.
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

}  // namespace logship
