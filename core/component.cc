#include "core/component.h"

#include <algorithm>
#include <thread>

namespace logship {

int threads_for(int64_t configured) {
  if (configured > 0) return static_cast<int>(configured);
  unsigned cores = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(cores, 1u, 4u));
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
