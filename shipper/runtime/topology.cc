#include "shipper/runtime/topology.h"

#include <unistd.h>

#include <deque>
#include <map>

#include "core/log.h"
#include "core/plain_encoder.h"

namespace logship {

struct Topology::Edge {
  BatchQueue* queue;
  bool to_sink;
};

// Sends a component's output to every component that lists it as an input.
class Fanout final : public Emitter {
 public:
  Fanout(std::vector<Topology::Edge> edges, Counter& events, Counter& bytes)
      : edges_(std::move(edges)), events_(events), bytes_(bytes) {}

  void emit(BatchPtr batch) override {
    events_.add(batch->events.size());
    bytes_.add(batch->raw.size());
    if (edges_.empty()) {  // nobody reads this output (validate warned about it)
      batch->ack.ack();
      return;
    }
    bool any_sink = false;
    for (const auto& e : edges_) any_sink |= e.to_sink;
    // Encode once, before fan-out, so several sinks share the same bytes.
    if (any_sink && !batch->is_encoded) encode_plain(*batch);
    if (edges_.size() > 1) batch->ack.add_pending(static_cast<int>(edges_.size() - 1));
    for (size_t i = 0; i < edges_.size(); ++i) {
      bool last = i + 1 == edges_.size();
      // Transforms change batches in place: each one after the first gets its own copy.
      if (!edges_[i].to_sink && !last) edges_[i].queue->push(std::make_shared<Batch>(*batch));
      else edges_[i].queue->push(last ? std::move(batch) : batch);
    }
  }

  void close() {
    for (const auto& e : edges_) e.queue->producer_done();
  }

 private:
  std::vector<Topology::Edge> edges_;
  Counter& events_;
  Counter& bytes_;
};

struct Topology::Node {
  std::string name;
  ComponentKind kind;
  std::unique_ptr<Source> source;
  std::unique_ptr<Transform> transform;
  std::unique_ptr<Sink> sink;
  std::unique_ptr<BatchQueue> input;  // transforms and sinks
  std::unique_ptr<Fanout> output;     // sources and transforms
  size_t sink_batch_bytes = 0;
  Counter* sink_events = nullptr;
  Counter* sink_dropped = nullptr;
  Counter* sink_retries = nullptr;
};

Topology::~Topology() {
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

Result<std::unique_ptr<Topology>> Topology::build(const PipelineConfig& pipeline, const RunOptions& options) {
  std::unique_ptr<Topology> t(new Topology());
  t->once_ = options.once;
  t->shutdown_timeout_ = pipeline.global.shutdown_timeout.value;
  std::string host = pipeline.global.host_name;
  if (host.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof(buf) - 1) == 0) host = buf;
  }
  std::map<std::string, Node*> by_name;
  for (const auto& c : pipeline.components) {
    auto node = std::make_unique<Node>();
    node->name = c.name;
    node->kind = c.kind;
    BuildContext ctx{c.name, pipeline.global.data_dir, host};
    std::string where = std::string(kind_section(c.kind)) + "." + c.name + ": ";
    switch (c.kind) {
      case ComponentKind::kSource: {
        auto r = c.config->make_source(ctx);
        if (!r) return Error{r.error().code, where + r.error().message};
        node->source = std::move(r.value());
        break;
      }
      case ComponentKind::kTransform: {
        auto r = c.config->make_transform(ctx);
        if (!r) return Error{r.error().code, where + r.error().message};
        node->transform = std::move(r.value());
        break;
      }
      case ComponentKind::kSink: {
        auto r = c.config->make_sink(ctx);
        if (!r) return Error{r.error().code, where + r.error().message};
        node->sink = std::move(r.value());
        node->sink_batch_bytes = c.config->sink_batch_bytes();
        Labels labels{{"component", c.name}};
        node->sink_events = &metrics().counter("logship_sink_acknowledged_events_total", "Events a sink wrote and acknowledged.", labels);
        node->sink_dropped = &metrics().counter("logship_sink_dropped_events_total", "Events a sink failed permanently to write.", labels);
        node->sink_retries = &metrics().counter("logship_sink_retries_total", "Write attempts a sink asked to retry.", labels);
        break;
      }
    }
    if (c.kind != ComponentKind::kSource) {
      node->input = std::make_unique<BatchQueue>(pipeline.global.buffer_bytes.value, static_cast<int>(c.inputs.size()));
    }
    by_name[c.name] = node.get();
    t->nodes_.push_back(std::move(node));
  }
  // Wire outputs: for every component, the queues of the components that read it.
  for (auto& node : t->nodes_) {
    if (node->kind == ComponentKind::kSink) continue;
    std::vector<Edge> edges;
    for (const auto& c : pipeline.components) {
      for (const auto& in : c.inputs) {
        if (in == node->name) {
          Node* reader = by_name[c.name];
          edges.push_back({reader->input.get(), reader->kind == ComponentKind::kSink});
        }
      }
    }
    Labels labels{{"component", node->name}};
    node->output = std::make_unique<Fanout>(
        std::move(edges), metrics().counter("logship_component_sent_events_total", "Events a component sent on.", labels),
        metrics().counter("logship_component_sent_bytes_total", "Raw bytes of the events a component sent on.", labels));
  }
  return t;
}

void Topology::node_finished(Node& node, const Status& status) {
  std::lock_guard lock(mu_);
  if (!status) {
    log_error("component failed", {{"component", node.name}, {"error", status.error().message}});
    failed_ = true;
  }
  if (node.kind == ComponentKind::kSource) --sources_running_;
  --threads_running_;
  changed_.notify_all();
}

void Topology::run_source(Node& node) {
  RunContext ctx{&stop_sources_, once_};
  Status s = node.source->run(*node.output, ctx);
  node.output->close();
  node_finished(node, s);
}

void Topology::run_transform(Node& node) {
  while (BatchPtr b = node.input->pop()) node.transform->process(std::move(b), *node.output);
  node.output->close();
  node_finished(node, {});
}

void Topology::run_sink(Node& node) {
  std::deque<BatchPtr> pending;
  std::vector<BatchPtr> group;
  while (true) {
    BatchPtr first = node.input->pop();
    if (!first) break;
    group.clear();
    group.push_back(std::move(first));
    if (node.sink_batch_bytes > 0) {
      pending.clear();
      node.input->drain_into(pending, node.sink_batch_bytes);
      for (auto& b : pending) group.push_back(std::move(b));
    }
    if (hard_stop_.load()) continue;  // past the deadline: drop without ack, upstream unblocks
    auto backoff = std::chrono::milliseconds(100);
    SinkResult r;
    while ((r = node.sink->write(group)) == SinkResult::kRetry && !hard_stop_.load()) {
      node.sink_retries->add();
      // Sleep in short steps so that shutdown_timeout is kept even in a long backoff.
      auto until = std::chrono::steady_clock::now() + backoff;
      while (std::chrono::steady_clock::now() < until && !hard_stop_.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    size_t events = 0;
    for (const auto& b : group) events += b->events.size();
    if (r == SinkResult::kRetry) continue;  // hard stop: not acknowledged, read again next start
    if (r == SinkResult::kAsync) continue;  // the sink acknowledges when durable
    if (r == SinkResult::kFail) {
      node.sink_dropped->add(events);
      log_error("sink dropped events after a permanent failure", {{"component", node.name}, {"events", std::to_string(events)}});
    } else {
      node.sink_events->add(events);
    }
    for (const auto& b : group) b->ack.ack();
  }
  node.sink->drain([this] { return drain_deadline_.load(); });
  node_finished(node, {});
}

void Topology::start() {
  std::lock_guard lock(mu_);
  for (auto& node : nodes_) {
    ++threads_running_;
    Node* n = node.get();
    switch (n->kind) {
      case ComponentKind::kSource:
        ++sources_running_;
        threads_.emplace_back([this, n] { run_source(*n); });
        break;
      case ComponentKind::kTransform: threads_.emplace_back([this, n] { run_transform(*n); }); break;
      case ComponentKind::kSink: threads_.emplace_back([this, n] { run_sink(*n); }); break;
    }
  }
}

void Topology::wait(const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  while (sources_running_ > 0 && !failed_ && !stop.load()) {
    changed_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

int Topology::shutdown() {
  stop_sources_.store(true);
  auto deadline = std::chrono::steady_clock::now() + shutdown_timeout_;
  drain_deadline_.store(deadline);
  {
    std::unique_lock lock(mu_);
    if (!changed_.wait_until(lock, deadline, [&] { return threads_running_ == 0; })) {
      log_warn("shutdown_timeout reached; dropping unacknowledged batches (they will be read again at the next start)",
               {{"timeout", std::to_string(shutdown_timeout_.count()) + "ms"}});
      hard_stop_.store(true);
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  for (auto& node : nodes_)
    if (node->source) node->source->finish();
  std::lock_guard lock(mu_);
  return failed_ ? 1 : 0;
}

}  // namespace logship
