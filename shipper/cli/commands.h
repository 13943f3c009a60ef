// The `logship` subcommands. Each returns the process exit code: 0 ok, 1 runtime failure,
// 2 usage or configuration error.
#pragma once

#include <string>
#include <vector>

namespace logship {

int command_run(const std::vector<std::string>& args);
int command_validate(const std::vector<std::string>& args);
int command_config_docs(const std::vector<std::string>& args);
int command_help(const std::vector<std::string>& args);
int command_parse(const std::vector<std::string>& args);
int command_fingerprint(const std::vector<std::string>& args);
int command_digest(const std::vector<std::string>& args);
int command_test_rules(const std::vector<std::string>& args);
int command_schemas(const std::vector<std::string>& args);
int command_views(const std::vector<std::string>& args);
int command_top(const std::vector<std::string>& args);
int command_alerts(const std::vector<std::string>& args);

// Prints a command's help; false when there is no such command.
bool print_command_help(const std::string& command);

}  // namespace logship
