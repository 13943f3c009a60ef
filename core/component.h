// The three roles a pipeline component plays, and the factories that make them from YAML.
//
//   source:    produces batches (run), and commits what sinks acknowledged (finish)
//   transform: batch in, batch out (or nothing: then it acknowledges the batch itself)
//   sink:      sends deliveries and says per event delivered / retry / rejected (core/delivery.h);
//              the runtime retries, dead-letters and acknowledges (delivery/sink_driver.h)
//
// A factory parses a component's YAML into its typed config without side effects (that is all
// `logship validate` does), and builds the component from it when the pipeline starts.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/config/schema.h"
#include "core/delivery.h"
#include "core/error.h"

namespace logship {

enum class ComponentKind { kSource, kTransform, kSink };
const char* kind_name(ComponentKind kind);          // "source"
const char* kind_section(ComponentKind kind);       // "sources"

// Hands batches to the next stage; blocks while that stage is full (back-pressure).
class Emitter {
 public:
  virtual ~Emitter() = default;
  virtual void emit(BatchPtr batch) = 0;
  // Like emit, but gives up after `wait` when the next stage has no room: then returns false
  // and leaves `batch` with the caller. A source that must keep doing other work while the
  // pipeline is blocked (the file source opening new files) uses this.
  virtual bool try_emit(BatchPtr& batch, std::chrono::milliseconds wait) {
    (void)wait;
    emit(std::move(batch));
    return true;
  }
};

struct RunContext {
  const std::atomic<bool>* stop = nullptr;  // set on SIGTERM/SIGINT: stop reading soon
  bool once = false;                        // read what is there, then return
  bool stopping() const { return stop->load(std::memory_order_relaxed); }
};

class Source {
 public:
  virtual ~Source() = default;
  // Produces batches until ctx.stopping() (or, with ctx.once, until all input is read).
  virtual Status run(Emitter& out, const RunContext& ctx) = 0;
  // Called every quarter second after run() returned while the sinks still drain (up to
  // shutdown_timeout), on the stopping thread: a source whose inputs can appear and vanish in
  // that window (files created and rotated away) keeps track of them here without reading.
  virtual void keep_track_while_stopping() {}
  // Called once every sink has finished with the batches: commit what was acknowledged.
  virtual void finish() {}
  // Problems /health reports while they last ("max_open_files reached: 3 files not held").
  // Called from the API's threads.
  virtual std::vector<std::string> health_problems() const { return {}; }
};

class Transform {
 public:
  virtual ~Transform() = default;
  // Emits the (possibly changed) batch, or acknowledges it when nothing is left to send on.
  // With `threads` above 1, process() of several instances runs at once on different batches.
  virtual void process(BatchPtr batch, Emitter& out) = 0;
  // Called for every batch process() emitted, one batch at a time in input order, always on
  // the first instance (possibly while that instance's process() runs on another batch): where
  // state carried from one batch to the next belongs. Must not touch what process() uses.
  virtual void in_order(Batch& batch) { (void)batch; }
};

// A sink sends deliveries and reports, per event, delivered / retry / rejected (core/delivery.h).
// It never retries, waits out a backoff or acknowledges a batch itself: the runtime's sink
// driver (delivery/sink_driver.h) owns the bound on work in flight, retries with backoff, dead
// letters, acknowledgements, the shutdown deadline and the generic metrics.
class Sink {
 public:
  virtual ~Sink() = default;
  // Sends `delivery` and reports through `done`, exactly once, from any thread: before
  // returning (a synchronous sink) or later (an asynchronous one). The runtime keeps the
  // delivery and its batches alive and unchanged until then.
  virtual void send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) = 0;
  // Called on the sink's thread before its first send. A sink built by a reload to replace
  // another is started only once that one has stopped: what they share on disk (a state file)
  // is read here, not when it is built.
  virtual void on_start() {}
  // The input has ended: send at once what is held back to fill a request (flush_interval).
  virtual void flush() {}
  // The shutdown deadline passed: give up what is in flight. Once this returns, `done` is
  // not called any more for what was sent before; those events are left unacknowledged and
  // read again at the next start.
  virtual void abort() {}
};

// A sink that finishes each delivery before returning (file, stdout, null).
class SyncSink : public Sink {
 public:
  virtual DeliveryReport write(const Delivery& delivery) = 0;
  void send(std::shared_ptr<const Delivery> delivery, DeliveryDone done) final { done(write(*delivery)); }
};

struct BuildContext {
  std::string name;      // component name in the pipeline
  std::string data_dir;  // where checkpoints live
  std::string host_name;
  bool once = false;     // `logship run --once`: the input's end is the run's end
};

// A parsed, validated component config, ready to build.
class ComponentConfig {
 public:
  virtual ~ComponentConfig() = default;
  virtual Result<std::unique_ptr<Source>> make_source(const BuildContext&) const;
  virtual Result<std::unique_ptr<Transform>> make_transform(const BuildContext&) const;
  virtual Result<std::unique_ptr<Sink>> make_sink(const BuildContext&) const;
  // Bytes a sink wants per send() call, for group commits; 0 = one batch at a time.
  virtual size_t sink_batch_bytes() const { return 0; }
  // Bytes of batches a sink may hold unresolved at once (its requests on the wire, its
  // producer queue); 0 = one delivery at a time. Past it, the runtime stops taking input.
  virtual size_t sink_in_flight_bytes() const { return 0; }
  // How a source cuts its input into events ("" = lines, "mysql_slowlog" = slow log entries),
  // and what a transform needs its inputs to be cut into: the loader checks they agree.
  virtual std::string framing() const { return ""; }
  virtual std::string required_input_framing() const { return ""; }
  // Transforms that keep no state from one batch to the next may run on several threads
  // (a `threads` option in their config; 0 there means one per core, at most 4). Each thread
  // gets its own instance; the runtime keeps the batches in order. "Per core" counts the CPUs
  // the process may use (affinity, cgroup quota).
  virtual int transform_threads() const { return 1; }
};

// `threads: 0` as a number of workers.
int threads_for(int64_t configured);

class ComponentFactory {
 public:
  virtual ~ComponentFactory() = default;
  virtual ComponentKind kind() const = 0;
  virtual const std::string& type() const = 0;
  virtual const std::string& description() const = 0;
  virtual std::vector<FieldDoc> docs() const = 0;
  // Pure: no files opened, no sockets. Every problem goes to `errors`.
  virtual std::unique_ptr<ComponentConfig> parse(const YAML::Node& node, const std::string& path,
                                                 ConfigErrors& errors) const = 0;
};

// Keys handled by the pipeline loader rather than the component: `type`, `inputs`, and the
// sink keys `retry` (delivery/retry_policy.h) and `dead_letter` (an old spelling, refused
// with what to write instead).
inline const std::set<std::string>& common_component_keys() {
  static const std::set<std::string> keys{"type", "inputs", "retry", "dead_letter"};
  return keys;
}

// The usual factory: a Config struct with a Schema, an optional
// `void validate(const YAML::Node&, const std::string&, ConfigErrors&) const` on the config for
// checks beyond types, and `static Result<std::unique_ptr<Impl>> Impl::create(const Config&,
// const BuildContext&)`.
template <ComponentKind Kind, class Config, class Impl>
class TypedFactory final : public ComponentFactory {
 public:
  TypedFactory(std::string type, std::string description, const Schema<Config>& schema)
      : type_(std::move(type)), description_(std::move(description)), schema_(schema) {}

  ComponentKind kind() const override { return Kind; }
  const std::string& type() const override { return type_; }
  const std::string& description() const override { return description_; }
  std::vector<FieldDoc> docs() const override { return schema_.docs(); }

  std::unique_ptr<ComponentConfig> parse(const YAML::Node& node, const std::string& path,
                                         ConfigErrors& errors) const override {
    auto holder = std::make_unique<Holder>();
    size_t before = errors.size();
    schema_.parse(node, path, holder->config, errors, common_component_keys());
    if constexpr (requires { holder->config.validate(node, path, errors); }) {
      if (errors.size() == before) holder->config.validate(node, path, errors);
    }
    return holder;
  }

 private:
  struct Holder final : ComponentConfig {
    Config config;
    Result<std::unique_ptr<Source>> make_source(const BuildContext& ctx) const override {
      if constexpr (Kind == ComponentKind::kSource) return upcast<Source>(Impl::create(config, ctx));
      return ComponentConfig::make_source(ctx);
    }
    Result<std::unique_ptr<Transform>> make_transform(const BuildContext& ctx) const override {
      if constexpr (Kind == ComponentKind::kTransform) return upcast<Transform>(Impl::create(config, ctx));
      return ComponentConfig::make_transform(ctx);
    }
    Result<std::unique_ptr<Sink>> make_sink(const BuildContext& ctx) const override {
      if constexpr (Kind == ComponentKind::kSink) return upcast<Sink>(Impl::create(config, ctx));
      return ComponentConfig::make_sink(ctx);
    }
    size_t sink_batch_bytes() const override {
      if constexpr (requires { config.batch_bytes(); }) return config.batch_bytes();
      return 0;
    }
    size_t sink_in_flight_bytes() const override {
      if constexpr (requires { config.in_flight_bytes(); }) return config.in_flight_bytes();
      return 0;
    }
    std::string framing() const override {
      if constexpr (requires { config.framing(); }) return config.framing();
      return "";
    }
    std::string required_input_framing() const override {
      if constexpr (requires { config.required_input_framing(); }) return config.required_input_framing();
      return "";
    }
    int transform_threads() const override {
      if constexpr (Kind == ComponentKind::kTransform && requires { config.threads; }) return threads_for(config.threads);
      return 1;
    }
  };

  template <class Base, class R>
  static Result<std::unique_ptr<Base>> upcast(R&& r) {
    if (!r) return r.error();
    return std::unique_ptr<Base>(std::move(r.value()));
  }

  std::string type_;
  std::string description_;
  Schema<Config> schema_;
};

}  // namespace logship
