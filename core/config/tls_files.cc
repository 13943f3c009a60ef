#include "core/config/tls_files.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstring>

namespace logship {

void check_tls_files(const YAML::Node& tls, const std::string& tls_path,
                     std::initializer_list<std::pair<const char*, const std::string&>> files, ConfigErrors& errors) {
  const std::string* cert = nullptr;
  const std::string* key = nullptr;
  for (const auto& [name, file] : files) {
    if (!file.empty() && ::access(file.c_str(), R_OK) != 0)
      errors.add(tls[name], join_path(tls_path, name), "cannot read '" + file + "' (" + std::strerror(errno) + ")");
    if (std::strcmp(name, "cert_file") == 0) cert = &file;
    if (std::strcmp(name, "key_file") == 0) key = &file;
  }
  if (cert && key && cert->empty() != key->empty())
    errors.add(tls, tls_path, "cert_file and key_file go together (a certificate and its private key)");
}

}  // namespace logship
