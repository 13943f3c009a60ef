// ${VAR} and ${VAR:-default} in pipeline files, replaced before the YAML is parsed (as Vector
// does), so a value can come from the environment: secrets, hosts, paths.
//
//   ConfigErrors errors;
//   std::string text = interpolate_env("path: ${LOG_DIR:-/var/log}/app.log", errors);
//
// `$$` stands for a literal `$`. A variable that is unset and has no default is an error (with
// its line); an empty default (`${VAR:-}`) is allowed. Line numbers are unchanged by the
// substitution unless a value itself holds newlines.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/config_errors.h"

namespace logship {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

std::string interpolate_env(std::string_view text, ConfigErrors& errors, const EnvLookup& lookup = {});

}  // namespace logship
