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
  Counter* sent_events = nullptr;          // sources and transforms
  std::atomic<bool> running{false};
  std::atomic<int64_t> failing_since{0};   // steady-clock ns of the first write retry of a streak; 0 = none
};

namespace {

int64_t steady_nanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Topology::~Topology() {
  if (collector_id_) metrics().remove_collector(collector_id_);
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void Topology::register_collector() {
  collector_id_ = metrics().add_collector([this](std::vector<Sample>& out) {
    for (const auto& n : nodes_) {
      if (!n->input) continue;
      Labels labels{{"component", n->name}};
      out.push_back({"logship_queue_bytes", "Bytes waiting in the queue in front of a transform or sink.", MetricType::kGauge, labels,
                     static_cast<double>(n->input->bytes())});
      out.push_back({"logship_queue_capacity_bytes", "Bound of that queue (buffer_bytes); full means back-pressure.", MetricType::kGauge,
                     labels, static_cast<double>(n->input->capacity())});
      out.push_back({"logship_queue_blocked_seconds_total", "Time the stages before this component waited because its queue was full.",
                     MetricType::kCounter, labels, static_cast<double>(n->input->blocked_nanos()) / 1e9});
    }
    for (const auto& n : nodes_)
      out.push_back({"logship_component_up", "1 while the component's thread runs.", MetricType::kGauge, {{"component", n->name}, {"kind", kind_name(n->kind)}},
                     n->running.load() ? 1.0 : 0.0});
  });
}

HealthReport Topology::health(std::chrono::milliseconds max_blocked) const {
  HealthReport r;
  auto now = std::chrono::steady_clock::now();
  for (const auto& n : nodes_) {
    std::string what = std::string(kind_name(n->kind)) + " " + n->name;
    if (!n->running.load()) {
      // Sources end by themselves with --once; that is not a failure.
      if (!(n->kind == ComponentKind::kSource && once_)) r.problems.push_back(what + " is not running");
      continue;
    }
    if (n->kind != ComponentKind::kSink) continue;
    if (int64_t since = n->failing_since.load(); since != 0) {
      auto secs = (steady_nanos() - since) / 1000000000;
      if (std::chrono::seconds(secs) >= max_blocked) r.problems.push_back(what + " blocked for " + std::to_string(secs) + "s (writes failing)");
      continue;
    }
    if (auto since = n->input->blocked_since()) {
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - *since);
      if (secs >= max_blocked) r.problems.push_back(what + " blocked for " + std::to_string(secs.count()) + "s (its queue is full)");
    }
  }
  r.ok = r.problems.empty();
  return r;
}

std::string Topology::status_line() const {
  std::string line;
  for (const auto& n : nodes_) {
    if (!line.empty()) line += ", ";
    line += n->name + "=";
    if (n->kind == ComponentKind::kSink) line += std::to_string(n->sink_events->value()) + " acked";
    else line += std::to_string(n->sent_events->value()) + " sent";
    if (n->input) {
      size_t pct = n->input->capacity() ? 100 * n->input->bytes() / n->input->capacity() : 0;
      line += " queue " + std::to_string(pct) + "%";
    }
    if (!n->running.load()) line += " stopped";
    if (n->failing_since.load() != 0) line += " failing";
  }
  HealthReport h = health(std::chrono::milliseconds(0));
  return line + (h.ok ? "" : "; blocked now: " + std::to_string(h.problems.size()));
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
    node->sent_events = &metrics().counter("logship_component_sent_events_total", "Events a component sent on.", labels);
    node->output = std::make_unique<Fanout>(
        std::move(edges), *node->sent_events,
        metrics().counter("logship_component_sent_bytes_total", "Raw bytes of the events a component sent on.", labels));
  }
  t->register_collector();
  return t;
}

void Topology::node_finished(Node& node, const Status& status) {
  node.running.store(false);
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
      if (node.failing_since.load() == 0) node.failing_since.store(steady_nanos());
      // Sleep in short steps so that shutdown_timeout is kept even in a long backoff.
      auto until = std::chrono::steady_clock::now() + backoff;
      while (std::chrono::steady_clock::now() < until && !hard_stop_.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    node.failing_since.store(0);
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
    n->running.store(true);
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
