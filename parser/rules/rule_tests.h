// Runs the `tests:` of a rule file: each input line must be matched (by the named rule, when
// given) and produce the expected fields. What `logship test-rules` and CI run.
//
//   auto set = load_rule_set({"nginx"}, errors);
//   RuleTestReport r = run_rule_tests(*set);
//   for (auto& f : r.failures) std::cerr << f << "\n";
#pragma once

#include <string>
#include <vector>

#include "parser/rules/rule_set.h"

namespace logship {

struct RuleTestReport {
  int passed = 0;
  std::vector<std::string> failures;  // one message per failed test
};

RuleTestReport run_rule_tests(RuleSet& rules);

}  // namespace logship
