// `logship parse`: what a parser makes of a log, one NDJSON event per line on stdout.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <iostream>

#include "core/plain_encoder.h"
#include "parser/json/json_transform.h"
#include "parser/mysql_slowlog/slowlog_transform.h"
#include "parser/rules/rules_transform.h"
#include "shipper/cli/commands.h"
#include "shipper/cli/offline_reader.h"
#include "sinks/fd_writer.h"

namespace logship {

int command_parse(const std::vector<std::string>& args) {
  std::string format;
  std::string multiline;
  std::string timezone;
  std::string container;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--format" && i + 1 < args.size()) format = args[++i];
    else if (args[i].rfind("--format=", 0) == 0) format = args[i].substr(9);
    else if (args[i] == "--multiline" && i + 1 < args.size()) multiline = args[++i];
    else if (args[i] == "--timezone" && i + 1 < args.size()) timezone = args[++i];
    else if (args[i] == "--container" && i + 1 < args.size()) container = args[++i];
    else files.push_back(args[i]);
  }
  if (files.empty()) files.push_back("-");
  OfflineReaderOptions options;
  if (!multiline.empty()) {
    if (multiline != "java" && multiline != "python" && multiline != "python_logging" && multiline != "go") {
      std::cerr << "logship parse: --multiline must be one of: java, python, python_logging, go\n";
      return 2;
    }
    MultilineConfig m;
    m.preset = multiline;
    options.multiline = m;
  }
  if (!container.empty()) {
    if (container != "auto" && container != "cri" && container != "docker") {
      std::cerr << "logship parse: --container must be one of: auto, cri, docker\n";
      return 2;
    }
    ContainerLogConfig c;
    c.format = container;
    options.container = c;
  }
  if (!timezone.empty()) {
    std::string why;
    if (!TimeZone::load(timezone, why)) {
      std::cerr << "logship parse: --timezone: " << why << "\n";
      return 2;
    }
  }
  std::function<void(Batch&)> encode = [](Batch& b) { encode_plain(b); };
  BuildContext ctx{"parse", "", ""};
  std::shared_ptr<SlowlogTransform> slowlog;
  std::shared_ptr<JsonTransform> json;
  if (format == "mysql_slowlog") {
    options.multiline = slowlog_framing();
    options.dataset = "mysql.slowlog";
    slowlog = std::move(SlowlogTransform::create({}, ctx).value());
    encode = [slowlog](Batch& b) { slowlog->encode(b); };
  } else if (format == "json") {
    JsonTransformConfig config;
    config.timezone = timezone;
    json = std::move(JsonTransform::create(config, ctx).value());
    encode = [json](Batch& b) { json->encode(b); };
  } else if (format.rfind("rules:", 0) == 0) {
    RulesTransformConfig config;
    config.rules = {format.substr(6)};
    config.timezone = timezone;
    ConfigErrors errors;
    if (!load_rule_set(config.rules, errors)) {
      for (const auto& e : errors.list()) std::cerr << e.to_string(format.substr(6)) << "\n";
      return 2;
    }
    std::shared_ptr<RulesTransform> rules = std::move(RulesTransform::create(config, ctx).value());
    encode = [rules](Batch& b) { rules->encode(b); };
  } else if (format != "plain") {
    std::cerr << "logship parse: --format must be one of: json, rules:<built-in name or file>, mysql_slowlog, plain\n";
    print_command_help("parse");
    return 2;
  }
  int status = 0;
  std::vector<iovec> iov;
  for (const std::string& file : files) {
    int fd = file == "-" ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::cerr << "logship parse: cannot open " << file << ": " << std::strerror(errno) << "\n";
      status = 1;
      continue;
    }
    Status s = read_batches(fd, file, options, [&](BatchPtr batch) {
      encode(*batch);
      Delivery one;
      one.parts.push_back({batch, {}});
      if (int err = write_delivery(STDOUT_FILENO, one, iov); err != 0) throw std::runtime_error(std::strerror(err));
    });
    if (fd != STDIN_FILENO) ::close(fd);
    if (!s) {
      std::cerr << "logship parse: " << s.error().message << "\n";
      status = 1;
    }
  }
  return status;
}

}  // namespace logship
