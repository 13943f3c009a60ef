#include "core/component.h"

#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace logship {

namespace {

// CPUs this process may use: its affinity mask (taskset, cpusets), lowered to the cgroup v2
// quota when one is set (a Kubernetes CPU limit of 500m gives 1), so a sidecar does not start
// more parsing threads than it may run.
unsigned usable_cpus() {
  unsigned cpus = std::thread::hardware_concurrency();
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cpus = static_cast<unsigned>(CPU_COUNT(&set));
  std::ifstream max_file("/sys/fs/cgroup/cpu.max");
  std::string quota;
  long long period = 0;
  if (max_file >> quota >> period && quota != "max" && period > 0) {
    long long q = std::atoll(quota.c_str());
    if (q > 0) cpus = std::min<unsigned>(cpus, static_cast<unsigned>((q + period - 1) / period));
  }
  return std::max(cpus, 1u);
}

}  // namespace

int threads_for(int64_t configured) {
  if (configured > 0) return static_cast<int>(configured);
  static const unsigned cpus = usable_cpus();
  return static_cast<int>(std::clamp(cpus, 1u, 4u));
}

const char* kind_name(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kSource: return "source";
    case ComponentKind::kTransform: return "transform";
    case ComponentKind::kSink: return "sink";
  }
  return "component";
}

const char* kind_section(ComponentKind kind) {
  switch (kind) {
    case ComponentKind::kSource: return "sources";
    case ComponentKind::kTransform: return "transforms";
    case ComponentKind::kSink: return "sinks";
  }
  return "components";
}

Result<std::unique_ptr<Source>> ComponentConfig::make_source(const BuildContext&) const {
  return Error{ErrorCode::kInternal, "not a source"};
}
Result<std::unique_ptr<Transform>> ComponentConfig::make_transform(const BuildContext&) const {
  return Error{ErrorCode::kInternal, "not a transform"};
}
Result<std::unique_ptr<Sink>> ComponentConfig::make_sink(const BuildContext&) const {
  return Error{ErrorCode::kInternal, "not a sink"};
}

}  // namespace logship
