// `logship test-rules`: runs the tests: of rule files (all built-in ones by default).
#include <iostream>

#include "parser/rules/builtin_rules.h"
#include "parser/rules/rule_tests.h"
#include "parser/rules/rules_transform.h"
#include "shipper/cli/commands.h"

namespace logship {

int command_test_rules(const std::vector<std::string>& args) {
  std::vector<std::string> names = args;
  if (names.empty())
    for (const auto& [name, yaml] : builtin_rule_files()) names.emplace_back(name);
  int passed = 0;
  int failed = 0;
  for (const std::string& name : names) {
    ConfigErrors errors;
    auto set = load_rule_set({name}, errors);
    if (!set) {
      for (const auto& e : errors.list()) std::cerr << e.to_string(name) << "\n";
      ++failed;
      continue;
    }
    RuleTestReport r = run_rule_tests(*set);
    passed += r.passed;
    failed += static_cast<int>(r.failures.size());
    std::cout << (r.failures.empty() ? "ok     " : "FAILED ") << name << " (" << r.passed << " passed, " << r.failures.size()
              << " failed, " << set->rules().size() << " rules)\n";
    for (const auto& f : r.failures) std::cout << "  " << f << "\n";
    if (set->tests().empty()) std::cout << "  (no tests: add some under tests:)\n";
  }
  std::cout << "test-rules: " << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace logship
