// ${VAR} and ${VAR:-default} in pipeline files, so a value can come from the environment:
// secrets, hosts, paths.
//
//   ConfigErrors errors;
//   std::string text = interpolate_env("path: ${LOG_DIR:-/var/log}/app.log", errors);
//   // path: "/var/log/app.log"
//
// `$$` stands for a literal `$`. A variable that is unset and has no default is an error (with
// its line); an empty default (`${VAR:-}`) is allowed.
//
// A value is always substituted as text *inside one YAML scalar*, never as YAML: whatever the
// environment holds (`x", tls: {verify: false}`, `a: b`, `[1, 2]`, `*alias`, `# …`) it cannot
// add a key, end a string, open a collection or start a comment. How:
//
//  1. Each reference is masked by as many `x` as it has characters, which every YAML context
//     reads as ordinary scalar text (in flow collections too, where `${…}` itself would not be).
//  2. yaml-cpp parses the masked text and reports where each scalar starts; its first character
//     there says its style. So the context of each reference comes from the same parser that
//     reads the final text, not from a second, approximate grammar.
//  3. Each reference is then written for its context:
//     - a plain scalar holding references is rewritten whole as a double-quoted string of its
//       expanded text (`path: ${DIR}/app.log` -> `path: "/var/log/app.log"`), since a plain
//       scalar has no escapes and `: `, ` #`, `,` or a leading `[`, `*`, `!`… would change it;
//     - inside "double quotes": `\` and `"` escaped; inside 'single quotes': `'` doubled;
//     - in a block scalar (`|`, `>`): as is (nothing but a line break can end it, and line
//       breaks are refused), except that a value may not start with blanks where the line's
//       indentation would then change;
//     - in a comment: not at all. The reference stays as written, is not looked up and cannot
//       be an error (unset, a line break in its value): a comment is no part of the pipeline,
//       and a commented-out `# password: ${OLD_SECRET}` must not read the secret. A '#' is a
//       comment only where YAML says so: after a blank or at a line's start, outside a scalar
//       (`"a # b"`, `a#b` and a block scalar's lines are text);
//     - anywhere else (a tag, an anchor, a plain value over several lines): an error asking to
//       write the reference in quotes.
//  A value holding a line break (or another control character but tab) is an error naming the
//  variable: it could end a block scalar. References in every document of the text are read in
//  their context (load_yaml then refuses a second document). Defaults are substituted the same way.
//  No line is added or removed, so line numbers are kept (columns after a reference shift).
//  When the masked text is not valid YAML it is returned as is, for the caller's parser to
//  report the problem at the same line and column.
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
