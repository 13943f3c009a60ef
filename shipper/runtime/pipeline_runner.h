// `logship run`: a pipeline kept running across reloads, with its HTTP endpoint and signals.
//
//   PipelineRunner runner(config_path, registry, {.once = false, .watch_config = true});
//   int exit_code = runner.run();   // until SIGTERM/SIGINT (or the end of input with --once)
//
// Signals (taken by one thread with sigtimedwait; every other thread has them blocked):
//   SIGTERM, SIGINT  stop: flush what is in flight, write checkpoints, exit 0
//   SIGHUP           reload the pipeline file (also on change with --watch-config)
//   SIGUSR1          write a one-line status summary to the log
//
// Reload validates the new file first: with any problem, every one is logged and the running
// pipeline goes on untouched. An unchanged file changes nothing. Otherwise only the components
// whose YAML changed (or that are new or gone) are replaced, each once the one it replaces has
// delivered what it held and written its checkpoints (Topology::apply); everything else keeps
// running. A change to the global settings restarts the whole pipeline the same way, from the
// checkpoints. Either way no line is lost or repeated, and what changed is logged.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/component_registry.h"
#include "shipper/api/api_server.h"
#include "shipper/pipeline/pipeline_config.h"
#include "shipper/runtime/topology.h"

namespace logship {

struct RunnerOptions {
  bool once = false;
  bool watch_config = false;
};

class PipelineRunner {
 public:
  PipelineRunner(std::string config_path, const ComponentRegistry& registry, RunnerOptions options);
  ~PipelineRunner();
  // The pipeline must have been loaded and checked already (exit 2 is the caller's).
  int run(PipelineConfig pipeline);

 private:
  Status start_topology(const PipelineConfig& pipeline);
  Status start_api(const PipelineConfig& pipeline);
  void reload();
  HealthReport health();
  void log_status();

  std::string config_path_;
  const ComponentRegistry& registry_;
  RunnerOptions options_;
  PipelineConfig current_;
  std::mutex mu_;  // guards topology_ against /health and SIGUSR1 while a reload swaps it
  std::unique_ptr<Topology> topology_;
  std::unique_ptr<ApiServer> api_;
  std::chrono::milliseconds max_blocked_{60000};
  std::atomic<bool> stop_{false};
  std::atomic<bool> reload_{false};
  std::atomic<bool> wake_{false};  // stop_ or reload_ was set: Topology::wait returns
};

}  // namespace logship
