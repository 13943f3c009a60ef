#include "shipper/runtime/pipeline_runner.h"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/log.h"

namespace logship {

namespace {

// Sent by the runner to its own signal thread when the pipeline has stopped, so that the thread
// ends at once rather than at its next tick (100 ms that every `run --once` used to wait).
// One sent from outside is taken and ignored.
constexpr int kFinishSignal = SIGUSR2;

sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, kFinishSignal}) sigaddset(&set, s);
  return set;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "added: x; removed: y; changed: z" between two valid pipelines ("" when equal).
std::string describe_changes(const PipelineConfig& before, const PipelineConfig& after) {
  std::vector<std::string> added, removed, changed;
  for (const auto& c : after.components) {
    const ComponentEntry* old = before.find(c.name);
    if (!old) added.push_back(c.name);
    else if (old->signature != c.signature || old->kind != c.kind) changed.push_back(c.name);
  }
  for (const auto& c : before.components)
    if (!after.find(c.name)) removed.push_back(c.name);
  auto list = [](const char* what, const std::vector<std::string>& names) -> std::string {
    if (names.empty()) return "";
    std::string s = std::string(what) + ": ";
    for (size_t i = 0; i < names.size(); ++i) s += (i ? ", " : "") + names[i];
    return s + "; ";
  };
  std::string out = list("added", added) + list("removed", removed) + list("changed", changed);
  if (before.global_signature != after.global_signature) out += "global settings changed; ";
  if (!out.empty()) out.resize(out.size() - 2);
  return out;
}

}  // namespace

PipelineRunner::PipelineRunner(std::string config_path, const ComponentRegistry& registry, RunnerOptions options)
    : config_path_(std::move(config_path)), registry_(registry), options_(options) {}

PipelineRunner::~PipelineRunner() = default;

Status PipelineRunner::start_topology(const PipelineConfig& pipeline) {
  auto topology = Topology::build(pipeline, {options_.once});
  if (!topology) return topology.error();
  std::lock_guard lock(mu_);
  topology_ = std::move(topology.value());
  topology_->start();
  return {};
}

Status PipelineRunner::start_api(const PipelineConfig& pipeline) {
  api_.reset();
  if (!pipeline.global.api) return {};
  max_blocked_ = std::chrono::duration_cast<std::chrono::milliseconds>(pipeline.global.api->max_blocked.value);
  auto api = ApiServer::start(*pipeline.global.api, [this] { return health(); });
  if (!api) return api.error();
  api_ = std::move(api.value());
  return {};
}

HealthReport PipelineRunner::health() {
  std::lock_guard lock(mu_);
  if (!topology_) return {false, {"the pipeline is being reloaded"}};
  return topology_->health(max_blocked_);
}

void PipelineRunner::log_status() {
  std::lock_guard lock(mu_);
  if (topology_) log_info("status", {{"components", topology_->status_line()}});
}

void PipelineRunner::reload() {
  ConfigErrors errors;
  auto next = load_pipeline_file(config_path_, registry_, errors);
  if (!next) {
    for (const auto& e : errors.list()) log_error("reload refused", {{"problem", e.to_string(config_path_)}});
    if (errors.omitted() > 0) log_error("reload refused", {{"problem", "\u2026 and " + std::to_string(errors.omitted()) + " more problems"}});
    log_error("reload refused: the running pipeline goes on unchanged",
              {{"config", config_path_}, {"problems", std::to_string(errors.size())}});
    return;
  }
  // Certificates renewed in place (certbot, cert-manager) keep their paths: the API loads its
  // files again on every reload that leaves it as it is.
  if (api_ && next->global.api && next->global.api->tls && current_.global_signature == next->global_signature)
    api_->reload_tls(*next->global.api->tls);
  std::string changes = describe_changes(current_, *next);
  if (changes.empty()) {
    log_info("reload: nothing changed", {{"config", config_path_}});
    return;
  }
  log_info("reloading", {{"config", config_path_}, {"changes", changes}});
  if (current_.global_signature == next->global_signature) {
    // Only what changed is replaced; the rest keeps running (Topology::apply). No mu_: this
    // thread is the only one that swaps topology_, and /health must answer during the reload.
    auto applied = topology_->apply(current_, *next);
    if (!applied) {
      log_error("reload refused: a new component cannot be built; the running pipeline goes on unchanged",
                {{"config", config_path_}, {"error", applied.error().message}});
      return;
    }
  } else {
    // data_dir, buffer sizes, the api…: everything restarts, from the checkpoints.
    std::unique_ptr<Topology> old;
    {
      std::lock_guard lock(mu_);
      old = std::move(topology_);
    }
    int code = old->shutdown();  // delivers what is in flight, writes checkpoints
    old.reset();                 // releases the data_dir locks before the new sources take them
    if (code != 0) log_warn("the old pipeline had a failed component", {});
    if (Status s = start_topology(*next); !s) {
      log_error("reload failed to start the new pipeline; starting the previous one again", {{"error", s.error().message}});
      if (Status back = start_topology(current_); !back) {
        log_error("cannot start the previous pipeline either", {{"error", back.error().message}});
        stop_.store(true);
        wake_.store(true);
      }
      return;
    }
  }
  if (current_.global_signature != next->global_signature) {
    if (Status s = start_api(*next); !s) log_error("api not restarted", {{"error", s.error().message}});
  }
  for (const auto& w : next->warnings) log_warn("pipeline warning", {{"warning", w}});
  current_ = std::move(*next);
  log_info("reloaded", {{"config", config_path_}});
}

int PipelineRunner::run(PipelineConfig pipeline) {
  sigset_t signals = handled_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started below
  ::signal(SIGPIPE, SIG_IGN);

  current_ = std::move(pipeline);
  if (Status s = start_api(current_); !s) {
    log_error("cannot start the api", {{"error", s.error().message}});
    return 1;
  }
  if (Status s = start_topology(current_); !s) {
    log_error("cannot start pipeline", {{"error", s.error().message}});
    return 1;
  }
  log_info("pipeline started", {{"config", config_path_}, {"once", options_.once ? "true" : "false"}, {"version", LOGSHIP_VERSION}});

  std::atomic<bool> finished{false};
  std::thread signal_thread([&] {
    timespec tick{0, 100 * 1000 * 1000};
    std::string last_text = options_.watch_config ? file_text(config_path_) : "";
    auto last_check = std::chrono::steady_clock::now();
    while (!finished.load()) {
      int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGTERM || sig == SIGINT) {
        log_info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
        stop_.store(true);
        wake_.store(true);
      } else if (sig == SIGHUP) {
        reload_.store(true);
        wake_.store(true);
      } else if (sig == SIGUSR1) {
        log_status();
      }
      // --watch-config: the file's text, once a second (editors replace files; inotify on the
      // file itself would lose track of them).
      if (options_.watch_config && std::chrono::steady_clock::now() - last_check > std::chrono::seconds(1)) {
        last_check = std::chrono::steady_clock::now();
        std::string text = file_text(config_path_);
        if (text != last_text) {
          last_text = text;
          log_info("pipeline file changed", {{"config", config_path_}});
          reload_.store(true);
          wake_.store(true);
        }
      }
    }
  });

  int code = 0;
  while (topology_) {
    topology_->wait(wake_);
    if (reload_.exchange(false) && !stop_.load()) {
      wake_.store(false);
      reload();
      continue;
    }
    break;  // stop asked, sources finished (--once), or a component failed
  }
  {
    std::unique_ptr<Topology> last;
    {
      std::lock_guard lock(mu_);
      last = std::move(topology_);
    }
    code = last ? last->shutdown() : 1;
  }
  finished.store(true);
  pthread_kill(signal_thread.native_handle(), kFinishSignal);
  signal_thread.join();
  api_.reset();
  log_info("pipeline stopped", {{"exit_code", std::to_string(code)}});
  return code;
}

}  // namespace logship
