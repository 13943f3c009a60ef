// The components logship knows, by kind and `type:` name.
//
//   ComponentRegistry registry;
//   register_sinks(registry);                       // each module adds its own
//   const ComponentFactory* f = registry.find(ComponentKind::kSink, "file");
//
// Registration is explicit (no static initialisers), so what a binary holds is plain to see.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/component.h"

namespace logship {

class ComponentRegistry {
 public:
  void add(std::unique_ptr<ComponentFactory> factory);
  const ComponentFactory* find(ComponentKind kind, const std::string& type) const;
  // Type names of one kind, sorted, for "unknown type" messages and docs.
  std::vector<std::string> types(ComponentKind kind) const;
  std::vector<const ComponentFactory*> all() const;

 private:
  std::vector<std::unique_ptr<ComponentFactory>> factories_;
};

}  // namespace logship
