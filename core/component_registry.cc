#include "core/component_registry.h"

#include <algorithm>

namespace logship {

void ComponentRegistry::add(std::unique_ptr<ComponentFactory> factory) { factories_.push_back(std::move(factory)); }

const ComponentFactory* ComponentRegistry::find(ComponentKind kind, const std::string& type) const {
  for (const auto& f : factories_)
    if (f->kind() == kind && f->type() == type) return f.get();
  return nullptr;
}

std::vector<std::string> ComponentRegistry::types(ComponentKind kind) const {
  std::vector<std::string> out;
  for (const auto& f : factories_)
    if (f->kind() == kind) out.push_back(f->type());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<const ComponentFactory*> ComponentRegistry::all() const {
  std::vector<const ComponentFactory*> out;
  for (const auto& f : factories_) out.push_back(f.get());
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) {
    if (a->kind() != b->kind()) return a->kind() < b->kind();
    return a->type() < b->type();
  });
  return out;
}

}  // namespace logship
