#include "clients/templates/event_template.h"

namespace logship {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

bool EventTemplate::parse(std::string_view text, EventTemplate& out, std::string& error) {
  out.parts_.clear();
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      out.parts_.push_back({Var::kNone, std::string(text.substr(i))});
      break;
    }
    if (open > i) out.parts_.push_back({Var::kNone, std::string(text.substr(i, open - i))});
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      error = "unclosed {{ in '" + std::string(text) + "'";
      return false;
    }
    std::string_view name = trim(text.substr(open + 2, close - open - 2));
    Part p;
    if (name == "event.dataset") p.variable = Var::kDataset;
    else if (name == "host.name") p.variable = Var::kHost;
    else if (name == "log.file.path") p.variable = Var::kPath;
    else if (name == "source") p.variable = Var::kSource;
    else {
      error = "unknown variable {{ " + std::string(name) + " }} (known: event.dataset, host.name, log.file.path, source)";
      return false;
    }
    out.parts_.push_back(p);
    i = close + 2;
  }
  return true;
}

void EventTemplate::render(const Origin& origin, std::string& out) const {
  out.clear();
  for (const Part& p : parts_) {
    switch (p.variable) {
      case Var::kNone: out += p.text; break;
      case Var::kDataset: out += origin.dataset; break;
      case Var::kHost: out += origin.host; break;
      case Var::kPath: out += origin.path; break;
      case Var::kSource: out += origin.source; break;
    }
  }
}

}  // namespace logship
