// The checks every `tls:` block shares at validate time: each file it names can be read, and a
// certificate comes with its key.
//
//   check_tls_files(node["tls"], join_path(path, "tls"),
//                   {{"ca_file", tls.ca_file}, {"cert_file", tls.cert_file}, {"key_file", tls.key_file}}, errors);
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "core/config/config_errors.h"

namespace YAML {
class Node;
}

namespace logship {

// Adds "cannot read 'F'" at <tls_path>.<key> for each named file that this process cannot read,
// and "cert_file and key_file go together" when only one of them is given.
void check_tls_files(const YAML::Node& tls, const std::string& tls_path,
                     std::initializer_list<std::pair<const char*, const std::string&>> files, ConfigErrors& errors);

}  // namespace logship
