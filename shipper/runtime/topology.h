// The running pipeline: one thread per component, bounded queues between them, acks back.
//
//   auto topology = Topology::build(pipeline, {.once = false});
//   topology->start();
//   topology->wait(stop_flag);              // returns when sources ended or stop was set
//   auto r = topology->apply(pipeline, next);  // reload: replaces only what changed
//   int exit_code = topology->shutdown();   // flush in flight, commit checkpoints
//
// Shutdown order: sources stop reading and close their outputs; each transform drains its
// queue and closes its outputs; each sink writes what is left and acknowledges; then sources
// commit their checkpoints. Past `shutdown_timeout` sinks give up what they hold without
// acknowledging it, so those lines are read again at the next start; the log says how many
// events that was, and `run --once` then exits 1.
//
// A reload (apply) retires the components whose YAML changed or that are gone the same way, one
// by one, while the others keep running; see apply() below.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/batch_queue.h"
#include "core/component.h"
#include "core/metrics.h"
#include "shipper/pipeline/pipeline_config.h"

namespace logship {

struct RunOptions {
  bool once = false;
};

// What /health answers: ok when every component runs and no sink has been stuck (its input
// queue full, or its writes failing) longer than the threshold; otherwise why not.
struct HealthReport {
  bool ok = true;
  std::vector<std::string> problems;  // "sink search blocked for 75s (writes failing)"
};

// Component names by what a reload did to them.
struct ReloadSummary {
  std::vector<std::string> kept, replaced, added, removed;
};

class Topology {
 public:
  static Result<std::unique_ptr<Topology>> build(const PipelineConfig& pipeline, const RunOptions& options);
  ~Topology();

  void start();
  // Blocks until every source has returned, `stop` became true, or a component failed.
  void wait(const std::atomic<bool>& stop);
  // Stops and flushes; returns the process exit code (0 ok, 1 a component failed, or --once
  // left events undelivered at shutdown_timeout).
  int shutdown();

  // Moves the running pipeline from `before` (what it was built from) to `next`, which must
  // have the same global settings. Components with the same name, kind and YAML keep running;
  // readers of what changed are rewired to the replacements. Each changed or removed component
  // is retired as at shutdown (a source stops reading, its in-flight batches are acknowledged,
  // its checkpoints written; a transform or sink empties its queue), and only then does its
  // replacement start, so nothing is lost, repeated or reordered, and two instances never hold
  // the same files. New sinks and transforms are built before anything is touched: if one
  // cannot be built, the error comes back and the pipeline is unchanged. A replacement source
  // that cannot be built falls back to its old settings.
  Result<ReloadSummary> apply(const PipelineConfig& before, const PipelineConfig& next);

  HealthReport health(std::chrono::milliseconds max_blocked) const;
  // One line for the log (SIGUSR1): events per component, queue fill, what is blocked.
  std::string status_line() const;

  struct Node;

 private:
  Topology() = default;
  std::shared_ptr<Node> make_node(const ComponentEntry& c) const;
  Status build_component(Node& node, const ComponentEntry& c) const;
  // Points every producer in `nodes` at the queues of its readers in `pipeline`.
  void wire(const PipelineConfig& pipeline, const std::vector<std::shared_ptr<Node>>& nodes) const;
  void start_node(const std::shared_ptr<Node>& node);
  // Waits for a retiring node's thread (and, for a source, its acks), then commits and frees it.
  void retire(Node& node);
  void run_source(Node& node);
  static void name_this_thread(std::string_view kind, std::string_view component);
  void run_transform(Node& node);
  void run_sink(Node& node);
  void node_finished(Node& node, const Status& status);

  void register_collector();

  mutable std::mutex nodes_mu_;  // guards nodes_ against /metrics, /health and status while apply() swaps them
  std::vector<std::shared_ptr<Node>> nodes_;
  int collector_id_ = 0;
  std::string host_;
  std::string data_dir_;
  size_t buffer_bytes_ = 0;
  std::chrono::milliseconds shutdown_timeout_{30000};
  bool once_ = false;

  std::mutex mu_;
  std::condition_variable changed_;
  int sources_running_ = 0;
  int threads_running_ = 0;
  bool failed_ = false;
  std::atomic<uint64_t> undelivered_{0};  // events sinks gave up at the shutdown deadline
  std::atomic<bool> shutting_down_{false};
};

}  // namespace logship
