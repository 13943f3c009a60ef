#include "shipper/runtime/topology.h"

#include <pthread.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <set>

#include "core/log.h"
#include "shipper/runtime/fanout.h"
#include "shipper/runtime/topology_node.h"

namespace logship {

Topology::~Topology() {
  bool running;
  {
    std::lock_guard lock(mu_);
    running = threads_running_ > 0;
  }
  if (running) shutdown();  // an early return (a failed test, an error path) must not hang in join()
  if (collector_id_) metrics().remove_collector(collector_id_);
  for (auto& n : nodes_)
    if (n->thread.joinable()) n->thread.join();
}

void Topology::register_collector() {
  collector_id_ = metrics().add_collector([this](std::vector<Sample>& out) {
    std::lock_guard lock(nodes_mu_);
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
    for (const auto& n : nodes_) {
      Labels labels{{"component", n->name}, {"kind", kind_name(n->kind)}};
      out.push_back({"logship_component_up", "1 while the component's thread runs.", MetricType::kGauge, labels, n->running.load() ? 1.0 : 0.0});
      if (int64_t at = n->started_at.load())
        out.push_back({"logship_component_start_time_seconds", "Unix time the component (re)started; a reload changes it only for what it replaced.",
                       MetricType::kGauge, labels, static_cast<double>(at) / 1e9});
    }
  });
}

HealthReport Topology::health(std::chrono::milliseconds max_blocked) const {
  HealthReport r;
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(nodes_mu_);
  for (const auto& n : nodes_) {
    std::string what = std::string(kind_name(n->kind)) + " " + n->name;
    if (n->awaiting_predecessor.load()) continue;  // a reload is replacing it: starts in a moment
    if (!n->running.load()) {
      // Sources end by themselves with --once; that is not a failure.
      if (!(n->kind == ComponentKind::kSource && once_)) r.problems.push_back(what + " is not running");
      continue;
    }
    if (n->source)
      for (auto& p : n->source->health_problems()) r.problems.push_back(std::move(p));
    if (n->kind != ComponentKind::kSink) continue;
    if (int64_t since = n->sink_state.failing_since.load(); since != 0) {
      auto secs = (steady_nanos() - since) / 1000000000;
      if (std::chrono::seconds(secs) >= max_blocked) r.problems.push_back(what + " blocked for " + std::to_string(secs) + "s (writes failing)");
      continue;
    }
    if (int64_t sent = n->sink_state.oldest_sent.load(); sent != 0) {
      auto secs = (steady_nanos() - sent) / 1000000000;
      if (std::chrono::seconds(secs) >= max_blocked) {
        r.problems.push_back(what + " blocked for " + std::to_string(secs) + "s (the destination has not confirmed what it was sent)");
        continue;
      }
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
  {
    std::lock_guard lock(nodes_mu_);
    for (const auto& n : nodes_) {
      if (!line.empty()) line += ", ";
      line += n->name + "=";
      if (n->kind == ComponentKind::kSink) line += std::to_string(n->sink_events->value()) + " acked";
      else line += std::to_string(n->sent_events->value()) + " sent";
      if (n->input) {
        size_t pct = n->input->capacity() ? 100 * n->input->bytes() / n->input->capacity() : 0;
        line += " queue " + std::to_string(pct) + "%";
      }
      if (n->awaiting_predecessor.load()) line += " starting";
      else if (!n->running.load()) line += " stopped";
      if (n->sink_state.failing_since.load() != 0) line += " failing";
    }
  }
  HealthReport h = health(std::chrono::milliseconds(0));
  return line + (h.ok ? "" : "; blocked now: " + std::to_string(h.problems.size()));
}

std::shared_ptr<Topology::Node> Topology::make_node(const ComponentEntry& c) const {
  auto node = std::make_shared<Node>();
  node->name = c.name;
  node->kind = c.kind;
  node->signature = c.signature;
  Labels labels{{"component", c.name}};
  if (c.kind != ComponentKind::kSource) node->input = std::make_unique<BatchQueue>(buffer_bytes_, /*producers=*/0);
  if (c.kind == ComponentKind::kSink) {
    node->sink_events = &metrics().counter("logship_sink_acknowledged_events_total",
                                           "Events a sink made durable at its destination (then acknowledged upstream).", labels);
    // Its dead letters: read by whatever lists `<sink>.dead_letter` among its inputs.
    node->output = std::make_unique<Fanout>(
        metrics().counter("logship_dead_letter_output_events_total", "Dead-letter events a sink handed to the components reading its dead_letter output.", labels),
        metrics().counter("logship_dead_letter_output_bytes_total", "Bytes of the refused events a sink handed on as dead letters.", labels),
        /*track_acks=*/false);
  } else {
    node->sent_events = &metrics().counter("logship_component_sent_events_total", "Events a component sent on.", labels);
    node->output = std::make_unique<Fanout>(
        *node->sent_events, metrics().counter("logship_component_sent_bytes_total", "Raw bytes of the events a component sent on.", labels),
        /*track_acks=*/c.kind == ComponentKind::kSource);
  }
  return node;
}

Status Topology::build_component(Node& node, const ComponentEntry& c) const {
  BuildContext ctx{c.name, data_dir_, host_, once_};
  std::string where = std::string(kind_section(c.kind)) + "." + c.name + ": ";
  switch (c.kind) {
    case ComponentKind::kSource: {
      auto r = c.config->make_source(ctx);
      if (!r) return Error{r.error().code, where + r.error().message};
      node.source = std::move(r.value());
      break;
    }
    case ComponentKind::kTransform: {
      node.transforms.clear();
      for (int i = 0; i < c.config->transform_threads(); ++i) {
        auto r = c.config->make_transform(ctx);
        if (!r) return Error{r.error().code, where + r.error().message};
        node.transforms.push_back(std::move(r.value()));
      }
      break;
    }
    case ComponentKind::kSink: {
      auto r = c.config->make_sink(ctx);
      if (!r) return Error{r.error().code, where + r.error().message};
      node.sink = std::move(r.value());
      node.sink_options.name = c.name;
      node.sink_options.group_bytes = c.config->sink_batch_bytes();
      node.sink_options.in_flight_bytes = c.config->sink_in_flight_bytes();
      node.sink_options.retry = c.retry;
      node.sink_options.dead_letter_file = (data_dir_.empty() ? std::string(".") : data_dir_) + "/dead-letter/" + c.name + ".ndjson";
      break;
    }
  }
  node.signature = c.signature;
  return {};
}

void Topology::wire(const PipelineConfig& pipeline, const std::vector<std::shared_ptr<Node>>& nodes) const {
  std::map<std::string, Node*> by_name;
  for (const auto& n : nodes) by_name[n->name] = n.get();
  for (const auto& node : nodes) {
    if (!node->output) continue;
    std::vector<FanoutEdge> edges;
    // A sink's output is its dead letters, read as `<sink>.dead_letter`.
    std::string output_name = node->kind == ComponentKind::kSink ? dead_letter_output_name(node->name) : node->name;
    for (const auto& c : pipeline.components) {
      for (const auto& in : c.inputs) {
        if (in != output_name) continue;
        Node* reader = by_name.at(c.name);
        edges.push_back({reader->input.get(), reader->kind == ComponentKind::kSink});
      }
    }
    node->output->rewire(std::move(edges));
  }
}

Result<std::unique_ptr<Topology>> Topology::build(const PipelineConfig& pipeline, const RunOptions& options) {
  std::unique_ptr<Topology> t(new Topology());
  t->once_ = options.once;
  t->shutdown_timeout_ = pipeline.global.shutdown_timeout.value;
  t->data_dir_ = pipeline.global.data_dir;
  t->buffer_bytes_ = pipeline.global.buffer_bytes.value;
  t->host_ = pipeline.global.host_name;
  if (t->host_.empty()) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof(buf) - 1) == 0) t->host_ = buf;
  }
  for (const auto& c : pipeline.components) {
    auto node = t->make_node(c);
    if (Status s = t->build_component(*node, c); !s) return s.error();
    t->nodes_.push_back(std::move(node));
  }
  t->wire(pipeline, t->nodes_);
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
  RunContext ctx{&node.stop, once_};
  Status s = node.source->run(*node.output, ctx);
  node.output->close();
  node_finished(node, s);
}

namespace {

// Holds what one transform call emitted until it is this batch's turn to go on.
class Collected final : public Emitter {
 public:
  void emit(BatchPtr batch) override { batches.push_back(std::move(batch)); }
  std::vector<BatchPtr> batches;
};

}  // namespace

// "src:app", "tf:parsed", "sink:es" in top -H, perf and gdb (Linux keeps 15 bytes).
void Topology::name_this_thread(std::string_view kind, std::string_view component) {
  std::string name = std::string(kind) + ":" + std::string(component);
  name.resize(std::min<size_t>(name.size(), 15));
  pthread_setname_np(pthread_self(), name.c_str());
}

void Topology::run_transform(Node& node) {
  // Workers (one per instance; often just this thread) take batches in queue order, numbered,
  // and parse each on their own instance. What they emit goes on in input order: a finished
  // batch whose turn has not come is parked, and whoever finishes the batch whose turn it is
  // sends it and the parked ones that follow. A worker does not wait for a slower one (it used
  // to: on 2 cores, each time the source thread took a worker's core the other worker sat
  // idle, a quarter of the run), except to keep at most kParkedPerWorker batches per worker
  // parked, which bounds the memory.
  static constexpr uint64_t kParkedPerWorker = 4;
  const uint64_t max_ahead = kParkedPerWorker * node.transforms.size();
  Transform& first = *node.transforms[0];
  std::mutex take_mu, turn_mu;
  std::condition_variable turn_cv;
  uint64_t next_taken = 0, next_out = 0;
  std::map<uint64_t, std::vector<BatchPtr>> parked;
  bool sending = false;  // a worker is sending parked batches on; the others leave it to it
  auto work = [&](Transform& transform) {
    Collected collected;
    while (true) {
      BatchPtr b;
      uint64_t number;
      {
        std::lock_guard lock(take_mu);
        b = node.input->pop();
        number = next_taken++;
      }
      if (!b) return;  // the queue ended: every later pop is empty too
      transform.process(std::move(b), collected);
      std::unique_lock lock(turn_mu);
      turn_cv.wait(lock, [&] { return number < next_out + max_ahead; });
      parked.emplace(number, std::move(collected.batches));
      collected.batches.clear();
      if (sending) continue;
      sending = true;
      while (!parked.empty() && parked.begin()->first == next_out) {
        std::vector<BatchPtr> batches = std::move(parked.begin()->second);
        parked.erase(parked.begin());
        lock.unlock();  // emitting may wait for room downstream: others keep parsing meanwhile
        for (auto& out : batches) {
          first.in_order(*out);
          node.output->emit(std::move(out));
        }
        lock.lock();
        ++next_out;
        turn_cv.notify_all();
      }
      sending = false;
    }
  };
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < node.transforms.size(); ++i) {
    helpers.emplace_back([&, i] {
      name_this_thread("tf", node.name);
      work(*node.transforms[i]);
    });
  }
  work(first);
  for (auto& h : helpers) h.join();
  node.output->close();
  node_finished(node, {});
}

void Topology::run_sink(Node& node) {
  // Retries, dead letters, acknowledgements and the deadline: the driver's (delivery/).
  auto dead_letters = [&node](BatchPtr& b) {
    switch (node.output->try_emit_if_read(b, std::chrono::milliseconds(0))) {
      case Fanout::Handed::kHanded: return SinkDriver::Handed::kHanded;
      case Fanout::Handed::kNoReader: return SinkDriver::Handed::kNoReader;
      case Fanout::Handed::kNoRoom: break;
    }
    return SinkDriver::Handed::kNoRoom;
  };
  node.sink->on_start();
  SinkDriver driver(*node.sink, *node.input, node.sink_options, dead_letters, node.sink_state);
  SinkDriver::Result r = driver.run([&node] { return node.past_deadline(); },
                                    [this, &node] { return node.has_successor.load() && !shutting_down_.load(); });
  // What a sink retired by a reload gives up goes to its replacement; what is left at shutdown
  // also decides `run --once`'s exit code.
  if (shutting_down_.load()) undelivered_.fetch_add(r.undelivered);
  node.unsent = std::move(r.unsent);
  node.output->close();
  node_finished(node, {});
}

void Topology::start_node(const std::shared_ptr<Node>& node) {
  std::lock_guard lock(mu_);
  ++threads_running_;
  Node* n = node.get();
  n->running.store(true);
  n->awaiting_predecessor.store(false);
  n->started_at.store(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  switch (n->kind) {
    case ComponentKind::kSource:
      ++sources_running_;
      n->thread = std::thread([this, n] {
        name_this_thread("src", n->name);
        run_source(*n);
      });
      break;
    case ComponentKind::kTransform:
      n->thread = std::thread([this, n] {
        name_this_thread("tf", n->name);
        run_transform(*n);
      });
      break;
    case ComponentKind::kSink:
      n->thread = std::thread([this, n] {
        name_this_thread("sink", n->name);
        run_sink(*n);
      });
      break;
  }
}

void Topology::start() {
  std::vector<std::shared_ptr<Node>> nodes;
  {
    std::lock_guard lock(nodes_mu_);
    nodes = nodes_;
  }
  for (const auto& n : nodes) start_node(n);
}

void Topology::wait(const std::atomic<bool>& stop) {
  std::unique_lock lock(mu_);
  while (sources_running_ > 0 && !failed_ && !stop.load()) {
    changed_.wait_for(lock, std::chrono::milliseconds(100));
  }
}

int Topology::shutdown() {
  shutting_down_.store(true);
  auto deadline = std::chrono::steady_clock::now() + shutdown_timeout_;
  std::vector<std::shared_ptr<Node>> nodes;
  {
    std::lock_guard lock(nodes_mu_);
    nodes = nodes_;
  }
  for (const auto& n : nodes) {
    n->deadline.store(to_nanos(deadline));  // past it, sinks stop retrying and drop what they hold
    n->stop.store(true);
  }
  for (;;) {
    {
      std::unique_lock lock(mu_);
      auto step = std::min(deadline, std::chrono::steady_clock::now() + std::chrono::milliseconds(250));
      if (changed_.wait_until(lock, step, [&] { return threads_running_ == 0; }) || std::chrono::steady_clock::now() >= deadline) break;
    }
    // A source whose thread has returned is no longer touched by it.
    for (const auto& n : nodes)
      if (n->source && n->thread.joinable() && !n->running.load()) n->source->keep_track_while_stopping();
  }
  for (const auto& n : nodes)
    if (n->thread.joinable()) n->thread.join();
  for (const auto& n : nodes)
    if (n->source) n->source->finish();
  uint64_t undelivered = undelivered_.load();
  if (undelivered > 0)
    log_warn("stopped with events undelivered; they were not acknowledged and are read again at the next start",
             {{"events", std::to_string(undelivered)}, {"timeout", std::to_string(shutdown_timeout_.count()) + "ms"}});
  std::lock_guard lock(mu_);
  if (once_ && undelivered > 0) {
    log_error("run --once gave up at shutdown_timeout", {{"undelivered_events", std::to_string(undelivered)}});
    return 1;
  }
  return failed_ ? 1 : 0;
}

}  // namespace logship
