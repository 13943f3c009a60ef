#include "parser/rules/rule_tests.h"

#include <simdjson.h>

#include <map>

namespace logship {
namespace {

void flatten(simdjson::dom::element el, const std::string& path, std::map<std::string, std::string>& out) {
  switch (el.type()) {
    case simdjson::dom::element_type::OBJECT:
      for (auto field : el.get_object()) flatten(field.value, path.empty() ? std::string(field.key) : path + "." + std::string(field.key), out);
      break;
    case simdjson::dom::element_type::ARRAY: {
      size_t i = 0;
      for (auto item : el.get_array()) flatten(item, path + "[" + std::to_string(i++) + "]", out);
      break;
    }
    case simdjson::dom::element_type::STRING:
      out[path] = std::string(std::string_view(el));
      break;
    default:
      out[path] = simdjson::minify(el);
  }
}

}  // namespace

RuleTestReport run_rule_tests(RuleSet& rules) {
  RuleTestReport report;
  simdjson::dom::parser parser;
  auto origin = std::make_shared<Origin>();
  origin->source = "test-rules";
  origin->dataset = "test";
  origin->path = "test";
  origin->host = "test";
  for (const RuleTest& t : rules.tests()) {
    std::string where = "test at line " + std::to_string(t.line) + " (" + t.input.substr(0, 60) + (t.input.size() > 60 ? "…" : "") + ")";
    int index = rules.match(t.input);
    if (index < 0) {
      report.failures.push_back(where + ": no rule matched");
      continue;
    }
    const std::string& name = rules.rules()[static_cast<size_t>(index)].name;
    if (!t.rule.empty() && name != t.rule) {
      report.failures.push_back(where + ": matched rule " + name + ", expected " + t.rule);
      continue;
    }
    Batch batch;
    batch.origin = origin;
    batch.add_raw_event(t.input, 0, t.input.size() + 1, 0);
    std::string json;
    uint32_t flags = rules.encode(index, t.input, batch, batch.events[0], false, json);
    simdjson::dom::element doc;
    if (parser.parse(json).get(doc)) {
      report.failures.push_back(where + ": produced invalid JSON: " + json);
      continue;
    }
    std::map<std::string, std::string> fields;
    flatten(doc, "", fields);
    std::string problems;
    for (const auto& [path, expected] : t.expect) {
      auto it = fields.find(path);
      if (it == fields.end()) problems += "\n    " + path + ": missing (expected '" + expected + "')";
      else if (it->second != expected) problems += "\n    " + path + ": '" + it->second + "', expected '" + expected + "'";
    }
    if (flags & kFlagInvalidAttribute) problems += "\n    a value did not fit its field's type (flagged invalid_attribute)";
    if (problems.empty()) ++report.passed;
    else report.failures.push_back(where + ", rule " + name + ":" + problems);
  }
  return report;
}

}  // namespace logship
