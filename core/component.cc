#include "core/component.h"

namespace logship {

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
