// Entry point of the `logship` binary: dispatches to the subcommands in commands.cc.
#include <iostream>
#include <string>
#include <vector>

#include "core/memory_tuning.h"
#include "shipper/cli/commands.h"

int main(int argc, char** argv) {
  logship::keep_freed_memory_for_reuse();  // before any thread starts: see core/memory_tuning.h
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    logship::command_help({});
    return 2;
  }
  std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "--version" || command == "version") {
    std::cout << "logship " LOGSHIP_VERSION "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") return logship::command_help(rest);
  for (const auto& a : rest) {
    if (a == "--help" || a == "-h") return logship::print_command_help(command) ? 0 : 2;
  }
  try {
    if (command == "run") return logship::command_run(rest);
    if (command == "validate") return logship::command_validate(rest);
    if (command == "config-docs") return logship::command_config_docs(rest);
    if (command == "parse") return logship::command_parse(rest);
    if (command == "fingerprint") return logship::command_fingerprint(rest);
    if (command == "digest") return logship::command_digest(rest);
    if (command == "schemas") return logship::command_schemas(rest);
    if (command == "views") return logship::command_views(rest);
    if (command == "top") return logship::command_top(rest);
    if (command == "alerts") return logship::command_alerts(rest);
    if (command == "test-rules") return logship::command_test_rules(rest);
  } catch (const std::exception& e) {
    std::cerr << "logship: internal error: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "logship: unknown command '" << command << "' (see logship help)\n";
  return 2;
}
