// The running pipeline: one thread per component, bounded queues between them, acks back.
//
//   auto topology = Topology::build(pipeline, {.once = false});
//   topology->start();
//   topology->wait_sources_or(stop_flag);   // returns when sources ended or stop was set
//   int exit_code = topology->shutdown();   // flush in flight, commit checkpoints
//
// Shutdown order: sources stop reading and close their outputs; each transform drains its
// queue and closes its outputs; each sink writes what is left and acknowledges; then sources
// commit their checkpoints. Past `shutdown_timeout` sinks stop retrying and drop what they
// hold without acknowledging it, so those lines are read again at the next start.
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

class Topology {
 public:
  static Result<std::unique_ptr<Topology>> build(const PipelineConfig& pipeline, const RunOptions& options);
  ~Topology();

  void start();
  // Blocks until every source has returned, `stop` became true, or a component failed.
  void wait(const std::atomic<bool>& stop);
  // Stops and flushes; returns the process exit code (0 ok, 1 a component failed).
  int shutdown();

  HealthReport health(std::chrono::milliseconds max_blocked) const;
  // One line for the log (SIGUSR1): events per component, queue fill, what is blocked.
  std::string status_line() const;

  struct Node;
  struct Edge;

 private:
  Topology() = default;
  void run_source(Node& node);
  void run_transform(Node& node);
  void run_sink(Node& node);
  void node_finished(Node& node, const Status& status);

  void register_collector();

  std::vector<std::unique_ptr<Node>> nodes_;
  int collector_id_ = 0;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_sources_{false};
  std::atomic<bool> hard_stop_{false};
  std::chrono::milliseconds shutdown_timeout_{30000};
  // Until shutdown() sets it, sinks that drain (Kafka) wait as long as they need.
  std::atomic<std::chrono::steady_clock::time_point> drain_deadline_{std::chrono::steady_clock::time_point::max()};
  bool once_ = false;

  std::mutex mu_;
  std::condition_variable changed_;
  int sources_running_ = 0;
  int threads_running_ = 0;
  bool failed_ = false;
};

}  // namespace logship
