// Topology::apply: a reload that replaces only the components whose YAML changed.
//
// The order matters for "nothing lost, nothing repeated":
//   1. build the new sinks and transforms (nothing running is touched yet: a failure refuses
//      the reload);
//   2. wire the new graph: every producer registers with its new readers' queues before any
//      old producer says it is done, so no running reader sees the end of its input;
//   3. stop the old sources whose YAML changed or that are gone; start what is purely new;
//   4. retire the old components one by one: thread ended (queue emptied, sink drained),
//      source batches all acknowledged, checkpoints written, files unlocked; then build (for a
//      source) and start its replacement, which resumes from those checkpoints.
#include <map>
#include <thread>

#include "core/log.h"
#include "shipper/runtime/fanout.h"
#include "shipper/runtime/topology.h"
#include "shipper/runtime/topology_node.h"

namespace logship {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

void Topology::retire(Node& node) {
  {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !node.running.load(); });
  }
  if (node.thread.joinable()) node.thread.join();
  if (node.source) {
    // Batches it sent may still sit in the queues of sinks that keep running: its checkpoints
    // must include them before the replacement reads those checkpoints.
    while (node.output->in_flight() > 0 && !node.past_deadline()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (int64_t left = node.output->in_flight(); left > 0)
      log_warn("reload: a retired source still had unacknowledged batches at shutdown_timeout; those lines will be read again",
               {{"component", node.name}, {"batches", std::to_string(left)}});
    node.source->finish();
  }
  node.source.reset();  // closes files, releases its lock in data_dir
  node.transforms.clear();
  node.sink.reset();
}

Result<ReloadSummary> Topology::apply(const PipelineConfig& before, const PipelineConfig& next) {
  if (before.global_signature != next.global_signature) return Error::invalid("global settings changed: the pipeline must restart as a whole");
  ReloadSummary summary;
  std::map<std::string, std::shared_ptr<Node>> current;
  {
    std::lock_guard lock(nodes_mu_);
    for (const auto& n : nodes_) current[n->name] = n;
  }

  // 1. What stays, what comes, what goes. New sinks and transforms are built now; a new source
  // replacing an old one only once the old one let go of its checkpoint files.
  std::vector<std::shared_ptr<Node>> next_nodes, fresh, retiring;
  for (const auto& c : next.components) {
    auto it = current.find(c.name);
    bool exists = it != current.end();
    if (exists && it->second->kind == c.kind && it->second->signature == c.signature) {
      next_nodes.push_back(it->second);
      summary.kept.push_back(c.name);
      continue;
    }
    auto node = make_node(c);
    if (exists) {
      node->awaiting_predecessor.store(true);
      summary.replaced.push_back(c.name);
    } else {
      summary.added.push_back(c.name);
    }
    if (!exists || c.kind != ComponentKind::kSource) {
      if (Status s = build_component(*node, c); !s) return s.error();
    }
    next_nodes.push_back(node);
    fresh.push_back(node);
  }
  for (const auto& [name, node] : current) {
    const ComponentEntry* c = next.find(name);
    if (!c) summary.removed.push_back(name);
    if (!c || c->kind != node->kind || c->signature != node->signature) retiring.push_back(node);
  }
  if (fresh.empty() && retiring.empty()) return summary;

  // A stuck old sink must not hold the reload forever: past shutdown_timeout it drops what it
  // holds unacknowledged (read again later), as at shutdown.
  auto deadline = std::chrono::steady_clock::now() + shutdown_timeout_;
  // A sink replaced by a sink with the same inputs hands what it could not deliver to its
  // successor, unless a source is retiring too: that source's checkpoints leave out what the
  // old sink held, so its replacement reads those lines again, and handing them over as well
  // would send them twice. (Inputs that changed: the old batches may no longer belong there.)
  bool source_retiring = false;
  for (const auto& n : retiring) source_retiring |= n->kind == ComponentKind::kSource;
  for (const auto& n : retiring) {
    const ComponentEntry* c = next.find(n->name);
    const ComponentEntry* was = before.find(n->name);
    n->has_successor.store(!source_retiring && n->kind == ComponentKind::kSink && c && c->kind == ComponentKind::kSink && was &&
                           was->inputs == c->inputs);
    n->deadline.store(to_nanos(deadline));
  }

  // 2. Wire the new graph (kept producers are rewired in place; old producers keep their edges
  // to old readers until they end).
  wire(next, next_nodes);
  {
    std::lock_guard lock(nodes_mu_);
    nodes_ = next_nodes;
  }

  // 3. Stop old sources; start the components that replace nothing.
  for (const auto& n : retiring)
    if (n->kind == ComponentKind::kSource) n->stop.store(true);
  std::map<std::string, std::shared_ptr<Node>> successors;
  for (const auto& n : fresh) {
    if (n->awaiting_predecessor.load()) successors[n->name] = n;
    else start_node(n);
  }

  // 4. Retire, and start each replacement as soon as the component it replaces is gone.
  for (const auto& old : retiring) {
    retire(*old);
    auto it = successors.find(old->name);
    if (it == successors.end()) continue;
    Node& n = *it->second;
    if (!old->unsent.empty() && n.input) n.input->push_front_now(std::move(old->unsent));
    if (n.kind == ComponentKind::kSource) {
      Status s = build_component(n, *next.find(n.name));
      if (!s) {
        log_error("reload: cannot start the changed source; keeping its previous settings", {{"component", n.name}, {"error", s.error().message}});
        const ComponentEntry* previous = before.find(n.name);
        s = previous && previous->kind == n.kind ? build_component(n, *previous) : s;
      }
      if (!s) {
        log_error("reload: source not running", {{"component", n.name}, {"error", s.error().message}});
        n.awaiting_predecessor.store(false);
        n.output->close();  // its readers must not wait for it
        std::lock_guard lock(mu_);
        failed_ = true;
        changed_.notify_all();
        continue;
      }
    }
    start_node(it->second);
  }
  log_info("reload applied", {{"kept", joined(summary.kept)}, {"replaced", joined(summary.replaced)},
                              {"added", joined(summary.added)}, {"removed", joined(summary.removed)}});
  return summary;
}

}  // namespace logship
