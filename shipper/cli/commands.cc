#include "shipper/cli/commands.h"

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <thread>

#include "core/log.h"
#include "shipper/cli/config_docs.h"
#include "shipper/pipeline/pipeline_config.h"
#include "shipper/runtime/pipeline_runner.h"
#include "shipper/sources/register_sources.h"

namespace logship {
namespace {

struct CommandInfo {
  const char* name;
  const char* summary;
  const char* usage;
};

constexpr CommandInfo kCommands[] = {
    {"run", "Run a pipeline until SIGTERM/SIGINT (or, with --once, until every file is read and acknowledged).",
     "usage: logship run -c PIPELINE.yaml [--once] [--watch-config] [--log-level debug|info|warn|error]\n\n"
     "  -c, --config FILE   the pipeline to run\n"
     "  --once              read every matched file to its end, deliver, checkpoint, exit\n"
     "                      (backfills, the demo); a last line without newline is sent flagged partial\n"
     "  --watch-config      reload when the pipeline file changes (as on SIGHUP)\n"
     "  --log-level LEVEL   logship's own log on stderr (default info)\n\n"
     "On SIGTERM or SIGINT logship stops reading, flushes what is in flight, writes checkpoints and\n"
     "exits 0, within the pipeline's shutdown_timeout. SIGHUP reloads the pipeline (a file with\n"
     "problems is refused and the running pipeline goes on); SIGUSR1 logs a one-line status.\n"},
    {"validate", "Check a pipeline without side effects; list every problem with its YAML path and line.",
     "usage: logship validate -c PIPELINE.yaml\n\n"
     "Exits 0 when the pipeline is valid, 2 with every problem listed otherwise (the first 100 by\n"
     "line, then how many more). Nothing is opened but the pipeline file itself, and a file over\n"
     "8 MiB is refused unread.\n"},
    {"config-docs", "Print the configuration reference (docs/configuration.md) generated from the code.",
     "usage: logship config-docs\n"},
    {"parse", "Print what a parser makes of a log: one NDJSON event per line.",
     "usage: logship parse --format json|rules:<built-in or file>|mysql_slowlog|plain\n"
     "                     [--container auto|cri|docker] [--multiline java|python|python_logging|go]\n"
     "                     [--timezone ZONE] [FILE...]\n\n"
     "Reads the files (or standard input) to their end and prints one JSON event per line, as the\n"
     "pipeline would ship them. json parses JSON lines (defaults of the json transform);\n"
     "rules:nginx (or rules:path/to/rules.yaml) applies a rule set;\n"
     "mysql_slowlog assembles and parses slow log entries; plain wraps each line in an event.\n"
     "--container takes the lines out of a container runtime's framing (CRI, Docker json-file) first,\n"
     "as the file source's container: option does;\n"
     "--multiline joins lines as the file source's preset does (a stack trace with its line);\n"
     "--timezone gives the zone of times written without one (Europe/Berlin, local, +05:30).\n"},
    {"fingerprint", "Print the pt-query-digest fingerprint and query id of SQL statements.",
     "usage: logship fingerprint --query 'SQL'\n       logship fingerprint < statements.txt\n\n"
     "Prints the fingerprint and the query id (MD5, as pt-query-digest 3.5), tab-separated; without\n"
     "--query, one statement per line of standard input.\n"},
    {"digest", "Summarise slow logs by query fingerprint, like pt-query-digest.",
     "usage: logship digest [--format table|json] [--limit N] [FILE...]\n\n"
     "Per fingerprint: count, total/mean/p95/max query time, lock time, rows sent and examined,\n"
     "first and last seen, and the slowest statement, ranked by total time (default: top 20).\n"
     "Reads standard input without FILE. A progress bar shows on a terminal for large inputs.\n"},
    {"test-rules", "Run the tests: of rule files (every built-in rule set by default).",
     "usage: logship test-rules [NAME-or-FILE...]\n\n"
     "Each test's input must be matched (by the named rule) and give the expected fields. Exits 1\n"
     "when a test fails or a rule file has a problem.\n"},
    {"schemas", "Install logship's index templates (and lifecycle policy) on Elasticsearch or OpenSearch.",
     "usage: logship schemas list\n"
     "       logship schemas apply [--endpoint URL] [--replicas N] [--retention 30d] [CLUSTER OPTIONS]\n\n"
     "apply puts the component and index templates of schemas/templates (compiled in) for the\n"
     "data streams logs-<dataset>-<namespace>; idempotent. --replicas 0 suits a single node.\n"
     "Elasticsearch gets an ILM policy (rollover, delete after --retention); OpenSearch an ISM\n"
     "policy when its plugin is installed.\n\n"
     "CLUSTER OPTIONS: --endpoint URL[,URL…] (default $OPENSEARCH_URL), --user NAME, --password-env VAR,\n"
     "  --api-key-env VAR, --ca-file PEM, --cert-file PEM --key-file PEM (a client certificate), --insecure\n"},
    {"views", "List, show or run the saved views (top slow queries, errors by service…).",
     "usage: logship views list\n"
     "       logship views show NAME          the query, as pasted into Redash\n"
     "       logship views run NAME [--since 1h] [--param NAME=VALUE]... [--format table|json] [CLUSTER OPTIONS]\n\n"
     "run fills in the view's parameters, searches the cluster and prints the aggregation as an\n"
     "aligned table (or JSON). CLUSTER OPTIONS as for `logship schemas`.\n"},
    {"top", "A live view of a running pipeline: events/s, MB/s, queues, lag, errors per component.",
     "usage: logship top -c PIPELINE.yaml | --api URL [--interval SECONDS] [--iterations N]\n\n"
     "Reads the pipeline's /metrics (its api: section must be on) every --interval (1 s) and shows\n"
     "one row per component. On a terminal it redraws until Ctrl-C; piped, it prints two frames\n"
     "(the second with rates) unless --iterations says otherwise.\n"},
    {"alerts", "Show what an alerts sink would send for some events, or what it holds now.",
     "usage: logship alerts test -c PIPELINE.yaml [--sink NAME] [--rule NAME] [--events FILE]... [--json]\n"
     "       logship alerts list -c PIPELINE.yaml [--sink NAME]\n\n"
     "test runs the sink's rules over NDJSON events (--events, or standard input: the output of\n"
     "`logship parse`, or of a file sink) and prints each message as it would read, to each of its\n"
     "notifiers, without sending anything (--json: the body that would be posted).\n"
     "list reads the sink's state in data_dir: each rule, the groups firing and since when, the\n"
     "values a first_seen rule remembers, and messages still waiting for their receiver.\n"},
    {"help", "Show help for logship or one of its commands.", "usage: logship help [COMMAND]\n"},
};

struct ParsedArgs {
  std::string config;
  bool once = false;
  bool watch_config = false;
  std::string log_level = "info";
  std::string error;
};

ParsedArgs parse_args(const std::vector<std::string>& args, bool allow_once) {
  ParsedArgs p;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= args.size()) {
        p.error = std::string(name) + " needs a value";
        return "";
      }
      return args[++i];
    };
    if (a == "-c" || a == "--config") p.config = value("--config");
    else if (a.rfind("--config=", 0) == 0) p.config = a.substr(9);
    else if (a == "--once" && allow_once) p.once = true;
    else if (a == "--watch-config" && allow_once) p.watch_config = true;
    else if (a == "--log-level" && allow_once) p.log_level = value("--log-level");
    else p.error = "unknown argument '" + a + "'";
    if (!p.error.empty()) return p;
  }
  if (p.config.empty()) p.error = "missing -c PIPELINE.yaml";
  return p;
}

std::optional<PipelineConfig> load_or_report(const std::string& file, const ComponentRegistry& registry) {
  ConfigErrors errors;
  auto pipeline = load_pipeline_file(file, registry, errors);
  for (const auto& e : errors.list()) std::cerr << e.to_string(file) << "\n";
  if (errors.omitted() > 0) std::cerr << "\u2026 and " << errors.omitted() << " more problems\n";
  if (!pipeline) {
    std::cerr << errors.size() << (errors.size() == 1 ? " problem" : " problems") << " in " << file << "\n";
  }
  return pipeline;
}

}  // namespace

bool print_command_help(const std::string& command) {
  for (const auto& c : kCommands) {
    if (command == c.name) {
      std::cout << c.summary << "\n\n" << c.usage;
      return true;
    }
  }
  return false;
}

int command_help(const std::vector<std::string>& args) {
  if (!args.empty()) {
    if (print_command_help(args[0])) return 0;
    std::cerr << "logship: unknown command '" << args[0] << "'\n";
    return 2;
  }
  std::cout << "logship " LOGSHIP_VERSION " - ships logs from files to Kafka and Elasticsearch, never losing a line.\n\n"
               "usage: logship COMMAND [OPTIONS]\n\ncommands:\n";
  for (const auto& c : kCommands) std::printf("  %-12s %s\n", c.name, c.summary);
  std::cout << "\nlogship COMMAND --help shows a command's options; logship --version its version.\n"
               "Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.\n";
  return 0;
}

int command_validate(const std::vector<std::string>& args) {
  ParsedArgs p = parse_args(args, false);
  if (!p.error.empty()) {
    std::cerr << "logship validate: " << p.error << "\n";
    print_command_help("validate");
    return 2;
  }
  ComponentRegistry registry;
  register_all_components(registry);
  auto pipeline = load_or_report(p.config, registry);
  if (!pipeline) return 2;
  for (const auto& w : pipeline->warnings) std::cerr << p.config << ": warning: " << w << "\n";
  int counts[3] = {0, 0, 0};
  for (const auto& c : pipeline->components) ++counts[static_cast<int>(c.kind)];
  std::cout << p.config << ": ok (" << counts[0] << " sources, " << counts[1] << " transforms, " << counts[2]
            << " sinks)\n";
  return 0;
}

int command_config_docs(const std::vector<std::string>&) {
  ComponentRegistry registry;
  register_all_components(registry);
  std::cout << render_config_docs(registry);
  return 0;
}

int command_run(const std::vector<std::string>& args) {
  ParsedArgs p = parse_args(args, true);
  Level level;
  if (p.error.empty() && !parse_log_level(p.log_level, level)) p.error = "unknown log level '" + p.log_level + "'";
  if (!p.error.empty()) {
    std::cerr << "logship run: " << p.error << "\n";
    print_command_help("run");
    return 2;
  }
  set_log_level(level);
  ComponentRegistry registry;
  register_all_components(registry);
  auto pipeline = load_or_report(p.config, registry);
  if (!pipeline) return 2;
  for (const auto& w : pipeline->warnings) log_warn("pipeline warning", {{"warning", w}});
  PipelineRunner runner(p.config, registry, {p.once, p.watch_config});
  return runner.run(std::move(*pipeline));
}

}  // namespace logship
